"""Output folders written whole or not at all.

Every command that writes a folder writes it through `atomic_output`:

1. The target is checked first. A missing or empty folder is fine. A folder holding a finished Clemency
   output (a `manifest.json` that lists every file in it) is replaced only with `force` (or when the
   caller allows replacing its own kind, as `clemency demo` does). Anything else is refused (exit 2),
   so that no user file is ever overwritten or mixed with a result.
2. Everything is written into a hidden temporary sibling folder (`.NAME.clemency-tmp-...`, on the same
   file system), locked for the duration of the run.
3. CSV files are made inert (no cell a spreadsheet would evaluate; see clemency/report/cells.py).
4. `manifest.json` is written last: the run id, the command, the environment (Python, DuckDB, pyarrow,
   Clemency and its git commit when known) and every file with its size, row count and SHA-256.
   Files and folder are flushed to disk.
5. The temporary folder takes the target's place in one step (an atomic exchange of the two folders
   on Linux; elsewhere two renames, recovered on the next run if interrupted between them). The previous
   result, now in the temporary name, is deleted.

A crash, a kill or a full disk before step 5 leaves the previous result exactly as it was; the
temporary folder is removed, or removed by the next run into the same target if the process was killed.
Step 5 and the removal of the previous result hold a stop request (SIGTERM, Ctrl+C) back until they are
done. A single file is written the same way by `replacing_file`.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import ctypes.util
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from clemency.errors import ClemencyError, UsageError

MANIFEST = "manifest.json"
TMP_TAG = ".clemency-tmp-"
OLD_TAG = ".clemency-old-"
# Files that desktops and office programs leave beside the files a person opened: never a user's work.
LITTER = re.compile(r"^(\.DS_Store|Thumbs\.db|desktop\.ini|~\$.*|\.~lock\..*#)$")
# What a finished `apply` wrote before manifests listed their files.
LEGACY_APPLY = {"decisions.parquet", "decisions.csv", "decisions.xlsx", "findings.csv", "summary.json", MANIFEST}
DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
DISK_FULL_WORDS = ("no space left", "disk quota", "file too large", "disk is full")


class OutputRefused(UsageError):
    """The output folder holds something that must not be replaced (exit 2)."""


class OutputError(ClemencyError):
    """The output could not be written (a full disk, a read-only or vanished folder): exit 1."""


def shown(path) -> str:
    """A path as it may appear in a message: as the user gave it when relative, else its last part."""
    p = Path(path)
    return str(p) if not p.is_absolute() else p.name or str(p)


@dataclass
class Run:
    """A run being written: `path` is the temporary folder every file goes into."""

    path: Path
    target: Path
    command: str
    run_id: str
    rows: dict[str, int] = field(default_factory=dict)     # relative path -> row count, when the writer knows
    inert: set[str] = field(default_factory=set)            # CSV files already written inert

    def note(self, name: str, rows: int | None = None, inert: bool = False) -> None:
        """Tell the manifest a file's row count (saves counting) and that a CSV is already inert."""
        if rows is not None:
            self.rows[name] = int(rows)
        if inert:
            self.inert.add(name)


def new_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(4)


# --- what is in the target -------------------------------------------------------------------------

def read_manifest(folder) -> dict | None:
    p = Path(folder) / MANIFEST
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _entries(folder: Path) -> list[str]:
    """Every file under `folder` as a relative POSIX path (folders themselves are not entries)."""
    out = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for f in sorted(files):
            out.append((Path(root) / f).relative_to(folder).as_posix())
    return out


def finished_output(folder) -> dict | None:
    """The manifest of a finished Clemency output in `folder`, or None when it is anything else: a
    finished output lists every file it holds (apart from desktop litter)."""
    folder = Path(folder)
    m = read_manifest(folder)
    if m is None:
        return None
    present = {e for e in _entries(folder) if not LITTER.match(Path(e).name)}
    if isinstance(m.get("files"), dict) and m.get("run_id"):
        listed = set(m["files"]) | {MANIFEST}
        return m if present <= listed else None
    if "clemency_version" in m and "act_hash" in m:       # an apply run from before files were listed
        return m if present <= LEGACY_APPLY else None
    return None


