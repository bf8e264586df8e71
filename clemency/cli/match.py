"""`clemency match`: people matched between two lists, with an optional explanation file."""

from __future__ import annotations

from pathlib import Path

import click

from clemency.cli import friendly

EXPLAIN_COLUMNS = ["left_id", "right_id", "score", "band", "surname", "given", "patronymic", "birth_year",
                   "articles", "dates", "caps", "explanation"]


def explain_path(out: str | Path) -> Path:
    out = Path(out)
    return out.with_name(out.stem + ".explain.csv")


@click.command("match")
@click.option("--left", required=True, type=click.Path(), help="CSV/XLSX with at least id, full_name")
@click.option("--right", required=True, type=click.Path(), help="CSV/XLSX with at least id, full_name")
@click.option("--out", required=True, type=click.Path(), help="CSV: left_id,right_id,score,band")
@click.option("--ledger", type=click.Path(), default=None, help="review ledger (JSON lines); its judgements are honoured")
@click.option("--explain", "explain_", is_flag=True, help="also write OUT.explain.csv: each field's share and the caps, per pair")
@friendly
def command(left, right, out, ledger, explain_):
    """Match people between two lists written in any script; pairs in `match` or `review`."""
    from clemency.monitor.files import match_files
    from clemency.monitor.match import explain
    from clemency.monitor.report import log_export
    from clemency.monitor.why import write_csv
    pairs = match_files(left, right, out, ledger)
    outputs = [Path(out)]
    if explain_:
        from clemency.monitor.files import read_table
        from clemency.monitor.match import compare, person_from_row
        lp = {str(r.get("id")): person_from_row(r) for r in read_table(left)}
        rp = {str(r.get("id")): person_from_row(r) for r in read_table(right)}
        rows = []
        for pair in pairs:
            c = compare(lp[pair.left_id], rp[pair.right_id]) if pair.left_id in lp and pair.right_id in rp else pair
            c.band, c.score = pair.band, pair.score
            c.caps = list(dict.fromkeys(c.caps + pair.caps))
            r = {"left_id": c.left_id, "right_id": c.right_id, "score": f"{c.score:.4f}", "band": c.band,
                 "caps": "; ".join(c.caps), "explanation": explain(c)}
            for k in c.contributions:
                r[k.field] = f"{k.points:.3f}"
            rows.append(r)
        write_csv(explain_path(out), EXPLAIN_COLUMNS, rows)
        outputs.append(explain_path(out))
    log_export(Path(out).parent, "match", outputs,
               options={"left": Path(left).name, "right": Path(right).name, "ledger": bool(ledger)},
               counts={"pairs": len(pairs), "match": sum(c.band == "match" for c in pairs),
                       "review": sum(c.band == "review" for c in pairs)})
    n_match = sum(c.band == "match" for c in pairs)
    click.echo(f"{len(pairs)} pair(s): {n_match} match, {len(pairs) - n_match} review; written to {out}"
               + (f" and {explain_path(out)}" if explain_ else ""))
