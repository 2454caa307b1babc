"""How a victim in a case was identified, and the facts the grant reports count (issue 17, decision 0032)."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import User
from cases import selectors
from cases.models import Case, Person, VictimIdentification, age_on
from portal.audit import audit_record
from portal.models import AuditEvent

# What a form may set; who identified and confirmed, and the age, the service derives.
IDENTIFICATION_FIELDS = (
    "status",
    "identified_on",
    "confirmed_on",
    "trafficking_type",
    "citizenship",
    "gender",
    "gender_description",
    "race_ethnicity",
    "disability",
    "referral_source",
)
# Fields compared to say what changed (the audit event names them, never their values).
_COMPARED = (*IDENTIFICATION_FIELDS, "confirmed_by_id", "age_at_identification")


class StaleIdentificationEdit(ValidationError):
    """Someone saved the identification since the form was opened: nothing is overwritten."""

    def __init__(self, changed_by: str) -> None:
        super().__init__(
            _(
                "%(who)s changed this identification while you were editing it. Nothing was saved: check their "
                "changes below, then make yours again."
            )
            % {"who": changed_by or _("Someone")},
            code="stale",
        )


def victim_identification_save(
    *,
    case: Case,
    person: Person,
    version: int,
    actor: User,
    request: HttpRequest | None = None,
    **fields: Any,
) -> VictimIdentification:
    """Record or correct how ``person``, a victim in ``case``, was identified, made on ``version`` of the record (0:
    none was recorded when the form opened); refuse it if it changed since (``StaleIdentificationEdit``). Who may
    is ``selectors.identification_edit_access``; someone who is not a victim in the case has none (a
    ``ValidationError``). The one recording it first is who identified the victim, for their agency; the one who
    marks it confirmed, who confirmed it. The age at identification follows the date of birth and ``identified_on``.
    The audit event names the fields changed, never their values."""
    unknown = set(fields) - set(IDENTIFICATION_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be edited: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    _access, participant = selectors.identification_edit_access(actor, case.pk, person.pk)
    with transaction.atomic():
        current = VictimIdentification.objects.select_for_update().filter(participant=participant).first()
        if (current.version if current else 0) != version:
            raise StaleIdentificationEdit(changed_by=_last_editor(case, person))
        is_new = current is None
        if current is None:
            current = VictimIdentification(
                participant=participant, identified_by=actor, identified_by_agency=actor.agency
            )
        before = {name: getattr(current, name) for name in _COMPARED}
        for name, value in fields.items():
            setattr(current, name, value)
        _settle(current, actor, participant.person)  # as read now, not as the caller last saw it
        current.full_clean(exclude=["participant"])
        changed = [name.removesuffix("_id") for name in _COMPARED if getattr(current, name) != before[name]]
        if not changed and not is_new:
            return current
        if not is_new:
            current.version += 1
        current.save()
        audit_record(
            action="cases.victim_identification.recorded" if is_new else "cases.victim_identification.updated",
            actor=actor,
            request=request,
            target=case,
            details={"person_id": person.pk, "fields": changed},
        )
    return current


def _settle(identification: VictimIdentification, actor: User, person: Person) -> None:
    """Check the dates and lists, fill in who confirmed, derive the age (errors by field, nothing saved)."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    Status = VictimIdentification.Status
    identified_on: date | None = identification.identified_on
    if identified_on is not None and identified_on > today:
        errors["identified_on"] = _("The date of identification cannot be in the future.")
    if identification.status == Status.CONFIRMED:
        confirmed_on = identification.confirmed_on
        if confirmed_on is None:
            errors["confirmed_on"] = _("Say when the victim was confirmed.")
        elif confirmed_on > today:
            errors["confirmed_on"] = _("The date of confirmation cannot be in the future.")
        elif identified_on is not None and confirmed_on < identified_on:
            errors["confirmed_on"] = _("A victim is confirmed on or after the day they were identified.")
        if identification.confirmed_by_id is None:
            identification.confirmed_by, identification.confirmed_by_agency = actor, actor.agency
    else:
        identification.confirmed_on = None
        identification.confirmed_by, identification.confirmed_by_agency = None, None
    if identification.gender != VictimIdentification.Gender.SELF_DESCRIBED:
        identification.gender_description = ""
    races = identification.race_ethnicity
    not_reported = VictimIdentification.RaceEthnicity.NOT_REPORTED
    if not isinstance(races, list) or not races:
        identification.race_ethnicity = races = [not_reported]
    if any(code not in VictimIdentification.RaceEthnicity.values for code in races):
        errors["race_ethnicity"] = _("Choose race and ethnicity from the list.")
    elif not_reported in races and len(races) > 1:
        errors["race_ethnicity"] = _("“Not reported” cannot be chosen with another category.")
    else:
        identification.race_ethnicity = sorted(set(races), key=VictimIdentification.RaceEthnicity.values.index)
    if errors:
        raise ValidationError(errors)
    identification.age_at_identification = (
        age_on(person.date_of_birth, identified_on) if identified_on is not None else None
    )
    _stamp_foreign_national_minor(identification)


def _stamp_foreign_national_minor(identification: VictimIdentification) -> bool:
    """Keep ``foreign_national_minor_since`` in step: stamped now when the record becomes a foreign-national
    minor's, left alone while it stays one, cleared when it no longer is. Whether it changed."""
    if identification.is_foreign_national_minor:
        if identification.foreign_national_minor_since is None:
            identification.foreign_national_minor_since = timezone.now()
            return True
        return False
    if identification.foreign_national_minor_since is not None:
        identification.foreign_national_minor_since = None
        return True
    return False


def identifications_follow_date_of_birth(person: Person) -> None:
    """After ``person``'s date of birth changed (inside the caller's transaction): each of their identifications'
    age at identification, derived from it, changes too (a few rows: one per case they are a victim in)."""
    for identification in VictimIdentification.objects.select_for_update().filter(participant__person=person):
        age = age_on(person.date_of_birth, identification.identified_on)
        if age != identification.age_at_identification:
            identification.age_at_identification = age
            _stamp_foreign_national_minor(identification)
            identification.save(update_fields=["age_at_identification", "foreign_national_minor_since", "updated_at"])


def _last_editor(case: Case, person: Person) -> str:
    last = (
        AuditEvent.objects.filter(
            action__startswith="cases.victim_identification.",
            object_type="cases.case",
            object_id=str(case.pk),
            details__person_id=person.pk,
        )
        .order_by("-occurred_at", "-id")
        .first()
    )
    return last.actor_email if last else ""
