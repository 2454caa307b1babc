"""Correcting a tip subject's identifiers (28 CFR Part 23 asks that intelligence be kept accurate): the receiving
agency's intake staff and supervisors do it on a page of its own; the timeline names the fields, never the values;
a stale form is refused and bad input changes nothing."""

import pytest
from django.urls import reverse

from portal.models import AuditEvent
from tests.tips.conftest import SUBJECT_NAME, SUBJECT_PHONE, assigned
from tips.models import Tip, TipEvent, TipSubject

pytestmark = pytest.mark.django_db

# who -> the page's answer, with the tip received and with it assigned to the partner's investigator.
TABLE = {
    "intake": (200, 200),  # the receiving agency's intake staff
    "intake_colleague": (200, 200),
    "supervisor": (200, 200),  # the receiving agency's supervisor
    "partner_investigator": (404, 403),  # the owner reads the tip, but the record is the receiving agency's
    "partner_supervisor": (404, 403),
    "coordinator": (403, 403),  # follows the deadline, never the content
    "investigator": (404, 404),  # the receiving agency's caseworker: not the holding bin's
    "advocate": (404, 404),
    "outsider": (404, 404),
}


def _victim(tip: Tip) -> TipSubject:
    return tip.subjects.get(role=TipSubject.Role.VICTIM)


def _url(tip: Tip) -> str:
    return reverse("tip_subject_edit", args=[tip.pk, _victim(tip).pk])


def _form(tip: Tip, **changes) -> dict:
    subject = _victim(tip)
    data = {
        "version": tip.version,
        "name": subject.name,
        "alias": subject.alias,
        "date_of_birth": "",
        "approximate_age": subject.approximate_age or "",
        "sex": subject.sex,
        "phone": subject.phone,
        "email_or_handle": subject.email_or_handle,
        "vehicle_plate": subject.vehicle_plate,
        "vehicle_state": subject.vehicle_state,
        "business": subject.business,
    }
    return {**data, **changes}


@pytest.mark.parametrize("assigned_first", [False, True], ids=["received", "assigned"])
@pytest.mark.parametrize("who", sorted(TABLE))
def test_who_may_correct_a_subject(
    request, client_as, tip, supervisor, partner_investigator, partner_supervisor, who, assigned_first
):
    if assigned_first:
        tip = assigned(tip, supervisor, partner_investigator)
    expected = TABLE[who][assigned_first]
    reader = request.getfixturevalue(who)
    client = client_as(reader)

    page = client.get(_url(tip))
    posted = client.post(_url(tip), _form(tip, phone="713-555-0100"))

    assert (page.status_code, posted.status_code) == (expected, 302 if expected == 200 else expected)
    if expected == 200:
        assert SUBJECT_NAME in page.text
        assert AuditEvent.objects.filter(action="tips.tip.viewed", object_id=str(tip.pk), actor=reader).exists()
    corrected = _victim(tip).phone == "713-555-0100"
    assert corrected == (expected == 200)


def test_the_timeline_names_the_fields_never_the_values(client_as, tip, intake):
    response = client_as(intake).post(_url(tip), _form(tip, phone="713-555-0100", alias="Xa"))

    assert response.status_code == 302
    event = TipEvent.objects.get(tip=tip, verb="correct_subject")
    assert (event.actor, event.details) == (intake, {"subject_id": _victim(tip).pk, "fields": ["alias", "phone"]})
    audit = AuditEvent.objects.get(action="tips.tip.subject_corrected")
    assert SUBJECT_PHONE not in str(audit.details)
    assert "713-555-0100" not in str(audit.details)
    tip.refresh_from_db()
    assert tip.version == 2
    page = client_as(intake).get(reverse("tip_detail", args=[tip.pk])).text
    assert "713-555-0100" in page
    assert SUBJECT_PHONE not in page


def test_a_form_opened_before_another_change_is_refused(client_as, tip, intake, intake_colleague):
    stale = _form(tip, phone="713-555-0100")
    client_as(intake_colleague).post(_url(tip), _form(tip, alias="Xa"))

    response = client_as(intake).post(_url(tip), stale)

    assert response.status_code == 200
    assert "changed since you opened it" in response.text
    assert _victim(tip).phone == SUBJECT_PHONE
    # The form again as the tip stands now (the colleague's alias in it, the current version): saved, it applies.
    form = response.context["form"]
    assert (form["alias"].value(), form["version"].value()) == ("Xa", 2)
    again = client_as(intake).post(_url(tip), _form(Tip.objects.get(pk=tip.pk), phone="713-555-0100"))
    assert again.status_code == 302
    assert (_victim(tip).phone, _victim(tip).alias) == ("713-555-0100", "Xa")


def test_a_form_without_its_version_says_it_is_out_of_date(client_as, tip, intake):
    data = _form(tip, phone="713-555-0100")
    del data["version"]
    response = client_as(intake).post(_url(tip), data)
    assert response.status_code == 200
    assert "This form is out of date" in response.text
    assert _victim(tip).phone == SUBJECT_PHONE


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "", "phone": "", "approximate_age": ""}, None),  # nothing left that tells who it is
        ({"approximate_age": "-3"}, "approximate_age"),
        ({"date_of_birth": "not a date"}, "date_of_birth"),
    ],
)
def test_bad_input_rerenders_with_the_error_and_changes_nothing(client_as, tip, intake, changes, field):
    before = list(TipEvent.objects.filter(tip=tip).values_list("pk", flat=True))

    response = client_as(intake).post(_url(tip), _form(tip, **changes))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    assert field is None or field in form.errors
    assert list(TipEvent.objects.filter(tip=tip).values_list("pk", flat=True)) == before
    assert _victim(tip).phone == SUBJECT_PHONE


def test_saving_without_a_change_writes_nothing(client_as, tip, intake):
    response = client_as(intake).post(_url(tip), _form(tip), follow=True)

    assert "Nothing was changed." in response.text
    assert not TipEvent.objects.filter(tip=tip, verb="correct_subject").exists()


def test_a_subject_of_another_tip_is_not_found_through_this_one(client_as, tip, intake):
    from tests.tips.conftest import receive

    other = receive(intake)
    response = client_as(intake).get(reverse("tip_subject_edit", args=[tip.pk, _victim(other).pk]))
    assert response.status_code == 404


def test_the_tip_page_links_each_subject_to_its_correction_for_those_who_may(client_as, tip, intake, coordinator):
    assert _url(tip) in client_as(intake).get(reverse("tip_detail", args=[tip.pk])).text
    assert _url(tip) not in client_as(coordinator).get(reverse("tip_detail", args=[tip.pk])).text
