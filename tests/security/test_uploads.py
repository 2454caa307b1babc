"""Issue 11, point 12: an upload over its form's limit is refused before it is read into memory or onto disk, with
a clear message, and nothing is written (no row, no stored file, no temporary file left)."""

import io

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from cases.models import Document
from cases.services import MAX_DOCUMENT_BYTES
from portal.uploads import TOO_LARGE_ATTR, SizeLimitUploadHandler
from services_directory.admin import MAX_UPLOAD_BYTES as HSDS_MAX_BYTES

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MARGIN = django_settings.PORTAL_UPLOAD_FORM_MARGIN
MESSAGE = "The file is larger than 20 MB, the most this form takes. Nothing was stored"


class Tripwire(io.RawIOBase):
    """A request body that fails the test when more than ``allowed`` bytes of it are read."""

    def __init__(self, data: bytes, allowed: int) -> None:
        self.data = io.BytesIO(data)
        self.allowed = allowed
        self.read_so_far = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        chunk = self.data.read(size)
        self._count(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        line = self.data.readline(size)
        self._count(line)
        return line

    def _count(self, chunk: bytes) -> None:
        self.read_so_far += len(chunk)
        if self.read_so_far > self.allowed:
            raise AssertionError(f"{self.read_so_far} bytes of the request body were read, {self.allowed} allowed")


def _pdf_of(size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("statement.pdf", PDF + b"0" * (size - len(PDF)), content_type="application/pdf")


def _post_unread(client, url: str, claimed_length: int) -> tuple:
    """POST a small multipart body that claims ``claimed_length`` bytes, through a stream that may not be read."""
    body = encode_multipart(BOUNDARY, {"file": _pdf_of(1000)})
    stream = Tripwire(body, allowed=0)
    response = client.generic(
        "POST",
        url,
        **{"wsgi.input": stream, "CONTENT_LENGTH": str(claimed_length), "CONTENT_TYPE": MULTIPART_CONTENT},
    )
    return response, stream


@pytest.fixture
def no_temp_files(settings, tmp_path):
    """Uploads stream to ``tmp_path`` (every file above FILE_UPLOAD_MAX_MEMORY_SIZE does); it must end empty."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    yield
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def upload_forms(le_case):
    """Each form that takes a file: (URL, its limit, who uploads, the page the person is sent back to)."""
    return {
        "case document": (
            reverse("document_upload", args=[le_case.pk]),
            MAX_DOCUMENT_BYTES,
            "investigator",
            reverse("case_detail", args=[le_case.pk]),
        ),
        "HSDS import": (
            reverse("admin:services_directory_hsds_import"),
            HSDS_MAX_BYTES,
            "superuser",
            reverse("admin:services_directory_hsds_import"),
        ),
    }


@pytest.mark.parametrize("form", ["case document", "HSDS import"])
def test_a_content_length_over_the_limit_is_refused_before_a_byte_is_read(request, client_as, upload_forms, form):
    url, limit, who, back = upload_forms[form]
    client = client_as(request.getfixturevalue(who))
    response, stream = _post_unread(client, url, limit + MARGIN + 1)
    assert stream.read_so_far == 0
    assert response.status_code == 302
    assert response["Location"] == back
    assert f"The file is larger than {limit // 1024 // 1024} MB" in client.get(back).content.decode()
    assert not Document.objects.exists()


@pytest.mark.parametrize("form", ["case document", "HSDS import"])
def test_an_upload_from_someone_not_signed_in_is_not_read(upload_forms, form):
    url, _limit, _who, _back = upload_forms[form]
    client = Client(enforce_csrf_checks=True)  # CSRF's check would read the body for the token
    client.cookies["csrftoken"] = "a" * 32
    response, stream = _post_unread(client, url, 2000)
    assert stream.read_so_far == 0
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_refused_upload_shows_the_form_again_with_a_clear_message(client_as, investigator, le_case):
    client = client_as(investigator)
    _post_unread(client, reverse("document_upload", args=[le_case.pk]), MAX_DOCUMENT_BYTES + MARGIN + 1)
    page = client.get(reverse("case_detail", args=[le_case.pk])).content.decode()
    assert MESSAGE in page
    assert 'aria-label="Upload a document"' in page


def test_a_file_over_the_limit_inside_the_margin_is_cut_off_while_streaming(
    client_as, investigator, le_case, no_temp_files
):
    url = reverse("document_upload", args=[le_case.pk])
    response = client_as(investigator).post(url, {"file": _pdf_of(MAX_DOCUMENT_BYTES + 1)}, follow=True)
    assert MESSAGE in response.content.decode()
    assert not Document.objects.exists()


def test_a_file_streamed_past_the_limit_is_cut_off_whatever_content_length_says(settings, tmp_path):
    """Under ASGI the body stream is not bounded by Content-Length: a header that claims 1 kB does not let a 30 MB
    file through. Reading stops within a chunk or two of the limit, and no temporary file is left."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    body = encode_multipart(BOUNDARY, {"file": _pdf_of(30 * 1024 * 1024)})
    stream = Tripwire(body, allowed=MAX_DOCUMENT_BYTES + 4 * 64 * 1024)
    request = HttpRequest()
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": "1000"}
    handlers = [SizeLimitUploadHandler(request, MAX_DOCUMENT_BYTES), TemporaryFileUploadHandler(request)]
    _post, files = MultiPartParser(meta, stream, handlers).parse()
    assert getattr(request, TOO_LARGE_ATTR) is True
    assert not files
    assert list(tmp_path.iterdir()) == []


def test_a_file_at_the_limit_is_stored(client_as, investigator, le_case, no_temp_files):
    url = reverse("document_upload", args=[le_case.pk])
    response = client_as(investigator).post(url, {"file": _pdf_of(MAX_DOCUMENT_BYTES)}, follow=True)
    assert "The file is stored with the case." in response.content.decode()
    assert Document.objects.get().size == MAX_DOCUMENT_BYTES


def test_a_small_upload_is_stored_as_before(client_as, investigator, le_case):
    url = reverse("document_upload", args=[le_case.pk])
    response = client_as(investigator).post(url, {"file": _pdf_of(5000), "description": "Statement"}, follow=True)
    assert "The file is stored with the case." in response.content.decode()
    assert Document.objects.get().description == "Statement"
