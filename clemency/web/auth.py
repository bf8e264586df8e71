"""Cookies, CSRF and the sign-in redirect.

Signed-in sessions live in the store (clemency.store.sessions): the cookie `clemency_session` holds a
random token (HttpOnly, SameSite=Strict, Secure behind TLS). A visitor who has not signed in gets no server
state at all, only the cookie `clemency_anon` (random), from which the CSRF token of the sign-in form is
derived with the store's secret (HMAC). Every form or POST that changes state must carry the CSRF token
(form field `csrf` or header `X-CSRF-Token`); `POST /api/check` and the check form change nothing and
are exempt."""

from __future__ import annotations

import hashlib
import hmac
import re

COOKIE = "clemency_session"
ANON_COOKIE = "clemency_anon"
_LOCAL = re.compile(r"/(?![/\\])[A-Za-z0-9/_.\-~%?=&+]*")


def anon_csrf(secret: str, anon: str) -> str:
    return hmac.new(secret.encode(), ("csrf:" + anon).encode(), hashlib.sha256).hexdigest()


def csrf_ok(expected: str, given) -> bool:
    return bool(expected) and isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


def safe_next(value, default: str = "/runs") -> str:
    """`next` after signing in: a local path only (no scheme, no host, no `//` or `/\\`), else the default."""
    if not isinstance(value, str) or len(value) > 500 or not _LOCAL.fullmatch(value):
        return default
    return value
