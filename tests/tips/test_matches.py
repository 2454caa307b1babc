"""A tip's possible matches (docs/decisions/0029-tip-matches.md): the cases its reader may open where a person has
the same phone, e-mail, or name and birth year as a subject, or another tip with the same plate went; never a case
or a person outside what the reader may find, each showing recorded, in a constant number of queries."""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseParticipant, CaseShare, Consent
from cases.services import case_create, case_share_grant, person_add_to_case
from portal.models import AuditEvent
from tests.factories import given_consent
from tests.tips.conftest import assigned, receive
from tips import matching, services
from tips.models import Tip, TipSubject

GIVEN, FAMILY = "María", "Lindqvist-Öberg"
PERSON = {
    "given_name": GIVEN,
    "family_name": FAMILY,
    "date_of_birth": date(1990, 5, 4),
    "phone": "(555) 014-2999",
    "email": "maria.l@example.org",
}
CASE_TITLE = "MATCH-TITLE-SENTINEL"

# A subject of the tip, by what identifies them.
SUBJECTS: dict[str, dict[str, Any]] = {
    "phone": {"phone": "+1 555.014.2999"},
    "email": {"email_or_handle": "MARIA.L@Example.org"},
    "name_and_birth_date": {"name": "maria  LINDQVIST-OBERG", "date_of_birth": date(1990, 1, 1)},
    "alias_and_age": {"alias": "Maria Lindqvist-Oberg", "approximate_age": timezone.localdate().year - 1991},
    "name_another_year": {"name": "Maria Lindqvist-Oberg", "date_of_birth": date(1993, 5, 4)},
    "name_only": {"name": "Maria Lindqvist-Oberg"},
    "part_of_the_phone": {"phone": "2999"},
}
ON = {
    "phone": matching.PHONE,
    "email": matching.EMAIL,
    "name_and_birth_date": matching.NAME_AND_BIRTH_YEAR,
    "alias_and_age": matching.NAME_AND_BIRTH_YEAR,
}


def _case(actor, *, task_force=None, role=CaseParticipant.Role.VICTIM):
    case = case_create(actor=actor, title=CASE_TITLE, intake_channel=Case.Channel.HOTLINE, task_force=task_force)
    person_add_to_case(case=case, role=role, actor=actor, **PERSON)
    return case


@pytest.fixture
def build(request, investigator, supervisor, task_force, partner_agency, lead_agency, outsider, advocate):
    """``build(kind)``: a case with the person in it, seen as ``kind`` says."""

    def share(case, agency, level, by):
        case_share_grant(case=case, agency=agency, level=level, reason="Joint work", actor=by)
        return case

    def ngo_case(consent):
        shelter_supervisor = request.getfixturevalue("shelter_supervisor")
        case = share(_case(advocate, task_force=task_force), lead_agency, CaseShare.Level.PERSONAL, shelter_supervisor)
        if consent:
            person = case.participants.get().person
            given_consent(person, lead_agency, [Consent.Category.IDENTITY, Consent.Category.CONTACT], by=advocate)
        return case

    kinds = {
        # Led by the field office (the supervisor's agency), not shared.
        "lead": lambda: _case(investigator, task_force=task_force),
        "lead_suspect": lambda: _case(investigator, task_force=task_force, role=CaseParticipant.Role.SUSPECT),
        # The field office's, shared with the partner police department at a level.
        "partner_summary": lambda: share(
            _case(investigator, task_force=task_force), partner_agency, CaseShare.Level.SUMMARY, supervisor
        ),
        "partner_personal": lambda: share(
            _case(investigator, task_force=task_force), partner_agency, CaseShare.Level.PERSONAL, supervisor
        ),
        "partner_personal_suspect": lambda: share(
            _case(investigator, task_force=task_force, role=CaseParticipant.Role.SUSPECT),
            partner_agency,
            CaseShare.Level.PERSONAL,
            supervisor,
        ),
        # Another task force's agency's case: nobody here may open it.
        "outsider": lambda: _case(outsider),
        # The shelter's client, shared with the field office with personal information.
        "ngo_no_consent": lambda: ngo_case(consent=False),
        "ngo_consent": lambda: ngo_case(consent=True),
    }
    return lambda kind: kinds[kind]()


@pytest.fixture
def tip_about(intake, supervisor, partner_investigator):
    """``tip_about(*subjects)``: a tip about those subjects, assigned to the partner investigator (so that the
    receiving agency's people and the owner all read it)."""

    def make(*subjects):
        described = [{"role": TipSubject.Role.VICTIM, **subject} for subject in subjects]
        return assigned(receive(intake, subjects=described), supervisor, partner_investigator)

    return make


def _listed(reader, tip):
    return matching.possible_matches(reader, tip, list(tip.subjects.all()))