def check_target(out, *, force: bool = False, replace: tuple[str, ...] = ()) -> None:
    """Refuse (exit 2) a target that must not be replaced; see the module's first point."""
    out = Path(out)
    if not out.exists():
        if out.is_symlink():
            raise OutputRefused(f"the output folder {shown(out)!r} is a broken link; choose another folder")
        return
    if not out.is_dir():
        raise OutputRefused(f"the output {shown(out)!r} is a file, not a folder; choose a new or empty folder")
    if not any(out.iterdir()):
        return
    m = finished_output(out)
    if m is None:
        raise OutputRefused(f"the output folder {shown(out)!r} is not empty and does not hold a finished "
                            "Clemency result, so nothing in it was touched",
                            hint="choose a new or empty folder")
    what = m.get("command") or "apply"
    if force or what in replace:
        return
    act = f" of act {m['act']}" if m.get("act") else ""
    raise OutputRefused(f"the output folder {shown(out)!r} already holds a finished result ({what}{act}); "
                        "it was left as it is", hint="add --force to replace it wholly, or choose another folder")


# --- the run -------------------------------------------------------------------------------------------

@contextlib.contextmanager
def atomic_output(out, *, command: str, force: bool = False, replace: tuple[str, ...] = (),
                  run_id: str | None = None) -> Iterator[Run]:
    """Write a folder whole or not at all (module docstring). Yields a `Run`; write into `run.path`."""
    target = Path(out)
    if target.is_symlink() and target.exists():
        target = target.resolve()          # a link to a folder: the folder it points to is the result
    check_target(target, force=force, replace=replace)
    parent = target.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _recover(parent, target.name)
        tmp = parent / f".{target.name}{TMP_TAG}{os.getpid()}-{secrets.token_hex(3)}"
        tmp.mkdir()
        lock = os.open(tmp, os.O_RDONLY)
    except OSError as exc:
        raise _io_error(exc, target) from None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        run = Run(tmp, target, command, run_id or new_run_id())
        try:
            yield run
            _fault("before-finish")
            t = time.perf_counter()
            make_csvs_inert(run)
            write_manifest(run, started=t)
            _fault("before-swap")
            check_target(target, force=force, replace=replace)     # nothing appeared meanwhile
            with _deferred_stop():          # a stop request waits until the previous result is gone too
                old = _swap(tmp, target)
                _fault("after-swap")
                if old is not None:
                    shutil.rmtree(old, ignore_errors=True)
        except BaseException as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            if isinstance(exc, ClemencyError) or not _is_io_error(exc):
                raise
            raise _io_error(exc, target) from None
    finally:
        os.close(lock)


