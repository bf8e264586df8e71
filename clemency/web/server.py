"""Running the application under uvicorn with limits on clients: a slow client that does not finish sending
its request headers within HEADER_TIMEOUT seconds is disconnected (uvicorn alone waits for ever), headers
are at most 16 KiB, idle keep-alive connections close after 5 seconds, and at most `limit_concurrency`
connections are served at once (more get 503). Bodies are timed by the application (middleware.py)."""

from __future__ import annotations

import logging
import os

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = float(os.environ.get("CLEMENCY_HEADER_TIMEOUT") or 10)
MAX_HEADER_BYTES = 16 * 1024
KEEP_ALIVE = 5
CONCURRENCY = 200


class TimedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for the request line and headers of every request."""

    _header_timer = None

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(HEADER_TIMEOUT, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.is_closing():
            self._disarm()
        elif self.conn.their_state is h11.IDLE:
            self._arm()
        else:
            self._disarm()

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)


def uvicorn_options() -> dict:
    return {"http": TimedH11Protocol, "timeout_keep_alive": KEEP_ALIVE, "limit_concurrency": CONCURRENCY,
            "h11_max_incomplete_event_size": MAX_HEADER_BYTES, "access_log": False, "server_header": False}


class NoTraceback(logging.Filter):
    """Keeps a traceback out of the server log: uvicorn logs every exception that reaches it with its
    traceback, whose message may quote a value of a record (a name, a date) or a path; the log keeps the
    line and the kind of error only (the application has logged the route and the kind already)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            kind = record.exc_info[0].__name__ if record.exc_info[0] else "error"
            record.msg, record.args = f"{record.getMessage().strip()} ({kind})", ()
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def quiet_tracebacks() -> None:
    """Install NoTraceback on uvicorn's error log (once per process)."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, NoTraceback) for f in logger.filters):
        logger.addFilter(NoTraceback())