# who, the subject (SUBJECTS), the case (``build``), listed
TABLE = [
    ("supervisor", "phone", "lead", True),
    ("supervisor", "email", "lead", True),
    ("supervisor", "name_and_birth_date", "lead", True),  # case and accents aside
    ("supervisor", "alias_and_age", "lead", True),  # an age gives a year either side
    ("supervisor", "name_another_year", "lead", False),
    ("supervisor", "name_only", "lead", False),  # a name alone is too common
    ("supervisor", "part_of_the_phone", "lead", False),
    ("supervisor", "phone", "lead_suspect", True),  # the lead agency sees its suspects
    ("supervisor", "phone", "outsider", False),  # a case the reader may not open
    ("supervisor", "name_and_birth_date", "ngo_no_consent", False),  # a shelter's client
    ("supervisor", "phone", "ngo_no_consent", False),
    ("supervisor", "name_and_birth_date", "ngo_consent", False),  # a consent releases a name to read, not to search
    ("partner_investigator", "phone", "lead", False),  # not shared with them
    ("partner_investigator", "phone", "partner_summary", False),  # shared without personal information
    ("partner_investigator", "phone", "partner_personal", True),
    ("partner_investigator", "name_and_birth_date", "partner_personal", True),
    ("partner_investigator", "phone", "partner_personal_suspect", False),  # suspects need law-enforcement access
    ("intake", "phone", "lead", False),  # intake staff open cases but see no one's details in them
]


@pytest.mark.parametrize(("who", "subject", "kind", "listed"), TABLE)
def test_who_is_shown_which_match(request, build, tip_about, who, subject, kind, listed):
    case = build(kind)
    tip = tip_about(SUBJECTS[subject])
    matches = _listed(request.getfixturevalue(who), tip)
    assert [match.case for match in matches] == ([case] if listed else [])
    if listed:
        assert matches[0].on == (ON[subject],)
        assert [subject.pk for subject in matches[0].subjects] == [tip.subjects.get().pk]


def test_a_case_the_reader_cannot_open_is_not_on_their_page(client_as, build, tip_about, supervisor):
    build("outsider")
    visible = build("lead")
    tip = tip_about(SUBJECTS["phone"])
    page = client_as(supervisor).get(reverse("tip_detail", args=[tip.pk])).content.decode()
    assert 'id="match-list"' in page
    assert page.count(CASE_TITLE) == 1
    assert visible.number in page
    hidden = Case.objects.exclude(pk=visible.pk).get()
    assert hidden.number not in page
    # Nothing of the person either: the match names the case, the reader opens it to see who.
    assert FAMILY not in page
    assert PERSON["phone"] not in page


def test_a_shelters_client_is_never_matched_by_name_for_law_enforcement(client_as, build, tip_about, supervisor):
    case = build("ngo_no_consent")
    tip = tip_about(SUBJECTS["name_and_birth_date"], SUBJECTS["phone"], SUBJECTS["email"])
    page = client_as(supervisor).get(reverse("tip_detail", args=[tip.pk])).content.decode()
    assert case.number not in page
    assert 'id="no-matches"' in page
    assert not AuditEvent.objects.filter(details__via="tip_match").exists()


def test_the_shelter_finds_its_own_client(build, tip_about, shelter_supervisor):
    case = build("ngo_no_consent")
    tip = tip_about(SUBJECTS["name_and_birth_date"])
    # The shelter's supervisor does not stand on this tip's sides; the rule of whom they may find is the case's.
    assert [match.case for match in _listed(shelter_supervisor, tip)] == [case]


def test_every_way_a_subject_matches_is_said_once(build, tip_about, supervisor):
    case = build("lead")
    tip = tip_about({**SUBJECTS["phone"], **SUBJECTS["email"], **SUBJECTS["name_and_birth_date"]})
    [match] = _listed(supervisor, tip)
    assert match.case == case
    assert match.on == (matching.PHONE, matching.EMAIL, matching.NAME_AND_BIRTH_YEAR)
    assert match.on_labels == ["phone", "e-mail", "name and birth year"]


def test_the_case_the_tip_went_to_is_not_a_match(build, tip_about, partner_investigator):
    case = build("partner_personal")
    tip = services.tip_link_case(tip=tip_about(SUBJECTS["phone"]), actor=partner_investigator, case_number=case.number)
    assert _listed(partner_investigator, tip) == []


@pytest.mark.parametrize(
    ("who", "state", "listed"),
    [
        ("partner_investigator", "TX", True),  # owns both tips and leads the case the other became
        ("partner_investigator", "", True),  # a plate without its state still may be the car
        ("partner_investigator", "CA", False),  # another state's plate is another car
        ("supervisor", "TX", False),  # reads both tips, may not open the partner's case
        ("intake", "TX", False),
    ],
)
def test_a_plate_matches_the_case_another_tip_went_to(
    request, intake, supervisor, partner_investigator, tip_about, who, state, listed
):
    other = tip_about({"alias": "Big Mike", "vehicle_plate": "ABC 1234", "vehicle_state": "TX"})
    case = services.tip_open_case(tip=other, actor=partner_investigator).case
    tip = tip_about({"alias": "Big Mike", "vehicle_plate": "abc-1234", "vehicle_state": state})
    matches = _listed(request.getfixturevalue(who), tip)
    assert [match.case for match in matches] == ([case] if listed else [])
    if listed:
        assert matches[0].on == (matching.PLATE,)
        assert matches[0].tips == (other.pk,)


