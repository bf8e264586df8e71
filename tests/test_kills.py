"""Kills in the middle of runs lose nothing and leave nothing half-written.

The real command runs in its own process and is killed (SIGKILL, or asked to end with SIGTERM) at moments
found by watching its temporary folder: while the registry is read (the folder has just appeared), while the
decisions are written (`decisions.parquet` appears), while the text outputs are written (`decisions.csv`),
at the finish (`manifest.json`). Afterwards the output folder is the previous whole result or a whole new
one, never a part; a killed run's leftovers do not stop the next run; SIGTERM ends the command promptly with
a plain message and removes its own temporary folder. A kill that lands after the run finished is fine: the
test then checks the finished state."""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clemency.outdir import read_manifest, verify_output

CLEMENCY = str(Path(sys.executable).parent / "clemency")
TERM_WITHIN = 15.0          # seconds from SIGTERM to exit; DuckDB notices the request between its tasks


def synth(rows: int, path: Path, seed: int = 11) -> Path:
    from clemency.registry.synth import synth as make
    make(rows, path, seed=seed)
    return path


def wait_for(p: subprocess.Popen, found, timeout: float = 90.0) -> bool:
    """Poll until `found()`; False when the process ended first (the moment was missed)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if found():
            return True
        if p.poll() is not None:
            return False
        time.sleep(0.005)
    p.kill()
    raise AssertionError("the moment to kill at never came")


class Proc:
    """A clemency command in its own process, its output in files (a pipe could fill up and stall it)."""

    def __init__(self, tmp: Path, *args, env: dict | None = None):
        self.out_file, self.err_file = tmp / f"out-{time.monotonic_ns()}", tmp / f"err-{time.monotonic_ns()}"
        with open(self.out_file, "w") as o, open(self.err_file, "w") as e:
            self.p = subprocess.Popen([CLEMENCY, *map(str, args)], stdout=o, stderr=e,
                                      env={**os.environ, "COLUMNS": "120", **(env or {})})

    def wait_for(self, found, timeout: float = 90.0) -> bool:
        return wait_for(self.p, found, timeout)

    def kill(self, sig: int) -> float:
        """Send `sig` and wait for the end; the seconds it took."""
        t0 = time.monotonic()
        if self.p.poll() is None:
            self.p.send_signal(sig)
        self.p.wait(60)
        return time.monotonic() - t0

    @property
    def rc(self) -> int:
        return self.p.returncode

    @property
    def ended(self) -> bool:
        """The command had finished: exit 0, or SIGTERM's default action once the command's body was over
        (the interpreter stopping; the signal is only ever sent after the command began writing)."""
        return self.rc in (0, -signal.SIGTERM)

    @property
    def text(self) -> str:
        return self.out_file.read_text(errors="replace") + self.err_file.read_text(errors="replace")


def run(tmp: Path, *args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([CLEMENCY, *map(str, args)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def temps(out: Path) -> list[Path]:
    return sorted(p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.clemency-"))


def in_temp(out: Path, name: str | None = None):
    """A test for the moment: a temporary folder of `out` exists (holding `name`)."""
    return lambda: any(name is None or (t / name).exists() for t in temps(out))


def whole(out: Path) -> dict:
    """The manifest of the finished result in `out`, checked file by file (present, unchanged, nothing else)."""
    assert verify_output(out) == [], verify_output(out)
    return read_manifest(out)


def after_kill(out: Path, proc: Proc, sig: int, old: dict | None, elapsed: float, new_reading: str):
    """What a kill may leave: the old whole result (or nothing), or a whole new one; SIGTERM: a plain message
    within TERM_WITHIN seconds and no temporary folder left."""
    finished = proc.ended
    assert "Traceback" not in proc.text, proc.text[-3000:]
    if sig == signal.SIGTERM:
        assert proc.rc in (0, 143, -signal.SIGTERM), (proc.rc, proc.text[-2000:])
        if proc.rc == 143:
            assert "stopped:" in proc.text and "never a part" in proc.text, proc.text[-2000:]
        assert elapsed < TERM_WITHIN, f"SIGTERM took {elapsed:.1f} s"
        assert temps(out) == [], "a terminated run removes its own temporary folder"
    else:
        assert proc.rc in (0, -signal.SIGKILL), (proc.rc, proc.text[-2000:])
    if not out.exists():
        assert old is None and not finished, "a finished run left no result"
        return None
    m = whole(out)
    if finished or (old is None) or m["run_id"] != old["run_id"]:
        assert m["readings"]["b2"] == new_reading, "the new result is the one the killed run was writing"
    else:
        assert m == old
    return m


# --- apply ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    return synth(20_000, tmp_path_factory.mktemp("kills") / "registry.csv")


@pytest.fixture(scope="module")
def finished(registry, tmp_path_factory):
    """A finished apply result (b2=inclusive) to copy as the previous content of an output folder."""
    out = tmp_path_factory.mktemp("kills") / "previous"
    res = run(out.parent, "apply", "--act", "az-2025", "--registry", registry, "--out", out)
    assert res.returncode == 0, res.stderr
    return out


MOMENTS = {"reading": None, "deciding": "decisions.parquet", "writing": "decisions.csv",
           "finishing": "manifest.json"}


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
@pytest.mark.parametrize("moment", list(MOMENTS))
def test_apply_killed_over_a_previous_result(tmp_path, registry, finished, moment, sig):
    out = tmp_path / "run"
    shutil.copytree(finished, out)
    old = whole(out)
    proc = Proc(tmp_path, "apply", "--act", "az-2025", "--registry", registry, "--out", out, "--force",
                "--reading", "b2=exclusive")
    hit = proc.wait_for(in_temp(out, MOMENTS[moment]))
    if hit and moment == "reading":
        time.sleep(0.3)                 # inside the reading of the registry, not its first instant
    elapsed = proc.kill(sig)
    after_kill(out, proc, sig, old, elapsed, "exclusive")
    res = run(tmp_path, "apply", "--act", "az-2025", "--registry", registry, "--out", out, "--force")
    assert res.returncode == 0, res.stderr
    m = whole(out)
    assert m["readings"]["b2"] == "inclusive" and m["run_id"] != old["run_id"]
    assert m["rows"]["in"] == 20_000 and temps(out) == []


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_apply_killed_into_a_new_folder_leaves_nothing_a_later_command_mistakes(tmp_path, registry, sig):
    out = tmp_path / "fresh"
    proc = Proc(tmp_path, "apply", "--act", "az-2025", "--registry", registry, "--out", out,
                "--reading", "b2=exclusive")
    proc.wait_for(in_temp(out, "decisions.parquet"))
    elapsed = proc.kill(sig)
    m = after_kill(out, proc, sig, None, elapsed, "exclusive")
    if m is None:
        v = run(tmp_path, "verify", out)           # nothing there that passes for a result
        assert v.returncode == 1 and "Traceback" not in v.stderr
    # a second run into the same folder, without --force and without any clean-up by hand
    res = run(tmp_path, "apply", "--act", "az-2025", "--registry", registry, "--out", out,
              *(["--force"] if m is not None else []))
    assert res.returncode == 0, res.stderr
    assert whole(out)["readings"]["b2"] == "inclusive" and temps(out) == []
    assert run(tmp_path, "verify", out).returncode == 0


def test_sigterm_after_fixed_delays(tmp_path, registry):
    """SIGTERM 1, 2.5 and 4 seconds after the start, wherever that falls. Before the command itself begins
    (the interpreter starting) or after it ended (the interpreter stopping) the default action ends the
    process: nothing is being written then."""
    for n, delay in enumerate((1.0, 2.5, 4.0)):
        out = tmp_path / f"o{n}"
        proc = Proc(tmp_path, "apply", "--act", "az-2025", "--registry", registry, "--out", out,
                    "--reading", "b2=exclusive")
        time.sleep(delay)
        elapsed = proc.kill(signal.SIGTERM)
        if proc.rc == -signal.SIGTERM:
            assert temps(out) == [] and "Traceback" not in proc.text
            assert not out.exists() or whole(out)["readings"]["b2"] == "exclusive"
            continue
        after_kill(out, proc, signal.SIGTERM, None, elapsed, "exclusive")


def test_sigterm_during_a_run_is_a_plain_message_and_exit_143(tmp_path, registry):
    out = tmp_path / "o"
    proc = Proc(tmp_path, "apply", "--act", "az-2025", "--registry", registry, "--out", out)
    assert proc.wait_for(in_temp(out, "decisions.parquet")), "the run ended before the moment"
    elapsed = proc.kill(signal.SIGTERM)
    if proc.ended:
        pytest.skip("the run finished before SIGTERM was seen")    # after_kill checks the finished state elsewhere
    assert proc.rc == 143 and elapsed < TERM_WITHIN
    err = proc.err_file.read_text()
    lines = [x for x in err.splitlines() if x.strip()]
    assert lines[-1].startswith("stopped: the command was asked to end before it finished")
    assert "Traceback" not in err and "RuntimeError" not in err and "interrupted" not in lines[-1]
    assert str(tmp_path) not in err                    # no absolute path
    assert not out.exists() and temps(out) == []


# --- timeline --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def timeline_before(tmp_path_factory):
    """A small registry and a finished timeline of it."""
    base = tmp_path_factory.mktemp("timeline")
    reg = synth(4_000, base / "reg.csv")
    res = run(base, "timeline", "--act", "az-2025", "--registry", reg, "--out", base / "tl")
    assert res.returncode == 0, res.stderr
    return reg, base / "tl"


@pytest.mark.parametrize("sig, moment", [(signal.SIGKILL, "decisions"), (signal.SIGTERM, "series.csv")],
                         ids=["SIGKILL-deciding", "SIGTERM-writing"])
def test_timeline_killed(tmp_path, timeline_before, sig, moment):
    reg, before = timeline_before
    out = tmp_path / "tl"
    shutil.copytree(before, out)
    old = whole(out)
    proc = Proc(tmp_path, "timeline", "--act", "az-2025", "--registry", reg, "--out", out, "--force",
                "--reading", "b2=exclusive")
    proc.wait_for(in_temp(out, moment))
    elapsed = proc.kill(sig)
    assert "Traceback" not in proc.text, proc.text[-3000:]
    m = whole(out)
    if proc.ended:
        assert m["run_id"] != old["run_id"]
    else:
        assert m == old
    if sig == signal.SIGTERM:
        assert proc.rc in (0, 143, -signal.SIGTERM) and elapsed < TERM_WITHIN and temps(out) == []
        assert proc.ended or "stopped:" in proc.text
    res = run(tmp_path, "timeline", "--act", "az-2025", "--registry", reg, "--out", out, "--force")
    assert res.returncode == 0, res.stderr
    assert whole(out)["run_id"] not in (old["run_id"], m["run_id"]) and temps(out) == []


# --- monitor: list versions and the review ledger ------------------------------------------------------------

def list_file(path: Path, rows: int, tag: str) -> Path:
    """A political-prisoner list version of `rows` persons (large enough to take a few seconds to check)."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "full_name", "sex", "birth_date", "articles", "status", "punishment", "term_months"])
        for i in range(rows):
            w.writerow([f"P{i:06d}", f"Name{i} {tag} oğlu", "M", f"19{50 + i % 40}-0{1 + i % 9}-1{i % 9}",
                        "234.1;206.3.2", "convicted", "imprisonment", str(12 + i % 60)])
    return path


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_list_import_killed_stores_the_old_version_or_the_new_one_whole(tmp_path, sig):
    data = tmp_path / "data"
    old_src, new_src = list_file(tmp_path / "old.csv", 200, "old"), list_file(tmp_path / "new.csv", 60_000, "new")
    res = run(tmp_path, "monitor", "lists", "import", old_src, "--list", "pp", "--date", "2026-01-15",
              "--data", data)
    assert res.returncode == 0, res.stderr
    stored = data / "monitor" / "lists" / "pp" / "2026-01-15.csv"
    incoming = data / "monitor" / "incoming"
    proc = Proc(tmp_path, "monitor", "lists", "import", new_src, "--list", "pp", "--date", "2026-01-15",
                "--data", data, "--replace")
    if proc.wait_for(lambda: any(incoming.iterdir())):
        time.sleep(0.5)                                 # while the rows are checked
    elapsed = proc.kill(sig)
    assert "Traceback" not in proc.text, proc.text[-3000:]
    assert stored.read_bytes() in (old_src.read_bytes(), new_src.read_bytes())      # never a part
    assert sorted(p.name for p in stored.parent.iterdir()) == ["2026-01-15.csv"]
    if sig == signal.SIGTERM:
        assert proc.rc in (0, 143, -signal.SIGTERM) and elapsed < TERM_WITHIN
        assert proc.ended or "stopped:" in proc.text
        assert list(incoming.iterdir()) == [], "a terminated import leaves no copy of the list behind"
    # the next import tidies what a killed one left (a copy of a list is personal data) and succeeds
    res = run(tmp_path, "monitor", "lists", "import", old_src, "--list", "pp", "--date", "2026-01-16",
              "--data", data)
    assert res.returncode == 0, res.stderr
    assert list(incoming.iterdir()) == []
    assert (stored.parent / "2026-01-16.csv").read_bytes() == old_src.read_bytes()


