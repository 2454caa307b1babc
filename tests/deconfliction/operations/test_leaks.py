"""Nothing of an operation but whom to call and when it overlaps ever reaches another agency or the coordinator:
not its address, ZIP code, coordinates, radius, notes, kind (in English or Spanish) or case number (sentinels), on
any page, in any e-mail or notice, nor in the audit trail's details."""

import pytest
from django.core import mail

from deconfliction.operations.models import OperationConflict
from portal.models import AuditEvent
from tests.deconfliction.operations.conftest import (
    ADDRESS,
    KIND_LABEL,
    KIND_LABEL_ES,
    NOTES,
    PHONE,
    SECRET_RADIUS_M,
    SECRET_ZIP,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def conflict(secret_operation, partner_operation, django_capture_on_commit_callbacks):
    # The e-mails of the disclosure: the partner's plan found the secret operation.
    return OperationConflict.objects.get()


# As its own pages show them: the point (``floatformat:5``), the radius and the ZIP code.
PLACE = ["29.75600", "-95.36290", f"{SECRET_RADIUS_M} m", SECRET_ZIP]


@pytest.fixture
def sentinels(le_case):
    return [ADDRESS, NOTES, KIND_LABEL, KIND_LABEL_ES, le_case.number, *PLACE, "Massage parlor network"]


def test_the_planning_agency_sees_its_operation_in_full(client_as, investigator, secret_operation, le_case):
    """So that the tests below can fail: each sentinel is on the operation's own pages, in English or Spanish."""
    client = client_as(investigator)
    url = f"/deconfliction/operations/{secret_operation.pk}/"
    page = client.get(url).content.decode() + client.get(url + "edit/").content.decode()
    for sentinel in [ADDRESS, NOTES, KIND_LABEL, le_case.number, *PLACE]:
        assert sentinel in page, sentinel
    assert str(SECRET_RADIUS_M) in client.get(url + "edit/").content.decode()
    assert KIND_LABEL_ES in client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()  # needs the catalogue


def test_the_other_agencys_pages_show_whom_to_call_and_nothing_else(
    client_as, investigator, partner_investigator, conflict, secret_operation, partner_operation, sentinels
):
    client = client_as(partner_investigator)
    pages = {
        (url, language): client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        for language in ("en", "es")
        for url in (
            "/deconfliction/operations/",
            "/deconfliction/operations/?when=past",
            "/deconfliction/operations/conflicts/",
            f"/deconfliction/operations/{partner_operation.pk}/",
            f"/deconfliction/operations/{secret_operation.pk}/",
            f"/deconfliction/operations/{secret_operation.pk}/edit/",
            "/",
        )
    }
    assert pages[(f"/deconfliction/operations/{secret_operation.pk}/", "en")].status_code == 404
    assert pages[(f"/deconfliction/operations/{secret_operation.pk}/edit/", "en")].status_code == 404
    conflicts = pages[("/deconfliction/operations/conflicts/", "en")].content.decode()
    assert investigator.full_name in conflicts
    assert PHONE in conflicts
    assert "FFO" in conflicts
    for url, response in pages.items():
        for sentinel in sentinels:
            assert sentinel not in response.content.decode(), (url, sentinel)


def test_the_coordinators_board_shows_both_contacts_and_nothing_else(
    client_as, coordinator, investigator, partner_investigator, conflict, sentinels
):
    client = client_as(coordinator)
    board = "".join(
        client.get("/deconfliction/operations/conflicts/board/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        for language in ("en", "es")
    )
    assert investigator.full_name in board
    assert partner_investigator.full_name in board
    for sentinel in [*sentinels, "Warrant service"]:  # nor the partner's kind
        assert sentinel not in board


def test_the_e_mails_and_notices_say_nothing_of_either_operation(
    secret_operation, partner_investigator, coordinator, sentinels, django_capture_on_commit_callbacks
):
    from tests.deconfliction.operations.conftest import north, plan

    coordinator.preferred_language = "es"  # one e-mail in Spanish, where the kind would read "Reunión encubierta"
    coordinator.save()
    with django_capture_on_commit_callbacks(execute=True):
        plan(partner_investigator, latitude=north(100), notes="PARTNER-NOTES", address="PARTNER-ADDRESS")
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        parts = [str(message.subject), str(message.body)]
        parts += [str(part[0]) for part in getattr(message, "alternatives", [])]
        text = "".join(parts)
        for sentinel in [*sentinels, "PARTNER-NOTES", "PARTNER-ADDRESS", "Warrant service"]:
            assert sentinel not in text, (message.to, sentinel)


def test_the_audit_details_hold_ids_and_codes_only(secret_operation, partner_operation, conflict, sentinels):
    for event in AuditEvent.objects.filter(action__startswith="deconfliction."):
        for sentinel in [*sentinels, PHONE]:
            assert sentinel not in str(event.details)
