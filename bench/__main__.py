"""The engine benchmark: `python -m bench` (or `make bench`).

Applies the 2025 act (default readings, csv=False: read the registry, decide with compact reasons, write
decisions.parquet; contracts §6) to synthetic registries on each engine, each run in its own process
whose peak memory (RSS of the process tree, JVM included) is sampled with psutil. In the same run, the
plain scan: DuckDB reading the same input columns and writing the same number of rows to Parquet.
Writes bench/RESULTS.md (numbers, machine, ratios) and bench/time-vs-rows.svg.

    python -m bench [--sizes 100000,1000000,10000000] [--engines duckdb,spark,reference]
                    [--reference-max 100000] [--spark-timeout 3600] [--results bench/RESULTS.md]

Synthetic registries are cached in bench/out/ (gitignored) by size and seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def registry(rows: int, seed: int = 0) -> Path:
    path = OUT / f"synth-{rows}-s{seed}.parquet"
    if not path.exists():
        from clemency.registry.synth import synth
        print(f"  generating {rows:,} synthetic rows -> {path}", flush=True)
        tmp = path.with_suffix(".tmp.parquet")
        synth(rows, tmp, seed)
        tmp.rename(path)
    return path


def measured(args: list[str], timeout: float) -> dict:
    """Run `python -m bench.run_one ARGS`, sampling the RSS of its process tree every 0.1 s."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.run_one", *args], cwd=HERE.parent, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    parent = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        rss = 0
        try:
            for p in [parent, *parent.children(recursive=True)]:
                try:
                    rss += p.memory_info().rss
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        peak = max(peak, rss)
        if time.perf_counter() - t > timeout:
            for p in [*parent.children(recursive=True), parent]:
                try:
                    p.kill()
                except psutil.Error:
                    pass
            proc.wait()
            return {"error": f"timed out after {timeout:.0f} s", "wall": time.perf_counter() - t,
                    "peak_mb": peak / 2**20}
        time.sleep(0.1)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t
    if proc.returncode != 0 or '{"seconds"' not in stdout:
        return {"error": (stderr.strip().splitlines() or ["exit " + str(proc.returncode)])[-1], "wall": wall,
                "peak_mb": peak / 2**20}
    res = json.loads(stdout[stdout.rfind('{"seconds"'):].strip())
    return {**res, "wall": wall, "peak_mb": peak / 2**20}


def machine() -> dict:
    import duckdb
    import pyarrow
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "os": platform.platform(), "python": platform.python_version(), "duckdb": duckdb.__version__,
            "pyarrow": pyarrow.__version__, "load_average_at_start": os.getloadavg()}
    try:
        import pyspark
        info["pyspark"] = pyspark.__version__
        java = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False)
        info["java"] = (java.stderr or java.stdout).splitlines()[0]
    except (ImportError, OSError, IndexError):
        info["pyspark"] = "not installed"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=HERE.parent, check=False).stdout.strip()
        info["commit"] = commit
    except OSError:
        pass
    return info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000,1000000,10000000", help="comma-separated row counts")
    ap.add_argument("--engines", default="duckdb,spark,reference")
    ap.add_argument("--reference-max", type=int, default=100_000, help="largest size the reference engine runs")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds before a run is abandoned")
    ap.add_argument("--results", default=str(HERE / "RESULTS.md"))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    OUT.mkdir(parents=True, exist_ok=True)
    info = machine()
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results: list[dict] = []
    for n in sizes:
        path = registry(n, args.seed)
        plan = [("scan", ["scan", str(path), str(OUT / f"run-scan-{n}")])]
        plan += [(e, ["apply", e, str(path), str(OUT / f"run-{e}-{n}")]) for e in engines
                 if not (e == "reference" and n > args.reference_max)]
        for name, cmd in plan:
            print(f"  {name:<9} {n:>11,} rows ...", end=" ", flush=True)
            res = {"engine": name, "rows_in": n, **measured(cmd, args.timeout)}
            results.append(res)
            if "error" in res:
                print(f"FAILED: {res['error']}", flush=True)
            else:
                print(f"{res['seconds']:8.1f} s  {res['rows'] / res['seconds']:>10,.0f} rows/s  "
                      f"peak {res['peak_mb']:,.0f} MB", flush=True)
            (OUT / "results.json").write_text(json.dumps({"machine": info, "started": started,
                                                          "results": results}, indent=2))
    from bench.report import write_report
    write_report(Path(args.results), info, started, results)
    print(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
