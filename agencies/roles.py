"""What each role may do at all (docs/architecture.md §4.3), as Django model permissions on one group per role.

This mapping is the only place a role's permissions are written. ``sync_role_groups`` makes the groups match it
after every ``migrate``; later issues add the permissions of their own models here.
"""

from django.contrib.auth.models import Group, Permission
from django.utils.functional import Promise

from agencies.models import Agency, Role

_EVERYONE = frozenset({"agencies.view_agency", "agencies.view_taskforce", "services_directory.view_service"})
# Case work: what a role allows at all. Which cases, and which fields, is decided per case (cases/selectors.py).
_CASE_WORK = frozenset(
    {
        "cases.add_case",
        "cases.view_case",
        "cases.change_case",
        "cases.view_case_pii",
        "cases.view_le_sensitive",
        "cases.record_consent",  # takes effect only for a victim service provider's own clients
        "referrals.add_referral",
        "referrals.respond_referral",
    }
)

# Event deconfliction (docs/decisions/0031): planning operations, for law-enforcement agencies only
# (deconfliction/operations/selectors.py); settling their conflicts, for the task force's coordinators.
_PLAN_OPERATIONS = frozenset({"deconfliction.plan_operation"})

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CASEWORKER: _EVERYONE | _CASE_WORK | _PLAN_OPERATIONS,
    # Tips (docs/decisions/0026-tips.md): which tips, the receiving or assigned agency's (tips/selectors.py).
    Role.SUPERVISOR: _EVERYONE
    | _CASE_WORK
    | _PLAN_OPERATIONS
    | {"cases.decide_case", "tips.triage_tip", "tips.assign_tip"},
    Role.AGENCY_ADMIN: _EVERYONE
    | {
        "agencies.view_membership",
        "agencies.manage_agency_people",
        "agencies.view_invitation",
        "agencies.add_invitation",
        "services_directory.view_apitoken",  # keys for partner directories to read the HSDS API
        "services_directory.add_apitoken",
    },
    Role.COORDINATOR: _EVERYONE
    | {
        "cases.view_case",
        "cases.view_case_pii",  # PII only where granted
        "cases.prepare_meeting_packet",  # each case in it as the coordinator may see it
        "referrals.coordinate_referral",
        "tips.oversee_tip",  # the task force's tips to their deadlines, not their content
        "deconfliction.resolve_operationconflict",  # both sides' contacts, never the operations
        "prosecution.change_traffickingstatute",  # the state statutes the task force counts (decision 0034)
    },
    Role.INTAKE: _EVERYONE | {"cases.add_case", "cases.view_case", "tips.triage_tip"},
    # Their own agency's directory listings and capacity (services_directory/selectors.py), not case records.
    Role.PROVIDER_STAFF: _EVERYONE | {"services_directory.change_service", "referrals.respond_referral"},
    Role.AUDITOR: _EVERYONE | {"portal.view_auditevent"},
}


# Roles that fit only some kinds of agency. A coordinator acts for the whole task force, so only the task force's
# coordination office has them; every other role fits any agency.
ROLE_AGENCY_KINDS: dict[str, set[str]] = {Role.COORDINATOR: {Agency.Kind.COORDINATION}}


def roles_with(permission: str) -> list[str]:
    """The roles that hold ``permission`` ("app_label.codename")."""
    return [role for role, permissions in ROLE_PERMISSIONS.items() if permission in permissions]


def role_fits(role: str, agency: Agency) -> bool:
    return role in Role.values and agency.kind in ROLE_AGENCY_KINDS.get(role, {agency.kind})


def role_choices_for(agency: Agency) -> list[tuple[str, str | Promise]]:
    return [(value, label) for value, label in Role.choices if role_fits(value, agency)]


def role_group_name(role: str) -> str:
    return f"role:{role}"


def role_group(role: str) -> Group:
    return Group.objects.get(name=role_group_name(role))


def sync_role_groups() -> None:
    """Create the role groups and give each exactly the permissions ``ROLE_PERMISSIONS`` names."""
    all_codes = set().union(*ROLE_PERMISSIONS.values())
    found = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename")
    }
    missing = all_codes - found.keys()
    if missing:
        raise LookupError(f"ROLE_PERMISSIONS names permissions that do not exist: {', '.join(sorted(missing))}")
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role_group_name(role))
        group.permissions.set([found[code] for code in ROLE_PERMISSIONS[role]])
