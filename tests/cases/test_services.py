"""Writes to cases: numbers, transitions, people, audit events."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import TransitionNotAllowed

from cases.models import Case, CaseGroupObjectPermission, CaseParticipant
from cases.services import case_create, person_add_to_case
from portal.models import AuditEvent


def test_case_numbers_count_up_within_a_year_and_start_again_the_next(investigator):
    first = case_create(actor=investigator, title="A", intake_channel=Case.Channel.HOTLINE, opened_on=date(2026, 3, 1))
    second = case_create(actor=investigator, title="B", intake_channel=Case.Channel.PUBLIC, opened_on=date(2026, 5, 1))
    third = case_create(actor=investigator, title="C", intake_channel=Case.Channel.NGO, opened_on=date(2027, 1, 2))
    assert [first.number, second.number, third.number] == ["HT-2026-00001", "HT-2026-00002", "HT-2027-00001"]


def test_the_lead_agency_holds_all_four_permissions_through_its_group(investigator, lead_agency):
    case = case_create(actor=investigator, title="A", intake_channel=Case.Channel.HOTLINE)
    codenames = set(
        CaseGroupObjectPermission.objects.filter(content_object=case, group=lead_agency.group).values_list(
            "permission__codename", flat=True
        )
    )
    assert codenames == {"view_case", "change_case", "view_case_pii", "view_le_sensitive"}
    assert AuditEvent.objects.filter(action="cases.case.created", object_id=str(case.pk)).exists()


@pytest.mark.parametrize("who", ["agency_admin", "auditor", "provider_staff", "coordinator"])
def test_roles_without_case_work_cannot_open_cases(request, who):
    with pytest.raises(PermissionDenied):
        case_create(actor=request.getfixturevalue(who), title="A", intake_channel=Case.Channel.HOTLINE)
    assert not Case.objects.exists()


def test_unknown_indicators_are_refused(investigator):
    with pytest.raises(ValidationError):
        case_create(actor=investigator, title="A", intake_channel=Case.Channel.HOTLINE, indicators=["made_up"])


def test_a_case_closes_only_with_a_reason_and_through_its_transitions(investigator):
    case = case_create(actor=investigator, title="A", intake_channel=Case.Channel.HOTLINE)
    with pytest.raises(AttributeError):
        case.status = Case.Status.CLOSED
    with pytest.raises(TransitionNotAllowed):
        case.start_prosecution()
    case.start_investigation()
    case.close(reason=Case.ClosedReason.INSUFFICIENT)
    assert (case.status, case.closed_reason, case.closed_on is not None) == ("closed", "insufficient", True)


def test_a_person_added_by_a_shelter_is_recorded_as_entered_by_it(advocate, ngo):
    case = case_create(actor=advocate, title="Client", intake_channel=Case.Channel.NGO)
    participant = person_add_to_case(case=case, role=CaseParticipant.Role.VICTIM, actor=advocate, given_name="A")
    assert participant.person.entered_by_agency == ngo
    assert str(participant.person) == f"Person #{participant.person.pk}"  # never a name in logs
    event = AuditEvent.objects.get(action="cases.participant.added")
    assert event.details == {"person_id": participant.person.pk, "role": "victim"}


def test_values_outside_the_lists_are_refused(investigator):
    with pytest.raises(ValidationError):
        case_create(actor=investigator, title="A", intake_channel="carrier pigeon")
    case = case_create(actor=investigator, title="A", intake_channel=Case.Channel.HOTLINE)
    with pytest.raises(ValidationError):
        person_add_to_case(case=case, role=CaseParticipant.Role.VICTIM, actor=investigator, given_name="A", sex="x")
    with pytest.raises(ValidationError):
        person_add_to_case(case=case, role=CaseParticipant.Role.VICTIM, actor=investigator, given_name="A", email="no")
    assert not case.participants.exists()


def test_a_zip_archive_is_not_taken_for_a_word_document(investigator):
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.services import document_upload

    case = case_create(actor=investigator, title="A", intake_channel=Case.Channel.HOTLINE)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("payload.exe", b"MZ")
    with pytest.raises(ValidationError):
        document_upload(
            case=case, uploaded_file=SimpleUploadedFile("report.docx", archive.getvalue()), actor=investigator
        )
    word = io.BytesIO()
    with zipfile.ZipFile(word, "w") as zipped:
        zipped.writestr("[Content_Types].xml", "<Types/>")
        zipped.writestr("word/document.xml", "<document/>")
    document = document_upload(
        case=case, uploaded_file=SimpleUploadedFile("report.docx", word.getvalue()), actor=investigator
    )
    assert document.content_type.endswith("wordprocessingml.document")
