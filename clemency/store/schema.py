"""The tables of the web application's store (SQLAlchemy Core). Migrations in `migrations/` create them.

Times are seconds since the epoch (float), JSON is stored as text: the same on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, ForeignKey, Integer, MetaData, String, Table, Text

metadata = MetaData()

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created", Float, nullable=False),
)

sessions = Table(
    "sessions", metadata,
    # the SHA-256 of the cookie's token: the database never holds a usable session token
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created", Float, nullable=False),
    Column("seen", Float, nullable=False),
    Column("address", String(64), nullable=True),
)

sign_in_failures = Table(
    "sign_in_failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_name", String(64), nullable=False, index=True),
    Column("address", String(64), nullable=False, index=True),
    Column("at", Float, nullable=False, index=True),
)

runs = Table(
    "runs", metadata,
    Column("id", String(40), primary_key=True),
    Column("file", String(120), nullable=False),
    Column("act", String(64), nullable=False),
    Column("readings", Text, nullable=False),
    Column("on_date", String(10), nullable=True),
    Column("state", String(16), nullable=False),
    Column("step", String(64), nullable=True),
    Column("error", Text, nullable=True),
    Column("rows", Text, nullable=True),
    Column("bytes", Integer, nullable=True),
    Column("seconds", Float, nullable=True),
    Column("owner", String(64), nullable=True),
    Column("published", Boolean, nullable=False, default=False),
    Column("created", Float, nullable=False, index=True),
    Column("heartbeat", Float, nullable=True),
)

judgements = Table(
    "judgements", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("left_id", String(200), nullable=False),
    Column("right_id", String(200), nullable=False),
    Column("judgement", String(16), nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("at", Float, nullable=False),
    Column("note", Text, nullable=False, default=""),
)

audit = Table(
    "audit", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("object", String(200), nullable=False),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# one row (id 1): the last sequence number and hash of the audit chain; updating it serialises appends
audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

settings = Table(
    "settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
