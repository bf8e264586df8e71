"""What the browser tests share: Debian's chromium and its arguments, their pytest marks, the app served by
uvicorn on a free local port in a thread for the length of a `with` block, and signing in."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
# every browser test module: `pytestmark = MARKS`
MARKS = [pytest.mark.browser,
         pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing (apt-get install chromium)")]


def sign_in(page, url: str, role: str = "operator") -> None:
    """Sign in on the login page as one of the test app's users (tests/test_web.py PASSWORDS)."""
    from tests.test_web import PASSWORDS
    page.goto(f"{url}/login")
    page.fill("#username", role)
    page.fill("#password", PASSWORDS[role])
    page.click("#login-submit")
    page.wait_for_selector("#whoami")


@contextlib.contextmanager
def serving(app):
    """Serve `app` on 127.0.0.1 at a free port; yields its base URL and stops the server at the end."""
    import uvicorn
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    t0 = time.time()
    while not srv.started:
        assert time.time() - t0 < 20, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
