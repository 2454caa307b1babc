"""What waits for the demo's people on their home (decision 0023), seeded after the referrals so that it changes
none of the referrals' choices: two shares an investigator asked for (one awaiting her supervisor, one he
declined), a shelter client's consent that expires within two weeks, and an invitation not yet accepted.
Then the two ways to see more of a case (decision 0025): a police detective who sees an FBI case at summary level
asks for personal information (it waits for the FBI's supervisor), and an FBI agent asks Safe Harbor to record
the consent of a shelter client withheld from her (it waits for Safe Harbor's people who record consents).
Written only through the services, as a person would."""

from datetime import timedelta
from io import TextIOBase

from django.utils import timezone

from agencies.models import Agency, Role, User
from agencies.services import invitation_create
from cases import selectors, services
from cases.models import Case, CaseShare, Consent

INVESTIGATOR, SUPERVISOR = "dana.reyes@fbi.example", "marcus.hale@fbi.example"
ADVOCATE, ADMIN = "maria.santos@safeharbor.example", "priya.nair@fbi.example"
DETECTIVE = "nia.brooks@bpd.example"
# (case title, lead agency, level asked for, reason): the detective's agency sees the case at summary level.
ACCESS_ASKED = (
    "Illicit spa network, three states",
    "FBI Bayport",
    CaseShare.Level.PERSONAL,
    "A welfare check at a downtown Bayport motel found two women who say they worked at a spa and were moved every"
    " few weeks. We need the victims' names to know whether they are the same women.",
)
# (case title, lead agency, reason): the investigator's agency sees the shelter's case with personal information,
# but one client never consented to release hers.
CONSENT_ASKED = (
    "Shelter clients from a massage business",
    "Safe Harbor",
    "She may have seen the manager who moved the workers between the spas. We would like to ask her, through her"
    " advocate, whether she will talk to us.",
)
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
    emails = [INVESTIGATOR, SUPERVISOR, ADVOCATE, ADMIN, DETECTIVE]
    people = {user.email: user for user in User.objects.filter(email__in=emails)}
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
    _ask_for_more(detective=people[DETECTIVE], investigator=investigator)
    stdout.write(
        "Demo: shares awaiting approval, a consent about to expire, an invitation, and requests for more access and"
        " for a consent, for the home pages."
    )


def _ask_for_more(*, detective: User, investigator: User) -> None:
    """The detective asks the lead for more access; the investigator asks the shelter for a client's consent (the
    first of its clients in the case withheld from her for want of one)."""
    title, lead, level, reason = ACCESS_ASKED
    case = Case.objects.get(title=title, lead_agency__short_name=lead)
    services.access_request_create(case=case, level=level, reason=reason, actor=detective)

    title, lead, reason = CONSENT_ASKED
    case = Case.objects.get(title=title, lead_agency__short_name=lead)
    access = selectors.case_access_for_user(investigator, case.pk)
    people = selectors.people_of_case_for(investigator, case, access.permissions)
    _participant, withheld = selectors.people_to_ask_consent_for(people)[0]
    services.consent_request_create(case=case, person=withheld.person, reason=reason, actor=investigator)
