"""The PDF renderer reaches nothing that text in a case names (docs/architecture.md §7, docs/architecture.md §12:
WeasyPrint).

``portal.pdf.fetch_static`` is the rule (only the portal's own static files, read from disk, of the types a print
stylesheet uses; ``FetchRefused`` for anything else); ``url_fetcher()`` is WeasyPrint's side of it, logging each
refusal on ``portal.pdf``. Tested three ways: the rule on its own as a table, WeasyPrint typesetting hostile HTML
while a local HTTP server counts connections, and a case packet whose notes hold such HTML.

Two bugs these tests found are fixed: a malformed URL (a NUL byte, a broken IPv6 host) raised a plain ValueError
instead of being refused and logged, and a data: URL was judged by the type it claimed, not by its bytes.
"""

import base64
import io
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast

import pypdf
import pytest
from PIL import Image

from cases.models import Case
from cases.packets import render_case_packet
from cases.services import case_create, note_add
from portal.pdf import FetchRefused, fetch_static, html_to_pdf, static_base_url, static_roots, url_fetcher

# A valid 1x1 PNG (checked with Pillow in ``test_the_png_sample_is_a_real_png``).
PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
PNG_1X1_URL = "data:image/png;base64," + base64.b64encode(PNG_1X1).decode()

# Text that shows up in a PDF only if a file outside the static folder (or the local HTTP server) was loaded as a
# stylesheet: the "content" puts it on the page.
FILE_SENTINEL = "LEAKED-FILE-SENTINEL-5d1c"
HTTP_SENTINEL = "LEAKED-HTTP-SENTINEL-8e2b"
SVG_DATA_SENTINEL = "SVG-DATA-SENTINEL-6b0d"  # in a data:image/svg+xml URL, which is refused
SVG_SENTINEL = "SVG-IN-PNG-SENTINEL-3a7f"  # in an SVG labelled data:image/png (refused: its bytes are not a PNG)
SECRET_CSS = f'body::before {{ content: "{FILE_SENTINEL}"; }}\n'
# What /etc/passwd and /etc/hosts would put in a PDF.
SYSTEM_FILE_MARKERS = ["root:x:0:0", "/bin/bash", "/usr/sbin/nologin", "ip6-localhost", "ip6-allnodes"]

FONT = "vendor/uswds/fonts/source-sans-pro/sourcesanspro-regular-webfont.ttf"


# ---------------------------------------------------------------------------------------------------------------
# Helpers and fixtures
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """The real static folder, and a folder outside it holding files of allowed types (a stylesheet, an image)."""

    static: Path
    outside: Path

    @property
    def secret_css(self) -> Path:
        return self.outside / "secret.css"

    def static_url(self, relative: str) -> str:
        return (self.static / relative).as_uri()

    def up_to_root(self, dots: str = "..") -> str:
        """``file://<static>/../../..`` down to ``/`` (extra ``..`` at the root stay at the root)."""
        depth = len(self.static.parts) + 2
        return self.static.as_uri() + "/" + "/".join([dots] * depth)

    def climb_to(self, target: Path, dots: str = "..") -> str:
        """A ``file://`` URL that starts in the static folder and climbs out to ``target`` with ``..``."""
        return self.up_to_root(dots) + str(target)


@pytest.fixture
def where(tmp_path: Path) -> Where:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.css").write_text(SECRET_CSS)
    (outside / "secret.png").write_bytes(PNG_1X1)
    (outside / "secret.ttf").write_bytes(b"not a font, but named like one")
    return Where(static=static_roots()[0], outside=outside)


@dataclass
class TmpStatic:
    """A static folder in a temporary directory (``settings`` points the portal at it), with symlinks in it."""

    root: Path
    outside: Path

    def url(self, relative: str) -> str:
        return (self.root / relative).as_uri()


