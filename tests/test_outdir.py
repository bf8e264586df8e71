"""Output folders are one consistent result or nothing: refused, replaced wholly, never mixed, even when the
process is killed or the disk fills up in the middle of a run."""

from __future__ import annotations

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
from click.testing import CliRunner

from clemency.cli import main
from clemency.outdir import (
    OutputRefused,
    atomic_output,
    finished_output,
    make_csv_inert,
    read_manifest,
    verify_output,
)

CLI = [sys.executable, "-c", "import sys; from clemency.cli import main; sys.argv[0] = 'clemency'; main()"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def clemency(*args, env=None, **kw):
    return subprocess.run(CLI + [str(a) for a in args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, **kw)


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    path = tmp_path_factory.mktemp("reg") / "registry.csv"
    assert run("synth", "--rows", 3000, "--out", path, "--seed", 5).exit_code == 0
    return path


def siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.clemency-"))


def state(out: Path) -> tuple[str, str]:
    """(run id, act readings) of the finished result in `out`, checked to be whole and unmixed."""
    assert verify_output(out) == [], verify_output(out)
    m = read_manifest(out)
    return m["run_id"], m["readings"]["b2"]


# --- the mechanism -----------------------------------------------------------------------------------------

def test_a_finished_folder_lists_every_file_with_rows_and_hash(tmp_path):
    out = tmp_path / "o"
    with atomic_output(out, command="test") as r:
        (r.path / "a.csv").write_text("x,y\n1,2\n3,4\n")
        (r.path / "sub").mkdir()
        (r.path / "sub" / "b.json").write_text("{}")
        assert not out.exists()
    m = read_manifest(out)
    assert m["command"] == "test" and m["run_id"] and set(m["files"]) == {"a.csv", "sub/b.json"}
    assert m["files"]["a.csv"]["rows"] == 2 and m["files"]["sub/b.json"]["rows"] is None
    assert len(m["files"]["a.csv"]["sha256"]) == 64
    env = m["environment"]
    assert {"python", "duckdb", "pyarrow", "clemency"} <= set(env)
    assert verify_output(out) == [] and siblings(out) == []
    (out / "a.csv").write_text("x,y\n9,9\n")
    assert verify_output(out) == ["a.csv: changed since the run"]


def test_a_failure_leaves_the_previous_result_and_no_temporary_folder(tmp_path):
    out = tmp_path / "o"
    with atomic_output(out, command="test") as r:
        (r.path / "a.csv").write_text("x\n1\n")
    before = read_manifest(out)
    with pytest.raises(RuntimeError), atomic_output(out, command="test", force=True) as r:
        (r.path / "b.csv").write_text("x\n2\n")
        raise RuntimeError("boom")
    assert read_manifest(out) == before and sorted(os.listdir(out)) == ["a.csv", "manifest.json"]
    assert siblings(out) == []


def test_refusals(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my own work")
    with pytest.raises(OutputRefused, match="not empty and does not hold a finished Clemency result"), \
            atomic_output(mine, command="test"):
        pass
    assert os.listdir(mine) == ["notes.txt"]
    done = tmp_path / "done"
    with atomic_output(done, command="test") as r:
        (r.path / "a.csv").write_text("x\n1\n")
    with pytest.raises(OutputRefused, match="--force"), atomic_output(done, command="test"):
        pass
    # a finished result with a user's file added is not a finished result any more: even --force refuses
    (done / "extra.txt").write_text("added by hand")
    assert finished_output(done) is None
    with pytest.raises(OutputRefused), atomic_output(done, command="test", force=True):
        pass
    assert (done / "extra.txt").exists()
    # what office programs leave beside an opened file does not count, and goes with the old result
    (done / "extra.txt").unlink()
    (done / "~$a.xlsx").write_text("lock")
    with atomic_output(done, command="test", force=True) as r:
        (r.path / "b.csv").write_text("x\n1\n")
    assert sorted(os.listdir(done)) == ["b.csv", "manifest.json"]
    afile = tmp_path / "f"
    afile.write_text("x")
    with pytest.raises(OutputRefused, match="is a file"), atomic_output(afile, command="test"):
        pass


def test_make_csv_inert_keeps_numbers_and_line_endings(tmp_path):
    p = tmp_path / "x.csv"
    p.write_bytes(b"a,b,c\r\n=1+1,-5,@x\r\n-2+3,+7,\"\ttab\"\r\n")
    assert make_csv_inert(p)
    assert p.read_bytes() == b"a,b,c\r\n'=1+1,-5,'@x\r\n'-2+3,+7,'\ttab\r\n"
    assert not make_csv_inert(p)


# --- apply through the command line --------------------------------------------------------------------------

def test_stale_files_never_survive_a_forced_run(tmp_path, registry):
    out = tmp_path / "run"
    assert run("apply", "--act", "az-2025", "--registry", registry, "--out", out, "--xlsx").exit_code == 0
    assert (out / "decisions.csv").exists() and (out / "decisions.xlsx").exists()
    first = read_manifest(out)
    res = run("apply", "--act", "az-2025", "--registry", registry, "--out", out, "--no-csv",
              "--reading", "b2=exclusive")
    assert res.exit_code == 2 and "--force" in res.output and "Traceback" not in res.output
    assert read_manifest(out) == first
    res = run("apply", "--act", "az-2025", "--registry", registry, "--out", out, "--no-csv", "--force",
              "--reading", "b2=exclusive")
    assert res.exit_code == 0, res.output
    assert sorted(os.listdir(out)) == ["decisions.parquet", "findings.csv", "manifest.json", "summary.json"]
    m = read_manifest(out)
    assert m["readings"]["b2"] == "exclusive" and m["run_id"] != first["run_id"] and verify_output(out) == []
    assert m["files"]["decisions.parquet"]["rows"] == m["rows"]["decided"]
    assert m["files"]["findings.csv"]["rows"] == m["rows"]["findings"]


def test_the_parquet_file_says_what_decided_it(tmp_path, registry):
    import pyarrow.parquet as pq
    out = tmp_path / "run"
    for engine in ("duckdb", "reference"):
        d = out / engine
        assert run("apply", "--act", "az-2025", "--registry", registry, "--out", d, "--engine", engine,
                   "--reading", "f3=none").exit_code == 0
        m = read_manifest(d)
        kv = {k.decode(): v.decode() for k, v in pq.read_schema(d / "decisions.parquet").metadata.items()}
        assert kv["clemency.act"] == "az-2025" and kv["clemency.act_hash"] == m["act_hash"]
        assert kv["clemency.run_id"] == m["run_id"] and json.loads(kv["clemency.readings"]) == m["readings"]
        assert json.loads(kv["clemency.readings"])["f3"] == "none"
    assert pq.read_table(out / "duckdb" / "decisions.parquet").num_rows == \
        pq.read_table(out / "reference" / "decisions.parquet").num_rows


def test_a_non_empty_foreign_folder_is_refused_by_every_folder_command(tmp_path, registry):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("years of work")
    for args in (["apply", "--act", "az-2025", "--registry", registry],
                 ["compare", "--registry", registry, "--base", "az-2025", "--alt", "az-2025",
                  "--alt-reading", "b2=exclusive"],
                 ["attribution", "--registry", registry],
                 ["timeline", "--act", "az-2025", "--registry", registry],
                 ["demo", "--rows", 100]):
        res = run(*args, "--out", mine)
        assert res.exit_code == 2, (args, res.output)
        assert "not empty" in res.output and "Traceback" not in res.output
    assert os.listdir(mine) == ["thesis.docx"]


def test_compare_replaces_its_result_only_with_force(tmp_path, registry):
    out = tmp_path / "cmp"
    base = ["compare", "--registry", registry, "--base", "az-2025", "--alt", "az-2025", "--out", out]
    assert run(*base, "--alt-reading", "b2=exclusive").exit_code == 0
    first = read_manifest(out)
    assert first["command"] == "compare" and "flips.csv" in first["files"] and verify_output(out) == []
    assert run(*base, "--alt-reading", "f3=none").exit_code == 2
    assert run(*base, "--alt-reading", "f3=none", "--force").exit_code == 0
    second = read_manifest(out)
    assert second["run_id"] != first["run_id"] and verify_output(out) == []


# --- kills and a full disk ---------------------------------------------------------------------------------

def _finished_a(out: Path, registry: Path) -> tuple[str, str]:
    res = clemency("apply", "--act", "az-2025", "--registry", registry, "--out", out)
    assert res.returncode == 0, res.stderr
    return state(out)


@pytest.mark.parametrize("point, expect", [("before-finish", "old"), ("before-swap", "old"),
                                           ("after-swap", "new")])
def test_killed_at_a_named_moment_gives_the_old_result_or_the_new_one(tmp_path, registry, point, expect):
    out = tmp_path / "run"
    old = _finished_a(out, registry)
    res = clemency("apply", "--act", "az-2025", "--registry", registry, "--out", out, "--force",
                   "--reading", "b2=exclusive", env={"CLEMENCY_FAULT_POINT": point})
    assert res.returncode == -signal.SIGKILL
    now = state(out)
    assert (now == old) if expect == "old" else (now != old and now[1] == "exclusive")
    assert siblings(out), "a killed run leaves its temporary folder behind"
    # the next run tidies what the killed one left
    assert clemency("apply", "--act", "az-2025", "--registry", registry, "--out", out, "--force").returncode == 0
    assert siblings(out) == [] and state(out)[1] == "inclusive"


def test_killed_at_random_moments_never_leaves_a_mix(tmp_path, registry):
    out = tmp_path / "run"
    old = _finished_a(out, registry)
    t0 = time.perf_counter()
    assert clemency("apply", "--act", "az-2025", "--registry", registry, "--out", tmp_path / "timing",
                    "--xlsx").returncode == 0
    duration = time.perf_counter() - t0
    rnd = random.Random(7)
    seen = set()
    for i in range(5):
        proc = subprocess.Popen(CLI + ["apply", "--act", "az-2025", "--registry", str(registry), "--out", str(out),
                                       "--force", "--xlsx", "--reading", f"b2={'exclusive' if i % 2 else 'inclusive'}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0.2, 1.1) * duration)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = state(out)                      # whole: every listed file present and unchanged, nothing else
        m = read_manifest(out)
        seen.add("old" if now == old else "new")
        assert set(m["files"]) in ({"decisions.parquet", "decisions.csv", "findings.csv", "summary.json"},
                                   {"decisions.parquet", "decisions.csv", "decisions.xlsx", "findings.csv",
                                    "summary.json"})
        old = now
    assert seen, "no kill was observed"


def _mount_tmpfs(path: Path, size: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    path.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    return res.returncode == 0


def test_a_full_disk_ends_with_a_clear_message_and_the_previous_result_intact(tmp_path, registry):
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "2m"):
        pytest.skip("cannot mount a small temporary file system here (needs root and mount)")
    try:
        small = tmp_path / "small.csv"
        lines = registry.read_text().splitlines()
        small.write_text("\n".join(lines[:40]) + "\n")
        big = tmp_path / "big.csv"
        assert run("synth", "--rows", 15000, "--out", big, "--seed", 6).exit_code == 0   # ~2.5 MB of decisions
        out = disk / "run"
        old = _finished_a(out, small)
        res = clemency("apply", "--act", "az-2025", "--registry", big, "--out", out, "--force")
        assert res.returncode == 1, (res.returncode, res.stderr)
        assert "disk is full" in res.stderr and "Traceback" not in res.stderr
        assert str(disk) not in res.stderr                 # no absolute path in the message
        assert state(out) == old and siblings(out) == []
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


def test_a_link_to_a_finished_folder_replaces_the_folder_it_points_to(tmp_path):
    real = tmp_path / "real"
    with atomic_output(real, command="test") as r:
        (r.path / "a.csv").write_text("x\n1\n")
    link = tmp_path / "latest"
    link.symlink_to(real, target_is_directory=True)
    with atomic_output(link, command="test", force=True) as r:
        (r.path / "b.csv").write_text("x\n2\n")
    assert link.is_symlink() and sorted(os.listdir(real)) == ["b.csv", "manifest.json"]
    assert siblings(real) == []


def test_verify_says_whether_a_folder_is_the_result_its_manifest_describes(tmp_path):
    out = tmp_path / "o"
    with atomic_output(out, command="test") as r:
        (r.path / "a.csv").write_text("x\n1\n")
    res = run("verify", out)
    assert res.exit_code == 0 and "intact: 1 file(s)" in res.output
    (out / "a.csv").write_text("x\n2\n")
    (out / "b.csv").write_text("x\n3\n")
    res = CliRunner().invoke(main, ["verify", str(out)])
    assert res.exit_code == 1
    assert "a.csv: changed since the run" in res.output and "b.csv: not part of the run" in res.output
