"""Access: read-only by default; an operator (one shared password) may upload and record judgements.

Sessions live in memory (a random token in an HttpOnly, SameSite=Strict cookie). Every session, signed in
or not, has a CSRF token; every form or POST that changes state must carry it (form field `csrf` or header
`X-CSRF-Token`). The JSON check API (`POST /api/check`) changes nothing and is exempt."""

from __future__ import annotations

import hmac
import secrets
import threading
import time

COOKIE = "clemency_session"
SESSION_TTL = 12 * 3600


class Sessions:
    def __init__(self, password: str):
        self.password = password
        self._data: dict[str, dict] = {}
        self._lock = threading.Lock()

    def get(self, token: str | None) -> tuple[str, dict]:
        """The session of this token, or a new one (token, session)."""
        now = time.time()
        with self._lock:
            if token and token in self._data and now - self._data[token]["seen"] < SESSION_TTL:
                s = self._data[token]
                s["seen"] = now
                return token, s
            token = secrets.token_urlsafe(32)
            s = {"operator": False, "csrf": secrets.token_urlsafe(32), "seen": now, "new": True}
            self._data[token] = s
            if len(self._data) > 10_000:
                oldest = sorted(self._data, key=lambda k: self._data[k]["seen"])[:1000]
                for k in oldest:
                    self._data.pop(k, None)
            return token, s

    def check_password(self, given: str) -> bool:
        return hmac.compare_digest(given.encode("utf-8"), self.password.encode("utf-8"))

    def sign_in(self, token: str) -> str:
        """Mark the session as an operator's under a fresh token (no session fixation); the new token."""
        with self._lock:
            old = self._data.pop(token, None) or {}
            new = secrets.token_urlsafe(32)
            self._data[new] = {"operator": True, "csrf": secrets.token_urlsafe(32), "seen": time.time(),
                               "new": True, "lang": old.get("lang")}
            return new

    def sign_out(self, token: str) -> None:
        with self._lock:
            self._data.pop(token, None)


def csrf_ok(session: dict, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(str(given), session["csrf"])
