"""What waits for the demo's people on their home (decision 0023), seeded after the referrals so that it changes
none of the referrals' choices: two shares an investigator asked for (one awaiting her supervisor, one he
declined), a shelter client's consent that expires within two weeks, and an invitation not yet accepted.
Written only through the services, as a person would."""

from datetime import timedelta
from io import TextIOBase

from django.utils import timezone

from agencies.models import Agency, Role, User
from agencies.services import invitation_create
from cases import services
from cases.models import Case, CaseShare, Consent

INVESTIGATOR, SUPERVISOR = "dana.reyes@fbi.example", "marcus.hale@fbi.example"
ADVOCATE, ADMIN = "maria.santos@safeharbor.example", "priya.nair@fbi.example"
# (case title, agency asked for, level, reason, declined by the supervisor)
SHARES_ASKED = [
    (
        "Hotel housekeeping contractor",
        "BPD",
        CaseShare.Level.SUMMARY,
        "Bayport Police took a noise complaint at the housing the contractor rents; they may know the address.",
        False,
    ),
    (
        "Bayview Avenue massage businesses",
        "GSP",
        CaseShare.Level.SUMMARY,
        "State troopers stopped a van of the businesses' workers on Interstate 10.",
        True,
    ),
]


def seed(*, stdout: TextIOBase) -> None:
    people = {user.email: user for user in User.objects.filter(email__in=[INVESTIGATOR, SUPERVISOR, ADVOCATE, ADMIN])}
    investigator, supervisor = people[INVESTIGATOR], people[SUPERVISOR]
    agencies = {agency.short_name: agency for agency in Agency.objects.all()}
    for title, agency_name, level, reason, declined in SHARES_ASKED:
        case = Case.objects.get(title=title, lead_agency=investigator.agency)
        share = services.case_share_grant(
            case=case, agency=agencies[agency_name], level=level, reason=reason, actor=investigator
        )
        if declined:
            services.case_share_decline(share=share, actor=supervisor)

    advocate, today = people[ADVOCATE], timezone.localdate()
    # A renewal of a release in force (the same categories), due to end in 9 days: what the person may read stays
    # what it was, and the advocate's home shows the consent to renew.
    held = (
        Consent.objects.filter(holder_agency=advocate.agency, revoked_at__isnull=True, expires_on__gt=today)
        .order_by("pk")
        .first()
    )
    if held is not None:
        services.consent_record(
            person=held.person,
            recipient_agency=held.recipient_agency,
            categories=list(held.categories),
            purpose="Contact for the interview about the people who trafficked them.",
            signed_on=today - timedelta(days=170),
            expires_on=today + timedelta(days=9),
            actor=advocate,
        )

    admin = people[ADMIN]
    assert admin.agency is not None
    invitation_create(
        agency=admin.agency,
        email="jordan.blake@fbi.example",
        full_name="Jordan Blake",
        role=Role.CASEWORKER,
        actor=admin,
    )
    stdout.write("Demo: shares awaiting approval, a consent about to expire and an invitation, for the home pages.")
