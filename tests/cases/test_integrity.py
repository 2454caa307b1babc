"""``check_integrity``'s case checks: quiet on cases shared and documented through the services, and naming the
row for each kind of corruption written straight into the database."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.integrity import check_case_permissions, check_documents
from cases.models import CaseGroupObjectPermission, CaseShare, CaseUserObjectPermission, Document
from cases.services import case_share_grant, case_share_revoke, document_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(le_case, ngo_case, supervisor, ngo, coordination_office, investigator):
    """Two cases and their shares as the services leave them: one replaced by a wider one, one revoked, one that
    expires, and a document."""
    case_share_grant(case=le_case, agency=ngo, level=CaseShare.Level.SUMMARY, reason="Shelter", actor=supervisor)
    case_share_grant(case=le_case, agency=ngo, level=CaseShare.Level.PERSONAL, reason="Advocacy", actor=supervisor)
    revoked = case_share_grant(
        case=le_case, agency=coordination_office, level=CaseShare.Level.SUMMARY, reason="Watch", actor=supervisor
    )
    case_share_revoke(share=revoked, actor=supervisor, reason="No longer involved")
    document = document_upload(
        case=le_case, uploaded_file=SimpleUploadedFile("notes.txt", b"A fictional statement."), actor=investigator
    )
    return {"case": le_case, "ngo_case": ngo_case, "document": document}


def test_cases_shared_through_the_services_are_consistent(shared):
    result = check_case_permissions()
    assert result.problems == []
    assert result.checked["cases"] == 2
    assert result.checked["active shares"] == CaseShare.objects.filter(status=CaseShare.Status.ACTIVE).count() == 3
    assert check_documents().problems == []


def _row(case, agency, codename):
    return CaseGroupObjectPermission.objects.get(
        content_object=case, group_id=agency.group_id, permission__codename=codename
    )


def lead_row_deleted(data, lead_agency, ngo, partner_agency):
    _row(data["case"], lead_agency, "view_case_pii").delete()
    return f"case {data['case'].pk}: its lead agency {lead_agency.pk} lacks view_case_pii"


def share_row_deleted(data, lead_agency, ngo, partner_agency):
    share = CaseShare.objects.get(case=data["case"], agency=ngo, status=CaseShare.Status.ACTIVE)
    _row(data["case"], ngo, "view_case_pii").delete()
    return f"share {share.pk} (case {data['case'].pk}, agency {ngo.pk}, personal): lacks view_case_pii"


def share_widened_by_hand(data, lead_agency, ngo, partner_agency):
    share = CaseShare.objects.get(case=data["case"], agency=partner_agency, status=CaseShare.Status.ACTIVE)
    CaseShare.objects.filter(pk=share.pk).update(level=CaseShare.Level.PERSONAL)
    return f"share {share.pk} (case {data['case'].pk}, agency {partner_agency.pk}, personal): lacks view_case_pii"


def row_beyond_the_share(data, lead_agency, ngo, partner_agency):
    row = CaseGroupObjectPermission.objects.create(
        content_object=data["case"],
        group_id=partner_agency.group_id,
        permission=Permission.objects.get(codename="view_le_sensitive"),
    )
    return (
        f"permission row {row.pk} (case {data['case'].pk}, group {partner_agency.group_id}, view_le_sensitive): "
        "no active share or lead agency behind it"
    )


def share_revoked_by_hand(data, lead_agency, ngo, partner_agency):
    share = CaseShare.objects.get(case=data["case"], agency=partner_agency, status=CaseShare.Status.ACTIVE)
    CaseShare.objects.filter(pk=share.pk).update(status=CaseShare.Status.REVOKED)
    row = _row(data["case"], partner_agency, "view_case")
    return (
        f"permission row {row.pk} (case {data['case'].pk}, group {partner_agency.group_id}, view_case): "
        "no active share or lead agency behind it"
    )


def row_for_one_person(data, lead_agency, ngo, partner_agency):
    user = ngo.group.user_set.first()
    row = CaseUserObjectPermission.objects.create(
        content_object=data["case"], user=user, permission=Permission.objects.get(codename="view_case")
    )
    return (
        f"user permission row {row.pk} (case {data['case'].pk}, user {user.pk}, view_case): "
        "no service grants a case to one person"
    )


@pytest.mark.parametrize(
    "corrupt",
    [
        lead_row_deleted,
        share_row_deleted,
        share_widened_by_hand,
        row_beyond_the_share,
        share_revoked_by_hand,
        row_for_one_person,
    ],
)
def test_a_permission_row_out_of_step_with_the_shares_is_named(shared, lead_agency, ngo, partner_agency, corrupt):
    expected = corrupt(shared, lead_agency, ngo, partner_agency)
    assert check_case_permissions().problems == [expected]


def test_an_expired_share_is_taken_as_the_selectors_take_it(le_case, supervisor, ngo):
    share = case_share_grant(
        case=le_case,
        agency=ngo,
        level=CaseShare.Level.SUMMARY,
        reason="Shelter",
        actor=supervisor,
        expires_on=timezone.localdate() + timedelta(days=3),
    )
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        assert check_case_permissions().problems == []  # its rows are still there, the share still behind them
        _row(le_case, ngo, "view_case").delete()
        assert check_case_permissions().problems == []  # it grants nothing either way
    assert check_case_permissions().problems == [
        f"share {share.pk} (case {le_case.pk}, agency {ngo.pk}, summary): lacks view_case"
    ]


def test_a_document_whose_file_is_gone_is_named(shared):
    document = shared["document"]
    document.file.storage.delete(document.file.name)
    result = check_documents()
    assert result.problems == [f"document {document.pk} (case {shared['case'].pk}): its file is not in private storage"]
    assert result.checked["documents"] == 1


def test_a_file_no_row_names_is_information_not_a_problem(shared):
    storage = Document._meta.get_field("file").storage  # the one the rows were written to
    before = check_documents().info
    name = storage.save("cases/999999/left-behind", SimpleUploadedFile("x", b"x"))
    try:
        result = check_documents()
        assert result.ok
        assert result.info != before
        assert Document.objects.filter(file=name).count() == 0
    finally:
        storage.delete(name)


def test_a_missing_case_permission_is_named_rather_than_read_around(le_case):
    Permission.objects.filter(content_type__app_label="cases", codename="view_le_sensitive").delete()
    assert check_case_permissions().problems == ["the case permissions view_le_sensitive do not exist"]
