"""Notices of a share's steps (decision 0023): a caseworker's request tells the supervisors who decide it, their
decision tells the person who asked; the notices page lists them beside the referrals' notices, only while the
person still sees the case; "Referrals (N new)" leads to the notices it counts."""

import pytest
from django.urls import reverse

from agencies.models import Role
from cases.models import CaseNotice, CaseShare
from cases.services import case_share_approve, case_share_decline, case_share_grant, case_share_revoke
from portal.navigation import navigation_for
from referrals.models import Notification
from tests.factories import UserFactory, sent_referral
from tests.services_directory.factories import listed_service

pytestmark = pytest.mark.django_db


def _ask(case, agency, by) -> CaseShare:
    return case_share_grant(
        case=case, agency=agency, level=CaseShare.Level.SUMMARY, reason="They hold the venue's records", actor=by
    )


@pytest.fixture
def second_supervisor(lead_agency, task_force):
    return UserFactory(email="chief@ffo.example", full_name="Chad Chief", agency=lead_agency, role=Role.SUPERVISOR)


@pytest.fixture
def asked(le_case, ngo, investigator) -> CaseShare:
    return _ask(le_case, ngo, investigator)


@pytest.fixture
def service_referral(le_case, ngo, investigator):
    victim = le_case.participants.get().person
    return sent_referral(le_case, victim, listed_service(name="Harbor House", agency=ngo), by=investigator)


def _notices(user) -> list[tuple[str, int]]:
    return list(CaseNotice.objects.filter(user=user).values_list("verb", "share_id"))


def test_a_caseworkers_request_tells_every_supervisor_of_the_lead_agency_and_nobody_else(
    second_supervisor, colleague, partner_investigator, advocate, supervisor, asked
):
    assert asked.awaits_approval
    told = set(CaseNotice.objects.values_list("user__email", "verb"))
    assert told == {
        (supervisor.email, CaseNotice.Verb.SHARE_REQUESTED),
        (second_supervisor.email, CaseNotice.Verb.SHARE_REQUESTED),
    }


@pytest.mark.parametrize(
    ("decide", "verb"),
    [(case_share_approve, CaseNotice.Verb.SHARE_APPROVED), (case_share_decline, CaseNotice.Verb.SHARE_DECLINED)],
)
def test_the_decision_tells_the_person_who_asked(asked, supervisor, investigator, decide, verb):
    decide(share=asked, actor=supervisor)
    assert _notices(investigator) == [(verb, asked.pk)]
    assert CaseNotice.objects.get(user=investigator).actor == supervisor


def test_a_supervisors_own_share_takes_effect_without_telling_anyone(le_case, ngo, supervisor):
    _ask(le_case, ngo, supervisor)
    assert not CaseNotice.objects.exists()


def test_the_notices_page_lists_share_notices_beside_referral_notices_and_marks_both_read(
    asked, supervisor, client_as, service_referral
):
    referral_notice = Notification.objects.create(user=supervisor, referral=service_referral, verb="sent")
    client = client_as(supervisor)
    page = client.get(reverse("notifications")).content.decode()
    assert f"{asked.case.number}: Share asked for (Safe Harbor Shelter)" in page
    assert reverse("case_detail", args=[asked.case_id]) + "#shares-heading" in page
    assert f"Referral #{service_referral.pk}: sent" in page
    assert page.count(">New<") == 2

    client.post(reverse("notifications"))
    assert not CaseNotice.objects.filter(user=supervisor, read_at__isnull=True).exists()
    referral_notice.refresh_from_db()
    assert referral_notice.read_at is not None
    assert ">New<" not in client.get(reverse("notifications")).content.decode()


def test_a_notice_of_a_case_the_person_no_longer_sees_is_not_shown(le_case, partner_agency, supervisor, client_as):
    """The partner's detective was told of a share of the case while it was shared with them; once the share ends
    the notice goes quiet, as a referral's does."""
    detective = UserFactory(email="detective2@bpd.example", agency=partner_agency)
    share = le_case.shares.get(agency=partner_agency, status=CaseShare.Status.ACTIVE)
    CaseNotice.objects.create(
        user=detective, case=le_case, share=share, verb=CaseNotice.Verb.SHARE_APPROVED, actor=supervisor
    )
    assert le_case.number in client_as(detective).get(reverse("notifications")).content.decode()
    case_share_revoke(share=share, actor=supervisor, reason="The joint operation ended.")
    assert le_case.number not in client_as(detective).get(reverse("notifications")).content.decode()


def _referrals_entry(user):
    return next(item for item in navigation_for(user) if str(item.label).startswith("Referrals"))


def test_referrals_n_new_leads_to_the_notices_it_counts(service_referral, investigator, client_as):
    assert _referrals_entry(investigator).url_name == "referral_inbox"  # nothing new: the referrals themselves
    Notification.objects.create(user=investigator, referral=service_referral, verb="accepted")
    entry = _referrals_entry(investigator)
    assert str(entry.label) == "Referrals (1 new)"
    assert entry.url_name == "notifications"
    page = client_as(investigator).get(entry.url).content.decode()
    assert page.count(">New<") == 1
    assert f"Referral #{service_referral.pk}: accepted" in page
