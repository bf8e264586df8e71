"""Signed-in sessions. The cookie holds a random token; the store holds only its SHA-256, the user, a CSRF
token and times. A session ends after IDLE seconds without a request or MAX_AGE seconds in all."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import Engine

from clemency.store.schema import sessions, users

IDLE = 8 * 3600
MAX_AGE = 24 * 3600
TOUCH_EVERY = 60


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class Session:
    user_id: int
    user: str
    role: str
    csrf: str


class Sessions:
    def __init__(self, engine: Engine):
        self.engine = engine

    def create(self, user_id: int, address: str) -> tuple[str, Session]:
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), time.time()
        with self.engine.begin() as conn:
            conn.execute(insert(sessions).values(token_hash=token_hash(token), user_id=user_id, csrf=csrf,
                                                 created=now, seen=now, address=str(address)[:64]))
            conn.execute(delete(sessions).where(or_(sessions.c.seen < now - IDLE, sessions.c.created < now - MAX_AGE)))
        return token, self.get(token)

    def get(self, token: str | None) -> Session | None:
        """The live session of a cookie's token, or None (unknown, expired, or its user disabled)."""
        if not token or len(token) > 200:
            return None
        h, now = token_hash(token), time.time()
        with self.engine.begin() as conn:
            row = conn.execute(select(sessions.c.user_id, sessions.c.csrf, sessions.c.seen, sessions.c.created,
                                      users.c.name, users.c.role, users.c.disabled)
                               .join(users, users.c.id == sessions.c.user_id)
                               .where(sessions.c.token_hash == h)).first()
            if row is None:
                return None
            if row.disabled or row.seen < now - IDLE or row.created < now - MAX_AGE:
                conn.execute(delete(sessions).where(sessions.c.token_hash == h))
                return None
            if now - row.seen > TOUCH_EVERY:
                conn.execute(update(sessions).where(sessions.c.token_hash == h).values(seen=now))
        return Session(row.user_id, row.name, row.role, row.csrf)

    def end(self, token: str | None) -> None:
        if token:
            with self.engine.begin() as conn:
                conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash(token)))
