"""The one HTTP client of the live tracker collectors (GitHub, Jira, Azure DevOps).

What it does for every request, so the collectors only speak their API:

- timeouts on connect and read, and `MAX_REQUEST_SECONDS` for a whole response;
  responses bigger than `MAX_RESPONSE_BYTES` are refused;
- retries with exponential backoff on 5xx answers and connection errors, then an
  error naming the host and the number of attempts;
- rate limits: a 429, or a 403 that GitHub marks as a limit (`X-RateLimit-Remaining: 0`
  or `Retry-After`), waits as told (`Retry-After` seconds, else until
  `X-RateLimit-Reset`); a response that spends the last of the quota makes the
  next request wait. A wait longer than `max_wait` is an error that says until when;
- 401/403/404 and redirects (a sign-in page) become errors that say what to do;
- every body must be strict JSON (`collectors.json_util`), read as untrusted input.

The token lives only in the request headers: no message, progress line or record
built here contains a header. Waits go through a `Clock`, so tests run them instantly.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from auditor.kernel.errors import ApiError, InputFormatError
from collectors.files import FileBytes
from collectors.json_util import load_json

MAX_RESPONSE_BYTES = 64 * 1024 * 1024
MAX_REQUEST_SECONDS = 300  # the read timeout is per chunk; this bounds a whole response
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_RETRIES = 4  # after the first attempt
DEFAULT_MAX_WAIT = 15 * 60.0  # seconds one rate-limit wait may take before we give up
MAX_RATE_LIMIT_WAITS = 20  # per request; a server that never lets us through is an error
_SNIPPET = 200


class Clock(Protocol):
    def now(self) -> float:
        """Unix seconds."""

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass(slots=True)
class ApiProgress:
    """What one source's collection did, for the summary and for live messages."""

    requests: int = 0
    pages: int = 0
    items: int = 0
    retries: int = 0
    waits: int = 0  # rate-limit waits
    waited_seconds: float = 0.0
    notify: Callable[[str], None] | None = field(default=None, repr=False)

    def say(self, message: str) -> None:
        if self.notify is not None:
            self.notify(message)

    def summary(self) -> str:
        text = f"{self.requests} requests, {self.pages} pages, {self.items} items"
        if self.retries:
            text += f", {self.retries} retries"
        if self.waits:
            text += f", {self.waits} rate-limit waits ({self.waited_seconds:.0f} s)"
        return text


@dataclass(frozen=True, slots=True)
class ApiResponse:
    url: str  # without query string: what messages show
    status: int
    headers: httpx.Headers
    data: Any  # the parsed JSON body


def shown(text: str) -> str:
    """Server-provided text for a message: one line, printable, bounded."""
    flat = "".join(ch if ch.isprintable() else " " for ch in text)
    flat = " ".join(flat.split())
    return flat if len(flat) <= _SNIPPET else flat[:_SNIPPET] + "…"


def without_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"  # no credentials


@dataclass(frozen=True, slots=True)
class AuthHelp:
    """What a service's token needs, said on 401/403: the variable and the permissions."""

    token_env: str | None
    needs: str  # e.g. "read access to issues and pull requests (classic token: repo)"


