"""A case's needs, notes and files."""

import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from agencies.models import User
from cases import selectors
from cases.models import Case, Document, Need, Note, Person, Visibility
from portal.audit import audit_record
from portal.idempotency import create_once
from portal.uploads import MAX_DOCUMENT_BYTES as MAX_DOCUMENT_BYTES  # the portal's rule for kept documents
from portal.uploads import document_checked


def need_add(
    *,
    case: Case,
    person: Person,
    category: str,
    actor: User,
    urgency: str = Need.Urgency.ROUTINE,
    details: str = "",
    submission_key: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> Need:
    """Record a victim's need. The same ``submission_key`` again (the form sent twice) gives the first need back."""
    case = selectors.case_get_for_user(actor, case.pk, selectors.CHANGE)
    if not case.participants.filter(person=person).exists():
        raise ValidationError({"person": _("This person is not in the case.")})
    if category not in Need.Category.values or urgency not in Need.Urgency.values:
        raise ValidationError(_("Choose a need and an urgency from the lists."))

    def create(key: uuid.UUID | None) -> Need:
        with transaction.atomic():
            need = Need.objects.create(
                case=case, person=person, category=category, urgency=urgency, details=details, submission_key=key
            )
            audit_record(
                action="cases.need.added",
                actor=actor,
                request=request,
                target=case,
                details={"need_id": need.pk, "category": category, "urgency": urgency},
            )
        return need

    return create_once(Need, actor=actor, key=submission_key, create=create)


def need_mark_met(*, need: Need, actor: User, request: HttpRequest | None = None) -> None:
    """Those who may change the case mark a need they may see as met; a need hidden from them is a 404."""
    access = selectors.case_access_for_user(actor, need.case_id, selectors.CHANGE)
    if not selectors.needs_visible_to(actor, access.case, access.permissions).filter(pk=need.pk).exists():
        raise Http404
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        if need.is_met:
            return  # marked met by someone else a moment ago (or a form sent twice): nothing changes
        need.mark_met()
        need.save(update_fields=["status", "updated_at"])
        audit_record(
            action="cases.need.met", actor=actor, request=request, target=need.case, details={"need_id": need.pk}
        )


def note_add(
    *,
    case: Case,
    text: str,
    actor: User,
    visibility: str = Visibility.CASE_TEAM,
    about: Iterable[Person] = (),
    submission_key: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> Note:
    """Those who may change a case add notes to it; a law-enforcement-sensitive note also needs that permission.
    A victim service provider's note names whom it is about (``about``), among its clients in the case: required
    when it has any there, since another agency reads the note only through each one's consent. The same
    ``submission_key`` again (the form sent twice) gives the first note back."""
    access = selectors.case_access_for_user(actor, case.pk, selectors.CHANGE)
    case, agency = access.case, actor.agency
    if agency is None or (visibility == Visibility.LAW_ENFORCEMENT and not access.may_see_le):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    about = list(about)
    clients = {person.pk for person in selectors.note_subjects_for(actor, case)}
    if any(person.pk not in clients for person in about):
        raise ValidationError({"about": _("A note is about your agency's clients in the case.")})
    if clients and not about:
        raise ValidationError({"about": _("Say which of your clients the note is about.")})

    def create(key: uuid.UUID | None) -> Note:
        with transaction.atomic():
            note = Note.objects.create(
                case=case, author=actor, author_agency=agency, text=text, visibility=visibility, submission_key=key
            )
            note.about.set(about)
            audit_record(
                action="cases.note.added",
                actor=actor,
                request=request,
                target=case,
                details={"note_id": note.pk, "visibility": visibility, "about": sorted(person.pk for person in about)},
            )
        return note

    return create_once(Note, actor=actor, key=submission_key, create=create)


def document_upload(
    *,
    case: Case,
    uploaded_file: UploadedFile,
    actor: User,
    description: str = "",
    visibility: str = Visibility.CASE_TEAM,
    submission_key: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> Document:
    """Store a file with a case, outside anything served publicly. Its type is read from its content. The same
    ``submission_key`` again (the upload sent twice) gives the first document back and stores no second file."""
    access = selectors.case_access_for_user(actor, case.pk, selectors.CHANGE)
    case = access.case
    if visibility == Visibility.LAW_ENFORCEMENT and not access.may_see_le:
        raise PermissionDenied
    size, content_type = document_checked(uploaded_file)

    def create(key: uuid.UUID | None) -> Document:
        with transaction.atomic():
            document = Document(
                case=case,
                original_name=(uploaded_file.name or "")[:255],
                content_type=content_type,
                size=size,
                description=description,
                visibility=visibility,
                uploaded_by=actor,
                uploaded_by_agency=actor.agency,
                submission_key=key,
            )
            document.file.save("upload", uploaded_file, save=False)
            try:
                document.save()
            except IntegrityError:  # the same upload at the same moment: keep no second file
                document.file.delete(save=False)
                raise
            audit_record(
                action="cases.document.uploaded",
                actor=actor,
                request=request,
                target=case,
                details={"document_id": document.pk, "content_type": content_type, "size": document.size},
            )
        return document

    return create_once(Document, actor=actor, key=submission_key, create=create)
