"""An upload over its form's limit is refused before it is read into memory or onto disk (issue 11, point 12).

``settings.PORTAL_UPLOAD_LIMITS`` names each URL that takes a file, its limit and where its form is. For a POST to
one of them, ``UploadLimitMiddleware`` (before anything reads the body: CSRF's check reads it):

1. refuses, unread, a request from someone not signed in, and a request whose ``Content-Length`` passes the limit
   plus ``PORTAL_UPLOAD_FORM_MARGIN`` (the form's other fields and the multipart framing);
2. otherwise reads the body itself through ``SizeLimitUploadHandler``, first of the upload handlers, which counts
   the file bytes as they stream in and stops reading past the limit whatever ``Content-Length`` said (under
   ASGI the header is not what bounds the stream). The temporary file of the cut upload is deleted by Django.

A refused upload sends the person back to the form with the message below; nothing is stored, so nothing is
audited. The views (and their services) keep their own size checks behind this one.

What a stored file is, is read from its content (``sniff_content_type``), never from its name or the browser's word.
``document_checked`` is the rule every kept document follows (a case's documents, a tip's attachments): at most
``MAX_DOCUMENT_BYTES``, and one of the types of ``DOCUMENT_SIGNATURES``.
"""

import zipfile
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

TOO_LARGE_ATTR = "portal_upload_too_large"
MB = 1024 * 1024
# The most a kept document may weigh: a case's file, a tip's attachment (its form's message says 20 MB).
MAX_DOCUMENT_BYTES = 20 * MB

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Content types recognised from the file's first bytes, not from its name or the browser's word.
DOCUMENT_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    WORD: (b"PK\x03\x04",),
    "text/plain": (),
}


class SizeLimitUploadHandler(FileUploadHandler):
    """Passes file bytes on to the next handlers until their total passes ``limit``, then stops the upload without
    reading the rest of the request."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            setattr(self.request, TOO_LARGE_ATTR, True)
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


class UploadLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            rule = _rule_for(request)
            if rule is not None:
                refused = _guard(request, *rule)
                if refused is not None:
                    return refused
        return self.get_response(request)


def _rule_for(request: HttpRequest) -> tuple[ResolverMatch, int, str | None] | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    rule = settings.PORTAL_UPLOAD_LIMITS.get(match.view_name)
    if rule is None:
        return None
    limit, back = rule
    return match, import_string(limit) if isinstance(limit, str) else limit, back


def _guard(request: HttpRequest, match: ResolverMatch, limit: int, back: str | None) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if _content_length(request) > limit + settings.PORTAL_UPLOAD_FORM_MARGIN:
        return _refuse(request, match, limit, back)
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request, limit))
    try:
        request.POST  # noqa: B018 - read now, through the limit, before anything else does
    except MultiPartParserError:
        return None  # a malformed body: what it always was, left to the view (CSRF refuses it first)
    if getattr(request, TOO_LARGE_ATTR, False):
        return _refuse(request, match, limit, back)
    return None


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _refuse(request: HttpRequest, match: ResolverMatch, limit: int, back: str | None) -> HttpResponse:
    messages.error(
        request,
        _(
            "The file is larger than %(size)s MB, the most this form takes. Nothing was stored: "
            "compress the file or split it, and upload it again."
        )
        % {"size": limit // MB},
    )
    return redirect(back, *match.args, **match.kwargs) if back else redirect(request.path)


def document_checked(uploaded_file: UploadedFile) -> tuple[int, str]:
    """The size and the type (read from the content) of a file kept as a document, or a ``ValidationError`` on
    ``file`` saying what is wrong with it: too large, or not a type the portal keeps. Nothing is stored here."""
    size = uploaded_file.size or 0
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": _("Files are limited to 20 MB.")})
    content_type = sniff_content_type(uploaded_file)
    if content_type is None:
        raise ValidationError({"file": _("Upload a PDF, an image (PNG or JPEG), a Word document or plain text.")})
    return size, content_type


def sniff_content_type(uploaded_file: UploadedFile) -> str | None:
    """The type of ``uploaded_file`` read from its content, one of ``DOCUMENT_SIGNATURES``, or ``None`` for any
    other. The file is left at its start."""
    uploaded_file.seek(0)
    content_type = _type_of_head(uploaded_file.read(2048))
    uploaded_file.seek(0)
    if content_type == WORD and not _is_word_document(uploaded_file):
        return None
    return content_type


def _type_of_head(head: bytes) -> str | None:
    for content_type, signatures in DOCUMENT_SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            return content_type
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain" if b"\x00" not in head else None


def _is_word_document(uploaded_file: UploadedFile) -> bool:
    """A .docx is a ZIP archive; any ZIP is not a .docx: it must hold the parts of a Word document."""
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    finally:
        uploaded_file.seek(0)
    return {"[Content_Types].xml", "word/document.xml"} <= names


def document_response(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """A kept document sent to a reader its view has checked (and audited): always as a download under its original
    name, with the type read at upload, which the browser may not second-guess. Never a link to the storage."""
    response = FileResponse(file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