def test_a_ledger_line_cut_off_by_a_kill_does_not_stop_the_next_review(tmp_path):
    from clemency.monitor.ledger import Ledger
    ledger = tmp_path / "review.jsonl"
    assert run(tmp_path, "monitor", "review", "--ledger", ledger, "--left", "a1", "--right", "b1",
               "--judgement", "same", "--reviewer", "ana").returncode == 0
    whole_text = ledger.read_bytes()
    # what a process killed in the middle of its write leaves: a part of a line, without its line end
    line = json.dumps({"left_id": "a2", "right_id": "b2", "judgement": "different", "reviewer": "ana",
                       "at": "2026-01-01T00:00:00.000000+00:00", "note": "ə" * 40}, ensure_ascii=False).encode()
    for cut in (1, len(line) // 2, len(line) - 1):
        ledger.write_bytes(whole_text + line[:cut])
        assert Ledger(ledger).judgement("a1", "b1") == "same"           # still readable
        res = run(tmp_path, "monitor", "review", "--ledger", ledger, "--left", "a3", "--right", "b3",
                  "--judgement", "unsure", "--reviewer", "ana")
        assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
        led = Ledger(ledger)
        assert led.judgement("a1", "b1") == "same" and led.judgement("a3", "b3") == "unsure"
        assert led.judgement("a2", "b2") is None and led.torn is None       # the cut-off part is gone
        assert ledger.read_bytes().startswith(whole_text) and ledger.read_bytes().endswith(b"\n")
    # a line in the middle that cannot be read is still refused: only a cut-off last line is a kill's
    ledger.write_bytes(whole_text + line[:9] + b"\n" + whole_text)
    res = run(tmp_path, "monitor", "review", "--ledger", ledger, "--left", "a4", "--right", "b4",
              "--judgement", "same", "--reviewer", "ana")
    assert res.returncode == 1 and "unreadable ledger line" in res.stderr and "Traceback" not in res.stderr


def test_reviews_killed_at_random_moments_keep_the_ledger_readable(tmp_path):
    from clemency.monitor.ledger import Ledger
    ledger = tmp_path / "review.jsonl"
    rnd = random.Random(3)
    for i in range(4):
        proc = Proc(tmp_path, "monitor", "review", "--ledger", ledger, "--left", f"a{i}", "--right", f"b{i}",
                    "--judgement", "same", "--reviewer", "ana", "--note", "n" * 20_000)
        time.sleep(rnd.uniform(0.3, 2.5))              # starting, reading the ledger, appending, or done
        proc.kill(signal.SIGKILL)
        led = Ledger(ledger)                             # readable after every kill
        assert {j.left_id for j in led.entries} <= {f"a{k}" for k in range(i + 1)}
    res = run(tmp_path, "monitor", "review", "--ledger", ledger, "--left", "x", "--right", "y",
              "--judgement", "different", "--reviewer", "ana")
    assert res.returncode == 0, res.stderr
    assert Ledger(ledger).judgement("x", "y") == "different"


# --- the web application's runs ---------------------------------------------------------------------------

def _web_run(server, reg: Path) -> tuple:
    from tests.security.helpers import signed_in
    c, token = signed_in(server, "operator")
    r = c.post("/runs", data={"csrf": token}, files={"registry": ("reg.csv", reg.read_bytes(), "text/csv")})
    assert r.status_code == 303, r.text[:500]
    return c, token, r.headers["location"].rsplit("/", 1)[1]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_web_run_cut_off_by_a_server_kill_is_failed_after_the_restart_and_runs_again(tmp_path, registry, sig):
    from clemency.store import open_store
    from tests.security.helpers import PASSWORDS, Server
    from tests.test_web import wait_done
    data = tmp_path / "data"
    data.mkdir()
    store = open_store(data, None)
    store.users.add("operator", "operator", PASSWORDS["operator"])
    store.close()
    server = Server(data)
    try:
        c, token, run_id = _web_run(server, registry)
        out = data / "runs" / run_id / "out"
        hit = wait_for(server.proc, in_temp(out, "decisions.parquet"))
        t0 = time.monotonic()
        os.killpg(server.proc.pid, sig)
        server.proc.wait(30)
        stopped_in = time.monotonic() - t0
    finally:
        server.stop()
    assert stopped_in < TERM_WITHIN
    log = (data.parent / f"server-{server.port}.log").read_text()
    assert "Traceback" not in log, log[-3000:]
    if hit:
        assert not out.exists() or verify_output(out) == []          # no half result where the run's files live
    incoming = data / "monitor" / "incoming"                           # as a list upload cut off by the kill leaves
    incoming.mkdir(parents=True)
    (incoming / "upload-0123456789abcdef").write_text("id,full_name\n1,a\n")
    server = Server(data)
    try:
        c2 = server.client()
        c2.cookies.update(c.cookies)
        s = c2.get(f"/api/runs/{run_id}/status").json()
        if not out.exists():
            assert s["state"] == "failed" and "stopped" in s["error"], s     # not "running" forever
            assert c2.get(f"/runs/{run_id}").status_code == 200          # its page says so, no server error
        else:
            assert s["state"] in ("done", "failed")
        assert temps(out) == [], "the half-written folder of the cut-off run is removed at the restart"
        assert list(incoming.iterdir()) == [], "an unfinished list upload is removed at the restart"
        r = c2.post(f"/runs/{run_id}/again", data={"csrf": token})
        assert r.status_code == 303, r.text[:500]
        again = r.headers["location"].rsplit("/", 1)[1]
        s = wait_done(c2, again, timeout=240)
        assert s["state"] == "done", s
        m = whole(data / "runs" / again / "out")
        assert m["rows"]["in"] == 20_000
    finally:
        server.stop()


# --- single files: synth, match, the monitor's CSVs ------------------------------------------------------------

def file_temps(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f".{path.name}.clemency-tmp-*"))


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_synth_killed_leaves_the_previous_registry_or_a_whole_new_one(tmp_path, sig):
    import pyarrow.csv as pcsv
    reg = tmp_path / "reg.csv"
    assert run(tmp_path, "synth", "--rows", 50, "--out", reg).returncode == 0
    old = reg.read_bytes()
    proc = Proc(tmp_path, "synth", "--rows", 400_000, "--out", reg, "--seed", 9)
    if proc.wait_for(lambda: bool(file_temps(reg))):
        time.sleep(0.5)
    elapsed = proc.kill(sig)
    assert "Traceback" not in proc.text
    if proc.ended:
        assert pcsv.read_csv(reg).num_rows == 400_000
    else:
        assert reg.read_bytes() == old, "a killed synth leaves the previous file as it was"
    if sig == signal.SIGTERM:
        assert proc.rc in (0, 143, -signal.SIGTERM) and elapsed < TERM_WITHIN and file_temps(reg) == []
        assert proc.ended or "stopped:" in proc.text
    assert run(tmp_path, "synth", "--rows", 70, "--out", reg).returncode == 0
    assert pcsv.read_csv(reg).num_rows == 70 and file_temps(reg) == []       # the killed run's part removed