@contextlib.contextmanager
def _deferred_stop() -> Iterator[None]:
    """Hold SIGTERM and SIGINT back for a short step that must not be cut in two (delivered after it)."""
    held = {signal.SIGTERM, signal.SIGINT}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _fault(point: str) -> None:
    """A test hook: CLEMENCY_FAULT_POINT names a moment at which the process kills itself (SIGKILL)."""
    if os.environ.get("CLEMENCY_FAULT_POINT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


def recover(target) -> None:
    """Tidy what killed runs into `target` left beside it (see `_recover`), without writing anything new."""
    target = Path(target).absolute()
    _recover(target.parent, target.name)


def _recover(parent: Path, name: str) -> None:
    """Tidy after runs into `parent/name` that were killed: remove their temporary folders, and put back a
    previous result left aside by an interrupted two-step swap. A folder locked by a live run is left."""
    target = parent / name
    for p in sorted(parent.glob(f".{glob_escape(name)}.clemency-*")):
        if not p.is_dir() or p.is_symlink():
            continue
        fd = os.open(p, os.O_RDONLY)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue                                   # a live run holds it
            if OLD_TAG in p.name and not target.exists() and finished_output(p) is not None:
                os.rename(p, target)
            else:
                shutil.rmtree(p, ignore_errors=True)
        finally:
            os.close(fd)


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); False where that is not available."""
    if platform.system() != "Linux":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd = -100
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err))


def _swap(tmp: Path, target: Path) -> Path | None:
    """Put `tmp` in `target`'s place; return where the previous content now is (to delete), if any."""
    target_abs = target.absolute()
    if not os.path.lexists(target_abs):
        os.rename(tmp, target_abs)
        _fsync_dir(target_abs.parent)
        return None
    if _exchange(tmp, target_abs):
        _fsync_dir(target_abs.parent)
        return tmp
    old = target_abs.parent / f".{target_abs.name}{OLD_TAG}{os.getpid()}-{secrets.token_hex(3)}"
    os.rename(target_abs, old)
    os.rename(tmp, target_abs)
    _fsync_dir(target_abs.parent)
    return old


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _is_io_error(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno is not None
    text = str(exc).lower()
    return type(exc).__name__ in ("IOException", "ArrowIOError") or any(w in text for w in DISK_FULL_WORDS)


def _io_error(exc: BaseException, target: Path) -> OutputError:
    """Our words for an I/O failure; never the raw library text (it may quote paths or contents)."""
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    if code in DISK_FULL or any(w in text for w in DISK_FULL_WORDS):
        why = "the disk is full (no space left on the device)"
    elif code in (errno.EACCES, errno.EPERM):
        why = "permission was denied"
    elif code == errno.EROFS:
        why = "the file system is read-only"
    elif code is not None:
        why = os.strerror(code).lower()
    else:
        why = "an input/output error occurred"
    return OutputError(f"could not write the result into {shown(target)!r}: {why}. Nothing was changed: "
                       "the folder holds what it held before the run",
                       hint="free some space or choose a folder you can write to, then run the command again")


@contextlib.contextmanager
def replacing_file(path) -> Iterator[Path]:
    """One file written whole or not at all: yields a hidden temporary sibling to write; when the block ends
    without error it takes `path`'s place in one step, otherwise it is removed and `path` is as it was. A
    sibling left by a killed process is removed by the next write of the same file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{glob_escape(path.name)}{TMP_TAG}*"):
        m = re.search(rf"{re.escape(TMP_TAG)}(\d+)-", stale.name)
        if m and not pid_alive(int(m.group(1))):
            stale.unlink(missing_ok=True)
    part = path.with_name(f".{path.name}{TMP_TAG}{os.getpid()}-{secrets.token_hex(3)}")
    try:
        yield part
        with open(part, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs (a reused id counts as running: its leftovers wait)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


# --- inert CSV -----------------------------------------------------------------------------------------

NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def inert_cell(value: str) -> str:
    """`neutralise` for a CSV cell whose type is not known: a plain number stays as it is."""
    from clemency.report.cells import neutralise
    return value if NUMBER.match(value) else neutralise(value)


def make_csv_inert(path: Path) -> bool:
    """Rewrite a CSV file so that no cell is a formula; True when something had to change."""
    with open(path, "rb") as f:
        head = f.read(65536)
    newline = "\r\n" if b"\r\n" in head else "\n"
    changed = False
    tmp = path.with_name(path.name + ".inert")
    with open(path, newline="", encoding="utf-8", errors="surrogateescape") as src, \
            open(tmp, "w", newline="", encoding="utf-8", errors="surrogateescape") as dst:
        w = csv.writer(dst, lineterminator=newline)
        for row in csv.reader(src):
            new = [inert_cell(c) for c in row]
            changed = changed or new != row
            w.writerow(new)
    if changed:
        os.replace(tmp, path)
    else:
        tmp.unlink()
    return changed


def make_csvs_inert(run: Run) -> None:
    for rel in _entries(run.path):
        if rel.lower().endswith(".csv") and rel not in run.inert:
            make_csv_inert(run.path / rel)


# --- the manifest --------------------------------------------------------------------------------------

_ENV: dict | None = None


def environment() -> dict:
    """Python, DuckDB, pyarrow and Clemency versions and the git commit of the code when it is a checkout."""
    global _ENV
    if _ENV is None:
        import duckdb
        import pyarrow

        from clemency import __version__
        _ENV = {"python": platform.python_version(), "duckdb": duckdb.__version__,
                "pyarrow": pyarrow.__version__, "clemency": __version__, **git_commit()}
    return dict(_ENV)


def git_commit() -> dict:
    """{"git_commit": sha, "git_dirty": bool} for the source tree Clemency runs from; {} without git."""
    here = Path(__file__).resolve().parent.parent
    if not (here / ".git").exists():
        return {}
    try:
        sha = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no",
                                "--", "clemency"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {}
    return {"git_commit": sha, "git_dirty": bool(dirty)} if re.fullmatch(r"[0-9a-f]{40}", sha) else {}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def count_rows(path: Path) -> int | None:
    """Data rows of a table file (header excluded); None for files that are not tables."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq
            return pq.ParquetFile(path).metadata.num_rows
        if suffix == ".csv":
            with open(path, newline="", encoding="utf-8", errors="replace") as f:
                return max(0, sum(1 for _ in csv.reader(f)) - 1)
        if suffix == ".jsonl":
            with open(path, "rb") as f:
                return sum(1 for line in f if line.strip())
        if suffix == ".xlsx":
            import openpyxl
            wb = openpyxl.load_workbook(path, read_only=True)
            try:
                return sum(max(0, (ws.max_row or 0) - 1) for ws in wb.worksheets)
            finally:
                wb.close()
    except Exception:  # noqa: BLE001 - a count is informative; the hash is what binds
        return None
    return None


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_manifest(run: Run, started: float | None = None) -> dict:
    """List every file (size, rows, SHA-256) and write manifest.json last, merged with the manifest the
    command wrote itself, if any. Files and folders are flushed to disk first."""
    files = {}
    for rel in _entries(run.path):
        if rel == MANIFEST:
            continue
        p = run.path / rel
        _fsync(p)
        rows = run.rows[rel] if rel in run.rows else count_rows(p)
        files[rel] = {"bytes": p.stat().st_size, "rows": rows, "sha256": sha256_file(p)}
    for root, _dirs, _files in os.walk(run.path):
        _fsync_dir(Path(root))
    manifest = read_manifest(run.path) or {}
    manifest.update({"command": run.command, "run_id": run.run_id,
                     "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                     "environment": environment(), "files": files})
    if started is not None:
        manifest["finish_s"] = round(time.perf_counter() - started, 4)   # inert CSVs, flush and hash
    p = run.path / MANIFEST
    part = run.path / (MANIFEST + ".part")
    with open(part, "w", encoding="utf-8") as f:
        f.write(json.dumps(manifest, indent=2, default=str, ensure_ascii=False))
        f.flush()
        os.fsync(f.fileno())
    os.replace(part, p)
    _fsync_dir(run.path)
    return manifest


def verify_output(folder) -> list[str]:
    """Problems with a finished output: files missing, changed or not listed. Empty when it is intact."""
    folder = Path(folder)
    m = read_manifest(folder)
    if m is None or not isinstance(m.get("files"), dict):
        return ["no manifest listing the files"]
    problems = []
    for rel, info in m["files"].items():
        p = folder / rel
        if not p.is_file():
            problems.append(f"{rel}: missing")
        elif sha256_file(p) != info.get("sha256"):
            problems.append(f"{rel}: changed since the run")
    for rel in _entries(folder):
        if rel != MANIFEST and rel not in m["files"] and not LITTER.match(Path(rel).name):
            problems.append(f"{rel}: not part of the run")
    return problems