def test_showing_matches_is_recorded_in_one_insert(client_as, build, tip_about, supervisor):
    first, second = build("lead"), build("lead")
    tip = tip_about(SUBJECTS["phone"])
    with CaptureQueriesContext(connection) as queries:
        page = client_as(supervisor).get(reverse("tip_detail", args=[tip.pk]))
    body = page.content.decode()
    assert first.number in body
    assert second.number in body
    inserts = [query["sql"] for query in queries if query["sql"].startswith('INSERT INTO "portal_auditevent"')]
    [shown] = [sql for sql in inserts if "tip_match" in sql]  # both matches at once
    assert shown.count("tip_match") == 2
    events = AuditEvent.objects.filter(action="cases.pii.viewed", details__via="tip_match").order_by("object_id")
    people = [case.participants.get().person_id for case in (first, second)]
    assert [(event.object_type, event.object_id) for event in events] == [
        ("cases.case", str(first.pk)),
        ("cases.case", str(second.pk)),
    ]
    assert [event.details for event in events] == [
        {"person_id": person, "categories": ["contact"], "via": "tip_match", "tip_id": tip.pk, "on": ["phone"]}
        for person in people
    ]
    assert all(event.actor == supervisor for event in events)


def test_a_plate_match_is_recorded_as_a_read_of_the_other_tip(client_as, tip_about, partner_investigator):
    other = tip_about({"vehicle_plate": "ABC1234", "vehicle_state": "TX"})
    case = services.tip_open_case(tip=other, actor=partner_investigator).case
    tip = tip_about({"vehicle_plate": "ABC1234", "vehicle_state": "TX"})
    client_as(partner_investigator).get(reverse("tip_detail", args=[tip.pk]))
    event = AuditEvent.objects.get(details__via="tip_match")
    assert (event.action, event.object_type, event.object_id) == ("tips.tip.viewed", "tips.tip", str(other.pk))
    assert event.details == {"via": "tip_match", "tip_id": tip.pk, "case_id": case.pk, "fields": ["vehicle_plate"]}


def test_the_owner_links_the_tip_to_a_match_with_the_link_step(client_as, build, tip_about, partner_investigator):
    case = build("partner_personal")
    tip = tip_about(SUBJECTS["phone"])
    client = client_as(partner_investigator)
    page = client.get(reverse("tip_detail", args=[tip.pk])).content.decode()
    assert f'name="link-case_number" value="{case.number}"' in page
    assert reverse("tip_step", args=[tip.pk, "link"]) in page
    client.post(
        reverse("tip_step", args=[tip.pk, "link"]), {"link-case_number": case.number, "link-version": tip.version}
    )
    tip.refresh_from_db()
    assert (tip.status, tip.case) == (Tip.Status.LINKED, case)


def test_the_link_is_offered_only_to_who_may_link(client_as, build, tip_about, supervisor):
    build("lead")
    tip = tip_about(SUBJECTS["phone"])
    page = client_as(supervisor).get(reverse("tip_detail", args=[tip.pk])).content.decode()
    assert 'id="match-list"' in page
    assert 'name="link-case_number"' not in page  # the receiving agency's supervisor does not work the tip


def test_a_coordinator_sees_no_matches_and_none_are_recorded(client_as, build, tip_about, coordinator):
    build("lead")
    tip = tip_about(SUBJECTS["phone"])
    page = client_as(coordinator).get(reverse("tip_detail", args=[tip.pk])).content.decode()
    assert 'id="matches"' not in page
    assert not AuditEvent.objects.filter(details__via="tip_match").exists()


def _queries(reader, tip):
    subjects = list(tip.subjects.all())
    matching.possible_matches(reader, tip, subjects)  # the reader's permissions read once, as on any page
    with CaptureQueriesContext(connection) as queries:
        matching.possible_matches(reader, tip, subjects)
    return len(queries)


EVERY_WAY = {
    **SUBJECTS["phone"],
    **SUBJECTS["email"],
    **SUBJECTS["name_and_birth_date"],
    "vehicle_plate": "ABC1234",
}


@pytest.mark.parametrize("who", ["supervisor", "partner_investigator", "intake"])
def test_the_queries_do_not_grow_with_subjects_or_cases(request, build, tip_about, partner_investigator, who):
    reader = request.getfixturevalue(who)
    other = tip_about({"vehicle_plate": "ABC1234"})
    services.tip_open_case(tip=other, actor=partner_investigator)
    build("partner_personal")
    one = tip_about(EVERY_WAY)
    five = tip_about(*[EVERY_WAY] * 5)
    few_cases = _queries(reader, one), _queries(reader, five)
    for _each in range(4):
        build("partner_personal")
        build("lead")
    many_cases = _queries(reader, one), _queries(reader, five)
    assert few_cases[0] == few_cases[1] == many_cases[0] == many_cases[1] <= 2