def _names(path: Path, rows: int, seed: int) -> Path:
    rnd = random.Random(seed)
    syl = ["ba", "ka", "mi", "ro", "su", "te", "li", "na", "go", "ze", "ha", "vu", "qe", "do", "ry"]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "full_name", "birth_year"])
        for i in range(rows):
            name = " ".join("".join(rnd.choice(syl) for _ in range(rnd.randint(2, 4))).capitalize() for _ in range(3))
            w.writerow([f"{path.stem}{i}", name, 1950 + rnd.randint(0, 40)])
    return path


def test_match_killed_leaves_the_previous_output_whole(tmp_path):
    left, right = _names(tmp_path / "L.csv", 3000, 1), _names(tmp_path / "R.csv", 3000, 2)
    small = tmp_path / "S.csv"
    small.write_text(left.read_text().splitlines()[0] + "\n" + "\n".join(left.read_text().splitlines()[1:40]) + "\n")
    out = tmp_path / "pairs.csv"
    assert run(tmp_path, "match", "--left", small, "--right", small, "--out", out).returncode == 0
    old = out.read_bytes()
    assert run(tmp_path, "match", "--left", left, "--right", right, "--out", tmp_path / "new.csv").returncode == 0
    new = (tmp_path / "new.csv").read_bytes()
    for sig, delay in ((signal.SIGKILL, 0.8), (signal.SIGKILL, 1.5), (signal.SIGTERM, 2.5)):
        out.write_bytes(old)
        proc = Proc(tmp_path, "match", "--left", left, "--right", right, "--out", out)
        time.sleep(delay)                              # reading and matching (or done, on a quiet machine)
        proc.kill(sig)
        assert "Traceback" not in proc.text
        assert out.read_bytes() in (old, new)          # the previous pairs or all the new ones, never a part
        if not proc.ended and sig == signal.SIGTERM:
            assert out.read_bytes() == old
        if sig == signal.SIGTERM:
            assert file_temps(out) == [] and (proc.ended or "stopped:" in proc.text)


