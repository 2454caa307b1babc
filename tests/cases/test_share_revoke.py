"""Stopping a share (issue 14): a confirmation page that asks why, the reason kept with the share and the event
audited, and a share a supervisor approved ended only by a supervisor. Who may end which share is one rule
(``CaseAccess.may_end_share``): the page offers by it and the service acts by it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import selectors
from cases.models import CaseShare
from cases.services import case_share_grant, case_share_revoke
from portal.models import AuditEvent


@pytest.fixture
def requested(le_case, investigator, coordination_office):
    """A caseworker's request to share the case, awaiting a supervisor."""
    return case_share_grant(
        case=le_case,
        agency=coordination_office,
        level=CaseShare.Level.SUMMARY,
        reason="For the monthly case-coordination meeting",
        actor=investigator,
    )


@pytest.fixture
def approved(le_case, partner_agency):
    """The summary share the lead's supervisor made (``le_case``)."""
    return CaseShare.objects.get(case=le_case, agency=partner_agency, status=CaseShare.Status.ACTIVE)


# who / which share / may end it
TABLE = [
    ("investigator", "requested", True),
    ("colleague", "requested", True),
    ("supervisor", "requested", True),
    ("investigator", "approved", False),
    ("colleague", "approved", False),
    ("supervisor", "approved", True),
    ("partner_investigator", "approved", False),
]


@pytest.mark.parametrize(("who", "which", "may_end"), TABLE)
def test_who_may_end_which_share(request, client_as, le_case, requested, approved, who, which, may_end):
    user = request.getfixturevalue(who)
    share = requested if which == "requested" else approved
    client = client_as(user)
    page = client.get(reverse("case_detail", args=[le_case.pk])).content.decode()
    assert (reverse("share_revoke", args=[le_case.pk, share.pk]) in page) == may_end
    confirm = client.get(reverse("share_revoke", args=[le_case.pk, share.pk]))
    assert confirm.status_code == (200 if may_end else 403)
    response = client.post(reverse("share_revoke", args=[le_case.pk, share.pk]), {"reason": "Work is done"})
    assert response.status_code == (302 if may_end else 403)
    share.refresh_from_db()
    assert (share.status == CaseShare.Status.REVOKED) == may_end


@pytest.mark.parametrize(("who", "which", "may_end"), TABLE)
def test_the_service_keeps_the_same_rule(request, le_case, requested, approved, who, which, may_end):
    user = request.getfixturevalue(who)
    share = requested if which == "requested" else approved
    if may_end:
        case_share_revoke(share=share, actor=user, reason="Work is done")
        share.refresh_from_db()
        assert share.status == CaseShare.Status.REVOKED
    else:
        with pytest.raises(PermissionDenied):
            case_share_revoke(share=share, actor=user, reason="Work is done")
        share.refresh_from_db()
        assert share.status in {CaseShare.Status.REQUESTED, CaseShare.Status.ACTIVE}


def test_stopping_asks_to_confirm_and_why_and_keeps_the_reason(client_as, supervisor, le_case, approved):
    client = client_as(supervisor)
    url = reverse("share_revoke", args=[le_case.pk, approved.pk])
    confirm = client.get(url).content.decode()
    assert "Stop sharing with" in confirm
    assert "Venue in city limits" in confirm  # why it was shared
    assert 'name="reason"' in confirm
    approved.refresh_from_db()
    assert approved.status == CaseShare.Status.ACTIVE  # opening the page changes nothing

    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 200
    assert "usa-error-message" in empty.content.decode()
    approved.refresh_from_db()
    assert approved.status == CaseShare.Status.ACTIVE

    client.post(url, {"reason": "The venue closed; the city has no part left."})
    approved.refresh_from_db()
    assert approved.status == CaseShare.Status.REVOKED
    assert approved.end_reason == "The venue closed; the city has no part left."
    assert approved.revoked_by == supervisor
    event = AuditEvent.objects.get(action="cases.share.revoked")
    assert event.actor == supervisor
    assert event.details["share_id"] == approved.pk


def test_the_service_refuses_an_empty_reason(le_case, supervisor, approved):
    with pytest.raises(ValidationError):
        case_share_revoke(share=approved, actor=supervisor, reason=" ")
    approved.refresh_from_db()
    assert approved.status == CaseShare.Status.ACTIVE


def test_a_caseworker_sees_why_not(client_as, investigator, le_case, approved):
    page = client_as(investigator).get(reverse("case_detail", args=[le_case.pk])).content.decode()
    assert "a supervisor ends it" in page


def test_the_pending_share_shows_the_requesters_reason_to_the_supervisor(client_as, supervisor, le_case, requested):
    page = client_as(supervisor).get(reverse("case_detail", args=[le_case.pk])).content.decode()
    shares = page[page.index('id="shares-heading"') :]
    assert "Requested by Ivy Investigator, because:" in shares
    assert "For the monthly case-coordination meeting" in shares
    assert reverse("share_approve", args=[le_case.pk, requested.pk]) in shares


def test_the_access_object_and_the_page_agree(investigator, supervisor, le_case, requested, approved):
    caseworker = selectors.case_access_for_user(investigator, le_case.pk)
    boss = selectors.case_access_for_user(supervisor, le_case.pk)
    assert caseworker.may_end_share(requested)
    assert not caseworker.may_end_share(approved)
    assert boss.may_end_share(requested)
    assert boss.may_end_share(approved)


@pytest.mark.parametrize(("who", "supervisor_must_approve"), [("investigator", True), ("supervisor", False)])
def test_the_share_form_explains_the_levels_and_who_approves(request, client_as, le_case, who, supervisor_must_approve):
    page = client_as(request.getfixturevalue(who)).get(reverse("case_share", args=[le_case.pk])).content.decode()
    for level in CaseShare.Level:
        assert f'value="{level.value}"' in page
    assert "Only for law enforcement and prosecutors" in page
    assert "No names, dates of birth" in page
    assert ("A supervisor of your agency must approve the share" in page) == supervisor_must_approve
