"""The prosecution services: a declined charge says why, a sentence follows only a conviction, a disposition only a
charge brought, a stale edit is refused, bad input on a page writes nothing; the database refuses what the services
would (check constraints), and a form sent twice records one arrest."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from prosecution import services
from prosecution.models import Arrest, Charge
from tests.prosecution.conftest import FEDERAL

pytestmark = pytest.mark.django_db


def _decide(charge, actor, agency, **overrides):
    fields = {
        "decision": "charged",
        "decided_on": charge.arrest.arrested_on,
        "prosecuting_agency": agency,
        "decline_reason": "",
        **overrides,
    }
    return services.charge_decide(charge=charge, version=charge.version, actor=actor, **fields)


def test_an_arrest_is_recorded_with_its_charge_and_one_audit_event(arrest, suspect, investigator):
    [charge] = arrest.charges.all()
    assert (charge.statute, charge.is_trafficking, charge.decision, charge.disposition) == (
        FEDERAL,
        True,
        "pending",
        "pending",
    )
    event = AuditEvent.objects.get(action="prosecution.arrest.recorded")
    assert (event.object_type, event.object_id) == ("cases.caseparticipant", str(suspect.pk))
    assert event.details == {
        "case_id": arrest.case_id,
        "person_id": suspect.person_id,
        "arrest_id": arrest.pk,
        "charges": 1,
    }


def test_only_a_suspect_is_arrested(le_case, investigator, lead_agency):
    victim = le_case.participants.get(role="victim")
    with pytest.raises(ValidationError) as refused:
        services.arrest_record(
            case=le_case,
            participant=victim,
            arrested_on=le_case.opened_on,
            arresting_agency=lead_agency,
            charges=[{"statute": FEDERAL}],
            actor=investigator,
        )
    assert "participant" in refused.value.error_dict
    assert not Arrest.objects.exists()


def test_declining_needs_a_reason(charge, investigator, prosecutor_office):
    with pytest.raises(ValidationError) as refused:
        _decide(charge, investigator, prosecutor_office, decision="declined", decline_reason="  ")
    assert "decline_reason" in refused.value.error_dict
    declined = _decide(
        charge, investigator, prosecutor_office, decision="declined", decline_reason="Insufficient evidence"
    )
    assert (declined.decision, declined.decline_reason, declined.version) == ("declined", "Insufficient evidence", 2)
    assert AuditEvent.objects.filter(action="prosecution.charge.decided", details__decision="declined").count() == 1


def test_a_charge_brought_keeps_no_reason(charge, investigator, prosecutor_office):
    charged = _decide(charge, investigator, prosecutor_office, decline_reason="left over from the form")
    assert charged.decline_reason == ""


@pytest.mark.parametrize(
    ("disposition", "sentence", "accepted"),
    [
        ("plea", "Ten years", True),
        ("convicted_at_trial", "Life", True),
        ("convicted_at_trial", "", True),
        ("dismissed", "Ten years", False),
        ("acquitted", "Ten years", False),
        ("pending", "Ten years", False),
        ("dismissed", "", True),
    ],
)
def test_a_sentence_follows_only_a_conviction_or_a_plea(
    charge, investigator, prosecutor_office, disposition, sentence, accepted
):
    charge = _decide(charge, investigator, prosecutor_office)

    def dispose():
        return services.charge_dispose(
            charge=charge,
            version=charge.version,
            disposition=disposition,
            disposed_on=charge.decided_on,
            sentence=sentence,
            actor=investigator,
        )

    if accepted:
        assert dispose().sentence == sentence
    else:
        with pytest.raises(ValidationError) as refused:
            dispose()
        assert "sentence" in refused.value.error_dict
        charge.refresh_from_db()
        assert (charge.disposition, charge.sentence) == ("pending", "")


def test_only_a_charge_brought_has_a_disposition(charge, investigator):
    with pytest.raises(ValidationError) as refused:
        services.charge_dispose(
            charge=charge,
            version=charge.version,
            disposition="dismissed",
            disposed_on=timezone.localdate(),
            actor=investigator,
        )
    assert "disposition" in refused.value.error_dict


def test_a_stale_edit_is_refused(charge, investigator, prosecutor, prosecutor_office, le_case, supervisor):
    from tests.prosecution.conftest import LEVELS, share

    share(le_case, prosecutor_office, LEVELS.LAW_ENFORCEMENT, supervisor)
    opened_at = charge.version
    _decide(charge, prosecutor, prosecutor_office)  # the prosecutor saves first
    with pytest.raises(services.StaleProsecutionEdit):
        services.charge_decide(
            charge=charge,
            version=opened_at,
            decision="declined",
            decided_on=charge.arrest.arrested_on,
            prosecuting_agency=prosecutor_office,
            decline_reason="Declined on an old page",
            actor=investigator,
        )
    charge.refresh_from_db()
    assert (charge.decision, charge.decided_by) == ("charged", prosecutor)


def test_a_stale_arrest_correction_is_refused_on_the_page_and_writes_nothing(
    client_as, arrest, investigator, lead_agency
):
    client = client_as(investigator)
    services.charge_add(arrest=arrest, version=arrest.version, statute="18 USC 1594", actor=investigator)
    posted = {
        "arrested_on": (arrest.arrested_on - timedelta(days=1)).isoformat(),
        "arresting_agency": lead_agency.pk,
        "version": 1,
    }
    response = client.post(reverse("arrest_edit", args=[arrest.pk]), posted, follow=True)
    assert "Someone changed this record" in response.content.decode()
    arrest.refresh_from_db()
    assert (arrest.arrested_on, arrest.version) == (arrest.case.opened_on, 2)
    assert not AuditEvent.objects.filter(action="prosecution.arrest.updated").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"statute": ""}, "statute"),
        ({"arrested_on": "2999-01-01"}, "arrested_on"),
        ({"arrested_on": "not a day"}, "arrested_on"),
        ({"participant": "999999"}, "participant"),
        ({"arresting_agency": "999999"}, "arresting_agency"),
    ],
)
def test_a_bad_arrest_comes_back_with_its_error_and_writes_nothing(
    client_as, le_case, suspect, investigator, lead_agency, change, field
):
    posted = {
        "participant": suspect.pk,
        "arrested_on": le_case.opened_on.isoformat(),
        "arresting_agency": lead_agency.pk,
        "statute": "18 USC 1591",
        "level": "felony",
        **change,
    }
    events = AuditEvent.objects.filter(action__startswith="prosecution.").count()
    response = client_as(investigator).post(reverse("arrest_create", args=[le_case.pk]), posted)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert not Arrest.objects.exists()
    assert AuditEvent.objects.filter(action__startswith="prosecution.").count() == events


def test_a_declined_decision_without_reason_comes_back_with_its_error(
    client_as, charge, investigator, prosecutor_office
):
    posted = {
        "decision": "declined",
        "decided_on": charge.arrest.arrested_on.isoformat(),
        "prosecuting_agency": prosecutor_office.pk,
        "decline_reason": "",
        "version": charge.version,
    }
    response = client_as(investigator).post(reverse("charge_decide", args=[charge.pk]), posted)
    assert response.status_code == 200
    assert response.context["form"].errors["decline_reason"]
    charge.refresh_from_db()
    assert (charge.decision, charge.version) == ("pending", 1)


def test_the_arrest_form_sent_twice_records_one_arrest(le_case, suspect, investigator, lead_agency):
    key = uuid.uuid4()
    made = [
        services.arrest_record(
            case=le_case,
            participant=suspect,
            arrested_on=le_case.opened_on,
            arresting_agency=lead_agency,
            charges=[{"statute": FEDERAL}],
            actor=investigator,
            submission_key=key,
        )
        for _ in range(2)
    ]
    assert made[0] == made[1]
    assert Charge.objects.count() == 1
    assert AuditEvent.objects.filter(action="prosecution.arrest.recorded").count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"decision": "declined", "decided_on": "today", "prosecuting_agency": "usao", "decline_reason": ""},
        {"decision": "charged", "decided_on": "today", "prosecuting_agency": "usao", "decline_reason": "why"},
        {"decision": "charged", "decided_on": None, "prosecuting_agency": "usao"},
        {
            "decision": "pending",
            "decided_on": None,
            "prosecuting_agency": None,
            "disposition": "plea",
            "disposed_on": "today",
        },
        {
            "decision": "charged",
            "decided_on": "today",
            "prosecuting_agency": "usao",
            "disposition": "dismissed",
            "disposed_on": "today",
            "sentence": "Ten years",
        },
        {
            "decision": "charged",
            "decided_on": "today",
            "prosecuting_agency": "usao",
            "disposition": "plea",
            "disposed_on": None,
        },
    ],
)
def test_the_database_refuses_what_the_services_refuse(charge, prosecutor_office, fields):
    today = timezone.localdate()
    values = {
        name: today if value == "today" else prosecutor_office if value == "usao" else value
        for name, value in fields.items()
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Charge.objects.filter(pk=charge.pk).update(**values)
