"""Case pages. Every case, person, note and file is read through ``cases.selectors``; every write is a service."""

import uuid
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import TransitionNotAllowed

from agencies.models import Agency, TaskForce, User
from cases import selectors, services
from cases.activity import activity_lines
from cases.filters import CaseFilter
from cases.forms import (
    AccessDeclineForm,
    AccessRequestForm,
    AssignForm,
    CaseForm,
    ConsentForm,
    ConsentRequestForm,
    DocumentForm,
    LinkPersonForm,
    MeetingPacketForm,
    NeedForm,
    NoteForm,
    ParticipantForm,
    PersonForm,
    ServiceEventForm,
    ShareEndForm,
    ShareForm,
    StatusForm,
    VictimIdentificationForm,
)
from cases.models import Case, CaseParticipant, ConsentRequest, VictimIdentification, Visibility
from cases.packets import render_case_packet
from cases.presenters import access_text, person_choice_label, withheld_text
from cases.sections import CaseSection
from portal.audit import audit_record, audit_records
from portal.forms import add_errors
from portal.http import AuthenticatedHttpRequest
from portal.lists import render_filtered_page
from portal.search import posted_text
from portal.uploads import document_response


def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.can_read_cases(request.user):
        raise Http404
    # The name filter is read from a POST body only (CaseFilter.NAME_FIELDS, portal/search.py): names stay out of URLs.
    return render_filtered_page(
        request,
        "cases/case_list.html",
        CaseFilter,
        selectors.case_list_visible_to(request.user),
        per_page=25,
        extra_context={
            "can_open": selectors.can_open_cases(request.user),
            "can_prepare_meetings": selectors.can_prepare_meeting_packets(request.user),
        },
    )


def case_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.can_open_cases(request.user):
        raise PermissionDenied
    form = CaseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "version"}
        try:
            case = services.case_create(actor=request.user, request=request, **data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Case %(number)s is open.") % {"number": case.number})
            return redirect("case_detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form})


def case_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = selectors.case_access_for_user(request.user, pk, selectors.CHANGE)
    case = access.case
    form = CaseForm(
        request.POST or None,
        instance=case,
        user=request.user,
        may_see_le=access.may_see_le,
        may_manage=access.manages,
    )
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in services.EDITABLE_CASE_FIELDS if name in form.cleaned_data}
        try:
            services.case_update(
                case=case, version=form.cleaned_data.get("version") or 0, actor=request.user, request=request, **changes
            )
        except services.StaleEdit as stale:
            messages.error(request, stale.messages[0])
            return redirect("case_edit", pk=case.pk)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The case is saved."))
            return redirect("case_detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case": case})


# Events read for the activity's lines: enough that runs of reads, folded, still leave a page of lines.
ACTIVITY_EVENTS_READ = 300


