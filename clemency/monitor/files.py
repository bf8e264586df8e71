"""Reading list files (CSV/XLSX) and `match_files`, the library side of `clemency match`."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from clemency.errors import InputError
from clemency.monitor.ledger import Ledger, pair_key
from clemency.monitor.match import Comparison, Index, compare, match_people, people_from_rows

MATCH_COLUMNS = ("left_id", "right_id", "score", "band")


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_table(path: str | Path, required: Iterable[str] = ()) -> list[dict[str, str]]:
    """Rows of a CSV or XLSX file as dicts of strings (header names lowercased and stripped)."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", where=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            import openpyxl

            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            it = wb.active.iter_rows(values_only=True)
            header = [_cell(h).lower() for h in next(it, ())]
            rows = [dict(zip(header, (_cell(v) for v in r))) for r in it if any(v is not None for v in r)]
            wb.close()
        else:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh)
                header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
                reader.fieldnames = header
                rows = [{k: (v or "").strip() for k, v in r.items() if k is not None} for r in reader]
    except InputError:
        raise
    except Exception as exc:  # unreadable file of any kind
        raise InputError(f"cannot read the file ({exc.__class__.__name__}: {exc})", where=str(path)) from exc
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"missing required column(s): {', '.join(missing)}", where=str(path),
                         hint=f"the header has: {', '.join(h for h in header if h)}")
    return rows


def match_rows(left_rows: list[dict], right_rows: list[dict], ledger: Ledger | None = None) -> list[Comparison]:
    """Pairs in `match` or `review`, with the ledger's judgements applied.

    A pair judged `same` is a `match` and one judged `different` is dropped: a judged pair never returns to
    review. `same` judgements chain across list versions and sources (``Ledger.identities``): two ids of one
    identity are a `match` even if never judged together, and a `different` judgement between two
    identities drops every pair across them.
    """
    left = people_from_rows(left_rows)
    right = people_from_rows(right_rows)
    index = Index(right)
    pairs = list(match_people(left, index))
    if ledger is None:
        return pairs
    latest = ledger.latest()
    ident = ledger.identities()
    apart = ledger.different()

    def identity(x: str) -> str:
        return ident.get(x, x)

    out: list[Comparison] = []
    seen: set[frozenset[str]] = set()
    for c in pairs:
        key = pair_key(c.left_id, c.right_id)
        seen.add(key)
        j = latest.get(key)
        if j is None:
            if identity(c.left_id) == identity(c.right_id):
                c.band = "match"
                c.caps.append(f"judged the same person through other judgements (identity {identity(c.left_id)})")
                out.append(c)
            elif frozenset((identity(c.left_id), identity(c.right_id))) not in apart:
                out.append(c)
        elif j.judgement == "same":
            c.band = "match"
            c.caps.append(f"judged same by {j.reviewer} at {j.at}")
            out.append(c)
        elif j.judgement == "unsure":
            c.band = "review"
            c.caps.append(f"judged unsure by {j.reviewer} at {j.at}")
            out.append(c)
        # different: dropped
    # pairs of one identity that blocking or the thresholds did not produce
    by_left = {p.id: p for p in left}
    by_right = {p.id: p for p in right}
    members: dict[str, list[str]] = {}
    for x, i in ident.items():
        members.setdefault(i, []).append(x)
    for group in members.values():
        for a in group:
            for b in group:
                key = pair_key(a, b)
                if a == b or a not in by_left or b not in by_right or key in seen:
                    continue
                j = latest.get(key)
                if j is not None and j.judgement != "same":
                    continue
                seen.add(key)
                c = compare(by_left[a], by_right[b])
                c.band = "match"
                c.caps.append(f"judged same by {j.reviewer} at {j.at}" if j is not None else
                              f"judged the same person through other judgements (identity {identity(a)})")
                out.append(c)
    return out


def match_files(left: str | Path, right: str | Path, out: str | Path,
                ledger: str | Path | Ledger | None = None) -> list[Comparison]:
    """`clemency match`: write every pair above the review threshold as left_id,right_id,score,band.

    Left and right are CSV/XLSX with at least `id` and `full_name`. Pairs are ordered by left id (in
    file order), then by score, highest first.
    """
    left_rows = read_table(left, required=("id", "full_name"))
    right_rows = read_table(right, required=("id", "full_name"))
    led = ledger if isinstance(ledger, Ledger) or ledger is None else Ledger(ledger)
    pairs = match_rows(left_rows, right_rows, led)
    order = {str(r.get("id")): i for i, r in enumerate(left_rows)}
    pairs.sort(key=lambda c: (order.get(c.left_id, len(order)), -c.score, c.right_id))
    from clemency.outdir import inert_cell, replacing_file  # no cell a spreadsheet would evaluate
    with replacing_file(Path(out)) as part, part.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(MATCH_COLUMNS)
        for c in pairs:
            w.writerow([inert_cell(str(c.left_id)), inert_cell(str(c.right_id)), f"{c.score:.4f}", c.band])
    return pairs
