"""The ASGI guard around every request: body size limits and slow-client timeouts, the signed-in session
(from the store), the anonymous CSRF cookie, the page language, and the security headers."""

from __future__ import annotations

import os
import secrets

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from clemency.web.auth import ANON_COOKIE, COOKIE, anon_csrf
from clemency.web.common import SMALL_BODY, WebConfig, error_response
from clemency.web.i18n import LANGUAGES, pick_language

# no inline scripts, no inline styles, nothing from elsewhere; pages may not be framed
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# self-contained reports (inline CSS and SVG) get no scripts and no network at all
CSP_REPORT = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
              "frame-ancestors 'none'")
BODY_IDLE = float(os.environ.get("CLEMENCY_BODY_TIMEOUT") or 20)   # seconds of silence while a body is sent
SMALL_DEADLINE = 1.5 * BODY_IDLE                                    # seconds to send a whole small body


class TooLarge(Exception):
    pass


MAX_LIST_UPLOAD = 10 * 1024 * 1024


class TooSlow(Exception):
    pass


def body_limit(scope, config: WebConfig) -> int:
    if scope["method"] == "POST" and scope["path"] == "/runs":
        return config.max_upload
    if scope["method"] == "POST" and scope["path"] == "/monitor/lists":   # a list version: smaller than a registry
        return min(config.max_upload, MAX_LIST_UPLOAD)
    return SMALL_BODY


class Guard:
    def __init__(self, app, config: WebConfig, store):
        self.app, self.config, self.store = app, config, store

    def tls(self, scope) -> bool:
        return self.config.secure_cookies or scope.get("scheme") == "https"

    def headers(self, scope, extra: list) -> list:
        h = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
             (b"referrer-policy", b"no-referrer"), (b"cross-origin-opener-policy", b"same-origin"),
             (b"permissions-policy", b"camera=(), microphone=(), geolocation=()")]
        if self.tls(scope):
            h.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        names = {k.lower() for k, _ in extra}
        if b"content-security-policy" not in names:
            h.append((b"content-security-policy", CSP.encode()))
        if b"cache-control" not in names and not scope["path"].startswith("/static/"):
            h.append((b"cache-control", b"no-store"))
        return h

    def cookie(self, scope, name: str, value: str, max_age: int | None = None) -> tuple[bytes, bytes]:
        parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
        if self.tls(scope):
            parts.append("Secure")
        return b"set-cookie", "; ".join(parts).encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        state = scope.setdefault("state", {})
        state["lang"] = lang = pick_language(request.query_params.get("lang"), request.cookies.get("clemency_lang"),
                                             request.headers.get("accept-language"))   # a refusal's page too
        limit = body_limit(scope, self.config)
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            response = error_response(request, 413, "the request body is too large",
                                      [f"the limit here is {limit:,} bytes"])
            return await self._send_plain(scope, receive, send, response)
        received = 0
        deadline = anyio.current_time() + (SMALL_DEADLINE if limit == SMALL_BODY else 10 ** 9)

        async def limited_receive():
            nonlocal received
            timeout = min(BODY_IDLE, max(0.0, deadline - anyio.current_time()))
            with anyio.move_on_after(timeout) as cancel:
                message = await receive()
            if cancel.cancelled_caught:
                raise TooSlow()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge()
            return message

        token = request.cookies.get(COOKIE)
        session = await run_in_threadpool(self.store.sessions.get, token) if token else None
        anon = request.cookies.get(ANON_COOKIE) or ""
        new_anon = not (16 <= len(anon) <= 64 and anon.isascii() and anon.replace("-", "").replace("_", "").isalnum())
        if new_anon:
            anon = secrets.token_urlsafe(24)
        state.update(user=session, role=session.role if session else "anonymous",
                     csrf=session.csrf if session else anon_csrf(self.store.secret, anon))
        started = False

        async def guarded_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                if "set_session" in state:
                    value = state["set_session"]
                    headers.append(self.cookie(scope, COOKIE, value, None if value else 0))
                elif token and session is None:
                    headers.append(self.cookie(scope, COOKIE, "", 0))  # a stale cookie is dropped
                if new_anon:
                    headers.append(self.cookie(scope, ANON_COOKIE, anon))
                if request.query_params.get("lang") in LANGUAGES:
                    headers.append(self.cookie(scope, "clemency_lang", lang, 365 * 86400))
                headers.extend(self.headers(scope, headers))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except TooLarge:
            if not started:
                response = error_response(request, 413, "the request body is too large",
                                          [f"more than {limit:,} bytes received; the limit here is {limit:,} bytes"])
                await self._send_plain(scope, receive, send, response, close=True)
        except TooSlow:
            if not started:
                response = error_response(request, 408, "the request body came too slowly", [])
                await self._send_plain(scope, receive, send, response, close=True)

    async def _send_plain(self, scope, receive, send, response, close: bool = False):
        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if close:
                    headers.append((b"connection", b"close"))
                headers.extend(self.headers(scope, headers))
                message["headers"] = headers
            await send(message)
        await response(scope, receive, with_headers)
