"""Documents and packets in an S3-compatible object store (``PORTAL_PRIVATE_STORAGE_URL``), tested without a network:
moto's ``mock_aws`` answers boto3's calls in memory. The storage is built from the environment exactly as
``portal/settings.py`` builds it, and put behind the file fields the way Django fixes it when the models load."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import StorageHandler
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from moto import mock_aws

from cases import tasks
from cases.integrity import check_documents
from cases.models import Case, CaseShare, Document, MeetingPacket
from cases.services import case_create, case_share_grant, meeting_packets_purge
from portal.env import env_private_storage
from portal.models import AuditEvent
from portal.pdf import Typeset
from portal.storage import PrivateS3Storage

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "portal-private"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes(range(256)) * 40  # 10 kB, every byte value
S3_ENV = {
    "PORTAL_PRIVATE_STORAGE_URL": f"s3://{BUCKET}/taskforce",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _environment(monkeypatch, env: dict[str, str]) -> None:
    for name in ("PORTAL_PRIVATE_STORAGE_URL", "PORTAL_PRIVATE_MEDIA_ROOT", "AWS_S3_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def s3(monkeypatch):
    """A bucket in moto, and the file fields of documents and packets writing to it through the storage that the
    settings build from ``S3_ENV``."""
    _environment(monkeypatch, S3_ENV)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        backends: dict[str, Any] = {"private": env_private_storage(Path("/unused"))}  # as settings.STORAGES has it
        storage = StorageHandler(backends)["private"]
        assert isinstance(storage, PrivateS3Storage)
        for model in (Document, MeetingPacket):
            monkeypatch.setattr(model._meta.get_field("file"), "storage", storage)
        yield client


def _keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_a_document_uploaded_through_the_view_is_an_encrypted_object_in_the_bucket_not_a_file(
    s3, client_as, investigator, le_case
):
    upload = SimpleUploadedFile("statement.pdf", PDF, content_type="application/pdf")
    response = client_as(investigator).post(reverse("document_upload", args=[le_case.pk]), {"file": upload})
    assert response.status_code == 302
    document = Document.objects.get()
    assert _keys(s3) == [f"taskforce/{document.file.name}"]
    head = s3.head_object(Bucket=BUCKET, Key=f"taskforce/{document.file.name}")
    assert head["ServerSideEncryption"] == "AES256"
    grants = s3.get_object_acl(Bucket=BUCKET, Key=f"taskforce/{document.file.name}")["Grants"]
    assert [grant["Grantee"].get("URI") for grant in grants] == [None]  # the owner only, no AllUsers
    assert not (Path(settings.PRIVATE_MEDIA_ROOT) / str(document.file.name)).exists()
    with pytest.raises(NotImplementedError):  # no link to the bucket, signed or not
        document.file.url  # noqa: B018


def test_a_document_in_the_bucket_downloads_through_the_view_with_the_same_bytes_and_an_audit_event(
    s3, client_as, investigator, outsider, le_case
):
    upload = SimpleUploadedFile("statement.pdf", PDF, content_type="application/pdf")
    client_as(investigator).post(reverse("document_upload", args=[le_case.pk]), {"file": upload})
    document = Document.objects.get()
    url = reverse("document_download", args=[le_case.pk, document.pk])
    assert client_as(outsider).get(url).status_code == 404
    response = client_as(investigator).get(url)
    assert response.status_code == 200  # streamed by the portal, never a redirect to the bucket
    assert "Location" not in response.headers
    assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="cases.document.downloaded", object_id=str(le_case.pk)).count() == 1


def test_the_integrity_check_names_a_document_whose_object_is_gone(s3, client_as, investigator, le_case):
    upload = SimpleUploadedFile("statement.pdf", PDF, content_type="application/pdf")
    client_as(investigator).post(reverse("document_upload", args=[le_case.pk]), {"file": upload})
    document = Document.objects.get()
    result = check_documents()
    assert result.problems == []
    assert result.checked == {"documents": 1, "meeting packet files": 0, "files in storage": 1}
    s3.delete_object(Bucket=BUCKET, Key=f"taskforce/{document.file.name}")
    result = check_documents()
    assert result.problems == [f"document {document.pk} (case {le_case.pk}): its file is not in private storage"]
    assert result.checked["files in storage"] == 0


def test_a_meeting_packet_built_by_the_task_is_kept_in_the_bucket_downloads_through_the_view_and_is_purged(
    s3,
    client_as,
    coordinator,
    investigator,
    supervisor,
    task_force,
    coordination_office,
    django_capture_on_commit_callbacks,
):
    case = case_create(
        actor=investigator, title="Meeting case", intake_channel=Case.Channel.HOTLINE, task_force=task_force
    )
    case_share_grant(
        case=case, agency=coordination_office, level=CaseShare.Level.SUMMARY, reason="Meeting", actor=supervisor
    )
    with (
        mock.patch.object(tasks, "typeset", return_value=Typeset(pdf=PDF, pages=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client_as(coordinator).post(
            reverse("meeting_packets"),
            {"task_force": task_force.pk, "meeting_on": timezone.localdate().isoformat(), "cases": [case.pk]},
        )
    packet = MeetingPacket.objects.get()
    assert packet.status == MeetingPacket.Status.READY
    assert _keys(s3) == [f"taskforce/{packet.file.name}"]
    response = client_as(coordinator).get(reverse("meeting_packet_download", args=[packet.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="cases.meeting_packet.downloaded").count() == 1
    meeting_packets_purge(now=timezone.now() + MeetingPacket.LIFETIME + timedelta(minutes=1))
    assert _keys(s3) == []


def test_the_portals_rules_win_over_any_option_given_to_the_storage(s3):
    storage = PrivateS3Storage(
        bucket_name=BUCKET, default_acl="public-read", querystring_auth=False, file_overwrite=True
    )
    assert (storage.default_acl, storage.querystring_auth, storage.file_overwrite) == (None, True, False)
    name = storage.save("cases/1/a", SimpleUploadedFile("a", b"one"))
    assert storage.save("cases/1/a", SimpleUploadedFile("a", b"two")) != name
    with storage.open(name) as handle:
        assert handle.read() == b"one"


def test_a_large_file_read_from_the_bucket_is_spooled_to_disk_not_held_in_memory(s3):
    storage = Document._meta.get_field("file").storage
    small = storage.save("cases/1/small", SimpleUploadedFile("small", b"x" * 1000))
    limit = settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    large = storage.save("cases/1/large", SimpleUploadedFile("large", b"x" * (limit + 1)))
    with storage.open(small) as in_memory, storage.open(large) as on_disk:
        assert (in_memory.file._rolled, on_disk.file._rolled) == (False, True)


def test_the_local_folder_stays_the_default(monkeypatch, tmp_path):
    _environment(monkeypatch, {})
    assert env_private_storage(tmp_path) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path, "base_url": None},
    }


@pytest.mark.parametrize(
    ("env", "options"),
    [
        (
            {"PORTAL_PRIVATE_STORAGE_URL": "s3://files"},
            {"bucket_name": "files", "location": "", "object_parameters": {"ServerSideEncryption": "AES256"}},
        ),
        (
            {
                "PORTAL_PRIVATE_STORAGE_URL": "s3://files/portal/private/",
                "AWS_S3_ENDPOINT_URL": "https://minio.internal:9000",
                "AWS_S3_REGION_NAME": "us-gov-west-1",
                "AWS_S3_ADDRESSING_STYLE": "path",
                "PORTAL_PRIVATE_STORAGE_ENCRYPTION": "none",
            },
            {
                "bucket_name": "files",
                "location": "portal/private",
                "object_parameters": {},
                "endpoint_url": "https://minio.internal:9000",
                "region_name": "us-gov-west-1",
                "addressing_style": "path",
            },
        ),
        (
            {
                "PORTAL_PRIVATE_STORAGE_URL": "s3://files",
                "PORTAL_PRIVATE_STORAGE_ENCRYPTION": "aws:kms",
                "PORTAL_PRIVATE_STORAGE_KMS_KEY_ID": "alias/portal",
            },
            {"object_parameters": {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/portal"}},
        ),
    ],
)
def test_the_object_store_is_chosen_by_the_environment(monkeypatch, tmp_path, env, options):
    _environment(monkeypatch, env)
    chosen = env_private_storage(tmp_path)
    assert chosen["BACKEND"] == "portal.storage.PrivateS3Storage"
    assert {name: chosen["OPTIONS"][name] for name in options} == options


def test_the_secret_key_can_come_from_a_file(monkeypatch, tmp_path):
    (tmp_path / "secret").write_text("s3cr3t\n")
    _environment(
        monkeypatch,
        {
            "PORTAL_PRIVATE_STORAGE_URL": "s3://files",
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY_FILE": str(tmp_path / "secret"),
        },
    )
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    options = env_private_storage(tmp_path)["OPTIONS"]
    assert (options["access_key"], options["secret_key"]) == ("AKIDEXAMPLE", "s3cr3t")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORTAL_PRIVATE_STORAGE_URL": "https://files.example/x"}, "use s3://bucket or s3://bucket/prefix"),
        ({"PORTAL_PRIVATE_STORAGE_URL": "s3://"}, "use s3://bucket or s3://bucket/prefix"),
        (
            {"PORTAL_PRIVATE_STORAGE_URL": "s3://files", "PORTAL_PRIVATE_MEDIA_ROOT": "/srv/private"},
            "not both",
        ),
        (
            {"PORTAL_PRIVATE_STORAGE_URL": "s3://files", "PORTAL_PRIVATE_STORAGE_ENCRYPTION": "yes"},
            "PORTAL_PRIVATE_STORAGE_ENCRYPTION='yes'",
        ),
        (
            {"PORTAL_PRIVATE_STORAGE_URL": "s3://files", "PORTAL_PRIVATE_STORAGE_KMS_KEY_ID": "alias/portal"},
            "needs PORTAL_PRIVATE_STORAGE_ENCRYPTION=aws:kms",
        ),
    ],
)
def test_an_unusable_storage_setting_stops_start_up_naming_the_variable(monkeypatch, tmp_path, env, message):
    _environment(monkeypatch, env)
    with pytest.raises(ImproperlyConfigured, match=message.replace("*", r"\*").replace("?", r"\?")):
        env_private_storage(tmp_path)


def test_the_production_settings_build_the_object_store_from_the_environment():
    """``portal/settings.py`` itself, in a process of its own as a deployment starts it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_", "AWS_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_SECRET_KEY": "a-production-like-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "portal.taskforce.example",
        "PORTAL_PRIVATE_STORAGE_URL": "s3://files/taskforce",
        "AWS_S3_ENDPOINT_URL": "https://minio.internal:9000",
    }
    script = (
        "import django; django.setup(); from django.core.files.storage import storages; s = storages['private']; "
        "print(type(s).__name__, s.bucket_name, s.location, s.endpoint_url, s.object_parameters, s.default_acl)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 4) == [
        "PrivateS3Storage",
        "files",
        "taskforce",
        "https://minio.internal:9000",
        "{'ServerSideEncryption': 'AES256'} None\n",
    ]
