"""Sign-in throttling per account and per address, lockout, and what the audit log records of it."""

from __future__ import annotations

import time

from clemency.store import open_store
from clemency.store.users import ADDRESS_LIMIT, LOCK_AFTER
from tests.security.helpers import PASSWORDS, csrf_of


def attempt(site, name, password, address):
    c = site["server"].client(headers={"x-forwarded-for": address})
    return c.post("/login", data={"csrf": csrf_of(c), "username": name, "password": password})


def test_account_locks_after_repeated_failures(site):
    st = open_store(site["data"])
    st.users.add("lockme", "viewer", "the-right-password")
    statuses = [attempt(site, "lockme", f"wrong-{i}", f"10.4.0.{i}").status_code for i in range(LOCK_AFTER)]
    assert statuses == [401] * LOCK_AFTER
    r = attempt(site, "lockme", "the-right-password", "10.4.1.1")     # right password, other address: locked
    assert r.status_code == 429 and "too many failed sign-ins" in r.text and int(r.headers["retry-after"]) > 60
    st.users.unlock("lockme")
    assert attempt(site, "lockme", "the-right-password", "10.4.1.2").status_code == 303


def test_unknown_names_are_throttled_the_same_way(site):
    for i in range(LOCK_AFTER):
        assert attempt(site, "nobody-at-all", "x", f"10.4.2.{i}").status_code == 401
    assert attempt(site, "nobody-at-all", "x", "10.4.3.1").status_code == 429


def test_an_address_is_refused_after_many_failures(site):
    addr = "10.4.9.9"
    t0 = time.time()
    codes = [attempt(site, f"spray{i}", "guess", addr).status_code for i in range(ADDRESS_LIMIT + 5)]
    assert codes[:ADDRESS_LIMIT] == [401] * ADDRESS_LIMIT and set(codes[ADDRESS_LIMIT:]) == {429}
    # even the right password of a real user is refused from that address now
    assert attempt(site, "viewer", PASSWORDS["viewer"], addr).status_code == 429
    assert attempt(site, "viewer", PASSWORDS["viewer"], "10.4.9.10").status_code == 303
    # 300 guesses are far out of reach: after 20 the address gets nothing but 429s
    assert time.time() - t0 < 120


def test_audit_names_user_address_action_never_the_password(site):
    attempt(site, "viewer", "a-wrong-password-here", "10.4.5.5")
    attempt(site, "viewer", PASSWORDS["viewer"], "10.4.5.6")
    entries = open_store(site["data"]).audit.entries()
    failed = [e for e in entries if e["action"] == "sign_in_failed" and e["address"] == "10.4.5.5"]
    ok = [e for e in entries if e["action"] == "sign_in" and e["address"] == "10.4.5.6"]
    assert failed and failed[-1]["object"] == "user:viewer"
    assert ok and ok[-1]["user_name"] == "viewer"
    text = repr(entries)
    assert "a-wrong-password-here" not in text and PASSWORDS["viewer"] not in text


def test_passwords_are_argon2_and_long(site):
    import pytest

    from clemency.store import UserError
    st = open_store(site["data"])
    with pytest.raises(UserError, match="at least 12"):
        st.users.add("shorty", "viewer", "elevenchars")
    from clemency.store.schema import users
    with st.engine.begin() as conn:
        hashes = [r.password_hash for r in conn.execute(users.select())]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(pw in h for h in hashes for pw in PASSWORDS.values())
