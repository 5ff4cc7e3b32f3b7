"""A local library site on 127.0.0.1: sitemap index, paginated listing, review pages, robots.txt.

It stands in for the live site in tests, the benchmark and demos (``dhr-etl serve-library``), and
can misbehave on demand (status codes, Retry-After, slow answers, redirects, odd bodies) so the
crawler's manners can be tested against real HTTP.
"""

from __future__ import annotations

import hashlib
import html
import socket
import struct
import threading
import time
from dataclasses import dataclass, field, replace
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from dhr_etl.source.urls import REVIEW_ID

BASE_PATH = "/sources/dhr/"
RESET = -1
"""Status that makes the handler drop the connection without answering."""


@dataclass
class Fault:
    """How one path misbehaves: for the first ``times`` requests (None: always)."""

    status: int = 500
    times: int | None = None
    delay_seconds: float = 0.0
    retry_after: str | None = None
    location: str | None = None
    body: bytes | None = None
    content_type: str | None = None
    reset: bool = False
    """Drop the connection (RST) instead of answering."""
    truncate: bool = False
    """Answer 200 with the page but promise more bytes than are sent, then hang up."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra response headers, e.g. ``Content-Encoding`` for a body already encoded."""
    drip_seconds: float = 0.0
    """Send the body one byte per this many seconds (a server that never quite finishes)."""


class Dripped(bytes):
    """A body the handler sends one byte at a time, ``interval`` seconds apart."""

    interval: float = 0.0


@dataclass
class Page:
    content: bytes
    content_type: str
    last_modified: float

    @property
    def etag(self) -> str:
        return _etag(self.content)


@dataclass
class RequestLog:
    path: str
    status: int
    headers: dict[str, str]
    at: float
    bytes_sent: int = 0
    finished_at: float | None = None
    """When the answer was sent in full, or the client went away mid-answer."""


HOLD_LIMIT_SECONDS = 120
"""A held request is answered after this long even if never released, so no test can hang on it."""


