"""Who is told what: both sides of a match, except where one side may not learn of the other: a provider's check of
a client outside the index, or a provider's client whose consents do not name the other agency; then only the
provider learns (decision 0030). Tables of who holds or checks the subject, whom their consent names, and who is
told."""

import pytest

from cases.models import CaseParticipant
from deconfliction.subjects import normalise, services
from deconfliction.subjects.models import SubjectConflict, SubjectNotice
from tests.deconfliction.subjects.conftest import CLIENT, consent_to_deconfliction, open_case

SAME_PERSON = {**CLIENT, "given_name": "Quillá", "family_name": "SENTINEL-CLIENT", "phone": "+1 (713) 555-0177"}


def _hold(request, name: str, *, consent: str | None, task_force, fields=CLIENT):
    """The subject in a case of ``name`` (a fixture of the cast); a provider's client, with a consent naming
    deconfliction and released to the agency fixture ``consent`` if given."""
    user = request.getfixturevalue(name)
    case = open_case(user, [(CaseParticipant.Role.VICTIM, fields)], task_force=task_force)
    if consent:
        consent_to_deconfliction(case, by=user, recipient=request.getfixturevalue(consent))
    return user, case


def _told() -> set[str]:
    return {notice.user.email for notice in SubjectNotice.objects.select_related("user")}


EMAIL = {
    "investigator": "investigator@ffo.example",
    "colleague": "colleague@ffo.example",
    "partner_investigator": "detective@bpd.example",
    "advocate": "advocate@safeharbor.example",
    "second_advocate": "advocate@opendoor.example",
    "outsider": "outsider@faraway.example",
}


@pytest.mark.parametrize(
    ("first", "first_consents", "second", "second_consents", "told"),
    [
        # law enforcement and law enforcement: both told
        ("investigator", None, "partner_investigator", None, {"investigator", "partner_investigator"}),
        # law enforcement and a provider whose client's consent names that agency, in either order: both told
        ("investigator", None, "advocate", "lead_agency", {"investigator", "advocate"}),
        ("advocate", "lead_agency", "investigator", None, {"investigator", "advocate"}),
        # ... whose consent names another agency (the coordination office): only the provider is told
        ("investigator", None, "advocate", "coordination_office", {"advocate"}),
        ("advocate", "coordination_office", "investigator", None, {"advocate"}),
        # ... whose client does not consent: nobody (the client is not in the index)
        ("investigator", None, "advocate", None, set()),
        ("advocate", None, "investigator", None, set()),
        # two providers: each told of the other's client only if that client's consent names it
        ("advocate", "second_ngo", "second_advocate", "ngo", {"advocate", "second_advocate"}),
        ("advocate", "second_ngo", "second_advocate", "coordination_office", {"second_advocate"}),
        ("advocate", "coordination_office", "second_advocate", "coordination_office", set()),
        ("advocate", "second_ngo", "second_advocate", None, set()),
        # one agency twice, or agencies of different task forces: no conflict
        ("investigator", None, "colleague", None, set()),
        ("investigator", None, "outsider", None, set()),
    ],
)
def test_who_is_told_when_two_hold_the_same_subject(
    request, task_force, second_ngo, committed, mailoutbox, first, first_consents, second, second_consents, told
):
    with committed():
        _hold(request, first, consent=first_consents, task_force=task_force)
    with committed():
        _hold(request, second, consent=second_consents, task_force=task_force, fields=SAME_PERSON)
    assert _told() == {EMAIL[name] for name in told}
    assert {address for mail in mailoutbox for address in mail.to} == {EMAIL[name] for name in told}
    assert SubjectConflict.objects.count() == (1 if told else 0)
    if told:
        conflict = SubjectConflict.objects.get()
        assert conflict.kinds == ["name_dob", "name_year", "phone"]
        assert conflict.one_sided is (len(told) == 1)


CHECKED = normalise.of_subject(
    name="Sentinel-Client, Quilla",
    alias="",
    date_of_birth=None,
    birth_year=None,
    phone_number="713.555.0177",
    email_or_handle_text="",
    vehicle_plate="",
    vehicle_state="",
    business_name="",
)