def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    access = selectors.case_access_for_user(user, pk)
    case = access.case
    dossier = selectors.case_dossier_for(user, access)
    people = dossier.people
    _audit_reads(request, case, people, dossier.sections)
    may_change, may_see_le = access.may_change, access.may_see_le
    may_manage, may_decide = access.manages, access.decides
    status_changes = services.case_status_changes_for(access)
    consent_asks = _consent_asks(request, people)
    service_victims = _service_victims(user, access, dossier.victims)
    service_participants = {participant.pk for participant, _view in service_victims}
    victims = [
        (str(view.pk), person_choice_label(participant, view))
        for participant, view in people
        if participant.role == CaseParticipant.Role.VICTIM
    ]
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "may_see_pii": access.may_see_pii,
            "may_change": may_change,
            "may_manage": may_manage,
            "may_decide": may_decide,
            "may_see_le": may_see_le,
            "people": people,
            "editable": {
                view.pk for participant, view in people if selectors.may_edit_person(user, access, participant)
            },
            "victims": dossier.victims,
            "identification_editable": {
                view.pk
                for participant, view in dossier.victims
                if selectors.may_edit_identification(user, access, participant)
            },
            "access_text": access_text(
                is_lead=dossier.is_lead,
                share=dossier.reader_share,
                may_see_pii=access.may_see_pii,
                may_see_le=may_see_le,
            ),
            "ways_to_see_more": dossier.ways_to_see_more,
            "access_ask": services.access_ask_for(user, access, dossier.reader_share),
            "consent_asks": consent_asks,
            "access_requests": list(selectors.access_requests_open_in(case)) if may_manage else [],
            "needs": dossier.needs,
            "sections": dossier.sections,
            "notes": dossier.notes,
            "documents": dossier.documents,
            "shares": dossier.shares,
            "consents": dossier.consents,
            "may_record_consent": any(selectors.can_record_consent(user, view.person) for _p, view in people),
            "note_form": NoteForm(may_see_le=may_see_le, about=selectors.note_subjects_for(user, case))
            if may_change
            else None,
            "document_form": DocumentForm(may_see_le=may_see_le) if may_change else None,
            "need_form": NeedForm(victims=victims) if may_change and victims else None,
            "services": dossier.services,
            "service_form": _service_form(service_victims),
            # The services the reader may mark entered in error: direct records of the victims they record for.
            "services_correctable": {
                item.event.pk
                for item in dossier.services
                if item.event.referral_id is None and item.event.participant_id in service_participants
            },
            "status_form": StatusForm(changes=status_changes) if status_changes else None,
            "assign_form": AssignForm(
                people=selectors.case_assignable_people(case), initial={"assigned_to": list(case.assigned_to.all())}
            )
            if may_decide
            else None,
            "activity": activity_lines(
                selectors.case_activity(
                    case,
                    access.permissions,
                    limit=ACTIVITY_EVENTS_READ,
                    withheld_referrals=dossier.withheld_referrals,
                )
            )
            if may_manage
            else [],
            "shares_you_may_end": {share.pk for share in dossier.shares if access.may_end_share(share)},
            "consents_you_may_revoke": {c.pk for c in dossier.consents if selectors.can_revoke_consent(user, c)},
            # Each referral links to its page for the agency that sent it.
            "referrals": dossier.referrals,
            "today": timezone.localdate(),
            "withheld": selectors.WITHHELD,
            "indicators": dossier.indicators,
            "assigned": dossier.assigned,
        },
    )


def _service_victims(
    user: User, access: selectors.CaseAccess, victims: list[tuple[CaseParticipant, selectors.PersonView]]
) -> list[tuple[CaseParticipant, selectors.PersonView]]:
    """The victims ``user`` may record a service for (``selectors.may_record_service``), as read for the page."""
    return [
        (participant, view) for participant, view in victims if selectors.may_record_service(user, access, participant)
    ]


def _service_form(service_victims: list[tuple[CaseParticipant, selectors.PersonView]]) -> ServiceEventForm | None:
    """The form to record a service, for the victims the reader may record one for (``_service_victims``)."""
    choices = [(str(view.pk), person_choice_label(p, view)) for p, view in service_victims]
    return ServiceEventForm(victims=choices, initial={"on": timezone.localdate()}) if choices else None


def _consent_asks(
    request: AuthenticatedHttpRequest, people: list[tuple[CaseParticipant, selectors.PersonView]]
) -> list[tuple[selectors.PersonView, Agency, ConsentRequest | None]]:
    """The people withheld from the reader for want of a consent, each with the provider to ask and the reader's
    agency's request still awaiting its answer (one query, and none when nobody is withheld so)."""
    if not selectors.can_ask_for_access(request.user):
        return []
    to_ask = selectors.people_to_ask_consent_for(people)
    asked = selectors.consent_requests_open_from(request.user.agency, [view.pk for _participant, view in to_ask])
    return [(view, view.person.entered_by_agency, asked.get(view.pk)) for _participant, view in to_ask]


def _audit_reads(
    request: AuthenticatedHttpRequest,
    case: Case,
    people: list[tuple[CaseParticipant, selectors.PersonView]],
    sections: list[CaseSection],
) -> None:
    """Every view of a case and every showing of a person's PII is an audit event (ids and categories only), written
    in one INSERT whatever the number of people; so are the reads the sections of the apps above cases declare."""
    events = [
        {"action": "cases.case.viewed", "target": case},
        *selectors.person_read_events(request.user, case, people),
        *(event for section in sections for event in section.reads),
    ]
    audit_records(events, request=request)