def test_a_file_written_whole_or_not_at_all_when_the_writer_dies_in_the_middle(tmp_path):
    from clemency.outdir import replacing_file
    path = tmp_path / "findings.csv"
    path.write_text("row,field\n1,sex\n")
    code = ("import os, signal, sys; from clemency.outdir import replacing_file\n"
            f"with replacing_file({str(path)!r}) as part:\n"
            "    part.write_text('row,field\\n2,')\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n")
    assert subprocess.run([sys.executable, "-c", code]).returncode == -signal.SIGKILL
    assert path.read_text() == "row,field\n1,sex\n" and len(file_temps(path)) == 1
    with replacing_file(path) as part:
        part.write_text("row,field\n3,birth_date\n")
    assert path.read_text() == "row,field\n3,birth_date\n" and file_temps(path) == []
    with pytest.raises(ValueError), replacing_file(path) as part:        # an error: the file as it was
        part.write_text("half")
        raise ValueError
    assert path.read_text() == "row,field\n3,birth_date\n" and file_temps(path) == []


def test_a_drafting_job_cut_off_by_a_server_kill_is_failed_at_once_after_the_restart(tmp_path):
    from clemency.store import open_store
    from tests.security.helpers import PASSWORDS, Server, signed_in
    data = tmp_path / "data"
    data.mkdir()
    store = open_store(data, None)
    store.users.add("viewer", "viewer", PASSWORDS["viewer"])
    store.close()
    form = {"act": "az-2025", "tool": "bounds", "registry": "synthetic", "rows": "100000"}
    server = Server(data)
    try:
        c, token = signed_in(server, "viewer")
        r = c.post("/drafting", data={"csrf": token, **form})
        assert r.status_code == 303, r.text[:500]
        url = r.headers["location"]
        meta = data / "drafting" / url.rsplit("/", 1)[1] / "meta.json"
        hit = wait_for(server.proc, lambda: meta.is_file() and json.loads(meta.read_text())["state"] == "running")
        os.killpg(server.proc.pid, signal.SIGKILL)
        server.proc.wait(30)
    finally:
        server.stop()
    server = Server(data)
    try:
        c2 = server.client()
        c2.cookies.update(c.cookies)
        s = c2.get(url, headers={"accept": "application/json"}).json()
        if hit and s["state"] != "done":
            assert s["state"] == "failed" and "interrupted" in s["error"], s     # at once, not in 15 minutes
            r = c2.post("/drafting", data={"csrf": token, **form})             # asked again: computed again
            assert r.status_code == 303 and r.headers["location"] == url
            assert c2.get(url, headers={"accept": "application/json"}).json()["state"] in ("queued", "running",
                                                                                             "done")
    finally:
        server.stop()
