"""The Django admin: superusers only, audited, and nothing in it that bypasses the portal's services."""

import pytest
from django.urls import reverse

from agencies.models import TaskForceMember
from portal.models import AuditEvent
from tests.factories import UserFactory


def test_staff_who_are_not_superusers_are_refused(client_as, lead_agency):
    staff = UserFactory(agency=lead_agency, is_staff=True)
    response = client_as(staff).get("/admin/", follow=True)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/admin/auth/group/",
        "/admin/account/emailaddress/",
        "/admin/usersessions/usersession/",
        "/admin/mfa/authenticator/",
        "/admin/axes/accessattempt/",
    ],
)
def test_models_changed_only_through_audited_services_are_not_in_the_admin(client_as, superuser, path):
    assert client_as(superuser).get(path).status_code == 404


def test_accounts_and_agencies_cannot_be_deleted(client_as, superuser, investigator, lead_agency):
    client = client_as(superuser)
    assert client.get(reverse("admin:agencies_user_delete", args=[investigator.pk])).status_code == 403
    assert client.get(reverse("admin:agencies_agency_delete", args=[lead_agency.pk])).status_code == 403


def test_the_field_history_is_read_only(client_as, superuser):
    assert client_as(superuser).get(reverse("admin:auditlog_logentry_add")).status_code == 403


def test_task_force_membership_changes_name_the_agencies(
    client_as, superuser, task_force, partner_agency, other_agency
):
    client = client_as(superuser)
    url = reverse("admin:agencies_taskforce_change", args=[task_force.pk])
    members = list(TaskForceMember.objects.filter(task_force=task_force).order_by("pk"))
    data = {
        "name": task_force.name,
        "region": task_force.region,
        "members-TOTAL_FORMS": str(len(members) + 1),
        "members-INITIAL_FORMS": str(len(members)),
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    for index, member in enumerate(members):
        data.update(
            {
                f"members-{index}-id": str(member.pk),
                f"members-{index}-task_force": str(task_force.pk),
                f"members-{index}-agency": str(member.agency_id),
                f"members-{index}-mou_signed_on": "",
                f"members-{index}-joined_on": member.joined_on.isoformat(),
            }
        )
        if member.agency_id == partner_agency.pk:
            data[f"members-{index}-DELETE"] = "on"
    new = len(members)
    data.update(
        {
            f"members-{new}-task_force": str(task_force.pk),
            f"members-{new}-agency": str(other_agency.pk),
            f"members-{new}-joined_on": "2026-11-01",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    event = AuditEvent.objects.get(action="admin.agencies.taskforce.changed")
    [inline] = event.details["inlines"]
    assert inline["model"] == "agencies.taskforcemember"
    assert [added["agency_id"] for added in inline["added"]] == [other_agency.pk]
    assert [deleted["agency_id"] for deleted in inline["deleted"]] == [partner_agency.pk]
