"""Opening the store: an engine for a SQLAlchemy URL (SQLite in the data folder by default), migrations.

One code path for SQLite and PostgreSQL. On SQLite every transaction begins with BEGIN IMMEDIATE (writers
queue instead of failing) in WAL mode with a busy timeout, so several server processes can share the file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import create_engine, event, insert, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError

from clemency.errors import ClemencyError
from clemency.store.schema import settings

MIGRATIONS = Path(__file__).parent / "migrations"
DB_FILE = "clemency.db"


class StoreError(ClemencyError):
    """The store cannot be opened or used (a bad URL, an unreachable server, a schema too old)."""


def default_url(data_dir: str | Path) -> str:
    return f"sqlite:///{Path(data_dir).resolve() / DB_FILE}"


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable database URL)"


def make_engine(url: str) -> Engine:
    try:
        u = make_url(url)
    except ArgumentError:
        raise StoreError("the database URL is not valid", hint="sqlite:///path/clemency.db or "
                         "postgresql+psycopg://user@host/db") from None
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            path = Path(u.database)
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not path.exists():
                fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
                os.close(fd)
        engine = create_engine(u, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=8,
                               max_overflow=8, pool_pre_ping=False)

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        return engine
    if u.get_backend_name() != "postgresql":
        raise StoreError(f"unsupported database {u.get_backend_name()!r}", hint="SQLite or PostgreSQL")
    return create_engine(u, pool_pre_ping=True, pool_size=5, max_overflow=5)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (Alembic). Safe to call on an up-to-date store."""
    from alembic import command
    from alembic.config import Config
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # one migrator at a time across processes
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7202511)")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        raise StoreError(f"the database cannot be reached or written ({exc.orig.__class__.__name__})") from None


def secret(engine: Engine, key: str = "csrf_secret") -> str:
    """A random secret kept in the store (created once, shared by every server process)."""
    with engine.begin() as conn:
        value = conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar()
        if value:
            return value
    try:
        with engine.begin() as conn:
            conn.execute(insert(settings).values(key=key, value=secrets.token_hex(32)))
    except IntegrityError:
        pass  # another process created it first
    with engine.begin() as conn:
        return conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar_one()
