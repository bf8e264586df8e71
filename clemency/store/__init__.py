"""The store of the web application: users, sessions, runs, review judgements and the audit log, in SQLite
(a file in the data folder, nothing to install) or PostgreSQL, through SQLAlchemy Core; schema by Alembic.

    store = open_store(data_dir, url=None)   # migrates to the newest schema unless migrate=False
    store.users.add("amina", "operator", password)
    store.audit.verify()
"""

from __future__ import annotations

from pathlib import Path

from clemency.store.audit import Audit, Verdict
from clemency.store.db import StoreError, default_url, describe, make_engine, migrate, secret
from clemency.store.runs import Judgements, Runs
from clemency.store.sessions import Session, Sessions
from clemency.store.users import MIN_PASSWORD, RANK, ROLES, Throttled, User, UserError, Users


class Store:
    def __init__(self, url: str, do_migrate: bool = True):
        self.url = url
        self.engine = make_engine(url)
        if do_migrate:
            migrate(self.engine)
        self.users = Users(self.engine)
        self.sessions = Sessions(self.engine)
        self.runs = Runs(self.engine)
        self.judgements = Judgements(self.engine)
        self.audit = Audit(self.engine)

    @property
    def secret(self) -> str:
        if not hasattr(self, "_secret"):
            self._secret = secret(self.engine)
        return self._secret

    def close(self) -> None:
        self.engine.dispose()


def open_store(data_dir: str | Path, url: str | None = None, do_migrate: bool = True) -> Store:
    return Store(url or default_url(data_dir), do_migrate=do_migrate)


__all__ = ["MIN_PASSWORD", "RANK", "ROLES", "Audit", "Session", "Store", "StoreError", "Throttled", "User",
           "UserError", "Verdict", "describe", "open_store"]