@require_POST
def case_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = selectors.case_access_for_user(request.user, pk, selectors.MANAGE)
    case = access.case
    form = StatusForm(request.POST, changes=services.case_status_changes_for(access))
    if not form.is_valid():
        if "transition" in form.errors:
            messages.error(request, _("That status change is not open to you now."))
        else:
            messages.error(request, _("Say why the case is closed."))
        return redirect("case_detail", pk=case.pk)
    try:
        services.case_transition(
            case=case,
            transition=form.cleaned_data["transition"],
            reason=form.cleaned_data.get("reason") or "",
            actor=request.user,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except TransitionNotAllowed:
        messages.error(request, _("The case cannot make that change from its current status."))
    else:
        messages.success(request, _("The status is changed."))
    return redirect("case_detail", pk=case.pk)


def participant_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(request.user, pk, selectors.CHANGE)
    form = ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_add_to_case(
                case=case,
                role=form.cleaned_data["role"],
                actor=request.user,
                submission_key=form.cleaned_data["submission_key"],
                request=request,
                **form.person_fields(),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The person is added to the case."))
            return redirect("case_detail", pk=case.pk)
    return render(
        request,
        "cases/participant_form.html",
        {"form": form, "case": case, "may_find": selectors.can_find_people(request.user)},
    )


def participant_find(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Find someone already recorded in another case (the person search's rule: ``selectors.person_search_for``) to
    add them to this one instead of recording them twice. The name comes in a POST body only."""
    case = selectors.case_get_for_user(request.user, pk, selectors.CHANGE)
    if not selectors.can_find_people(request.user):
        raise Http404
    text, name_in_url_ignored = posted_text(request, "q")
    people = list(selectors.person_search_for(request.user, text)) if text else []
    cases_of = selectors.cases_of_people_visible_to(request.user, people)
    in_case = set(case.participants.values_list("person_id", flat=True))
    # each row its own submission key: one key for all would make a second person's "Add" return the first
    results = [(person, cases_of.get(person.pk, []), person.pk in in_case, uuid.uuid4()) for person in people]
    _audit_search_reads(request, people, via="add_to_case")
    return render(
        request,
        "cases/person_find.html",
        {
            "case": case,
            "q": text,
            "results": results,
            "limit": selectors.SEARCH_LIMIT,
            "name_in_url_ignored": name_in_url_ignored,
            "roles": CaseParticipant.Role.choices,
        },
    )


@require_POST
def participant_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add the person found (``participant_find``) to this case in the role chosen."""
    case = selectors.case_get_for_user(request.user, pk, selectors.CHANGE)
    form = LinkPersonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the person's role in this case."))
        return redirect("participant_find", pk=case.pk)
    person = selectors.person_findable_get(request.user, form.cleaned_data["person"])
    try:
        services.person_link_to_case(
            case=case,
            person=person,
            role=form.cleaned_data["role"],
            actor=request.user,
            submission_key=form.cleaned_data["submission_key"],
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("participant_find", pk=case.pk)
    messages.success(request, _("The person is added to the case: the same record, not a copy."))
    return redirect("case_detail", pk=case.pk)


def person_edit(request: AuthenticatedHttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """Correct a person's record (``selectors.person_edit_access`` says who may); a stale edit is refused. Opening
    the form shows all of their information: a read of PII, audited."""
    access, participant = selectors.person_edit_access(request.user, pk, person_pk)
    case, person = access.case, participant.person
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                case=case,
                person=person,
                version=form.cleaned_data.get("version") or 0,
                actor=request.user,
                request=request,
                **form.person_fields(),
            )
        except services.StalePersonEdit as stale:
            messages.error(request, stale.messages[0])
            return redirect("person_edit", pk=case.pk, person_pk=person.pk)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The person's record is saved."))
            return redirect(reverse("case_detail", args=[case.pk]) + "#people-heading")
    audit_record(  # the form shows the record again, whether opened or sent back with errors
        action="cases.pii.viewed",
        request=request,
        target=case,
        details={"person_id": person.pk, "categories": sorted(selectors.ALL_CATEGORIES), "via": "edit"},
    )
    return render(
        request,
        "cases/person_form.html",
        {"form": form, "case": case, "participant": participant},
    )


def case_share(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = selectors.case_access_for_user(request.user, pk, selectors.MANAGE)
    case = access.case
    form = ShareForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            share = services.case_share_grant(case=case, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            agency = form.cleaned_data["agency"].name
            if share.status == share.Status.ACTIVE:
                messages.success(request, _("The case is shared with %(agency)s.") % {"agency": agency})
            else:
                messages.success(
                    request, _("A supervisor will approve sharing the case with %(agency)s.") % {"agency": agency}
                )
            return redirect("case_detail", pk=case.pk)
    return render(request, "cases/share_form.html", {"form": form, "case": case, "decides": access.decides})


def share_revoke(request: AuthenticatedHttpRequest, pk: int, share_pk: int) -> HttpResponse:
    """Stop sharing: a page that asks to confirm and why, then the share ends. A share the reader may not end
    (``CaseAccess.may_end_share``) answers 403; one that is not current, 404."""
    access = selectors.case_access_for_user(request.user, pk, selectors.MANAGE)
    case = access.case
    share = selectors.shares_of(case).filter(pk=share_pk).first()
    if share is None:
        raise Http404
    if not access.may_end_share(share):
        raise PermissionDenied(_("A supervisor approved this share: a supervisor ends it."))
    form = ShareEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_share_revoke(
                share=share, actor=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(agency)s no longer sees this case.") % {"agency": share.agency.name})
            return redirect("case_detail", pk=case.pk)
    return render(request, "cases/share_end.html", {"form": form, "case": case, "share": share})


def consent_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(request.user, pk)
    agency = request.user.agency
    if agency is None or not selectors.can_record_consents(request.user):
        raise PermissionDenied
    people = selectors.people_held_by(request.user, case)
    if not people.exists():
        raise PermissionDenied
    form = ConsentForm(
        request.POST or None,
        people=people,
        agencies=Agency.objects.filter(is_active=True).exclude(pk=agency.pk),
        initial=_consent_initial(request, people),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect("case_detail", pk=case.pk)
    return render(request, "cases/consent_form.html", {"form": form, "case": case})


def _consent_initial(request: AuthenticatedHttpRequest, people: QuerySet) -> dict[str, object] | None:
    """The consent form's first choices: the only client, or the person and agency a request to record a consent
    names (``?person=&recipient_agency=``, from the consent requests page; a value not offered is ignored)."""
    initial: dict[str, object] = {}
    if people.count() == 1:
        initial["person"] = people.first()
    for name in ("person", "recipient_agency"):
        value = request.GET.get(name, "")
        if value.isascii() and value.isdigit():  # not "²", which isdigit() takes and int() refuses
            initial[name] = int(value)
    return initial or None


@require_POST
def consent_revoke(request: AuthenticatedHttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(request.user, pk)
    consent = selectors.consents_held_by(request.user, case).filter(pk=consent_pk).first()
    if consent is None:
        raise Http404
    services.consent_revoke(consent=consent, actor=request.user, request=request)
    messages.success(request, _("The consent is revoked: the information is withheld from now on."))
    return redirect("case_detail", pk=case.pk)


@require_POST
def note_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = selectors.case_access_for_user(request.user, pk, selectors.CHANGE)
    case = access.case
    form = NoteForm(request.POST, may_see_le=access.may_see_le, about=selectors.note_subjects_for(request.user, case))
    if form.is_valid():
        try:
            services.note_add(case=case, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The note is added."))
    elif "about" in form.errors:
        messages.error(request, _("Say which of your clients the note is about."))
    else:
        messages.error(request, _("Write the note before adding it."))
    return redirect("case_detail", pk=case.pk)


@require_POST
def need_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(request.user, pk, selectors.CHANGE)
    victims = selectors.victims_of(case)
    form = NeedForm(request.POST, victims=[(str(person.pk), str(person.pk)) for person in victims])
    if form.is_valid():
        person = next(person for person in victims if str(person.pk) == form.cleaned_data["person"])
        services.need_add(
            case=case,
            person=person,
            category=form.cleaned_data["category"],
            urgency=form.cleaned_data["urgency"],
            details=form.cleaned_data["details"],
            actor=request.user,
            submission_key=form.cleaned_data["submission_key"],
            request=request,
        )
        messages.success(request, _("The need is recorded."))
    else:
        messages.error(request, _("Choose the person and the need."))
    return redirect("case_detail", pk=case.pk)


def service_event_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record a service a victim received from the reader's agency, or a referral it made for them outside the
    portal (``selectors.may_record_service`` says for whom; nobody: 403). Bad input re-renders the form with its
    errors and records nothing. Listing the victims by name is a read of their identity: audited."""
    user = request.user
    access = selectors.case_access_for_user(user, pk, selectors.CHANGE)
    case = access.case
    victims = _service_victims(
        user,
        access,
        [
            (participant, view)
            for participant, view in selectors.people_of_case_for(user, case, access.permissions)
            if participant.role == CaseParticipant.Role.VICTIM
        ],
    )
    if not victims:
        raise PermissionDenied
    for participant, view in victims:
        view.label = person_choice_label(participant, view)
    choices = [(str(view.pk), view.label) for _participant, view in victims]
    form = ServiceEventForm(request.POST or None, victims=choices, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        participant = next(p for p, view in victims if str(view.pk) == data["person"])
        try:
            services.service_event_record(
                actor=user,
                participant=participant,
                category=data["category"],
                on=data["on"],
                kind=data["kind"],
                provider_name=data["provider_name"],
                program=data["program"],
                submission_key=data["submission_key"],
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The service is recorded."))
            return redirect(reverse("case_detail", args=[case.pk]) + "#services-heading")
    audit_records(
        [
            {
                "action": "cases.pii.viewed",
                "target": case,
                "details": {"person_id": view.pk, "categories": [selectors.IDENTIFICATION_CATEGORY], "via": "service"},
            }
            for _participant, view in victims
        ],
        request=request,
    )
    return render(request, "cases/service_event_form.html", {"form": form, "case": case})


@require_POST
def service_event_withdraw(request: AuthenticatedHttpRequest, pk: int, event_pk: int) -> HttpResponse:
    """Mark a service recorded directly as entered in error, from the form beside it on the case page: who may
    record one for its victim (``selectors.service_event_to_correct``: 404 / 403 else). A missing reason, or a
    service a referral recorded, is said and changes nothing; a form sent twice, or after someone else's, is told
    the service was already marked."""
    try:
        marked = services.service_event_mark_entered_in_error(
            actor=request.user,
            case_pk=pk,
            event_pk=event_pk,
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if marked:
            messages.success(request, _("The service is marked as entered in error: it is no longer shown or counted."))
        else:
            messages.info(request, _("This service was already marked as entered in error: nothing changed."))
    return redirect(reverse("case_detail", args=[pk]) + "#services-heading")


@require_POST
def document_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = selectors.case_access_for_user(request.user, pk, selectors.CHANGE)
    case = access.case
    form = DocumentForm(request.POST, request.FILES, may_see_le=access.may_see_le)
    if form.is_valid():
        try:
            services.document_upload(
                case=case,
                uploaded_file=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
                visibility=form.cleaned_data.get("visibility") or Visibility.CASE_TEAM,
                actor=request.user,
                submission_key=form.cleaned_data["submission_key"],
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The file is stored with the case."))
    else:
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    return redirect("case_detail", pk=case.pk)


def document_download(request: AuthenticatedHttpRequest, pk: int, document_pk: int) -> FileResponse:
    case, document = selectors.document_get_for_user(request.user, pk, document_pk)
    audit_record(action="cases.document.downloaded", request=request, target=case, details={"document_id": document.pk})
    return document_response(document.file, filename=document.original_name, content_type=document.content_type)


def victim_identification_edit(request: AuthenticatedHttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """Record or correct how a victim was identified (``selectors.identification_edit_access`` says who may; 404
    for someone who is not a victim in the case); a stale edit is refused. The form shows the identification, a
    read of the person's information: audited."""
    try:
        access, participant = selectors.identification_edit_access(request.user, pk, person_pk)
    except ValidationError:
        raise Http404 from None
    case, person = access.case, participant.person
    try:
        identification = participant.identification
    except VictimIdentification.DoesNotExist:
        identification = VictimIdentification(identified_on=timezone.localdate())
    form = VictimIdentificationForm(request.POST or None, instance=identification)
    if request.method == "POST" and form.is_valid():
        try:
            services.victim_identification_save(
                case=case,
                person=person,
                version=form.cleaned_data.get("version") or 0,
                actor=request.user,
                request=request,
                **form.identification_fields(),
            )
        except services.StaleIdentificationEdit as stale:
            messages.error(request, stale.messages[0])
            return redirect("victim_identification_edit", pk=case.pk, person_pk=person.pk)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The identification is saved."))
            return redirect(reverse("case_detail", args=[case.pk]) + "#victims-heading")
    audit_record(
        action="cases.pii.viewed",
        request=request,
        target=case,
        details={"person_id": person.pk, "categories": [selectors.IDENTIFICATION_CATEGORY], "via": "identification"},
    )
    return render(
        request,
        "cases/victim_identification_form.html",
        {"form": form, "case": case, "participant": participant, "is_new": identification.pk is None},
    )


def person_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Find a person across the cases whose names the user may see (fuzzy on PostgreSQL). The name comes in a POST
    body only (portal/search.py); a GET shows the form."""
    if not selectors.can_find_people(request.user):
        raise Http404
    text, name_in_url_ignored = posted_text(request, "q")
    people = list(selectors.person_search_for(request.user, text)) if text else []
    cases_of = selectors.cases_of_people_visible_to(request.user, people)
    results = [(person, cases_of.get(person.pk, [])) for person in people]
    _audit_search_reads(request, people, via="search")
    return render(
        request,
        "cases/person_search.html",
        {
            "q": text,
            "results": results,
            "limit": selectors.SEARCH_LIMIT,
            "name_in_url_ignored": name_in_url_ignored,
        },
    )


def _audit_search_reads(request: AuthenticatedHttpRequest, people: list, *, via: str) -> None:
    """One read event per person found (their name and date of birth are identity information), in one INSERT."""
    audit_records(
        [
            {
                "action": "cases.pii.viewed",
                "target": person,
                "details": {"person_id": person.pk, "categories": ["identity"], "via": via},
            }
            for person in people
        ],
        request=request,
    )


@require_POST
def case_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(request.user, pk, selectors.DECIDE)
    form = AssignForm(request.POST, people=selectors.case_assignable_people(case))
    if form.is_valid():
        services.case_assign(case=case, users=form.cleaned_data["assigned_to"], actor=request.user, request=request)
        messages.success(request, _("The assignment is saved."))
    else:
        messages.error(request, _("Choose people of the lead agency."))
    return redirect("case_detail", pk=case.pk)


@require_POST
def need_met(request: AuthenticatedHttpRequest, pk: int, need_pk: int) -> HttpResponse:
    access = selectors.case_access_for_user(request.user, pk, selectors.CHANGE)
    case = access.case
    need = selectors.needs_visible_to(request.user, case, access.permissions).filter(pk=need_pk).first()
    if need is None:
        raise Http404
    services.need_mark_met(need=need, actor=request.user, request=request)
    messages.success(request, _("The need is marked as met."))
    return redirect("case_detail", pk=case.pk)


@require_POST
def share_decide(request: AuthenticatedHttpRequest, pk: int, share_pk: int, decision: str) -> HttpResponse:
    case = selectors.case_get_for_user(request.user, pk, selectors.DECIDE)
    share = selectors.shares_of(case).filter(pk=share_pk).first()
    if share is None:
        raise Http404
    try:
        if decision == "approve":
            services.case_share_approve(share=share, actor=request.user, request=request)
            messages.success(request, _("%(agency)s sees the case from now on.") % {"agency": share.agency.name})
        else:
            services.case_share_decline(share=share, actor=request.user, request=request)
            messages.success(request, _("Sharing with %(agency)s is declined.") % {"agency": share.agency.name})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("case_detail", pk=case.pk)


def case_packet(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The case packet as a PDF for the signed-in user (404 outside the case's audience); an audit event."""
    case = selectors.case_get_for_user(request.user, pk)
    pdf = render_case_packet(case, request.user, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case.number}-packet.pdf"'
    return response


def meeting_packets(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Prepare a packet for a case-coordination meeting, and the packets the user prepared (only theirs)."""
    user = request.user
    task_forces = selectors.meeting_task_forces_of(user)
    if not task_forces.exists():
        raise Http404

    def cases_of(task_force: TaskForce, since: date | None = None) -> QuerySet[Case]:
        return selectors.meeting_cases_for(user, task_force, since=since)

    form = MeetingPacketForm(
        request.POST if request.method == "POST" else None,
        user=user,
        task_forces=task_forces,
        cases_of=cases_of,
        initial={"task_force": request.GET.get("task_force"), "meeting_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            packet = services.meeting_packet_request(
                actor=user,
                task_force=form.cleaned_data["task_force"],
                meeting_on=form.cleaned_data["meeting_on"],
                cases=list(form.cleaned_data["cases"]),
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("meeting_packet_detail", pk=packet.pk)
    return render(
        request,
        "cases/meeting_packets.html",
        {
            "form": form,
            "task_forces": task_forces if len(task_forces) > 1 else [],
            "packets": selectors.meeting_packets_of(user)[:20],
        },
    )


def meeting_packet_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Progress while the packet is built (htmx polls the #progress partial; without JavaScript the page refreshes
    itself), then the download link."""
    packet = selectors.meeting_packet_get_for_user(request.user, pk)
    template = "cases/meeting_packet_detail.html#progress" if request.htmx else "cases/meeting_packet_detail.html"
    return render(request, template, {"packet": packet, "downloadable": packet.is_downloadable()})


def meeting_packet_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    packet = selectors.meeting_packet_get_for_user(request.user, pk)
    handle = services.meeting_packet_open(packet, request=request)
    if handle is None:
        if packet.is_withdrawn:
            messages.error(
                request,
                _("The packet was withdrawn and deleted: what you may see in its cases has changed. Prepare anew."),
            )
            return redirect("meeting_packet_detail", pk=packet.pk)
        raise Http404
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"meeting-{packet.meeting_on:%Y-%m-%d}-{packet.pk}.pdf",
        content_type="application/pdf",
    )


# Asking to see more (decision 0025): more access from the lead agency, a consent from the provider.


def access_request_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask the lead agency for more access: 404 outside the case, 403 for the lead agency, a role that does not
    ask, or an agency with nothing higher to ask for. While a request awaits a decision the page says so."""
    access = selectors.case_access_for_user(request.user, pk)
    case = access.case
    ask = services.access_ask_for(request.user, access, selectors.agency_share_of(request.user, case))
    if not ask.levels:
        raise PermissionDenied(_("Your agency cannot ask for more access to this case."))
    form = AccessRequestForm(request.POST or None, levels=ask.levels)
    if request.method == "POST" and form.is_valid():
        try:
            services.access_request_create(
                case=case,
                level=form.cleaned_data["level"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(agency)s's supervisors will decide; you will find their answer in your notices.")
                % {"agency": case.lead_agency.name},
            )
            return redirect(reverse("case_detail", args=[case.pk]) + "#access-heading")
    return render(request, "cases/access_request_form.html", {"form": form, "case": case, "ask": ask})


@require_POST
def access_request_approve(request: AuthenticatedHttpRequest, pk: int, request_pk: int) -> HttpResponse:
    case, access_request = selectors.access_request_get_for_decider(request.user, pk, request_pk)
    try:
        services.access_request_approve(access_request=access_request, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(agency)s sees the case at the level asked for from now on.") % {"agency": access_request.agency.name},
        )
    return redirect(reverse("case_detail", args=[case.pk]) + "#shares-heading")


def access_request_decline(request: AuthenticatedHttpRequest, pk: int, request_pk: int) -> HttpResponse:
    """Decline a request for more access, saying why (the person who asked reads it)."""
    case, access_request = selectors.access_request_get_for_decider(request.user, pk, request_pk)
    form = AccessDeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.access_request_decline(
                access_request=access_request, actor=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("The request is declined; %(agency)s keeps its access.") % {"agency": access_request.agency.name},
            )
            return redirect(reverse("case_detail", args=[case.pk]) + "#shares-heading")
    return render(request, "cases/access_decline.html", {"form": form, "case": case, "access_request": access_request})


def consent_request_create(request: AuthenticatedHttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """Ask the provider that holds a person's information to record their consent for the reader's agency. 404
    for a person the reader does not see in the case; 403 when nothing of them is withheld for want of a consent,
    or for a role that does not ask. The page names the person only by their role and number."""
    access = selectors.case_access_for_user(request.user, pk)
    case = access.case
    found = [
        (participant, view)
        for participant, view in selectors.people_of_case_for(request.user, case, access.permissions)
        if view.pk == person_pk
    ]
    if not found:
        raise Http404
    if not selectors.can_ask_for_access(request.user) or not selectors.people_to_ask_consent_for(found):
        raise PermissionDenied(_("Nothing of this person is withheld from you for want of a consent."))
    participant, view = found[0]
    asked = selectors.consent_requests_open_from(request.user.agency, [view.pk]).get(view.pk)
    form = ConsentRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_request_create(
                case=case, person=view.person, reason=form.cleaned_data["reason"], actor=request.user, request=request
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(agency)s is asked; you will find its answer in your notices.")
                % {"agency": view.person.entered_by_agency.name},
            )
            return redirect(reverse("case_detail", args=[case.pk]) + "#access-heading")
    return render(
        request,
        "cases/consent_request_form.html",
        {
            "form": form,
            "case": case,
            "person_label": _("%(role)s #%(id)s") % {"role": participant.get_role_display(), "id": view.pk},
            "holder": view.person.entered_by_agency,
            "withheld": withheld_text(view.withheld_because) if view.withheld_because else "",
            "asked": asked,
        },
    )


def consent_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The requests to record a consent of the reader's agency's clients, for those who record its consents: each
    names the client by the agency's own record (a read of their identity, audited), the agency asking and why,
    and the case only where the reader sees it."""
    if not selectors.can_record_consents(request.user):
        raise Http404
    rows = list(selectors.consent_requests_for(request.user)[: CONSENT_REQUESTS_SHOWN + 1])
    more = len(rows) > CONSENT_REQUESTS_SHOWN
    rows = rows[:CONSENT_REQUESTS_SHOWN]
    audit_records(
        [
            {
                "action": "cases.pii.viewed",
                "target": row.person,
                "details": {"person_id": row.person_id, "categories": ["identity"], "via": "consent_requests"},
            }
            for row in {row.person_id: row for row in rows}.values()
        ],
        request=request,
    )
    return render(
        request,
        "cases/consent_requests.html",
        {"rows": rows, "more": more},
    )


CONSENT_REQUESTS_SHOWN = 100


@require_POST
def consent_request_declined(request: AuthenticatedHttpRequest, request_pk: int) -> HttpResponse:
    """The provider answers that its client declined: the request is done (no reason of the client is kept)."""
    consent_request = selectors.consent_request_get_for_holder(request.user, request_pk)
    try:
        services.consent_request_client_declined(consent_request=consent_request, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(agency)s is told that the client declined.") % {"agency": consent_request.agency.name},
        )
    return redirect("consent_requests")
