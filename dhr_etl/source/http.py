"""One polite HTTP client: host guard, robots.txt, concurrency and rate limits, retries, size caps."""

from __future__ import annotations

import asyncio
import email.utils
import random
import re
import time
import urllib.robotparser
from dataclasses import dataclass, field

import httpx

from dhr_etl.source.decoding import ACCEPT_ENCODING, BodyRejected, CappedDecoder
from dhr_etl.source.urls import BadURL, absolute, same_origin, shown

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_ATTEMPTS = 4
MAX_REDIRECTS = 5
MAX_RETRY_AFTER_SECONDS = 120.0


class FetchRefused(Exception):
    """We will not fetch this URL (off-host, disallowed by robots.txt, redirect off-host)."""


class FetchFailed(Exception):
    """The URL could not be fetched; the message says why (status, timeout, size …)."""


class WaitRefused(FetchFailed):
    """A retry would mean waiting (Retry-After, back-off) longer than the budget left for waiting."""

    def __init__(self, url: str, problem: str, delay: float) -> None:
        super().__init__(f"{shown(url)}: {problem}; not retried: this run's budget for waiting "
                         "(DHR_MAX_WAIT_SECONDS) is spent")
        self.url, self.problem, self.delay = url, problem, delay


@dataclass(frozen=True, slots=True)
class Response:
    url: str
    status: int
    content: bytes
    headers: dict[str, str]
    attempts: int
    duration_ms: int


@dataclass(slots=True)
class FetchStats:
    requests: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    retried: int = 0
    bytes_received: int = 0
    seconds_waiting: float = 0.0


# Next allowed request start per host, shared by every client in this process: discovery and
# fetching use separate clients, and the site must not see a burst where one hands over to the other.
_NEXT_START: dict[str, float] = {}


class _RateLimiter:
    """At most ``rate`` request starts per second to one host, across all tasks and clients."""

    def __init__(self, host: str, rate: float) -> None:
        self.host = host
        self.interval = 1.0 / rate
        self.lock = asyncio.Lock()

    async def wait(self) -> float:
        async with self.lock:
            now = time.monotonic()
            next_start = _NEXT_START.get(self.host, 0.0)
            delay = max(0.0, next_start - now)
            _NEXT_START[self.host] = max(now, next_start) + self.interval
        if delay:
            await asyncio.sleep(delay)
        return delay


