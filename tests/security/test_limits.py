"""Oversize and deep inputs get 4xx answers (never a 500 or a traceback), and slow clients are cut off."""

from __future__ import annotations

import json
import socket
import time

import pytest

from tests.security.helpers import BODY_TIMEOUT, HEADER_TIMEOUT, signed_in

RECORD = {"person_id": "P1", "sex": "M", "birth_date": "1980-05-05", "status": "convicted", "articles": "177.2",
          "punishment": "imprisonment", "term_months": 36, "sentence_start": "2024-01-10",
          "sentence_end": "2027-01-10"}


def rss_kb(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


BODIES = {
    "5,000-digit integer": '{"person_id": "P1", "term_months": ' + "9" * 5000 + "}",
    "integer of 400 digits": json.dumps(RECORD | {"term_months": 10 ** 400}),
    "1e400": '{"person_id": "P1", "term_months": 1e400}',
    "-1e400": '{"person_id": "P1", "term_months": -1e400}',
    "NaN": '{"person_id": "P1", "term_months": NaN}',
    "Infinity": '{"person_id": "P1", "term_months": Infinity}',
    "deep arrays": "[" * 50_000 + "]" * 50_000,
    "deep objects": '{"a":' * 10_000 + "1" + "}" * 10_000,
    "deep articles": json.dumps(RECORD | {"articles": [[["177.2"]]]}),
    "string of 5,000 digits": json.dumps(RECORD | {"term_months": "9" * 5000}),
    "string of 300 digits": json.dumps(RECORD | {"term_months": "9" * 300}),
    "string 1e400": json.dumps(RECORD | {"term_months": "1e400"}),
    "huge disability": json.dumps(RECORD | {"disability_percent": 10 ** 30}),
    "a thousand fields": json.dumps({f"f{i}": "x" for i in range(1000)}),
    "long field name": json.dumps(RECORD | {"x" * 5000: 1}),
    "not UTF-8": b"\xff\xfe{}",
    "lone surrogate": '{"person_id": "\\ud800"}',
    "null bytes": json.dumps(RECORD | {"person_id": "P\x00"}),
    "year 0": json.dumps(RECORD | {"sentence_end": "0000-01-01"}),
    "year 9999": json.dumps(RECORD | {"sentence_end": "9999-12-31"}),
    "term -1": json.dumps(RECORD | {"term_months": -1}),
    "empty field name": json.dumps(RECORD | {"": None}),
    "internal column _art0": json.dumps(RECORD | {"_art0": "1"}),
    "a field of the decision": json.dumps(RECORD | {"relief": "release_from_imprisonment"}),
    "a field twice": json.dumps(RECORD | {"PERSON_ID": "P2"}),
    "quote in a field name": json.dumps(RECORD | {'a"b': 1}),
    "float term": json.dumps(RECORD | {"term_months": 1e300}),
}


@pytest.mark.parametrize("name", list(BODIES))
def test_bad_bodies_are_4xx(site, name):
    body = BODIES[name]
    c = site["server"].client()
    r = c.post("/api/check?act=az-2025", content=body if isinstance(body, bytes) else body.encode("utf-8"),
               headers={"content-type": "application/json"})
    assert r.status_code < 500, (name, r.status_code, r.text[:300])
    if name not in ("year 9999", "term -1", "float term", "string of 300 digits", "null bytes", "lone surrogate"):
        assert 400 <= r.status_code < 500, (name, r.status_code, r.text[:300])
    assert "Traceback" not in r.text and "error" in r.json() or r.status_code == 200


def test_a_big_body_is_refused_before_it_is_read(site):
    server = site["server"]
    before = rss_kb(server.proc.pid)
    c = server.client()
    big = b'{"person_id": "' + b"x" * 4_900_000 + b'"}'
    t0 = time.time()
    r = c.post("/api/check?act=az-2025", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and time.time() - t0 < 10

    def chunks():      # no Content-Length: counted as it arrives
        for _ in range(80):
            yield b"x" * 65536
    r = c.post("/api/check?act=az-2025", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert rss_kb(server.proc.pid) - before < 50_000   # KiB


def test_upload_limit(site):
    c, token = signed_in(site["server"], "operator", address="10.5.0.1")
    r = c.post("/runs", data={"csrf": token}, files={"registry": ("big.csv", b"x" * 2_200_000, "text/csv")},
               headers={"accept": "application/json"})
    assert r.status_code == 413 and "limit" in " ".join(r.json()["details"])
    r = c.post("/login", content=b"x" * 100_000, headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413


def _connect(site) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", site["server"].port), timeout=30)
    return s


def test_slow_headers_are_cut_off(site):
    s = _connect(site)
    s.sendall(b"GET /check HTTP/1.1\r\nHost: x\r\n")        # never finishes its headers
    t0 = time.time()
    data = s.recv(1000)
    assert data == b"" and time.time() - t0 < HEADER_TIMEOUT + 5
    s.close()


def test_trickled_headers_are_cut_off_too(site):
    s = _connect(site)
    t0 = time.time()
    closed = False
    for ch in b"GET /check HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:
        try:
            s.sendall(bytes([ch]))
        except OSError:
            closed = True
            break
        time.sleep(0.2)
        if time.time() - t0 > HEADER_TIMEOUT + 5:
            break
    if not closed:
        s.settimeout(5)
        try:
            closed = s.recv(1000) == b""
        except (ConnectionResetError, TimeoutError):
            closed = True
    assert closed and time.time() - t0 < HEADER_TIMEOUT + 8
    s.close()


def test_slow_body_gets_408(site):
    s = _connect(site)
    s.sendall(b"POST /api/check?act=az-2025 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: 100\r\n\r\n{\"person_id\":")
    t0 = time.time()
    data = s.recv(10000)
    assert time.time() - t0 < BODY_TIMEOUT * 2 + 5
    assert data.startswith(b"HTTP/1.1 408") or data == b""
    s.close()


def test_idle_keep_alive_connections_close(site):
    s = _connect(site)
    s.sendall(b"GET /api/acts HTTP/1.1\r\nHost: x\r\n\r\n")
    s.recv(100000)
    t0 = time.time()
    while s.recv(100000):
        pass
    assert time.time() - t0 < 15
    s.close()