class ApiClient:
    """GET/POST JSON against one service, with retries, rate limits and plain errors."""

    def __init__(
        self,
        base_url: str,
        *,
        service: str,
        headers: dict[str, str],
        auth: AuthHelp,
        not_found: str,
        clock: Clock | None = None,
        progress: ApiProgress | None = None,
        retries: int = DEFAULT_RETRIES,
        max_wait: float = DEFAULT_MAX_WAIT,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ):
        self.base_url = base_url.rstrip("/")
        self.service = service
        self.auth = auth
        self.not_found = not_found
        self.clock: Clock = clock or SystemClock()
        self.progress = progress or ApiProgress()
        self.retries = retries
        self.max_wait = max_wait
        self._resume_at: float | None = None  # the quota is spent until then
        self._http = httpx.Client(
            headers={"User-Agent": "provenance-auditor", **headers},
            timeout=timeout,
            follow_redirects=False,  # a redirect is a sign-in page or a moved API: say so
            trust_env=True,  # proxies from HTTPS_PROXY / NO_PROXY, as CI runners set them
        )

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    def get(self, path: str, params: dict[str, Any] | None = None) -> ApiResponse:
        response = self._send("GET", self.url(path), params=params)
        assert response is not None  # only missing_ok answers None
        return response

    def get_optional(self, path: str, params: dict[str, Any] | None = None) -> ApiResponse | None:
        """GET, with None for 404 (a deleted account's profile, say) instead of an error."""
        return self._send("GET", self.url(path), params=params, missing_ok=True)

    def post(
        self, path: str, body: dict[str, Any], params: dict[str, Any] | None = None
    ) -> ApiResponse:
        response = self._send("POST", self.url(path), params=params, body=body)
        assert response is not None
        return response

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        missing_ok: bool = False,
    ) -> ApiResponse | None:
        where = without_query(url)
        failures = 0
        limited = 0
        while True:
            self._wait_for_quota(where)
            try:
                status, headers, data = self._exchange(method, url, params, body)
            except httpx.TransportError as exc:
                failures += 1
                if failures > self.retries:
                    host = urlsplit(url).hostname
                    raise ApiError(
                        f"{self.service}: cannot reach {host} after {failures} attempts "
                        f"({type(exc).__name__}: {shown(str(exc))}); check the URL, proxy "
                        f"and network, then re-run (pages already stored are kept)",
                        location=where,
                    ) from exc
                self._backoff(failures, f"{type(exc).__name__}")
                continue
            self.progress.requests += 1
            wait = self._rate_limit_wait(status, headers, data, limited)
            if wait is not None:
                limited += 1
                if limited > MAX_RATE_LIMIT_WAITS:
                    raise ApiError(
                        f"{self.service} kept answering {status} (rate limited) after "
                        f"{MAX_RATE_LIMIT_WAITS} waits; re-run later",
                        location=where,
                    )
                self._rate_wait(wait, where)
                continue
            if status >= 500:
                failures += 1
                if failures > self.retries:
                    raise ApiError(
                        f"{self.service} answered {status} {failures} times in a row "
                        f"({_body_text(data)}); the service is failing, re-run later "
                        f"(pages already stored are kept)",
                        location=where,
                    )
                self._backoff(failures, f"HTTP {status}")
                continue
            if status == 404 and missing_ok:
                return None
            self._check_status(method, where, status, headers, data)
            self._note_quota(headers)
            try:
                parsed = load_json(FileBytes(f"{method} {where}", data, _digest(data)))
            except InputFormatError as exc:
                kind = headers.get("Content-Type", "no content type").split(";")[0]
                raise ApiError(
                    f"{self.service} did not answer JSON ({status}, {shown(kind)}: "
                    f"{exc.message}): a sign-in page means the token was not accepted "
                    f"(Azure DevOps answers a bad token so); else check that the URL is the API's",
                    location=where,
                ) from exc
            return ApiResponse(where, status, headers, parsed)

    def _exchange(
        self, method: str, url: str, params: dict[str, Any] | None, body: dict[str, Any] | None
    ) -> tuple[int, httpx.Headers, bytes]:
        started = time.monotonic()
        with self._http.stream(method, url, params=params, json=body) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if time.monotonic() - started > MAX_REQUEST_SECONDS:  # a trickling server
                    raise httpx.ReadTimeout(f"response took over {MAX_REQUEST_SECONDS} s")
                if size > MAX_RESPONSE_BYTES:
                    raise ApiError(
                        f"{self.service} answered more than {MAX_RESPONSE_BYTES} bytes; "
                        f"refusing to read it",
                        location=without_query(url),
                    )
                chunks.append(chunk)
            return response.status_code, response.headers, b"".join(chunks)

    # --- rate limits -------------------------------------------------------------------

    def _rate_limit_wait(
        self, status: int, headers: httpx.Headers, data: bytes, earlier: int
    ) -> float | None:
        """Seconds to wait before trying again, or None when this is not a rate limit.

        `earlier` counts the rate-limit answers this request already had: GitHub asks
        for "at least one minute", then exponentially longer, when it gives no hint.
        """
        if status not in (403, 429):
            return None
        unhinted = 60.0 * 2**earlier
        retry_after = _number(headers.get("Retry-After"))
        if retry_after is not None:  # GitHub secondary limits, Jira, Azure DevOps
            return max(retry_after, 0.0)
        if headers.get("X-RateLimit-Remaining") == "0":  # GitHub primary limit
            reset = _number(headers.get("X-RateLimit-Reset"))
            if reset is not None:
                return max(reset - self.clock.now(), 0.0) + 1.0  # its clock is in seconds
            return unhinted
        if status == 429 or b"secondary rate limit" in data[:2000].lower():
            return unhinted  # no hint: a minute, then longer, as GitHub documents
        return None

    def _note_quota(self, headers: httpx.Headers) -> None:
        if headers.get("X-RateLimit-Remaining") == "0":
            reset = _number(headers.get("X-RateLimit-Reset"))
            if reset is not None:
                self._resume_at = reset + 1.0

    def _wait_for_quota(self, where: str) -> None:
        if self._resume_at is None:
            return
        wait = self._resume_at - self.clock.now()
        self._resume_at = None
        if wait > 0:
            self._rate_wait(wait, where)

    def _rate_wait(self, seconds: float, where: str) -> None:
        until = datetime.fromtimestamp(self.clock.now() + seconds, UTC).strftime("%H:%M:%S UTC")
        if seconds > self.max_wait:
            raise ApiError(
                f"{self.service} rate limit: asked to wait {seconds:.0f} s (until {until}), "
                f"more than the {self.max_wait:.0f} s a run waits; re-run after that "
                f"(pages already stored are kept and the run resumes)",
                location=where,
            )
        self.progress.waits += 1
        self.progress.waited_seconds += seconds
        self.progress.say(f"{self.service} rate limit: waiting {seconds:.0f} s (until {until})")
        self.clock.sleep(seconds)

    def _backoff(self, failures: int, reason: str) -> None:
        seconds = float(min(2 ** (failures - 1), 30))
        self.progress.retries += 1
        self.progress.say(
            f"{self.service}: {reason}, retry {failures} of {self.retries} in {seconds:.0f} s"
        )
        self.clock.sleep(seconds)

    # --- errors ------------------------------------------------------------------------

    def _check_status(
        self, method: str, where: str, status: int, headers: httpx.Headers, data: bytes
    ) -> None:
        if status < 300:
            return
        token = f"the token in ${self.auth.token_env}" if self.auth.token_env else "no token"
        if 300 <= status < 400:
            target = without_query(headers.get("Location", "")) or "elsewhere"
            raise ApiError(
                f"{self.service} redirected {method} to {shown(target)} ({status}): usually a "
                f"sign-in page for a missing or invalid token ({token}), or a wrong URL",
                location=where,
            )
        if status == 401:
            raise ApiError(
                f"{self.service} rejected {token} (401 Unauthorized: {_body_text(data)}): "
                f"it is missing, expired or revoked; it needs {self.auth.needs}",
                location=where,
            )
        if status == 403:
            scopes = ""
            accepted = headers.get("X-Accepted-OAuth-Scopes")
            if accepted is not None:
                scopes = (
                    f"; this endpoint accepts scopes [{shown(accepted)}], the token has "
                    f"[{shown(headers.get('X-OAuth-Scopes', ''))}]"
                )
            raise ApiError(
                f"{self.service} refused {token} (403 Forbidden: {_body_text(data)}): it lacks "
                f"a permission; it needs {self.auth.needs}{scopes}",
                location=where,
            )
        if status == 404:
            raise ApiError(
                f"{self.service} answered 404 Not Found: {self.not_found} (a private one "
                f"also answers 404 when {token} cannot see it)",
                location=where,
            )
        raise ApiError(
            f"{self.service} refused {method} ({status}: {_body_text(data)})", location=where
        )


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value.strip())
    except ValueError:
        return None  # an HTTP-date Retry-After: treated as no hint


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _body_text(data: bytes) -> str:
    """The service's own words: GitHub/ADO `message`, Jira `errorMessages`, else the text."""
    import json

    try:
        value = json.loads(data.decode("utf-8", "replace"))
    except ValueError:
        return shown(data[:1000].decode("utf-8", "replace")) or "no message"
    if isinstance(value, dict):
        for key in ("message", "errorMessage"):
            if isinstance(value.get(key), str):
                return shown(value[key])
        messages = value.get("errorMessages")
        if isinstance(messages, list) and messages:
            return shown("; ".join(str(m) for m in messages))
    return shown(str(value))
