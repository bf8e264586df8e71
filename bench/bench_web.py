"""Latency of POST /api/check against a real uvicorn server on 127.0.0.1 (prints; not a test).

    .venv/bin/python bench/bench_web.py [--requests 400] [--distinct 100]

Records vary (synthetic registry rows), so the article lookup cache is exercised as in use; the first
request per (act, readings, on) compiles the act and is reported separately. Target: p95 under 50 ms."""

from __future__ import annotations

import argparse
import csv
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--distinct", type=int, default=100, help="distinct records cycled through")
    args = ap.parse_args()

    import httpx
    import uvicorn

    from clemency.registry.synth import synth
    from clemency.web.app import create_app

    tmp = Path(tempfile.mkdtemp())
    path = synth(args.distinct, tmp / "synth.csv", seed=7)
    with open(path, newline="", encoding="utf-8") as fh:
        records = [{k: v for k, v in r.items() if v != ""} for r in csv.DictReader(fh)]

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(tmp / "data", password="bench"), host="127.0.0.1",
                                           port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}/api/check?act=az-2025"
    with httpx.Client(timeout=30) as client:
        t = time.perf_counter()
        first = client.post(url, json=records[0])
        cold = (time.perf_counter() - t) * 1000
        assert first.status_code == 200, first.text
        times, fails = [], 0
        for i in range(args.requests):
            rec = records[i % len(records)]
            t = time.perf_counter()
            r = client.post(url, json=rec)
            times.append((time.perf_counter() - t) * 1000)
            fails += r.status_code != 200
        reading_url = url + "&reading=f2=abcde"
        client.post(reading_url, json=records[0])
        alt = []
        for i in range(min(100, args.requests)):
            t = time.perf_counter()
            client.post(reading_url, json=records[i % len(records)])
            alt.append((time.perf_counter() - t) * 1000)
    server.should_exit = True
    thread.join(timeout=10)
    print(f"POST /api/check, {args.requests} requests over {len(records)} distinct synthetic records, loopback:")
    print(f"  first request (compiles the act): {cold:.1f} ms")
    print(f"  p50 {pct(times, 50):.1f} ms  p90 {pct(times, 90):.1f} ms  p95 {pct(times, 95):.1f} ms  "
          f"p99 {pct(times, 99):.1f} ms  max {max(times):.1f} ms  mean {statistics.mean(times):.1f} ms  "
          f"non-200: {fails}")
    print(f"  with reading f2=abcde ({len(alt)} requests): p50 {pct(alt, 50):.1f} ms  p95 {pct(alt, 95):.1f} ms")
    print(f"  target p95 < 50 ms: {'met' if pct(times, 95) < 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
