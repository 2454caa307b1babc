"""``agencies/roles.py``: one group per role, with exactly the permissions ROLE_PERMISSIONS names."""

import pytest
from django.contrib.auth.models import Group, Permission

from agencies import roles
from agencies.models import Role
from agencies.roles import ROLE_PERMISSIONS, role_group, role_group_name, sync_role_groups


def permission_codes(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_every_role_has_an_entry():
    assert set(ROLE_PERMISSIONS) == set(Role)


@pytest.mark.parametrize("code", sorted(set().union(*ROLE_PERMISSIONS.values())))
def test_every_permission_a_role_names_exists(db, code):
    app_label, codename = code.split(".")

    assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists()


@pytest.mark.parametrize("role", list(Role))
def test_after_migrate_each_role_group_has_exactly_its_permissions(db, role):
    group = Group.objects.get(name=f"role:{role}")

    assert permission_codes(group) == ROLE_PERMISSIONS[role]


def test_there_is_one_group_per_role_and_no_other_role_group(db):
    assert set(Group.objects.filter(name__startswith="role:").values_list("name", flat=True)) == {
        role_group_name(role) for role in Role
    }


def test_only_agency_admins_may_manage_people():
    managing = {role for role, codes in ROLE_PERMISSIONS.items() if "agencies.manage_agency_people" in codes}

    assert managing == {Role.AGENCY_ADMIN}


def test_only_auditors_read_the_audit_trail():
    reading = {role for role, codes in ROLE_PERMISSIONS.items() if "portal.view_auditevent" in codes}

    assert reading == {Role.AUDITOR}


def test_syncing_takes_away_a_permission_added_by_hand(db):
    group = role_group(Role.CASEWORKER)
    group.permissions.add(Permission.objects.get(content_type__app_label="portal", codename="view_auditevent"))

    sync_role_groups()

    assert permission_codes(group) == ROLE_PERMISSIONS[Role.CASEWORKER]


def test_syncing_recreates_a_deleted_role_group(db):
    role_group(Role.INTAKE).delete()

    sync_role_groups()

    assert permission_codes(role_group(Role.INTAKE)) == ROLE_PERMISSIONS[Role.INTAKE]


def test_syncing_refuses_a_permission_that_does_not_exist(db, monkeypatch):
    monkeypatch.setitem(roles.ROLE_PERMISSIONS, Role.INTAKE, {"agencies.view_agency", "agencies.fly_to_the_moon"})

    with pytest.raises(LookupError, match=r"agencies\.fly_to_the_moon"):
        sync_role_groups()


def test_a_member_holds_the_permissions_of_their_role(agency_admin, investigator, auditor):
    assert agency_admin.has_perm("agencies.manage_agency_people")
    assert not investigator.has_perm("agencies.manage_agency_people")
    assert auditor.has_perm("portal.view_auditevent")
    assert not agency_admin.has_perm("portal.view_auditevent")