@dataclass
class LibrarySite:
    folder: Path | None = None
    port: int = 0
    per_page: int = 10
    latency_seconds: float = 0.0
    robots_txt: str = "User-agent: *\nAllow: /\n"
    pages: dict[str, Page] = field(default_factory=dict)
    faults: dict[str, Fault] = field(default_factory=dict)
    requests: list[RequestLog] = field(default_factory=list)
    extra_sitemap_urls: list[str] = field(default_factory=list)
    max_in_flight: int = 0
    """The most requests the site was serving at once."""

    def __post_init__(self) -> None:
        if self.folder is not None:
            for path in sorted(self.folder.iterdir()):
                if REVIEW_ID.match(path.stem) and path.suffix in (".html", ".txt") and path.stem not in self.pages:
                    self.set_page(path.stem, path.read_bytes(), "text/plain" if path.suffix == ".txt" else "text/html")
        self._lock = threading.Lock()
        self._in_flight = 0
        self._server: ThreadingHTTPServer | None = None
        self._open = threading.Event()
        self._open.set()

    # -- holding answers (tests that need a crawl to stay mid-way while they act) -----------------
    def hold(self) -> None:
        """Answer nothing more until :meth:`release` (at most HOLD_LIMIT_SECONDS per request)."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    # -- one site shared by several tests -------------------------------------------------
    def snapshot(self) -> dict[str, Page]:
        """Copies of the pages as they are now, for :meth:`restore`."""
        return {review_id: replace(page) for review_id, page in self.pages.items()}

    def restore(self, pages: dict[str, Page], per_page: int) -> None:
        """Serve copies of ``pages`` as a new site would, with no faults, latency, held answers or
        request log, on the same address: so that tests can share one site and what it served."""
        self.pages.clear()
        self.pages.update((review_id, replace(page)) for review_id, page in pages.items())
        self.faults.clear()
        self.requests.clear()
        self.extra_sitemap_urls.clear()
        self.per_page, self.latency_seconds, self.max_in_flight = per_page, 0.0, 0
        self.robots_txt = type(self).robots_txt
        self.release()

    # -- content ---------------------------------------------------------------------------
    def set_page(self, review_id: str, content: bytes, content_type: str = "text/html") -> None:
        self.pages[review_id] = Page(content, content_type, time.time())

    def remove_page(self, review_id: str) -> None:
        self.pages.pop(review_id, None)

    @property
    def origin(self) -> str:
        assert self._server is not None, "start the site first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return self.origin + BASE_PATH

    def requests_to(self, prefix: str) -> list[RequestLog]:
        with self._lock:
            return [r for r in self.requests if r.path.startswith(prefix)]

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> LibrarySite:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # -- responses -------------------------------------------------------------------------
    def respond(self, path_and_query: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(path_and_query)
        path = parts.path
        fault = self.faults.get(path)
        if fault is not None and (fault.times is None or fault.times > 0):
            if fault.times is not None:
                fault.times -= 1
            time.sleep(fault.delay_seconds)
            if fault.reset:
                return RESET, {}, b""
            if fault.truncate:
                page = self._route(path, parts.query) or (200, {}, b"")
                return 200, {**page[1], "Content-Length": str(len(page[2]) + 4096)}, page[2][: len(page[2]) // 2]
            if fault.status < 300 or fault.body is not None:
                page = self._route(path, parts.query)
                body = fault.body if fault.body is not None else (page[2] if page else b"")
                if fault.drip_seconds:
                    body = Dripped(body)
                    body.interval = fault.drip_seconds
                return fault.status, {"Content-Type": fault.content_type or "text/html; charset=utf-8",
                                      **fault.headers}, body
            extra = dict(fault.headers)
            if fault.retry_after is not None:
                extra["Retry-After"] = fault.retry_after
            if fault.location is not None:
                extra["Location"] = fault.location
            return fault.status, extra, b"fault"
        if self.latency_seconds:
            time.sleep(self.latency_seconds)
        self._open.wait(HOLD_LIMIT_SECONDS)
        routed = self._route(path, parts.query, headers)
        if routed is None:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        return routed

    def _route(self, path: str, query: str, headers: dict[str, str] | None = None):
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, self.robots_txt.encode()
        if path == "/sitemap.xml":
            return _conditional(headers, "application/xml", self._sitemap_index())
        if path == "/sitemaps/reviews.xml":
            return _conditional(headers, "application/xml", self._review_sitemap())
        if path == "/sitemaps/other.xml":
            urls = [self.origin + "/about/", self.origin + "/sources/", *self.extra_sitemap_urls]
            return _conditional(headers, "application/xml", _urlset((u, None) for u in urls))
        if path == BASE_PATH:
            return _conditional(headers, "text/html; charset=utf-8", self._listing(query))
        if path.startswith(BASE_PATH):
            review_id = path[len(BASE_PATH):].strip("/")
            page = self.pages.get(review_id)
            if page is None:
                return None
            common = {"ETag": page.etag, "Last-Modified": formatdate(page.last_modified, usegmt=True)}
            if headers and headers.get("if-none-match") == page.etag:
                return 304, common, b""
            return 200, {**common, "Content-Type": f"{page.content_type}; charset=utf-8"}, page.content
        if path in ("/about/", "/sources/"):
            return 200, {"Content-Type": "text/html"}, b"<html><body><h1>About</h1></body></html>"
        return None

    def _sitemap_index(self) -> bytes:
        items = "".join(f"<sitemap><loc>{self.origin}{p}</loc></sitemap>"
                        for p in ("/sitemaps/reviews.xml", "/sitemaps/other.xml"))
        return (b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                + items.encode() + b"</sitemapindex>")

    def _review_sitemap(self) -> bytes:
        return _urlset(
            (self.base_url + f"{rid}/", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(page.last_modified)))
            for rid, page in sorted(self.pages.items())
        )

    def _listing(self, query: str) -> bytes:
        number = int((parse_qs(query).get("page") or ["1"])[0])
        ids = sorted(self.pages)
        chunk = ids[(number - 1) * self.per_page: number * self.per_page]
        links = "".join(f'<li><a href="{BASE_PATH}{rid}/">{html.escape(rid)}</a></li>' for rid in chunk)
        more = number * self.per_page < len(ids)
        nav = f'<a rel="next" href="{BASE_PATH}?page={number + 1}">Next</a>' if more else ""
        return (f"<html><body><h1>Domestic Homicide Reviews</h1><ul>{links}</ul>"
                f'<nav><a href="/about/">About</a> {nav}</nav></body></html>').encode()


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


def _conditional(headers: dict[str, str] | None, content_type: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Answer 304 when the client already holds this exact document (ETag)."""
    etag = _etag(body)
    if headers and headers.get("if-none-match") == etag:
        return 304, {"ETag": etag}, b""
    return 200, {"Content-Type": content_type, "ETag": etag}, body


def _urlset(entries) -> bytes:
    body = "".join(
        f"<url><loc>{html.escape(loc)}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>"
        for loc, lastmod in entries
    )
    return (b'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + body.encode() + b"</urlset>")


def _handler_for(site: LibrarySite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            headers = {k.lower(): v for k, v in self.headers.items()}
            log = RequestLog(self.path, 0, headers, time.time())  # logged on arrival; status once answered
            with site._lock:
                site.requests.append(log)
                site._in_flight += 1
                site.max_in_flight = max(site.max_in_flight, site._in_flight)
            try:
                status, response_headers, body = site.respond(self.path, headers)
                log.status = status
            finally:
                with site._lock:
                    site._in_flight -= 1
            if status == RESET:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return
            try:
                self.send_response(status)
                response_headers.setdefault("Content-Length", str(len(body)))
                for name, value in response_headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if status != 304:
                    self._send_body(body, log)
                if int(response_headers["Content-Length"]) > len(body):
                    self.close_connection = True  # a truncated body: hang up mid-way
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            finally:
                log.finished_at = time.time()

        def _send_body(self, body: bytes, log: RequestLog) -> None:
            if not isinstance(body, Dripped):
                self.wfile.write(body)
                log.bytes_sent = len(body)
                return
            for index in range(len(body)):
                self.wfile.write(body[index:index + 1])
                self.wfile.flush()
                log.bytes_sent += 1
                time.sleep(body.interval)

        def log_message(self, *args: object) -> None:
            pass

    return Handler
