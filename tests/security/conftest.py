"""Fixtures of the security suite (helpers in helpers.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))   # `tests.` imports, however pytest is started

from tests.security.helpers import Server, seed  # noqa: E402


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """One server for the suite (SQLite store, trusting X-Forwarded-* from 127.0.0.1)."""
    data = tmp_path_factory.mktemp("site") / "data"
    data.mkdir()
    known = seed(data)
    server = Server(data, "--proxy", "127.0.0.1", "--max-upload-mb", "2")
    yield {"server": server, "data": data, **known}
    server.stop()