@pytest.mark.parametrize(
    ("checker", "holder", "holder_consents", "told", "one_sided"),
    [
        # law enforcement checks what law enforcement holds: both told, on the watch
        ("partner_investigator", "investigator", None, {"partner_investigator", "investigator"}, False),
        # a provider checks its client against law enforcement: only the provider is told
        ("advocate", "investigator", None, {"advocate"}, True),
        # a provider's check never reaches another provider's clients, consenting or not
        ("advocate", "second_advocate", "ngo", set(), False),
        # law enforcement learns of a provider's client only if the client's consent names its agency; the
        # provider learns of the check either way (law enforcement's side is open to the task force)
        ("investigator", "advocate", "lead_agency", {"investigator", "advocate"}, False),
        ("investigator", "advocate", "coordination_office", {"advocate"}, True),
        ("investigator", "advocate", None, set(), False),
        # one's own agency is no conflict
        ("investigator", "colleague", None, set(), False),
    ],
)
def test_who_is_told_of_a_check(
    request, task_force, second_ngo, committed, mailoutbox, checker, holder, holder_consents, told, one_sided
):
    with committed():
        _hold(request, holder, consent=holder_consents, task_force=task_force)
        user = request.getfixturevalue(checker)
        context = open_case(user, [], task_force=task_force, title="Checking")
    SubjectNotice.objects.all().delete()
    mailoutbox.clear()
    with committed():
        result = services.check_subject(user=user, context=context, identifiers=CHECKED)
    assert _told() == {EMAIL[name] for name in told}
    assert {address for mail in mailoutbox for address in mail.to} == {EMAIL[name] for name in told}
    # The checker's answer holds only what they are told.
    assert len(result.conflicts) == (1 if checker in told else 0)
    if told:
        assert SubjectConflict.objects.get().one_sided is one_sided
    if checker in told:
        assert result.conflicts[0].kinds == ["phone"]  # the name has no birth date: it matches nothing


def test_the_same_check_again_is_the_same_conflict_told_once(investigator, partner_investigator, task_force, committed):
    with committed():
        _hold_case = open_case(investigator, [(CaseParticipant.Role.SUSPECT, CLIENT)], task_force=task_force)
        context = open_case(partner_investigator, [], task_force=task_force, title="Checking")
    with committed():
        services.check_subject(user=partner_investigator, context=context, identifiers=CHECKED)
        services.check_subject(user=partner_investigator, context=context, identifiers=CHECKED)
    assert SubjectConflict.objects.count() == 1
    assert SubjectNotice.objects.count() == 2


def test_a_name_alone_never_matches_and_a_name_with_its_birth_date_does(
    investigator, partner_investigator, task_force, committed
):
    name_only = {"given_name": "Quilla", "family_name": "Sentinel-Client"}
    with committed():
        open_case(investigator, [(CaseParticipant.Role.SUSPECT, name_only)], task_force=task_force)
        open_case(partner_investigator, [(CaseParticipant.Role.SUSPECT, name_only)], task_force=task_force)
    assert SubjectConflict.objects.count() == 0
    born = {**name_only, "date_of_birth": "1999-04-02"}
    transposed = {"given_name": "Sentinel Client", "family_name": "Quillá", "date_of_birth": "1999-04-02"}
    with committed():
        open_case(investigator, [(CaseParticipant.Role.SUSPECT, born)], task_force=task_force)
        open_case(partner_investigator, [(CaseParticipant.Role.WITNESS, transposed)], task_force=task_force)
    assert SubjectConflict.objects.get().kinds == ["name_dob", "name_year"]


def test_a_later_match_on_more_kinds_adds_them_without_telling_again(
    investigator, partner_investigator, task_force, committed
):
    with committed():
        case = open_case(investigator, [(CaseParticipant.Role.SUSPECT, CLIENT)], task_force=task_force)
        open_case(
            partner_investigator,
            [(CaseParticipant.Role.SUSPECT, {"given_name": "X", "phone": CLIENT["phone"]})],
            task_force=task_force,
        )
    assert SubjectConflict.objects.get().kinds == ["phone"]
    from cases.services import person_update

    other = SubjectConflict.objects.get()
    person = case.participants.get().person
    with committed():
        person_update(case=case, person=person, version=person.version, actor=investigator, email="q@example.org")
    assert SubjectConflict.objects.get(pk=other.pk).kinds == ["phone"]
    assert SubjectNotice.objects.count() == 2


@pytest.mark.parametrize("gone", ["deactivated", "left_the_task_force"])
def test_an_agency_deactivated_or_out_of_the_task_force_is_neither_matched_nor_told(
    investigator, partner_investigator, partner_agency, task_force, committed, gone
):
    from agencies.models import Agency, TaskForceMember

    with committed():
        open_case(partner_investigator, [(CaseParticipant.Role.SUSPECT, CLIENT)], task_force=task_force)
    # Without a save the index hears of: its entries are still there.
    if gone == "deactivated":
        Agency.objects.filter(pk=partner_agency.pk).update(is_active=False)
    else:
        TaskForceMember.objects.filter(agency=partner_agency).delete()
    with committed():
        case = open_case(investigator, [(CaseParticipant.Role.SUSPECT, CLIENT)], task_force=task_force)
        services.check_subject(user=investigator, context=case, identifiers=CHECKED)
    assert SubjectConflict.objects.count() == 0
    assert SubjectNotice.objects.count() == 0