@pytest.fixture
def tmp_static(settings, where: Where, tmp_path: Path) -> TmpStatic:
    root = tmp_path / "static"
    (root / "portal").mkdir(parents=True)
    (root / "portal" / "print.css").write_bytes((where.static / "portal" / "print.css").read_bytes())
    (root / "portal" / "page.html").write_text("<p>not for the renderer</p>")
    (root / "portal" / "tool.py").write_text("print('not for the renderer')")
    # Symlinks whose names look harmless: the target decides.
    (root / "portal" / "leak.css").symlink_to(where.secret_css)
    (root / "portal" / "passwd.css").symlink_to("/etc/passwd")
    (root / "portal" / "image.png").symlink_to(where.outside / "secret.png")
    (root / "elsewhere").symlink_to(where.outside, target_is_directory=True)
    (root / "portal" / "alias.css").symlink_to(root / "portal" / "print.css")
    settings.STATICFILES_DIRS = [root]
    settings.STATIC_ROOT = None
    return TmpStatic(root=root.resolve(), outside=where.outside)


@dataclass
class Server:
    port: int
    connections: list[tuple[str, int]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class _CountingServer(ThreadingHTTPServer):
    daemon_threads = True
    record: Server

    def verify_request(self, request: Any, client_address: Any) -> bool:
        # Every TCP connection counts, HTTP or not (a TLS hello from an https:// fetch included).
        self.record.connections.append(client_address)
        return True


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        cast(_CountingServer, self.server).record.paths.append(self.path)
        if self.path.endswith(".css"):
            body, content_type = f'body::after {{ content: "{HTTP_SENTINEL}"; }}'.encode(), "text/css"
        elif self.path.endswith(".png"):
            body, content_type = PNG_1X1, "image/png"
        else:
            body, content_type = HTTP_SENTINEL.encode(), "text/plain"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[Server]:
    """A local HTTP server on a free port that records every connection made to it."""
    httpd = _CountingServer(("127.0.0.1", 0), _Handler)
    record = Server(port=httpd.server_address[1])
    httpd.record = record
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield record
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@dataclass
class NetworkGuard:
    attempts: list[str] = field(default_factory=list)


@pytest.fixture
def network_guard(monkeypatch) -> NetworkGuard:
    """Records every outgoing connection and name lookup made through Python's socket module, and refuses them
    (the renderer has no business on the network at all)."""
    guard = NetworkGuard()

    def connect(self: socket.socket, address: Any) -> None:
        guard.attempts.append(f"connect {address!r}")
        raise ConnectionRefusedError(f"test guard: no network for the PDF renderer ({address!r})")

    def connect_ex(self: socket.socket, address: Any) -> int:
        guard.attempts.append(f"connect_ex {address!r}")
        return 111

    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        guard.attempts.append(f"getaddrinfo {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return guard


@pytest.fixture
def refusals(caplog) -> Callable[[], list[logging.LogRecord]]:
    caplog.set_level(logging.WARNING, logger="portal.pdf")

    def records() -> list[logging.LogRecord]:
        return [
            record
            for record in caplog.records
            if record.name == "portal.pdf" and record.levelno == logging.WARNING and "refused" in record.getMessage()
        ]

    return records


def _logged(url: str) -> str:
    """How the fetcher names ``url`` in its log line (long URLs are cut at 77 characters)."""
    return url if len(url) <= 80 else url[:77]


def _pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _compact(text: str) -> str:
    """Text without whitespace: line breaks fall where the typesetter puts them."""
    return "".join(text.split())


def _every_stream(pdf: bytes) -> bytes:
    """Every stream in the PDF, decoded (page contents, fonts, images, embedded files), joined."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    chunks = []
    for number in range(1, int(cast(int, reader.trailer["/Size"]))):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: S112 (free entries in the cross-reference table)
            continue
        if isinstance(obj, pypdf.generic.StreamObject):
            chunks.append(obj.get_data())
    return b"\n".join(chunks)


def _assert_nothing_leaked(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = _pdf_text(pdf)
    streams = _every_stream(pdf)
    for marker in [FILE_SENTINEL, HTTP_SENTINEL, SVG_DATA_SENTINEL, *SYSTEM_FILE_MARKERS]:
        assert marker not in text, marker
        assert marker.encode() not in streams, marker
    assert not reader.attachments, list(reader.attachments)
    for page in reader.pages:
        assert not page.images, [image.name for image in page.images]


# ---------------------------------------------------------------------------------------------------------------
# 1. The rule on its own: fetch_static
# ---------------------------------------------------------------------------------------------------------------


def test_the_png_sample_is_a_real_png():
    image = Image.open(io.BytesIO(PNG_1X1))
    assert (image.format, image.size) == ("PNG", (1, 1))


ALLOWED_STATIC = [
    pytest.param("portal/print.css", "text/css", id="print-stylesheet"),
    pytest.param(FONT, "font/ttf", id="font-ttf"),
    pytest.param(FONT.replace(".ttf", ".woff2"), "font/woff2", id="font-woff2"),
    pytest.param("vendor/uswds/img/us_flag_small.png", "image/png", id="png"),
    pytest.param("vendor/uswds/img/correct8.svg", "image/svg+xml", id="own-svg-icon"),
]


@pytest.mark.parametrize(("relative", "content_type"), ALLOWED_STATIC)
def test_static_files_of_allowed_types_are_served_from_disk(where, relative, content_type):
    on_disk = where.static / relative
    fetched = fetch_static(on_disk.as_uri())
    assert fetched.content_type == content_type
    assert fetched.body == on_disk.read_bytes()


def test_a_localhost_file_url_to_a_static_file_is_served(where):
    fetched = fetch_static("file://localhost" + str(where.static / "portal" / "print.css"))
    assert fetched.content_type == "text/css"
    assert fetched.body == (where.static / "portal" / "print.css").read_bytes()


def test_relative_links_of_the_print_stylesheet_resolve_inside_the_static_folder(where):
    assert static_base_url() == where.static.as_uri() + "/"
    fetched = fetch_static(static_base_url() + "portal/../" + FONT)
    assert fetched.body == (where.static / FONT).read_bytes()


def test_a_valid_png_data_url_is_served():
    fetched = fetch_static(PNG_1X1_URL)
    assert fetched.content_type == "image/png"
    assert fetched.body == PNG_1X1


SVG_WITH_LINK = (
    f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>{SVG_DATA_SENTINEL}</text>'
    '<image href="file:///etc/passwd" width="5" height="5"/></svg>'
)

REFUSED: list[Any] = [
    # Other schemes: nothing over a network, ever.
    pytest.param(lambda w: "http://127.0.0.1:9/x.css", id="http"),
    pytest.param(lambda w: "https://example.com/a.css", id="https"),
    pytest.param(lambda w: "ftp://example.com/a.css", id="ftp"),
    pytest.param(lambda w: "HTTP://127.0.0.1:9/x.css", id="http-upper-case"),
    pytest.param(lambda w: "javascript:alert(1)", id="javascript"),
    pytest.param(lambda w: "about:blank", id="about"),
    # file:// outside the static folder.
    pytest.param(lambda w: "file:///etc/passwd", id="file-etc-passwd"),
    pytest.param(lambda w: "file:///proc/self/environ", id="file-proc-environ"),
    pytest.param(lambda w: w.secret_css.as_uri(), id="file-outside-allowed-type"),
    pytest.param(lambda w: "file://localhost/etc/passwd", id="file-localhost-etc-passwd"),
    pytest.param(lambda w: w.climb_to(Path("/etc/passwd")), id="dotdot-etc-passwd"),
    pytest.param(lambda w: w.climb_to(w.secret_css), id="dotdot-outside-css"),
    pytest.param(lambda w: w.climb_to(w.secret_css, "%2e%2e"), id="pct-2e2e-outside-css"),
    pytest.param(lambda w: w.climb_to(Path("/etc/passwd"), "%2E%2E"), id="pct-2E2E-etc-passwd"),
    pytest.param(lambda w: w.climb_to(w.secret_css, "%252e%252e"), id="double-pct-outside-css"),
    pytest.param(
        lambda w: w.static.as_uri() + "/" + "..%2f" * (len(w.static.parts) + 2) + "etc/passwd", id="pct-slash"
    ),
    pytest.param(lambda w: "file://otherhost" + str(w.static / "portal" / "print.css"), id="file-other-host"),
    pytest.param(lambda w: "file://127.0.0.1" + str(w.static / "portal" / "print.css"), id="file-ip-host"),
    # Inside the static folder, but not a type a print stylesheet uses (or not a file).
    pytest.param(lambda w: w.static_url("vendor/uswds/js/uswds.min.js"), id="static-js"),
    pytest.param(lambda w: w.static_url("vendor/uswds/README.md"), id="static-markdown"),
    pytest.param(lambda w: w.static.as_uri() + "/portal/", id="static-directory"),
    pytest.param(lambda w: w.static_url("portal/missing.css"), id="static-missing"),
    pytest.param(lambda w: w.static_url("portal/print.css/.."), id="static-through-a-file"),
    # data: URLs that are not plain raster images, or do not decode.
    pytest.param(lambda w: "data:text/html,<script>alert(1)</script>", id="data-html"),
    pytest.param(lambda w: "data:text/css,body::before{content:'x'}", id="data-css"),
    pytest.param(lambda w: "data:image/svg+xml," + SVG_WITH_LINK, id="data-svg"),
    pytest.param(
        lambda w: "data:image/svg+xml;base64," + base64.b64encode(SVG_WITH_LINK.encode()).decode(), id="svg64"
    ),
    pytest.param(lambda w: "data:application/pdf;base64,JVBERi0xLjcKJSVFT0YK", id="data-pdf"),
    pytest.param(lambda w: "data:image/png;base64,iVBORw0KGgo!!!not-base64", id="data-png-bad-base64"),
    pytest.param(lambda w: "data:image/png;base64,iVBORw0KGgo", id="data-png-bad-padding"),
    pytest.param(lambda w: "data:,hello", id="data-no-type"),
    pytest.param(lambda w: "data:;base64,aGVsbG8=", id="data-empty-type"),
    # Relative and scheme-less URLs.
    pytest.param(lambda w: "portal/print.css", id="relative"),
    pytest.param(lambda w: "../static/portal/print.css", id="relative-dotdot"),
    pytest.param(lambda w: "/etc/passwd", id="absolute-path"),
    pytest.param(lambda w: str(w.static / "portal" / "print.css"), id="absolute-static-path"),
    pytest.param(lambda w: "//127.0.0.1:9/x.css", id="scheme-relative"),
    pytest.param(lambda w: "", id="empty"),
]


@pytest.mark.parametrize("make_url", REFUSED)
def test_everything_else_is_refused(where, make_url):
    url = make_url(where)
    with pytest.raises(FetchRefused):
        fetch_static(url)


TMP_STATIC_REFUSED = [
    pytest.param("portal/leak.css", id="symlink-to-outside-css"),
    pytest.param("portal/passwd.css", id="symlink-to-etc-passwd"),
    pytest.param("portal/image.png", id="symlink-to-outside-png"),
    pytest.param("elsewhere/secret.css", id="symlinked-directory"),
    pytest.param("portal/page.html", id="static-html"),
    pytest.param("portal/tool.py", id="static-python"),
]


@pytest.mark.parametrize("relative", TMP_STATIC_REFUSED)
def test_symlinks_out_of_the_static_folder_and_wrong_types_are_refused(tmp_static, relative):
    # The file is there (or the link resolves) and would be read were it not for the rule.
    assert (tmp_static.root / relative).exists()
    with pytest.raises(FetchRefused):
        fetch_static(tmp_static.url(relative))


def test_the_static_folders_come_from_settings(tmp_static, where):
    """The control for the symlink table: in the temporary static folder its own files and a symlink to one of
    them are served, and the real static folder is no longer served at all."""
    own = tmp_static.root / "portal" / "print.css"
    assert static_roots() == [tmp_static.root]
    assert fetch_static(tmp_static.url("portal/print.css")).body == own.read_bytes()
    assert fetch_static(tmp_static.url("portal/alias.css")).body == own.read_bytes()
    with pytest.raises(FetchRefused):
        fetch_static(where.static_url("portal/print.css"))


# Found while writing this file: inputs on which fetch_static raises a plain ValueError (not FetchRefused), so the
# fetcher does not log the refusal (its ``except FetchRefused`` lets it through to WeasyPrint, which swallows it).
# Nothing is read or fetched either way; the rule and its log are what break.
NOT_REFUSED_BUT_CRASHING = [
    pytest.param(lambda w: w.static_url("portal/print.css") + "%00.js", id="nul-byte"),
    pytest.param(lambda w: w.static_url("portal/print.css") + "%2500", id="double-encoded-nul-byte"),
    pytest.param(lambda w: "http://[::1/x.css", id="malformed-http-ipv6"),
    pytest.param(lambda w: "file://[/etc/passwd", id="malformed-file-ipv6"),
]


@pytest.mark.parametrize("make_url", NOT_REFUSED_BUT_CRASHING)
def test_malformed_urls_are_refused_and_logged(where, make_url, refusals):
    url = make_url(where)
    try:
        fetch_static(url)
    except FetchRefused:
        pass
    except ValueError as error:
        raise AssertionError(f"fetch_static({url!r}) raised {type(error).__name__}: {error}") from error
    else:
        raise AssertionError(f"fetch_static({url!r}) served it")
    with pytest.raises(FetchRefused):
        url_fetcher().fetch(url)
    assert [record for record in refusals() if _logged(url) in record.getMessage()]


SVG_DRESSED_AS_RASTER = [
    pytest.param("data:image/png;base64," + base64.b64encode(SVG_WITH_LINK.encode()).decode(), id="png-base64"),
    pytest.param("data:image/gif," + SVG_WITH_LINK, id="gif-plain"),
    pytest.param("data:image/jpeg;base64," + base64.b64encode(b"<html><body>x</body></html>").decode(), id="html-jpeg"),
]


@pytest.mark.parametrize("url", SVG_DRESSED_AS_RASTER)
def test_a_data_url_must_hold_the_raster_image_it_claims(url):
    with pytest.raises(FetchRefused):
        fetch_static(url)


# ---------------------------------------------------------------------------------------------------------------
# The fetcher WeasyPrint is given
# ---------------------------------------------------------------------------------------------------------------


def test_the_fetcher_is_a_weasyprint_url_fetcher_that_serves_static_files(where):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    fetcher = url_fetcher()
    assert isinstance(fetcher, URLFetcher)
    response = fetcher(where.static_url(FONT))
    assert isinstance(response, URLFetcherResponse)
    assert response.content_type == "font/ttf"
    assert response.read() == (where.static / FONT).read_bytes()


@pytest.mark.parametrize("entry", ["fetch", "call", "open"])
def test_every_entry_of_the_fetcher_refuses_and_logs(http_server, where, refusals, entry):
    """WeasyPrint calls the fetcher; a URLFetcher is also a urllib opener with ``open``. None of them goes out."""
    fetcher = url_fetcher()
    call = {"fetch": fetcher.fetch, "call": fetcher, "open": fetcher.open}[entry]
    for url in [f"{http_server.base}/{entry}.css", "file:///etc/passwd", where.secret_css.as_uri()]:
        with pytest.raises(FetchRefused):
            call(url)
        assert [record for record in refusals() if _logged(url) in record.getMessage()], url
    assert http_server.connections == []


# ---------------------------------------------------------------------------------------------------------------
# 2. Through WeasyPrint
# ---------------------------------------------------------------------------------------------------------------


def _hostile_html(server: Server, where: Where) -> tuple[str, list[tuple[str, ...]]]:
    """HTML naming local files and the local server every way WeasyPrint loads things, and the URLs WeasyPrint is
    expected to ask the fetcher for, each of which must be refused (where a tuple names several, one refusal of
    them is enough). The iframe is not among them: WeasyPrint does not load iframes, but the server still must not
    see it."""
    base = server.base
    svg_in_png = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="80" height="20"><text x="0" y="15">{SVG_SENTINEL}</text>'
        f'<image href="{base}/svg-in-png.png" width="5" height="5"/></svg>'
    )
    svg_in_png_url = "data:image/png;base64," + base64.b64encode(svg_in_png.encode()).decode()
    svg_url = "data:image/svg+xml," + SVG_WITH_LINK.replace('"', "'")
    html_url = "data:text/html,<p>x</p>"
    pdf_url = "data:application/pdf;base64,JVBERi0xLjcKJSVFT0YK"
    traversal = where.climb_to(where.outside / "climb.css")
    (where.outside / "climb.css").write_text(SECRET_CSS)
    html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Hostile</title>
<base href="{base}/base/">
<link rel="stylesheet" href="file:///etc/passwd">
<link rel="stylesheet" href="{where.secret_css.as_uri()}">
<link rel="stylesheet" href="{traversal}">
<link rel="stylesheet" href="{base}/link.css">
<link rel="attachment" href="file:///etc/hosts">
<style>
@import url(https://example.com/a.css);
@import url(https://127.0.0.1:{server.port}/tls.css);
@font-face {{ font-family: Leak; src: url({base}/font.ttf); }}
body {{ background: url(file:///etc/hosts); }}
h1 {{ font-family: Leak; }}
</style>
</head>
<body>
<h1>Hostile document</h1>
<img alt="remote" src="{base}/img.png">
<img alt="relative to base" src="relative.png">
<object data="{base}/object.png"></object>
<embed src="file:///proc/self/environ">
<iframe src="{base}/iframe.html"></iframe>
<a rel="attachment" href="{base}/attachment.bin">attachment</a>
<svg width="10" height="10"><image href="file:///etc/hostname" width="10" height="10"/></svg>
<img alt="svg in png" src="{svg_in_png_url}">
<img alt="svg" src="{svg_url}">
<img alt="html" src="{html_url}">
<object data="{pdf_url}"></object>
</body>
</html>"""
    expected: list[tuple[str, ...]] = [
        ("file:///etc/passwd",),
        (where.secret_css.as_uri(),),
        (traversal,),
        (f"{base}/link.css",),
        ("file:///etc/hosts",),
        ("https://example.com/a.css",),
        (f"https://127.0.0.1:{server.port}/tls.css",),
        (f"{base}/font.ttf",),
        (f"{base}/img.png",),
        (f"{base}/base/relative.png",),
        (f"{base}/object.png",),
        ("file:///proc/self/environ",),
        (f"{base}/attachment.bin",),
        ("file:///etc/hostname",),
        # Refused itself once the rule checks a data: URL's bytes; today its SVG is typeset and what it names is
        # refused (see test_an_svg_dressed_as_a_png_data_url_is_not_typeset).
        (svg_in_png_url, f"{base}/svg-in-png.png"),
        (svg_url,),
        (html_url,),
        (pdf_url,),
    ]
    return html, expected


def _loopback_only(monkeypatch) -> list[Any]:
    """Record every connect; let loopback ones through (to reach the counting server), refuse the rest."""
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        if isinstance(address, tuple) and address[0] in ("127.0.0.1", "::1"):
            return real_connect(self, address)
        raise ConnectionRefusedError(f"test guard: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


def test_hostile_html_typesets_without_fetching_anything(http_server, where, refusals, monkeypatch):
    attempts = _loopback_only(monkeypatch)
    html, expected = _hostile_html(http_server, where)

    pdf = html_to_pdf(html)

    assert "Hostile document" in _pdf_text(pdf)
    assert http_server.connections == []
    assert http_server.paths == []
    assert attempts == []
    messages = [record.getMessage() for record in refusals()]
    missing = [urls for urls in expected if not any(_logged(url) in message for url in urls for message in messages)]
    assert missing == [], messages
    assert not any("iframe" in message for message in messages)
    _assert_nothing_leaked(pdf)


def test_an_svg_dressed_as_a_png_data_url_is_not_typeset(http_server, refusals):
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="20"><text x="0" y="15">{SVG_SENTINEL}</text>'
        f'<image href="{http_server.base}/nested.png" width="5" height="5"/></svg>'
    )
    url = "data:image/png;base64," + base64.b64encode(svg.encode()).decode()

    pdf = html_to_pdf(f'<!DOCTYPE html><html lang="en"><body><p>Plain</p><img alt="x" src="{url}"></body></html>')

    # The second wall holds: what the SVG names is refused, the server sees nothing...
    assert http_server.connections == []
    # ...but the SVG itself should never have been typeset.
    assert SVG_SENTINEL not in _pdf_text(pdf)


def test_the_print_stylesheet_and_its_fonts_load_without_a_refusal(refusals, monkeypatch):
    """The other side of the rule: the portal's own fonts are served through the fetcher (it is not "refuse all")
    and a valid PNG data: URL becomes an image."""
    served: list[str] = []

    def spy(url: str) -> Any:
        fetched = fetch_static(url)
        served.append(url)
        return fetched

    monkeypatch.setattr("portal.pdf.fetch_static", spy)
    pdf = html_to_pdf(f'<!DOCTYPE html><html lang="en"><body><p>Plain</p><img alt="dot" src="{PNG_1X1_URL}"></body>')

    assert refusals() == []
    fonts = [url for url in served if url.endswith("-webfont.ttf")]
    assert fonts, served
    assert all(url.startswith(static_base_url()) for url in fonts), fonts
    assert PNG_1X1_URL in served
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages[0].images) == 1


def test_the_harness_sees_a_leak_when_the_fetcher_lets_everything_through(http_server, where, monkeypatch):
    """Control: with WeasyPrint's own fetcher in place of the portal's, the same checks fail. The local server sees
    requests and the stylesheet outside the static folder puts its text in the PDF. (Only local URLs here.)"""
    from weasyprint.urls import URLFetcher

    monkeypatch.setattr("portal.pdf.url_fetcher", lambda: URLFetcher(timeout=5))
    html = f"""<!DOCTYPE html><html lang="en"><head>
<link rel="stylesheet" href="{where.secret_css.as_uri()}">
<link rel="stylesheet" href="{http_server.base}/link.css"></head>
<body><p>Control</p><img alt="remote" src="{http_server.base}/img.png"></body></html>"""

    pdf = html_to_pdf(html)

    text = _pdf_text(pdf)
    assert FILE_SENTINEL in text
    assert HTTP_SENTINEL in text
    assert sorted(http_server.paths) == ["/img.png", "/link.css"]
    assert http_server.connections


# ---------------------------------------------------------------------------------------------------------------
# 3. Through a case packet
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class HostileCase:
    case: Case
    texts: list[str]


@pytest.fixture
def hostile_case(investigator, task_force, http_server, where) -> HostileCase:
    base = http_server.base
    summary = f'<style>@import url({base}/summary.css);</style><img src="file:///etc/passwd"> see file:///etc/passwd'
    narrative = f'<iframe src="{base}/narrative.html"></iframe><object data="{base}/narrative.png"></object>'
    notes = [
        f"<img src={base}/leak>",
        f'<link rel="stylesheet" href="{where.secret_css.as_uri()}"> and file:///etc/passwd',
        f'<svg><image href="file:///etc/hosts"/></svg> <a rel="attachment" href="{base}/a.bin">x</a>',
    ]
    case = case_create(
        actor=investigator,
        title="Packet with links",
        intake_channel=Case.Channel.HOTLINE,
        case_type=Case.Type.LABOR,
        summary=summary,
        le_narrative=narrative,
        task_force=task_force,
    )
    for text in notes:
        note_add(case=case, text=text, actor=investigator)
    return HostileCase(case=case, texts=[summary, narrative, *notes])


def test_a_case_packet_prints_links_and_html_in_notes_as_text(hostile_case, investigator, http_server, refusals):
    pdf = render_case_packet(hostile_case.case, investigator)

    text = _compact(_pdf_text(pdf))
    for written in hostile_case.texts:
        assert _compact(written) in text, written
    assert http_server.connections == []
    assert http_server.paths == []
    # Escaped by the template, the markup never reaches the renderer as markup: nothing even asked for a URL.
    assert refusals() == []
    _assert_nothing_leaked(pdf)


# ---------------------------------------------------------------------------------------------------------------
# 4. A normal packet touches no network at all
# ---------------------------------------------------------------------------------------------------------------


def test_the_network_guard_sees_a_connection(http_server, network_guard):
    """Control for the next test: the guard catches what Python code would use to connect."""
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", http_server.port), timeout=1)
    assert any("connect" in attempt for attempt in network_guard.attempts)
    assert http_server.connections == []


def test_rendering_a_case_packet_makes_no_network_connection(le_case, investigator, network_guard, refusals):
    pdf = render_case_packet(le_case, investigator)

    assert pdf.startswith(b"%PDF-")
    assert "Massage parlor network" in _pdf_text(pdf)
    assert network_guard.attempts == []
    assert refusals() == []
