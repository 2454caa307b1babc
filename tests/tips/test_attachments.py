"""A tip's attachments (issue 15), under the document rules of cases: a type read from the content and 20 MB at
most (``portal.uploads.document_checked``), private storage, a download only through the tip's view. Who adds a
file (the holding bin's keepers, on an open tip), who downloads one (the readers of the tip's content, in each state;
404 for anyone else, a coordinator included), the audit row and the dissemination row of every download (as a print is
logged); a purge deletes the files; opening a case carries them over as its documents."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Document, Visibility
from portal.models import AuditEvent
from portal.uploads import MAX_DOCUMENT_BYTES
from tests.tips.conftest import assigned
from tests.tips.test_visibility import STATES, _tip_in
from tips import services
from tips.models import PurgeReason, Tip, TipAttachment, TipDissemination, TipEvent

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FILE_NAME = "Xavra photo of the back room.pdf"  # a file's name may name someone: never in an audit row or the log


def pdf(name: str = FILE_NAME, size: int = len(PDF)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + b"0" * (size - len(PDF)), content_type="application/pdf")


def stored_files(tip: Tip) -> set[str]:
    """The files private storage holds for ``tip`` (its attachments are stored under ``tips/<pk>/``)."""
    try:
        return {f"tips/{tip.pk}/{name}" for name in storages["private"].listdir(f"tips/{tip.pk}")[1]}
    except FileNotFoundError:
        return set()


@pytest.fixture(autouse=True)
def _no_files_of_earlier_tests():
    """Private storage is in memory for the whole run, and a tip's number may come again after a rollback: start
    each test with no tip files."""
    storage = storages["private"]
    try:
        folders = storage.listdir("tips")[0]
    except FileNotFoundError:
        return
    for folder in folders:
        for name in storage.listdir(f"tips/{folder}")[1]:
            storage.delete(f"tips/{folder}/{name}")


def attach(tip: Tip, by, upload: SimpleUploadedFile | None = None) -> TipAttachment:
    return services.tip_attach(tip=tip, actor=by, uploaded_file=upload or pdf())


def upload_page(client, tip: Tip, upload: SimpleUploadedFile):
    return client.post(reverse("tip_attachment_upload", args=[tip.pk]), {"file": upload}, follow=True)


# Adding a file --------------------------------------------------------------------------------------------------


def test_a_file_is_kept_in_private_storage_with_an_event_and_an_audit_row(client_as, tip, intake):
    response = upload_page(client_as(intake), tip, pdf())
    assert response.redirect_chain[-1][0] == reverse("tip_detail", args=[tip.pk])
    assert f"{FILE_NAME} is attached to the tip." in response.content.decode()
    attachment = TipAttachment.objects.get(tip=tip)
    assert (attachment.original_name, attachment.content_type, attachment.size) == (FILE_NAME, "application/pdf", 45)
    assert (attachment.uploaded_by, attachment.uploaded_by_agency) == (intake, intake.agency)
    assert attachment.file.name.startswith(f"tips/{tip.pk}/")
    assert "Xavra" not in str(attachment.file.name)
    assert stored_files(tip) == {attachment.file.name}
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF
    event = TipEvent.objects.get(tip=tip, verb="attach")
    assert (event.actor, event.details["attachment_id"]) == (intake, attachment.pk)
    audit = AuditEvent.objects.get(action="tips.tip.attached")
    assert audit.object_id == str(tip.pk)
    assert audit.details["attachment_id"] == attachment.pk
    assert "Xavra" not in str(audit.details)


def test_the_page_lists_the_files_name_size_who_and_when(client_as, tip, intake):
    attach(tip, intake)
    body = client_as(intake).get(reverse("tip_detail", args=[tip.pk])).content.decode()
    assert FILE_NAME in body
    assert reverse("tip_attachment_download", args=[tip.pk, tip.attachments.get().pk]) in body
    assert "45\xa0bytes" in body
    assert "added by Ines Intake (Federal Field Office)" in body


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        # An executable named as a PDF: the type is read from the content, never the name.
        (
            SimpleUploadedFile("statement.pdf", b"MZ\x90\x00\x03\x00\x00\x00", content_type="application/pdf"),
            "Upload a PDF, an image (PNG or JPEG), a Word document or plain text.",
        ),
        # A ZIP is not a Word document because it says so.
        (SimpleUploadedFile("letter.docx", b"PK\x03\x04not a document"), "Upload a PDF, an image (PNG or JPEG)"),
    ],
    ids=["executable", "zip"],
)
def test_a_file_of_another_type_is_refused_with_a_clear_message_and_nothing_written(
    client_as, tip, intake, upload, message
):
    before = stored_files(tip)
    response = upload_page(client_as(intake), tip, upload)
    assert message in response.content.decode()
    assert not TipAttachment.objects.exists()
    assert not TipEvent.objects.filter(verb="attach").exists()
    assert not AuditEvent.objects.filter(action="tips.tip.attached").exists()
    assert stored_files(tip) == before


def test_a_file_over_20_mb_is_refused_by_the_page_before_it_is_read(client_as, tip, intake):
    response = upload_page(client_as(intake), tip, pdf(size=MAX_DOCUMENT_BYTES + 1024 * 1024))
    assert response.redirect_chain[-1][0] == reverse("tip_detail", args=[tip.pk])
    assert "The file is larger than 20 MB, the most this form takes. Nothing was stored" in response.content.decode()
    assert not TipAttachment.objects.exists()
    assert stored_files(tip) == set()


def test_the_service_refuses_a_file_over_20_mb_too(tip, intake):
    with pytest.raises(ValidationError, match=r"Files are limited to 20 MB\."):
        attach(tip, intake, pdf(size=MAX_DOCUMENT_BYTES + 1))
    assert not TipAttachment.objects.exists()
    assert stored_files(tip) == set()


def test_a_file_at_20_mb_is_kept(tip, intake):
    assert attach(tip, intake, pdf(size=MAX_DOCUMENT_BYTES)).size == MAX_DOCUMENT_BYTES


def test_the_same_upload_sent_twice_is_kept_once(client_as, tip, intake):
    client = client_as(intake)
    key = "6f1c2c7e-2b7a-4d1e-9a54-0c1c0de5a1f0"
    for _ in range(2):
        client.post(reverse("tip_attachment_upload", args=[tip.pk]), {"file": pdf(), "submission_key": key})
    assert TipAttachment.objects.count() == 1
    assert len(stored_files(tip)) == 1


def test_a_closed_tip_takes_no_more_files(client_as, tip, intake):
    tip = services.tip_close_no_predicate(tip=tip, actor=intake, reason="A landlord dispute, no force or fraud.")
    page = client_as(intake).get(reverse("tip_detail", args=[tip.pk]))
    assert page.context["attachment_form"] is None  # not offered
    response = upload_page(client_as(intake), tip, pdf())
    assert "This tip is closed: it takes no more files." in response.content.decode()
    assert not TipAttachment.objects.exists()
    assert stored_files(tip) == set()


def test_a_tip_that_became_a_case_takes_no_more_files(tip, supervisor, partner_investigator):
    tip = services.tip_open_case(tip=assigned(tip, supervisor, partner_investigator), actor=partner_investigator)
    with pytest.raises(ValidationError, match="it takes no more files"):
        attach(tip, supervisor)


# Who adds a file: the holding bin's keepers (the receiving agency's intake staff and supervisors), on an open tip.
ATTACH_TABLE = [
    ("intake", "assigned", 1),
    ("supervisor", "assigned", 1),
    ("partner_investigator", "assigned", 0),  # the owner works it, and reads its files, but adds none
    ("partner_supervisor", "assigned", 0),
    ("coordinator", "received", 0),  # deadlines, not content
    ("investigator", "received", 404),  # the receiving agency's caseworker: not the holding bin's
    ("partner_colleague", "assigned", 404),
    ("outsider", "received", 404),
]


@pytest.mark.parametrize(("who", "state", "kept"), ATTACH_TABLE)
def test_who_may_attach_a_file(
    request, client_as, tip, intake, supervisor, partner_investigator, ngo, who, state, kept
):
    tip = _tip_in(state, tip, intake, supervisor, partner_investigator, ngo)
    client = client_as(request.getfixturevalue(who))
    page = client.get(reverse("tip_detail", args=[tip.pk]))
    response = client.post(reverse("tip_attachment_upload", args=[tip.pk]), {"file": pdf()})
    if kept == 404:
        assert (page.status_code, response.status_code) == (404, 404)
    else:
        assert (page.context["attachment_form"] is not None) == bool(kept)
        assert response.status_code == 302
    assert TipAttachment.objects.count() == (kept if kept != 404 else 0)
    assert len(stored_files(tip)) == TipAttachment.objects.count()


# Downloading ----------------------------------------------------------------------------------------------------

# who -> the download's status in each state of ``STATES``: the readers of the tip's content (the visibility table's
# "content"); a coordinator, who follows the tip without its content, gets a 404 as everyone else does.
OK, N = 200, 404
DOWNLOAD_TABLE: dict[str, list[int]] = {
    "intake": [OK, OK, OK, OK, OK, OK],
    "supervisor": [OK, OK, OK, OK, OK, OK],
    "investigator": [N, N, N, N, N, N],
    "agency_admin": [N, N, N, N, N, N],
    "partner_investigator": [N, N, OK, OK, OK, N],  # the owner, once assigned (the closed tip here never was)
    "partner_supervisor": [N, N, OK, OK, OK, N],
    "partner_colleague": [N, N, N, N, N, N],
    "ngo_intake": [N, N, N, N, N, N],  # the provider a tip was referred to reads what was passed on, never a file
    "ngo_supervisor": [N, N, N, N, N, N],
    "advocate": [N, N, N, N, N, N],
    "provider_staff": [N, N, N, N, N, N],
    "coordinator": [N, N, N, N, N, N],
    "auditor": [N, N, N, N, N, N],
    "outsider": [N, N, N, N, N, N],
}


@pytest.mark.parametrize("who", sorted(DOWNLOAD_TABLE))
@pytest.mark.parametrize("state", STATES)
def test_who_downloads_a_file_in_which_state(
    request, client_as, tip, intake, supervisor, partner_investigator, ngo, who, state
):
    attachment = attach(tip, intake)
    tip = _tip_in(state, Tip.objects.get(pk=tip.pk), intake, supervisor, partner_investigator, ngo)
    assert tip.status == state
    expected = DOWNLOAD_TABLE[who][STATES.index(state)]
    reader = request.getfixturevalue(who)
    audits = AuditEvent.objects.filter(action="tips.tip.attachment_downloaded")
    response = client_as(reader).get(reverse("tip_attachment_download", args=[tip.pk, attachment.pk]))
    assert response.status_code == expected, f"{who} {state}"
    if expected == N:
        assert not audits.exists()
        return
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    [audit] = audits
    assert (audit.actor, audit.object_id, audit.details["attachment_id"]) == (reader, str(tip.pk), attachment.pk)
    assert "Xavra" not in str(audit.details)


def test_the_list_of_files_is_for_the_readers_of_the_content_only(client_as, tip, intake, coordinator):
    attachment = attach(tip, intake)
    page = client_as(coordinator).get(reverse("tip_detail", args=[tip.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert FILE_NAME not in body
    assert reverse("tip_attachment_download", args=[tip.pk, attachment.pk]) not in body
    assert page.context["attachments"] == []


def test_another_tips_attachment_is_not_found_through_this_tip(client_as, tip, intake):
    from tests.tips.conftest import receive

    other = receive(intake)
    attachment = attach(other, intake)
    response = client_as(intake).get(reverse("tip_attachment_download", args=[tip.pk, attachment.pk]))
    assert response.status_code == 404


def test_a_download_inside_the_receiving_agency_is_logged_as_a_print_is(client_as, tip, intake, supervisor):
    attachment = attach(tip, intake)
    client_as(supervisor).get(reverse("tip_attachment_download", args=[tip.pk, attachment.pk]))
    [row] = TipDissemination.objects.filter(path=TipDissemination.Path.ATTACHMENT)
    assert (row.recipient, row.recipient_agency_id) == (supervisor, tip.receiving_agency_id)
    assert AuditEvent.objects.get(action="tips.tip.attachment_downloaded").details["dissemination_id"] == row.pk


def test_a_download_by_another_agency_writes_one_log_row_with_the_audit_row(
    client_as, tip, intake, supervisor, partner_investigator, partner_agency
):
    attachment = attach(tip, intake)
    tip = assigned(tip, supervisor, partner_investigator)
    before = TipDissemination.objects.filter(tip=tip).count()  # the assignment's
    client_as(partner_investigator).get(reverse("tip_attachment_download", args=[tip.pk, attachment.pk]))
    [row] = TipDissemination.objects.filter(tip=tip, path=TipDissemination.Path.ATTACHMENT)
    assert TipDissemination.objects.filter(tip=tip).count() == before + 1
    assert (row.sent_by, row.recipient, row.recipient_agency, row.receiving_agency_id) == (
        partner_investigator,
        partner_investigator,
        partner_agency,
        tip.receiving_agency_id,
    )
    assert row.reason == f"Attachment #{attachment.pk} downloaded"  # its number, never its name
    audit = AuditEvent.objects.get(action="tips.tip.attachment_downloaded")
    assert audit.details["dissemination_id"] == row.pk
    # The receiving agency's log page shows the path.
    log = client_as(supervisor).get(reverse("tip_dissemination_log"), {"tip": tip.pk}).content.decode()
    assert "Attachment downloaded" in log


# Purge and case -------------------------------------------------------------------------------------------------


def test_a_purge_deletes_the_files_from_storage_once_committed(
    tip, intake, supervisor, django_capture_on_commit_callbacks
):
    first, second = attach(tip, intake), attach(tip, intake, pdf("second.pdf"))
    names = {first.file.name, second.file.name}
    assert stored_files(tip) == names
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tombstone = services.tip_purge(tip=tip, actor=supervisor, reason_code=PurgeReason.ENTERED_IN_ERROR)
    assert not TipAttachment.objects.filter(pk__in=[first.pk, second.pk]).exists()
    assert stored_files(tip) == names  # not before the purge is committed: a purge rolled back keeps its files
    for callback in callbacks:
        callback()
    assert stored_files(tip) == set()
    assert all(not storages["private"].exists(name) for name in names)
    assert tombstone.details["attachments"] == 2
    assert "second.pdf" not in str(tombstone.details)


def test_a_purge_refused_deletes_no_file(tip, intake, investigator, django_capture_on_commit_callbacks):
    attachment = attach(tip, intake)
    with pytest.raises(PermissionDenied), django_capture_on_commit_callbacks(execute=True):
        services.tip_purge(tip=tip, actor=investigator, reason_code=PurgeReason.ENTERED_IN_ERROR)
    assert stored_files(tip) == {attachment.file.name}
    assert TipAttachment.objects.filter(pk=attachment.pk).exists()


def test_opening_a_case_carries_the_files_over_as_law_enforcement_documents(
    tip, intake, supervisor, partner_investigator
):
    attachment = attach(tip, intake)
    tip = services.tip_open_case(tip=assigned(tip, supervisor, partner_investigator), actor=partner_investigator)
    [document] = Document.objects.filter(case_id=tip.case_id)
    assert (document.original_name, document.content_type, document.size) == (FILE_NAME, "application/pdf", 45)
    assert document.visibility == Visibility.LAW_ENFORCEMENT  # as the narrative the case gets from the tip
    assert (document.uploaded_by, document.uploaded_by_agency) == (partner_investigator, partner_investigator.agency)
    assert document.description == f"From tip #{tip.pk}"
    assert document.file.name.startswith(f"cases/{tip.case_id}/")  # a copy under the case's rules, not shared
    with document.file.open("rb") as copied:
        assert copied.read() == PDF
    assert AuditEvent.objects.filter(action="cases.document.uploaded", details__document_id=document.pk).exists()
    assert TipEvent.objects.get(tip=tip, verb="open_case").details["documents"] == 1
    assert attachment.file.storage.exists(attachment.file.name)  # the tip keeps its own


def test_a_case_opened_from_a_tip_without_files_has_no_documents(tip, supervisor, partner_investigator):
    tip = services.tip_open_case(tip=assigned(tip, supervisor, partner_investigator), actor=partner_investigator)
    assert not Document.objects.filter(case_id=tip.case_id).exists()
    assert "documents" not in TipEvent.objects.get(tip=tip, verb="open_case").details


def test_the_integrity_check_knows_an_attachments_file(tip, intake):
    """``manage.py check_integrity`` (in cases, which never imports tips) names a tip's file among those a row
    names, as it does a case's documents: attaching one adds a file and no unreferenced one."""
    from cases.integrity import check_documents

    before = check_documents()
    attach(tip, intake)
    after = check_documents()

    assert after.checked["files in storage"] == before.checked["files in storage"] + 1
    assert after.info[0] == before.info[0]
    assert after.info[0].endswith("file(s) in private storage that no row names (harmless)")


def test_a_providers_tip_keeps_its_files_when_it_becomes_a_case(ngo_intake, le_case, investigator):
    """A tip a victim service provider received may hold its client's papers: the case's agencies read those only
    through the client's consent, so its files stay with the tip rather than become the case's documents."""
    from tests.tips.conftest import receive

    tip = receive(ngo_intake)
    attach(tip, ngo_intake)
    assert services._attachments_to_case(tip, le_case, investigator, None) == 0
    assert not Document.objects.filter(case=le_case, description=f"From tip #{tip.pk}").exists()


def test_copies_stored_before_a_failure_are_deleted(monkeypatch, tip, intake, le_case, investigator):
    from cases import services as case_services

    attach(tip, intake)
    attach(tip, intake, pdf("second.pdf"))
    stored: list[str] = []
    real_upload = case_services.document_upload

    def upload_then_fail(**kwargs):
        if stored:
            raise OSError("the storage went away")
        document = real_upload(**kwargs)
        stored.append(document.file.name)
        return document

    monkeypatch.setattr(services, "document_upload", upload_then_fail)
    with pytest.raises(OSError, match="went away"):
        services._attachments_to_case(tip, le_case, investigator, None)
    assert len(stored) == 1
    assert not storages["private"].exists(stored[0])
