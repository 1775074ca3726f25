"""One HTTP client for every connector: timeouts, retries with backoff, clear auth errors.

Two layers of retries, both from well-kept libraries, nothing looped by hand:
- urllib3's Retry, up to the response headers: 429 and 5xx (honouring `Retry-After`), connection
  resets, connect and read timeouts;
- tenacity, for the body: a connection dropped mid-body (truncated page) or a body that is not the
  JSON the API promises is fetched again, then fails loudly.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import orjson
import requests
import tenacity
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ingestion.errors import SourceAuthError, SourceHTTPError, SourceNotFoundError, SourcePayloadError
from ingestion.settings import SourceEndpoint

RETRY_STATUSES = (429, 500, 502, 503, 504)


class _TruncatedBody(Exception):
    """The connection closed before the whole body arrived."""


# What a refused or unresolvable connection says, in the words a user acts on.
_CONNECTION_FAILURES = (
    ("Connection refused", "connection refused"),
    ("Name or service not known", "unknown host"),
    ("Temporary failure in name resolution", "unknown host"),
    ("nodename nor servname", "unknown host"),
    ("timed out", "timed out"),
    ("Network is unreachable", "network unreachable"),
)


def _connection_failure(exc: requests.ConnectionError) -> str:
    text = str(exc)
    return next((said for needle, said in _CONNECTION_FAILURES if needle in text), "no connection")


class Pacer:
    """At most `per_minute` requests to URLs containing `path_part` in any 60 seconds.

    A request that would pass the budget waits until the oldest one in the minute ages out, so a
    long backfill runs at the account's limit instead of into a storm of 429s (which are still
    retried, honouring Retry-After, should another client share the budget).
    """

    def __init__(
        self,
        per_minute: int,
        path_part: str,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_minute = per_minute
        self.path_part = path_part
        self._clock, self._sleep = clock, sleep
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        self.waited_seconds = 0.0

    def before(self, url: str) -> None:
        if self.path_part not in url:
            return
        with self._lock:
            now = self._clock()
            while self._sent and now - self._sent[0] >= 60:
                self._sent.popleft()
            if len(self._sent) >= self.per_minute:
                wait = 60 - (now - self._sent[0])
                self._sleep(wait)
                self.waited_seconds += wait
                self._sent.popleft()
            self._sent.append(self._clock())


class SourceClient:
    """A requests session bound to one source's base URL and credentials."""

    def __init__(
        self,
        endpoint: SourceEndpoint,
        base_url: str,
        *,
        auth: tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout_seconds: float = 30.0,
        max_retries: int = 5,
        pacer: Pacer | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.pacer = pacer
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds
        backoff = float(os.environ.get("CSKPI_HTTP_BACKOFF_SECONDS", "0.5"))
        retry = Retry(
            total=max_retries,
            connect=max_retries,
            read=max_retries,
            status=max_retries,
            other=max_retries,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=None,  # every call here is a read, POST search included
            backoff_factor=backoff,
            backoff_max=60,
            respect_retry_after_header=True,
            raise_on_status=False,  # the last answer reaches _check, which names the source
        )
        self._body_retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type((_TruncatedBody, SourcePayloadError)),
            stop=tenacity.stop_after_attempt(max_retries + 1),
            wait=tenacity.wait_exponential(multiplier=backoff, max=30),
            reraise=True,
        )
        self.session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=4)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        if auth:
            self.session.auth = auth
        self.session.headers.update({"Accept": "application/json", "User-Agent": "cs-kpi-warehouse/0.1"})
        if headers:
            self.session.headers.update(headers)

    def url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def request(self, method: str, path_or_url: str, **kwargs: Any) -> requests.Response:
        url = self.url(path_or_url)
        if self.pacer:
            self.pacer.before(url)
        try:
            response = self.session.request(method, url, timeout=self.timeout_seconds, **kwargs)
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
            raise _TruncatedBody(f"{self.endpoint.source}: {method} {url}: body cut short ({exc})") from exc
        except requests.ConnectionError as exc:
            raise SourceHTTPError(
                f"{self.endpoint.source}: cannot reach {self.base_url} ({_connection_failure(exc)}): "
                f"check {self.endpoint.url_variable}"
            ) from exc
        except requests.RequestException as exc:
            raise SourceHTTPError(f"{self.endpoint.source}: {method} {url} failed after retries: {exc}") from exc
        self._check(response)
        return response

    def get_json(self, path_or_url: str, **kwargs: Any) -> tuple[bytes, Any, requests.Response]:
        """GET and return (raw body as received, parsed JSON, response)."""
        return self._json_with_retries("GET", path_or_url, **kwargs)

    def post_json(self, path_or_url: str, body: Any) -> tuple[bytes, Any, requests.Response]:
        return self._json_with_retries("POST", path_or_url, json=body)

    def _json_with_retries(self, method: str, path_or_url: str, **kwargs: Any) -> tuple[bytes, Any, requests.Response]:
        try:
            return self._body_retrying(lambda: self._json(self.request(method, path_or_url, **kwargs)))
        except _TruncatedBody as exc:
            raise SourceHTTPError(
                f"{exc}; still cut short after {self._body_retrying.stop.max_attempt_number} tries"
            ) from exc

    def _json(self, response: requests.Response) -> tuple[bytes, Any, requests.Response]:
        raw = response.content
        try:
            # Parsing pages is most of a fetch's time; orjson does it about 1.5x faster than json.loads.
            return raw, orjson.loads(raw), response
        except ValueError as exc:
            snippet = raw[:200].decode("utf-8", "replace")
            raise SourcePayloadError(
                f"{self.endpoint.source}: {response.request.method} {response.url} returned "
                f"{len(raw)} bytes that are not valid JSON ({exc}); body starts: {snippet!r}"
            ) from exc

    def _check(self, response: requests.Response) -> None:
        if response.status_code in (401, 403):
            names = " and ".join(self.endpoint.credential_variables)
            raise SourceAuthError(
                f"{self.endpoint.source}: {response.request.method} {response.url} was refused with "
                f"HTTP {response.status_code}. The credentials are missing, wrong or expired: "
                f"set {names} (and {self.endpoint.url_variable} for the account's URL)."
            )
        if response.status_code == 404:
            # its own type, so a look-up by id can tell "no such record" from a failing source
            raise SourceNotFoundError(
                f"{self.endpoint.source}: {response.request.method} {response.url} answered HTTP 404"
            )
        if response.status_code >= 400:
            raise SourceHTTPError(
                f"{self.endpoint.source}: {response.request.method} {response.url} answered "
                f"HTTP {response.status_code} after retries: {response.text[:300]!r}"
            )
