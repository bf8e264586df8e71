"""Named users with roles, Argon2 password hashes, sign-in throttling and lockout.

Roles, each including the ones before it: viewer (reads runs, decisions, person and monitor pages),
operator (uploads registries, records judgements, publishes reports), admin (manages users).
Passwords have at least MIN_PASSWORD characters. After LOCK_AFTER failed sign-ins to one account within
WINDOW seconds the account is locked for the rest of that window, whether the password is then right or
not; an address with ADDRESS_LIMIT failures within WINDOW is refused too. Unknown names are throttled the
same way (nothing tells an unknown name from a locked one)."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from clemency.errors import ClemencyError
from clemency.store.schema import sessions, sign_in_failures, users

ROLES = ("viewer", "operator", "admin")
RANK = {"anonymous": 0, "viewer": 1, "operator": 2, "admin": 3}
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
LOCK_AFTER = 5
ADDRESS_LIMIT = 20
WINDOW = 15 * 60
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


class UserError(ClemencyError):
    """A bad user name, role or password, or an unknown user."""


class Throttled(ClemencyError):
    """Too many failed sign-ins for this account or address."""

    def __init__(self, seconds: int):
        self.seconds = seconds
        super().__init__(f"too many failed sign-ins; try again in {max(1, -(-seconds // 60))} minute(s)")


def hasher() -> PasswordHasher:
    # Argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile). CLEMENCY_TEST_FAST_HASH=1 is for the
    # test suite only: hashes carry their own parameters, so either kind verifies anywhere.
    if os.environ.get("CLEMENCY_TEST_FAST_HASH") == "1":
        from argon2.profiles import CHEAPEST
        return PasswordHasher.from_parameters(CHEAPEST)
    return PasswordHasher()


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    disabled: bool
    created: float


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise UserError("a user name is 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter "
                        "or digit")
    return name


def check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise UserError(f"the password is too short: at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"the password is too long: at most {MAX_PASSWORD} characters")
    return password


def _user(row) -> User:
    return User(row.id, row.name, row.role, bool(row.disabled), row.created)


class Users:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._dummy: str | None = None

    def add(self, name: str, role: str, password: str) -> User:
        check_name(name)
        if role not in ROLES:
            raise UserError(f"unknown role {role!r}", hint=f"one of {', '.join(ROLES)}")
        digest = hasher().hash(check_password(password))
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(users).values(name=name, role=role, password_hash=digest, disabled=False,
                                                  created=time.time()))
        except IntegrityError:
            raise UserError(f"a user named {name!r} exists already") from None
        return self.get(name)

    def get(self, name: str) -> User:
        with self.engine.begin() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        if row is None:
            raise UserError(f"no user named {name!r}")
        return _user(row)

    def by_id(self, user_id: int) -> User | None:
        with self.engine.begin() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
        return _user(row) if row else None

    def all(self) -> list[User]:
        with self.engine.begin() as conn:
            return [_user(r) for r in conn.execute(select(users).order_by(users.c.name))]

    def set_disabled(self, name: str, disabled: bool = True) -> User:
        user = self.get(name)
        with self.engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == user.id).values(disabled=disabled))
            if disabled:  # signs the user out everywhere
                conn.execute(delete(sessions).where(sessions.c.user_id == user.id))
        return self.get(name)

    def set_role(self, name: str, role: str) -> User:
        if role not in ROLES:
            raise UserError(f"unknown role {role!r}", hint=f"one of {', '.join(ROLES)}")
        user = self.get(name)
        with self.engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == user.id).values(role=role))
        return self.get(name)

    def set_password(self, name: str, password: str) -> User:
        digest = hasher().hash(check_password(password))
        user = self.get(name)
        with self.engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == user.id).values(password_hash=digest))
            conn.execute(delete(sessions).where(sessions.c.user_id == user.id))
        return user

    def unlock(self, name: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(sign_in_failures).where(sign_in_failures.c.user_name == name))

    # ---- signing in ------------------------------------------------------------------------------------

    def throttle(self, name: str, address: str, now: float | None = None) -> None:
        """Raise Throttled when this account or this address has failed too often lately."""
        now = time.time() if now is None else now
        since = now - WINDOW
        with self.engine.begin() as conn:
            by_name = conn.execute(select(func.count(), func.min(sign_in_failures.c.at)).where(
                sign_in_failures.c.user_name == name[:64], sign_in_failures.c.at > since)).first()
            by_addr = conn.execute(select(func.count(), func.min(sign_in_failures.c.at)).where(
                sign_in_failures.c.address == address[:64], sign_in_failures.c.at > since)).first()
        for (count, first), limit in ((by_name, LOCK_AFTER), (by_addr, ADDRESS_LIMIT)):
            if count >= limit:
                raise Throttled(int(first + WINDOW - now) + 1)

    def authenticate(self, name: str, password: str, address: str) -> User | None:
        """The user when the name and password are right and the account is enabled and not locked; None
        otherwise (recorded as a failure). Raises Throttled before checking anything when locked."""
        name, address = str(name)[:64], str(address)[:64]
        self.throttle(name, address)
        row = None
        if NAME.fullmatch(name):
            with self.engine.begin() as conn:
                row = conn.execute(select(users).where(users.c.name == name)).first()
        ph = hasher()
        ok = False
        pw = str(password)[:MAX_PASSWORD]
        try:
            if row is None:
                if self._dummy is None:
                    self._dummy = ph.hash("not a password, only for equal timing")
                ph.verify(self._dummy, pw + "x")
            else:
                ok = ph.verify(row.password_hash, pw)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok or row is None or row.disabled:
            with self.engine.begin() as conn:
                conn.execute(insert(sign_in_failures).values(user_name=name, address=address, at=time.time()))
                conn.execute(delete(sign_in_failures).where(sign_in_failures.c.at < time.time() - 86400))
            return None
        if ph.check_needs_rehash(row.password_hash) and os.environ.get("CLEMENCY_TEST_FAST_HASH") != "1":
            with self.engine.begin() as conn:
                conn.execute(update(users).where(users.c.id == row.id).values(password_hash=ph.hash(pw)))
        return _user(row)
