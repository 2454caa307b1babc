"""The sentinel scan of deconfliction (after tests/security/test_leaks.py): each side's case, its number, its
people, their identifiers, the index's digests and the roles never reach the other side, in any page of the app,
the home page, an e-mail, a log line or an audit row; nor does a provider's client without consent reach law
enforcement, even when the provider's check found a match."""

import logging

import pytest
from django.urls import reverse

from cases.models import Case, CaseParticipant
from deconfliction.subjects import services
from deconfliction.subjects.models import SubjectConflict, SubjectEntry
from portal.models import AuditEvent
from tests.deconfliction.subjects.conftest import open_case

ROLE_WORDS = ["Suspect", "Witness", "Victim or survivor"]
A_PERSON = {
    "given_name": "Zarquon",
    "family_name": "Alphasentinel",
    "phone": "(713) 555-0142",
    "date_of_birth": "1988-07-14",
    "email": "zarquon.alpha@sentinel.example",
    "address": "4421 Alphasentinel Road",
}
B_PERSON = {
    "given_name": "Zarquón",
    "family_name": "ALPHASENTINEL",
    "phone": "+1 713.555.0142",
    "date_of_birth": "1988-07-14",
    "email": "Zarquon.Alpha@Sentinel.example",
}
CLIENT = {"given_name": "Ylva", "family_name": "Clientsentinel", "phone": "832-555-0166", "date_of_birth": "2001-02-03"}


def _case_sentinels(case: Case, person: dict) -> list[str]:
    values = [case.number, case.title, "NARRATIVE-OF-" + case.title.split()[0]]
    values += [str(value) for value in person.values()]
    return [*values, "5550142", "+17135550142"]


@pytest.fixture
def world(investigator, partner_investigator, advocate, task_force, committed, caplog):
    caplog.set_level(logging.DEBUG)
    with committed():
        a_case = open_case(
            investigator, [(CaseParticipant.Role.SUSPECT, A_PERSON)], task_force=task_force, title="ALPHA-CASE-SENTINEL"
        )
        Case.objects.filter(pk=a_case.pk).update(le_narrative="NARRATIVE-OF-ALPHA-CASE-SENTINEL")
    with committed():
        b_case = open_case(
            partner_investigator,
            [(CaseParticipant.Role.WITNESS, B_PERSON)],
            task_force=task_force,
            title="BRAVO-CASE-SENTINEL",
        )
    with committed():
        client_case = open_case(
            advocate, [(CaseParticipant.Role.VICTIM, CLIENT)], task_force=task_force, title="CLIENT-CASE-SENTINEL"
        )
    with committed():  # the provider checks its client (no consent) and finds the field office's suspect phone
        services.check_subject(user=advocate, context=client_case, identifiers={("phone", "+17135550142")})
    assert SubjectConflict.objects.filter(one_sided=False).count() == 1
    assert SubjectConflict.objects.filter(one_sided=True).count() == 2  # both agencies hold the phone
    digests = list(SubjectEntry.objects.values_list("digest", flat=True))
    return {
        "investigator": (a_case, _case_sentinels(a_case, A_PERSON)),
        "partner_investigator": (b_case, _case_sentinels(b_case, B_PERSON)),
        "advocate": (client_case, [client_case.number, client_case.title, *map(str, CLIENT.values())]),
        "digests": digests,
    }


def _pages(client, own_case: Case) -> dict[str, str]:
    urls = [
        reverse("home"),
        reverse("deconfliction_conflicts"),
        reverse("deconfliction_check_start"),
        reverse("deconfliction_watch"),
        reverse("deconfliction_check_case", args=[own_case.pk]),
    ]
    pages = {url: client.get(url).content.decode() for url in urls}
    # the check's answer and its refusals
    url = reverse("deconfliction_check_case", args=[own_case.pk])
    pages[f"POST {url}"] = client.post(url, {"phone": "713 555 0142"}).content.decode()
    pages[f"POST {url} bad"] = client.post(url, {"name": "Someone Else", "birth_year": "3000"}).content.decode()
    return pages


@pytest.mark.parametrize(
    ("who", "others"),
    [
        ("investigator", ["partner_investigator", "advocate"]),
        ("partner_investigator", ["investigator", "advocate"]),
        ("advocate", ["investigator", "partner_investigator"]),
        ("coordinator", ["investigator", "partner_investigator", "advocate"]),
    ],
)
def test_nothing_of_the_other_side_reaches_a_page(request, client_as, world, who, others):
    user = request.getfixturevalue(who)
    own_case = (
        world[who][0] if who in world else open_case(request.getfixturevalue("investigator"), [], task_force=None)
    )
    client = client_as(user)
    sentinels = [value for other in others for value in world[other][1]] + world["digests"]
    leaks = [
        f"{url}: {value}"
        for url, body in _pages(client, own_case).items()
        for value in [*sentinels, *ROLE_WORDS]
        if value in body
    ]
    assert leaks == []


def test_the_provider_sees_whom_to_call_and_law_enforcement_nothing_of_the_client(
    client_as, world, investigator, advocate
):
    page = client_as(advocate).get(reverse("deconfliction_conflicts")).content.decode()
    assert "Ivy Investigator" in page
    page = client_as(investigator).get(reverse("deconfliction_conflicts")).content.decode()
    assert "Safe Harbor" not in page
    assert "Ana Advocate" not in page


def test_no_email_log_line_or_audit_row_carries_identifiers_or_case_data(world, mailoutbox, caplog):
    sentinels = [value for side in ("investigator", "partner_investigator", "advocate") for value in world[side][1]]
    sentinels += world["digests"]
    mails = [f"{mail.subject}\n{mail.body}" for mail in mailoutbox]
    assert len(mails) == 4  # the two sides of the match, and the provider once per agency its check found
    logs = [record.getMessage() for record in caplog.records]
    audits = [
        f"{event.action} {event.details}" for event in AuditEvent.objects.filter(action__startswith="deconfliction.")
    ]
    assert audits
    leaks = [
        f"{where}: {value}"
        for where, texts in (("mail", mails), ("log", logs), ("audit", audits))
        for text in texts
        for value in [*sentinels, *ROLE_WORDS]
        if value in text
    ]
    assert leaks == []


def test_a_providers_tip_passed_to_police_never_indexes_its_victim(ngo_intake, intake, lead_agency, committed):
    """The victim of a tip a provider received is the provider's client (decision 0028): passing the tip to law
    enforcement indexes its suspect, never its victim, for whom no consent path exists."""
    from tests.deconfliction.subjects.conftest import receive_tip
    from tips.models import Tip

    victim = {"role": "victim", "name": "Ylva Clientsentinel", "phone": "832-555-0166", "approximate_age": 24}
    suspect = {"role": "suspect", "name": "Big Mike", "phone": "713-555-0142"}
    with committed():
        tip = receive_tip(ngo_intake, [victim, suspect])
    with committed():  # held by the field office from now on
        Tip.objects.filter(pk=tip.pk).update(assigned_agency=lead_agency, owner=intake)
        services.reindex_tips([tip.pk])
    entries = SubjectEntry.objects.filter(tip_id=tip.pk)
    assert sorted(entries.values_list("kind", flat=True)) == ["phone"]
    assert services.check_subject(user=intake, context=tip, identifiers={("phone", "+18325550166")}).conflicts == []
