"""What the browser tests share: Debian's chromium and its arguments, and the app served by uvicorn on a free
local port in a thread for the length of a `with` block."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


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
