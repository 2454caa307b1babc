"""Services delivered and immigration relief, against the tables worked out by hand from ``activity``
(tests/reports/conftest.py): who counts what, another agency's 1-4 suppressed, complements, the filters."""

from datetime import date

import pytest

from agencies.models import Role
from cases.models import Case, CaseShare, Consent, Need
from cases.services import case_create, case_share_grant, case_share_revoke, consent_revoke
from protection.models import ReliefAction
from reports import sections
from tests.factories import UserFactory, given_consent
from tests.reports.conftest import relief, served, victims_of
from tests.reports.helpers import scope_for, table, unsuppressed

F5 = "fewer than 5"
CATEGORIES = [str(label) for _value, label in Need.Category.choices]
KINDS = [str(label) for _value, label in ReliefAction.Kind.choices]
BANDS = ("Within 30 days", "In 31 to 60 days", "In 61 to 90 days")


def _services(changed: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    return {label: ("0", "0") for label in CATEGORIES} | changed


def _pending(changed: dict[str, tuple[str, str, str]]) -> dict[str, tuple[str, str, str]]:
    return {label: ("0", "0", "0") for label in KINDS} | changed


def _expiring(changed: dict[str, tuple[str, str, str]]) -> dict[str, tuple[str, str, str]]:
    return {label: ("0", "0", "0") for label in BANDS} | changed


# --- Services delivered by category (delivered, referred elsewhere).

SERVICES = [
    (
        # A and B its own, C the shelter's (personal share), D the Bayport Police's (law-enforcement share).
        "investigator",
        {
            "Emergency shelter": (F5, "0"),  # v1, v2 (its own) and c1 (the shelter's client): 3
            "Case management": (F5, "0"),  # v1 (its own) and d1 (Bayport's): 2
            "Medical": ("1", "0"),  # v1, its own; c1's mental health is the shelter's to count
            "Legal and immigration": ("0", F5),  # v1's referral (its own): the complement of food's
            "Food": ("0", F5),  # c1's referral elsewhere (the shelter's); v1's food was the quarter before
        },
    ),
    (
        # A at summary level: its non-sensitive services only (v1's medical and immigration ones withheld); D its own.
        "partner_investigator",
        {"Emergency shelter": (F5, "0"), "Case management": (F5, "0")},
    ),
    # The shelter's own client, everything, exactly.
    ("advocate", {"Emergency shelter": ("1", "0"), "Mental health": ("1", "0"), "Food": ("0", "1")}),
    # The legal aid sees C at personal level: the shelter's client's non-sensitive services, suppressed.
    ("attorney", {"Emergency shelter": (F5, "0"), "Food": ("0", F5)}),
    ("coordinator", {}),  # no case shared with the coordination office
    ("outsider", {"Case management": ("3", "0")}),  # E, its own
]


@pytest.mark.parametrize(("who", "expected"), SERVICES)
def test_services_by_category_per_reader(request, activity, who, expected):
    viewer = activity.attorney if who == "attorney" else request.getfixturevalue(who)
    assert table(sections.services_by_category(scope_for(viewer))) == _services(expected)


def test_services_follow_the_agency_filter_and_the_period(activity, investigator, lead_agency, partner_agency):
    with unsuppressed():
        own = table(sections.services_by_category(scope_for(investigator, agency=lead_agency)))
    assert own == _services(
        {
            "Emergency shelter": ("2", "0"),
            "Case management": ("1", "0"),
            "Medical": ("1", "0"),
            "Legal and immigration": ("0", "1"),
        }
    )
    # As read, one part of the unfiltered chart (decision 0036): v1's legal referral is the unfiltered one, suppressed
    # beside the shelter's food referral; shown with the other agencies' 0 it would tell it.
    own = table(sections.services_by_category(scope_for(investigator, agency=lead_agency)))
    assert own == _services(
        {
            "Emergency shelter": ("2", "0"),
            "Case management": ("1", "0"),
            "Medical": ("1", "0"),
            "Legal and immigration": ("0", F5),
        }
    )
    bayport = table(sections.services_by_category(scope_for(investigator, agency=partner_agency)))
    assert bayport == _services({"Case management": (F5, "0")})  # d1's
    before = table(sections.services_by_category(scope_for(investigator, "FY2026-Q4")))
    assert before == _services({"Food": ("1", "0")})  # v1's food on 2026-09-15
    assert set(table(sections.services_by_category(scope_for(investigator, "FY2027-Q2"))).values()) == {("0", "0")}


def test_services_follow_the_task_force_filter(activity, investigator, task_force):
    elsewhere = case_create(
        actor=investigator,
        title="Outside the task force",
        intake_channel=Case.Channel.HOTLINE,
        case_type=Case.Type.LABOR,
        opened_on=date(2026, 10, 1),
    )
    from tests.reports.conftest import LABOR, POTENTIAL, victim

    victim(elsewhere, investigator, age=30, identified_on=date(2026, 10, 2), status=POTENTIAL, kind=LABOR)
    (worker,) = victims_of(elsewhere)
    served(investigator, worker, Need.Category.MEDICAL, date(2026, 10, 3))
    assert table(sections.services_by_category(scope_for(investigator)))["Medical"] == ("2", "0")
    in_task_force = table(sections.services_by_category(scope_for(investigator, task_force=task_force)))
    assert in_task_force["Medical"] == ("1", "0")


def test_a_sensitive_service_of_a_client_counts_outside_the_shelter_under_no_consent(activity, investigator, advocate):
    # The shelter's client releases her medical information to the Field Office: its case page shows the mental
    # health service then, but the dashboard keeps a client's sensitive services inside the provider (decision 0036).
    (c1,) = victims_of(activity.world.c)
    given_consent(c1.person, investigator.agency, (Consent.Category.IDENTITY, Consent.Category.MEDICAL), by=advocate)
    assert table(sections.services_by_category(scope_for(investigator)))["Mental health"] == ("0", "0")


# --- Immigration relief pending by type (pending, requested, submitted) and expiring.

RELIEF = [
    (
        # A (its own victims) and D at law-enforcement level; C only at personal level: no relief of the shelter's
        # client for law enforcement without law-enforcement access.
        "investigator",
        {
            "HHS notification / request for assistance for a minor": ("1", "1", "0"),
            "Declaration for a T visa (I-914 Supplement B)": ("1", "1", "0"),
            "Certification for a U visa (I-918 Supplement B)": (F5, F5, "0"),  # asked of Bayport in its D
            "Employment authorization": ("1", "0", "1"),
        },
        {"Within 30 days": ("1", "1", "0"), "In 31 to 60 days": ("1", "0", "1")},  # v2's, in 20 and 45 days
    ),
    (
        # A at summary level: no personal information, no relief. D its own.
        "partner_investigator",
        {"Certification for a U visa (I-918 Supplement B)": ("1", "1", "0")},
        {},
    ),
    # The shelter's own client's relief, exactly: the T visa, and the work permit expiring in 80 days.
    ("advocate", {"T visa": ("1", "1", "0")}, {"In 61 to 90 days": ("1", "0", "1")}),
    ("attorney", {}, {}),  # the legal aid sees C at personal level, but holds no consent of the client
    ("coordinator", {}, {}),  # coordination never sees relief (8 U.S.C. 1367)
    ("outsider", {"Employment authorization": ("3", "3", "0")}, {}),
]


@pytest.mark.parametrize(("who", "pending", "expiring"), RELIEF)
def test_relief_per_reader(request, activity, who, pending, expiring):
    viewer = activity.attorney if who == "attorney" else request.getfixturevalue(who)
    assert table(sections.relief_pending(scope_for(viewer))) == _pending(pending)
    assert table(sections.relief_expiring(scope_for(viewer))) == _expiring(expiring)


@pytest.mark.parametrize(
    ("categories", "shown"),
    [
        (None, False),
        ((Consent.Category.IDENTITY,), False),
        ((Consent.Category.IDENTITY, Consent.Category.IMMIGRATION), True),
        ((Consent.Category.IMMIGRATION,), True),
    ],
)
def test_another_ngo_counts_a_clients_relief_only_under_an_immigration_consent(activity, advocate, categories, shown):
    (c1,) = victims_of(activity.world.c)
    if categories is not None:
        given_consent(c1.person, activity.legal_aid, categories, by=advocate)
    pending = table(sections.relief_pending(scope_for(activity.attorney)))
    expiring = table(sections.relief_expiring(scope_for(activity.attorney)))
    if shown:  # the shelter's client: another agency's one, suppressed, the total with it
        assert pending == _pending({"T visa": (F5, F5, "0")})
        assert expiring == _expiring({"In 61 to 90 days": (F5, "0", F5)})
    else:
        assert pending == _pending({})
        assert expiring == _expiring({})


def test_a_revoked_or_expired_consent_counts_no_relief(activity, advocate):
    (c1,) = victims_of(activity.world.c)
    consent = given_consent(c1.person, activity.legal_aid, (Consent.Category.IMMIGRATION,), by=advocate)
    assert table(sections.relief_pending(scope_for(activity.attorney)))["T visa"] == (F5, F5, "0")
    consent_revoke(consent=consent, actor=advocate)
    assert table(sections.relief_pending(scope_for(activity.attorney)))["T visa"] == ("0", "0", "0")
    given_consent(c1.person, activity.legal_aid, (Consent.Category.IMMIGRATION,), by=advocate, days=1)
    assert table(sections.relief_pending(scope_for(activity.attorney)))["T visa"] == (F5, F5, "0")
    later = scope_for(activity.attorney)
    later = sections.Scope(user=activity.attorney, start=later.start, end=later.end, now=later.now.replace(day=22))
    assert table(sections.relief_pending(later))["T visa"] == ("0", "0", "0")  # it ended on the 21st


def test_a_law_enforcement_share_counts_the_relief_a_personal_share_does_not(
    activity, investigator, shelter_supervisor
):
    case_share_grant(
        case=activity.world.c,
        agency=investigator.agency,
        level=CaseShare.Level.LAW_ENFORCEMENT,
        reason="Joint",
        actor=shelter_supervisor,
    )
    # Law enforcement sees a provider's client's relief with law-enforcement access AND her immigration consent.
    assert table(sections.relief_pending(scope_for(investigator)))["T visa"] == ("0", "0", "0")
    (c1,) = victims_of(activity.world.c)
    given_consent(c1.person, investigator.agency, (Consent.Category.IMMIGRATION,), by=activity.world.c.created_by)
    assert table(sections.relief_pending(scope_for(investigator)))["T visa"] == (F5, F5, "0")


def test_relief_follows_the_filters_and_the_period(activity, investigator, lead_agency, partner_agency):
    assert table(sections.relief_pending(scope_for(investigator, agency=partner_agency))) == _pending(
        {"Certification for a U visa (I-918 Supplement B)": (F5, F5, "0")}
    )
    own = table(sections.relief_expiring(scope_for(investigator, agency=partner_agency)))
    assert own == _expiring({})
    # Pending today among those requested by the period's end; granted by its end. Before the quarter: none.
    assert table(sections.relief_pending(scope_for(investigator, "FY2026-Q4"))) == _pending({})
    assert table(sections.relief_expiring(scope_for(investigator, "FY2026-Q4"))) == _expiring({})
    # After it: the same relief, still pending or still to expire today.
    assert table(sections.relief_pending(scope_for(investigator, "FY2027-Q2"))) == table(
        sections.relief_pending(scope_for(investigator))
    )


def test_relief_of_five_of_another_agencys_is_shown_and_a_lone_suppressed_kind_takes_a_second(
    activity, investigator, partner_investigator
):
    (d1,) = victims_of(activity.world.d)
    for day in (4, 5, 6, 7, 8):
        relief(activity.world.d, d1, ReliefAction.Kind.T_VISA, partner_investigator, date(2026, 12, day))
    relief(
        activity.world.d,
        d1,
        ReliefAction.Kind.T_VISA,
        partner_investigator,
        date(2026, 12, 9),
        step="submit",
        on=date(2026, 12, 10),
    )
    seen = table(sections.relief_pending(scope_for(investigator)))
    # Six of Bayport's pending, five requested: shown. The one submitted is suppressed, and "Pending" minus
    # "Requested" would tell it: the smaller of the two goes with it.
    assert seen["T visa"] == ("6", F5, F5)


def test_a_suspects_need_counts_only_for_law_enforcement(activity, investigator, partner_investigator):
    # A need recorded for a suspect: the case page lists the suspect only to who reads law-enforcement information.
    from cases.services import need_add
    from tests.reports.conftest import suspect

    person = suspect(activity.world.a, investigator, "Needy").person
    need_add(case=activity.world.a, person=person, category=Need.Category.CLOTHING, actor=investigator)
    assert table(sections.unmet_needs(scope_for(investigator)))["Clothing"] == ("1", "0", "0", "1")
    assert table(sections.unmet_needs(scope_for(partner_investigator)))["Clothing"] == ("0", "0", "0", "0")


def test_the_expiring_chart_counts_every_kind_whose_expiry_is_reminded():
    from protection.rules import EXPIRY_REMINDED

    counted = {kind for _key, kinds, _label in sections.EXPIRING_KINDS for kind in kinds}
    assert counted == set(EXPIRY_REMINDED)


def test_a_referral_elsewhere_is_the_referring_agencys_own(activity, investigator, partner_agency):
    # Working D jointly, the Field Office refers the Bayport Police's victim d1 to a food bank outside the portal:
    # the record is its own (it recorded it), so under the Bayport filter it reads exactly, where d1's other
    # services stay suppressed.
    current = CaseShare.objects.get(case=activity.world.d, agency=investigator.agency, status=CaseShare.Status.ACTIVE)
    bayport_supervisor = UserFactory(email="sarge@bpd.example", agency=partner_agency, role=Role.SUPERVISOR)
    case_share_revoke(share=current, actor=bayport_supervisor, reason="Raised to joint work")
    case_share_grant(
        case=activity.world.d,
        agency=investigator.agency,
        level=CaseShare.Level.COLLABORATE,
        reason="Joint",
        actor=bayport_supervisor,
    )
    (d1,) = victims_of(activity.world.d)
    served(investigator, d1, Need.Category.FOOD, date(2026, 10, 20), referred=True)
    bayport = table(sections.services_by_category(scope_for(investigator, agency=partner_agency)))
    assert bayport == _services({"Case management": (F5, "0"), "Food": ("0", "1")})
