"""Typesetting PDFs with WeasyPrint (docs/architecture.md §7): the one place that calls it.

Text in a case is shown to the renderer, so the renderer must never reach anything the text names. Templates escape
it; ``StaticOnlyFetcher`` is the second wall: it serves only the portal's own static files, read from disk, of the
few types a print stylesheet uses, and refuses everything else (``http(s)://``, ``file://`` outside the static
folders, ``data:`` that is not a plain raster image, any other scheme). Nothing is ever fetched over the network,
which also keeps a sync worker from calling itself (docs/architecture.md §12: WeasyPrint).

WeasyPrint costs 0.5-0.9 s to import, so it is imported on first use, in the process that renders (the web worker
or ``db_worker``), never per PDF.
"""

import logging
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.utils import timezone

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcherResponse

logger = logging.getLogger(__name__)

PRINT_STYLESHEET = "portal/print.css"
# What a print stylesheet may load from the static folders: itself, fonts and images. No HTML, no SVG from outside
# (SVG can itself name resources; the portal's own icons are static files and pass by their path).
STATIC_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
}
# The first bytes of each raster type a data: URL may hold: what it claims must be what it is (an SVG dressed as a
# PNG would otherwise be drawn, WeasyPrint trying SVG when the image library cannot read the bytes).
SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}
DATA_TYPES = frozenset(SIGNATURES)


class FetchRefused(ValueError):
    """The renderer asked for something outside the portal's static files."""


def static_roots() -> list[Path]:
    """The folders the fetcher serves from: the project's static folders (and the collected copy in production)."""
    roots = [Path(folder) for folder in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots if root.is_dir()]


def static_base_url() -> str:
    """The base URL of a print document: its relative links resolve inside the first static folder."""
    return static_roots()[0].as_uri() + "/"


@dataclass
class Fetched:
    url: str
    body: bytes
    content_type: str


def fetch_static(url: str) -> Fetched:
    """Read ``url`` if it names a static file of an allowed type; raise ``FetchRefused`` otherwise. Separate from
    WeasyPrint's class so the rule is tested on its own."""
    try:
        return _fetch_static(url)
    except FetchRefused:
        raise
    except ValueError as error:  # a malformed URL or path (a NUL byte, a broken IPv6 host): refused all the same
        raise FetchRefused(f"malformed URL refused ({error})") from None


def _fetch_static(url: str) -> Fetched:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        content_type = url[5:].split(",", 1)[0].split(";", 1)[0].strip().lower()
        if content_type not in DATA_TYPES:
            raise FetchRefused(f"data: URL of type {content_type or 'none'!r} refused")
        return _decode_data(url, content_type)
    if scheme != "file":
        raise FetchRefused(f"{scheme or 'relative'} URL refused: only the portal's static files are read")
    if parts.netloc not in ("", "localhost"):
        raise FetchRefused("file URL on another host refused")
    path = Path(url2pathname(parts.path))  # url2pathname decodes the percent escapes, once
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise FetchRefused("file not found among the static files") from None
    if not any(resolved.is_relative_to(root) for root in static_roots()):
        raise FetchRefused("file outside the static folders refused")
    static_type = STATIC_TYPES.get(resolved.suffix.lower())
    if static_type is None or not resolved.is_file():
        raise FetchRefused(f"static file of type {resolved.suffix or 'none'!r} refused")
    return Fetched(url=resolved.as_uri(), body=resolved.read_bytes(), content_type=static_type)


def _decode_data(url: str, content_type: str) -> Fetched:
    import base64
    import binascii

    header, _, payload = url[5:].partition(",")
    try:
        body = base64.b64decode(payload, validate=True) if header.endswith(";base64") else unquote(payload).encode()
    except (binascii.Error, ValueError):
        raise FetchRefused("data: URL that does not decode refused") from None
    if not body.startswith(SIGNATURES[content_type]):
        raise FetchRefused(f"data: URL that is not the {content_type} it claims refused")
    return Fetched(url=url[:40], body=body, content_type=content_type)


def url_fetcher() -> Any:
    """A WeasyPrint fetcher that answers only through ``fetch_static`` and logs each refusal."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(timeout=1, allowed_protocols=("file", "data"), allow_redirects=False)

        def fetch(self, url: str, headers: Any = None) -> "URLFetcherResponse":
            try:
                fetched = fetch_static(url)
            except FetchRefused as refused:
                logger.warning("PDF renderer refused %s: %s", _shorten(url), refused)
                raise
            return URLFetcherResponse(fetched.url, fetched.body, {"Content-Type": fetched.content_type})

    return StaticOnlyFetcher()


def _shorten(url: str) -> str:
    return url if len(url) <= 80 else url[:77] + "..."


@dataclass
class Typeset:
    pdf: bytes
    pages: int


def typeset(html: str) -> Typeset:
    """Typeset ``html`` with the portal's print stylesheet, fonts from the static folder, as a tagged PDF/UA-1."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = url_fetcher()
    fonts = FontConfiguration()
    stylesheet = CSS(filename=str(static_roots()[0] / PRINT_STYLESHEET), url_fetcher=fetcher, font_config=fonts)
    # PDF/UA-1 tags the structure (headings, tables, lists) for screen readers; its title and language come from
    # the template's <title> and <html lang>.
    document = HTML(string=html, base_url=static_base_url(), url_fetcher=fetcher).render(
        stylesheets=[stylesheet], font_config=fonts, pdf_variant="pdf/ua-1"
    )
    return Typeset(pdf=document.write_pdf(pdf_variant="pdf/ua-1"), pages=len(document.pages))


def html_to_pdf(html: str) -> bytes:
    return typeset(html).pdf


def prepared_at() -> str:
    """When a document is prepared, in UTC, as its pages' "Prepared for" line says."""
    return timezone.now().astimezone(UTC).strftime("%Y-%m-%d %H:%M")
