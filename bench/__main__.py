"""The engine benchmark: `python -m bench` (or `make bench`).

Applies the 2025 act (default readings, csv=False: read the registry, decide with compact reasons, write
decisions.parquet) to synthetic registries on each engine, each run in its own process
whose peak memory (RSS of the process tree, JVM included) is sampled with psutil. In the same run, the
plain scan: DuckDB reading the same input columns and writing the same number of rows to Parquet.
Writes bench/RESULTS.md (numbers, machine, ratios) and bench/time-vs-rows.svg.

    python -m bench [--sizes 100000,1000000,10000000] [--engines duckdb,spark,spark-cluster,reference]
                    [--reference-max 100000] [--timeout 3600] [--zen] [--results bench/RESULTS.md]

`spark-cluster` starts a Spark standalone master and two workers on this machine (from pyspark's own
distribution) and runs the Spark engine on them through CLEMENCY_SPARK_MASTER; its peak memory includes
the master, the workers and their executors. `--zen` adds the head-to-head with GoRules ZEN (bench/zen.py).

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


def measured(args: list[str], timeout: float, env: dict | None = None, also: list[int] = ()) -> dict:
    """Run `python -m bench.run_one ARGS`, sampling the RSS of its process tree every 0.1 s (and of the
    process trees `also`, e.g. a Spark cluster's master, workers and their executors)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.run_one", *args], cwd=HERE.parent, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    parent = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        rss = 0
        try:
            roots = [parent]
            for pid in also:
                try:
                    roots.append(psutil.Process(pid))
                except psutil.Error:
                    pass
            for p in [q for root in roots for q in (root, *root.children(recursive=True))]:
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
    ap.add_argument("--engines", default="duckdb,spark,reference",
                    help="any of duckdb, spark (local mode), spark-cluster (a standalone master and two "
                         "workers started on this machine), reference")
    ap.add_argument("--worker-memory", default="1536m", help="memory of each spark-cluster worker")
    ap.add_argument("--zen", action="store_true",
                    help="also the head-to-head with GoRules ZEN on 1,000,000 rows (or the largest size below "
                         "it); skipped with a message when zen-engine is not installed")
    ap.add_argument("--reference-max", type=int, default=100_000, help="largest size the reference engine runs")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds before a run is abandoned")
    ap.add_argument("--results", default=str(HERE / "RESULTS.md"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs of each engine at each size, scan and engines alternating; the fastest is kept "
                         "(best of N: the machine may be shared)")
    ap.add_argument("--repeat-max", type=int, default=0,
                    help="sizes above this many rows run once (0: every size is repeated)")
    args = ap.parse_args(argv)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    OUT.mkdir(parents=True, exist_ok=True)
    info = machine()
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results: list[dict] = []
    cluster = None
    if "spark-cluster" in engines:
        from clemency.engines.standalone import LocalCluster
        print(f"  starting a Spark standalone cluster (master + 2 workers, 1 core and {args.worker_memory} "
              "each)", flush=True)
        cluster = LocalCluster(workers=2, cores=1, memory=args.worker_memory).start()
        info["spark_cluster"] = f"standalone, master + 2 workers on this machine, 1 core and " \
                                f"{args.worker_memory} per worker"
    try:
        _run_sizes(args, sizes, engines, cluster, results, info, started)
    finally:
        if cluster is not None:
            cluster.stop()
    zen = None
    if args.zen:
        zen = _run_zen(max([n for n in sizes if n <= 1_000_000] or [min(sizes)]))
    from bench.report import write_report
    write_report(Path(args.results), info, started, results, zen=zen)
    print(f"wrote {args.results}")
    return 0


def _run_zen(rows: int) -> dict | None:
    from bench import zen
    reason = zen.available()
    if reason:
        print(f"  {reason}", flush=True)
        return None
    print(f"  ZEN head-to-head on {rows:,} rows", flush=True)
    return zen.run(rows, probe=min(10_000, rows), processes=os.cpu_count() or 1)


def _run_sizes(args, sizes, engines, cluster, results, info, started) -> None:
    for n in sizes:
        path = registry(n, args.seed)
        plan = [("scan", ["scan", str(path), str(OUT / f"run-scan-{n}")])]
        plan += [(e, ["apply", "spark" if e == "spark-cluster" else e, str(path), str(OUT / f"run-{e}-{n}")])
                 for e in engines if not (e == "reference" and n > args.reference_max)]
        repeat = args.repeat if not args.repeat_max or n <= args.repeat_max else 1
        for _ in range(max(1, repeat)):
            _run_plan(plan, n, cluster, args, results, info, started)


def _best(results: list[dict], res: dict) -> None:
    """Keep the fastest run of an engine at a size (all runs' seconds under `runs`, the largest peak)."""
    old = next((r for r in results if r["engine"] == res["engine"] and r["rows_in"] == res["rows_in"]), None)
    if old is None:
        res["runs"] = [round(res["seconds"], 2)] if "error" not in res else []
        results.append(res)
        return
    runs = old.get("runs", []) + ([round(res["seconds"], 2)] if "error" not in res else [])
    peak = max(old.get("peak_mb", 0), res.get("peak_mb", 0))
    if "error" not in res and ("error" in old or res["seconds"] < old["seconds"]):
        results[results.index(old)] = res
        old = res
    old["runs"], old["peak_mb"] = runs, peak


def _run_plan(plan, n, cluster, args, results, info, started) -> None:
    for name, cmd in plan:
        print(f"  {name:<13} {n:>11,} rows ...", end=" ", flush=True)
        env, also = {}, []
        if name == "spark-cluster":
            env = {"CLEMENCY_SPARK_MASTER": cluster.url, "CLEMENCY_SPARK_EXECUTOR_MEMORY": "1g"}
            also = [p.pid for p in cluster.procs]
        res = {"engine": name, "rows_in": n, **measured(cmd, args.timeout, env, also)}
        _best(results, res)
        if "error" in res:
            print(f"FAILED: {res['error']}", flush=True)
        else:
            cpu = f"  CPU {res['cpu_s']:.1f} s" if "cpu_s" in res else ""
            print(f"{res['seconds']:8.1f} s  {res['rows'] / res['seconds']:>10,.0f} rows/s  "
                  f"peak {res['peak_mb']:,.0f} MB{cpu}", flush=True)
        (OUT / "results.json").write_text(json.dumps({"machine": info, "started": started,
                                                      "results": results}, indent=2))


if __name__ == "__main__":
    raise SystemExit(main())