def test_whom_to_tell_is_nobody_of_an_agency_deactivated_or_out_of_the_task_force(
    partner_investigator, partner_agency, task_force
):
    from agencies.models import TaskForceMember
    from deconfliction.subjects import selectors

    assert selectors.recipients_for(partner_agency, partner_investigator, task_force.pk) == [partner_investigator]
    TaskForceMember.objects.filter(agency=partner_agency).delete()
    assert selectors.recipients_for(partner_agency, partner_investigator, task_force.pk) == []
    TaskForceMember.objects.create(task_force=task_force, agency=partner_agency)
    partner_agency.is_active = False
    partner_agency.save()
    assert selectors.recipients_for(partner_agency, partner_investigator, task_force.pk) == []


def test_a_contact_who_moved_to_another_agency_is_shown_as_their_former_agency(
    partner_investigator, partner_agency, lead_agency, task_force
):
    from agencies.models import Agency
    from deconfliction.subjects import selectors

    partner_agency.phone, partner_agency.email = "713-555-0900", "desk@bpd.example"
    partner_agency.save()
    assert selectors.contact_view(partner_agency, partner_investigator)["name"] == "Pat Partner"
    membership = partner_investigator.membership
    membership.agency = lead_agency
    membership.save()
    moved = type(partner_investigator).objects.get(pk=partner_investigator.pk)
    shown = selectors.contact_view(Agency.objects.get(pk=partner_agency.pk), moved)
    assert shown == {
        "name": "",
        "agency": "Bayport Police Department",
        "phone": "713-555-0900",
        "email": "desk@bpd.example",
    }


def test_a_tip_that_changes_holder_is_matched_for_its_new_holder(
    investigator, intake, partner_investigator, partner_agency, task_force, committed
):
    from tests.deconfliction.subjects.conftest import receive_tip
    from tips.models import Tip

    with committed():
        open_case(investigator, [(CaseParticipant.Role.SUSPECT, CLIENT)], task_force=task_force)
        tip = receive_tip(intake, [{"role": "suspect", "name": "Big Mike", "phone": CLIENT["phone"]}])
    assert SubjectConflict.objects.count() == 0  # one agency holds both
    with committed():
        Tip.objects.filter(pk=tip.pk).update(assigned_agency=partner_agency, owner=partner_investigator)
        services.reindex_tips([tip.pk])
    conflict = SubjectConflict.objects.get()
    assert {conflict.a_agency_id, conflict.b_agency_id} == {investigator.agency.pk, partner_agency.pk}
    assert _told() == {"investigator@ffo.example", "detective@bpd.example"}


def test_an_expired_consent_matches_nothing_even_before_the_daily_run(
    advocate, investigator, coordination_office, task_force, committed
):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from deconfliction.subjects.models import SubjectEntry

    with committed():
        case = open_case(advocate, [(CaseParticipant.Role.VICTIM, CLIENT)], task_force=task_force)
        consent = consent_to_deconfliction(case, by=advocate, recipient=coordination_office, days=2)
    assert set(SubjectEntry.objects.values_list("valid_until", flat=True)) == {consent.expires_on - timedelta(days=1)}
    with time_machine.travel(timezone.now() + timedelta(days=3)), committed():
        other = open_case(investigator, [(CaseParticipant.Role.SUSPECT, CLIENT)], task_force=task_force)
        services.check_subject(user=investigator, context=other, identifiers=CHECKED)
    assert SubjectConflict.objects.count() == 0
    assert SubjectNotice.objects.count() == 0


def test_a_failed_email_is_sent_again_by_the_periodic_run(
    investigator, partner_investigator, task_force, committed, mailoutbox, monkeypatch
):
    from deconfliction.subjects import tasks
    from portal import notices

    def broken(**kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(notices, "send_mail", broken)
    with committed():
        open_case(investigator, [(CaseParticipant.Role.SUSPECT, CLIENT)], task_force=task_force)
        open_case(partner_investigator, [(CaseParticipant.Role.SUSPECT, CLIENT)], task_force=task_force)
    assert SubjectNotice.objects.count() == 2
    assert not SubjectNotice.objects.filter(email_claimed_at__isnull=False).exists()  # the claims are let go
    assert mailoutbox == []
    monkeypatch.undo()
    tasks.subject_entries_expire.call()
    assert sorted(mail.to[0] for mail in mailoutbox) == ["detective@bpd.example", "investigator@ffo.example"]
    assert not SubjectNotice.objects.filter(emailed_at__isnull=True).exists()
    tasks.subject_entries_expire.call()
    assert len(mailoutbox) == 2  # sent once
