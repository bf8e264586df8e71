"""Benchmark (prints numbers; not a test): the whole-window implementation series against one apply.

    .venv/bin/python bench/bench_timeline.py [ROWS] [--seed S]      (default 10,000,000 rows)

The target: `clemency timeline` (one apply on the entry into force, then the queues over all 122 days of the
window from the decisions' spans) costs at most 1.3 times a single-date `apply` on the same registry (issue 14;
formerly twice). The
registry is generated once with clemency.registry.synth and cached under bench/out/.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

from clemency.apply import apply_act
from clemency.registry.synth import synth
from clemency.timeline import run_timeline

OUT = Path(__file__).parent / "out"
TARGET = 1.3
FIGURES = Path(__file__).parent.parent / "clemency" / "data" / "figures" / "az-2025.csv"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("rows", nargs="?", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    reg = OUT / f"synth-{args.rows}-s{args.seed}.parquet"
    if not reg.exists():
        t = time.perf_counter()
        synth(args.rows, reg, seed=args.seed)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - t:.1f} s -> {reg}")
    best_apply = best_tl = float("inf")
    tl_detail = {}
    for _ in range(args.repeat):
        out = OUT / f"timeline-bench-{args.rows}"
        shutil.rmtree(out, ignore_errors=True)
        t = time.perf_counter()
        apply_act("az-2025", reg, out / "apply", csv=False)
        best_apply = min(best_apply, time.perf_counter() - t)
        t = time.perf_counter()
        res = run_timeline("az-2025", reg, out / "timeline", reports=FIGURES)
        elapsed = time.perf_counter() - t
        if elapsed < best_tl:
            best_tl, tl_detail = elapsed, res.timings
    ratio = best_tl / best_apply
    result = {"rows": args.rows, "apply_s": round(best_apply, 2), "timeline_s": round(best_tl, 2),
              "timeline_parts_s": {k: round(v, 2) for k, v in tl_detail.items()},
              "ratio": round(ratio, 3), "target": f"<= {TARGET}", "ok": ratio <= TARGET}
    print(json.dumps(result, indent=2))
    print(f"{args.rows:,} rows: apply {best_apply:.1f} s, timeline (apply + whole-window series) {best_tl:.1f} s, "
          f"ratio {ratio:.2f} ({'within' if ratio <= TARGET else 'ABOVE'} the target of {TARGET})")


if __name__ == "__main__":
    main()