class PoliteClient:
    """Fetch only from ``base``'s host, as robots.txt allows, within the configured limits."""

    def __init__(self, base: str, *, user_agent: str, max_concurrency: int,
                 requests_per_second: float, timeout_seconds: float, max_bytes: int,
                 max_wait_seconds: float = 600.0) -> None:
        self.base = base
        self.retry_budget = max_wait_seconds
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds
        self.stats = FetchStats()
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._limiter = _RateLimiter(absolute("/", base), requests_per_second)
        self._robots: urllib.robotparser.RobotFileParser | None = None
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(timeout_seconds),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=max_concurrency),
            event_hooks={"response": [_hide_location]},
        )

    async def __aenter__(self) -> PoliteClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    async def load_robots(self) -> None:
        """Read ``/robots.txt``; a missing one allows everything, an unreachable one stops the crawl.

        Redirects are followed on the configured host only, up to :data:`MAX_REDIRECTS` (RFC 9309
        asks for at least five). One off the host, or more than five, stops the crawl like an
        unreachable file: we will not guess at rules we cannot read on the host we crawl.
        """
        url = absolute("/robots.txt", self.base)
        response = await self._follow(url, {})
        parser = urllib.robotparser.RobotFileParser(url)
        if 400 <= response.status < 500:
            parser.allow_all = True
        elif response.status == 200:
            parser.parse(response.content.decode("utf-8", errors="replace").splitlines())
        else:
            raise FetchFailed(f"{shown(response.url)} answered {response.status}; "
                              "robots.txt must be readable before crawling")
        self._robots = parser

    async def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """GET with retries; follows redirects only within the host. Returns 200 or 304 responses."""
        headers = headers or {}
        response = await self._follow(url, headers)
        if response.status == 200:
            return response
        if response.status == 304:
            if {"If-None-Match", "If-Modified-Since"} & set(headers):
                return response
            raise FetchFailed(f"{shown(response.url)} answered 304 Not Modified to a request that was not conditional")
        raise FetchFailed(f"{shown(response.url)} answered HTTP {response.status} after {response.attempts} attempt(s)")

    async def _follow(self, url: str, headers: dict[str, str]) -> Response:
        """The first answer that is not a redirect, checking every hop as the first URL is checked."""
        self._check_allowed(url)
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._request(url, headers)
            if response.status not in REDIRECT_STATUSES:
                return response
            location = response.headers.get("location", "")
            if not location.strip():
                raise FetchFailed(f"{shown(url)} answered HTTP {response.status} with no Location to follow")
            try:
                target = absolute(location, url)
            except BadURL as exc:
                raise FetchRefused(f"{shown(url)} redirects to {shown(location)!r}, which {exc}") from None
            self._check_allowed(target, redirected_from=url)
            url = target
        raise FetchFailed(f"{shown(url)} redirected more than {MAX_REDIRECTS} times")

    def _check_allowed(self, url: str, redirected_from: str | None = None) -> None:
        """Refuse a URL off the configured host, one robots.txt disallows, or one httpx cannot request."""
        via = f" (redirected from {shown(redirected_from)})" if redirected_from else ""
        if not same_origin(url, self.base):
            if redirected_from:
                raise FetchRefused(f"{shown(redirected_from)} redirects off the configured host, to {shown(url)}")
            raise FetchRefused(f"{shown(url)} is not on the configured host {self.base}")
        if self._robots is not None and not self._robots.can_fetch(self.user_agent, url):
            raise FetchRefused(f"robots.txt disallows {shown(url)}{via}")
        try:
            httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise FetchRefused(f"{shown(url)}{via} is not a URL that can be requested ({exc})") from None

    async def _request(self, url: str, headers: dict[str, str]) -> Response:
        """One URL, retried on timeouts, connection errors, 429 and 5xx with back-off and jitter."""
        started = time.monotonic()
        for attempt in range(1, MAX_ATTEMPTS + 1):
            status, content, response_headers, error = await self._attempt(url, headers)
            if status and status not in RETRY_STATUSES:
                break
            problem = error or f"HTTP {status}"
            if attempt == MAX_ATTEMPTS:
                break
            delay = _retry_after(response_headers) if status in (429, 503) else None
            if delay is None:
                delay = min(30.0, 0.5 * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)
            if delay > self.retry_budget:
                raise WaitRefused(url, problem, delay)
            self.retry_budget -= delay
            self.stats.retried += 1
            self.stats.seconds_waiting += delay
            await asyncio.sleep(delay)
        if not status:
            raise FetchFailed(f"{shown(url)}: {problem} after {MAX_ATTEMPTS} attempts")
        return Response(url, status, content, response_headers, attempt,
                        int((time.monotonic() - started) * 1000))

    async def _attempt(self, url: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str], str | None]:
        """(status, body, headers, error); status 0 when no answer came (timeout, reset …)."""
        async with self._semaphore:
            self.stats.seconds_waiting += await self._limiter.wait()
            self.stats.requests += 1
            try:
                # One deadline for the whole attempt: httpx's timeouts are per read, so a server
                # sending a byte a second would never trip them.
                async with asyncio.timeout(self.timeout_seconds):
                    status, content, response_headers = await self._get_capped(url, headers)
            except TimeoutError:
                return 0, b"", {}, f"no complete answer within {self.timeout_seconds:g} s (DHR_TIMEOUT_SECONDS)"
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                return 0, b"", {}, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        self.stats.by_status[status] = self.stats.by_status.get(status, 0) + 1
        self.stats.bytes_received += len(content)
        return status, content, response_headers, None

    async def _get_capped(self, url: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        async with self._client.stream("GET", url, headers=headers) as response:
            response_headers = {k.lower(): v for k, v in response.headers.items()}
            if _HIDDEN_LOCATION in response_headers:
                response_headers["location"] = response_headers.pop(_HIDDEN_LOCATION)
            if response.status_code != 200:
                # Only a 200's body is ever used. Another's is read raw and dropped, so its size or
                # encoding cannot fail what is only a retry or a redirect; a short one is read to its
                # end so that the connection can be reused (a quiet night is mostly 304s).
                await _discard(response)
                return response.status_code, b"", response_headers
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchFailed(f"{shown(url)} is {declared} bytes, over the cap of {self.max_bytes}")
            try:
                # Raw bytes, decoded here under the cap: httpx's own decoding has no limit.
                body = CappedDecoder(response.headers.get("content-encoding", ""), self.max_bytes)
                async for chunk in response.aiter_raw():
                    body.feed(chunk)
                content = body.finish()
            except BodyRejected as exc:
                raise FetchFailed(f"{shown(url)} {exc}") from None
            return response.status_code, content, response_headers


_HIDDEN_LOCATION = "x-dhr-etl-location"
_MAX_DISCARDED_BYTES = 1 << 16


async def _discard(response: httpx.Response) -> None:
    """Read and drop a body we do not use, up to 64 kB; past that, the connection is closed instead."""
    read = 0
    async for chunk in response.aiter_raw():
        read += len(chunk)
        if read > _MAX_DISCARDED_BYTES:
            return


async def _hide_location(response: httpx.Response) -> None:
    """Keep httpx from reading ``Location``: it parses it even when not following redirects, and
    calls a malformed one a protocol error, which would be retried as if the network had failed.
    We follow redirects ourselves and judge the URL in :func:`absolute`, like any URL from the site."""
    if "location" in response.headers:
        response.headers[_HIDDEN_LOCATION] = response.headers.pop("location")


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """``If-None-Match`` / ``If-Modified-Since`` from a stored answer's validators. One that is not
    short printable ASCII (a broken or hostile site may send any bytes) cannot be sent back as a
    header, so it is left out: the page is then fetched in full, which is only slower."""
    headers = {}
    if etag and _SENDABLE_VALIDATOR.fullmatch(etag):
        headers["If-None-Match"] = etag
    if last_modified and _SENDABLE_VALIDATOR.fullmatch(last_modified):
        headers["If-Modified-Since"] = last_modified
    return headers


_SENDABLE_VALIDATOR = re.compile(r"[\x20-\x7e]{1,1024}")


def _retry_after(headers: dict[str, str]) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)
