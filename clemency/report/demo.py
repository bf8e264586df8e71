"""`clemency demo`: generate an Azerbaijan-scale synthetic registry, apply the 2025 act, show the breakdown
beside the announced projection and the ministry's reports, and write a self-contained HTML report."""

from __future__ import annotations

import json
from pathlib import Path

from rich.table import Table

from clemency.apply import SYNTHETIC_NOTE, apply_act
from clemency.report import charts, html
from clemency.report.console import console, progress_steps, row_progress
from clemency.report.figures import CATEGORY_COLUMNS, RELIEF_COLUMNS, SEX_COLUMNS, figure, load_figures
from clemency.report.stamp import run_words
from clemency.report.stamp import stamp as words_stamp

ACT = "az-2025"
RELIEF_LABELS = {"release_from_imprisonment": "released from prison",
                 "term_reduction": "term cut by 6 months",
                 "release_from_punishment": "freed from non-custodial",
                 "release_from_criminal_liability": "freed from liability"}
CATEGORY_LABELS = {"not_great_danger": "not great danger", "less_serious": "less serious",
                   "grave": "grave", "especially_grave": "especially grave"}
SEX_LABELS = {"M": "men", "F": "women"}


def breakdown(summary: dict, beneficiaries: dict, reports: list[dict]) -> list[tuple[str, str, list]]:
    """(section, label, [synthetic, report1, report2, ...]) rows: persons by relief, then beneficiaries by
    crime category and by sex (the ministry counts beneficiaries), then the total."""
    def persons(key):
        v = summary["by_relief"].get(key)
        return v["persons"] if v else 0

    rows = [("relief", label, [persons(key)] + [figure(r, RELIEF_COLUMNS[key]) for r in reports])
            for key, label in RELIEF_LABELS.items()]
    for key, label in CATEGORY_LABELS.items():
        col = CATEGORY_COLUMNS.get(key)
        rows.append(("category", label, [beneficiaries["crime_category"].get(key, 0)]
                     + [figure(r, [col]) if col else None for r in reports]))
    for key, label in SEX_LABELS.items():
        rows.append(("sex", label, [beneficiaries["sex"].get(key, 0)]
                     + [figure(r, [SEX_COLUMNS[key]]) for r in reports]))
    rows.append(("total", "persons relieved", [sum(persons(k) for k in RELIEF_LABELS)]
                 + [r.get("total") for r in reports]))
    return rows


def beneficiaries_by(decisions: Path) -> dict:
    """Persons with a relief, by crime category and by sex."""
    import duckdb

    from clemency.engines.duckdb import sql_path
    con = duckdb.connect()
    res = con.execute(f"""SELECT crime_category, sex, GROUPING(crime_category, sex), count(DISTINCT person_id)
        FROM read_parquet({sql_path(decisions)}) WHERE relief NOT IN ('none', 'indeterminate')
        GROUP BY GROUPING SETS ((crime_category), (sex))""").fetchall()
    con.close()
    out: dict = {"crime_category": {}, "sex": {}}
    for category, sex, g, n in res:
        if g == 0b01:   # grouped by crime_category
            out["crime_category"][category] = n
        else:
            out["sex"][sex] = n
    return out


def run_demo(out, rows: int | None = None, seed: int = 0, force: bool = False) -> Path:
    """Generate, apply, report into `out`, written whole or not at all; a previous demo there is replaced."""
    from clemency.outdir import atomic_output
    final = Path(out)
    with atomic_output(final, command="demo", force=force, replace=("demo",)) as run:
        _demo_into(run, rows, seed)
    console.print(f"report: {final / 'report.html'}   decisions: {final / 'decisions.parquet'}")
    return final


def _demo_into(run, rows: int | None, seed: int) -> None:
    from clemency.registry import synth as synth_mod
    out = run.path
    registry = out / "registry.parquet"
    total = rows or synth_mod.DEFAULT_ROWS
    with row_progress(total, "generating a synthetic registry") as advance:
        synth_mod.synth(total, registry, seed=seed, progress=advance)
    with progress_steps() as step:
        result = apply_act(ACT, registry, out, progress=step, run=run)
    m, s = result.manifest, result.summary
    reports = load_figures(ACT)
    rows_out = breakdown(s, beneficiaries_by(out / "decisions.parquet"), reports)

    heads = ["synthetic, eligible on EIF"] + [str(r["report"]) for r in reports]
    table = Table(title=f"The 2025 act on a synthetic registry of {m['rows']['in']:,} rows", title_justify="left")
    table.add_column("")
    table.add_column("")
    for h in heads:
        table.add_column(h, justify="right")
    previous = None
    for section, label, values in rows_out:
        table.add_row("" if section == previous else section, label,
                      *["" if v is None else f"{v:,}" for v in values])
        previous = section
    console.print(table)
    console.print(f"[yellow]{SYNTHETIC_NOTE}[/]")
    console.print("Category and sex count beneficiaries. The ministry's figures (moj-*) are cumulative counts of "
                  "reliefs applied by each cut-off date; 'announced' is the projection; the synthetic column counts "
                  "everyone eligible on the day of entry into force.")

    from clemency.compare.bounds import bounds as reading_bounds
    from clemency.compare.report import bounds_console
    with row_progress(256, "bounds: every combination of readings") as advance:
        bounds = reading_bounds(registry, ACT, out / "bounds", progress=lambda done, total: advance(done))
    console.print(bounds_console(bounds))
    page = render_report(result, rows_out, heads, bounds)
    (out / "report.html").write_text(page, encoding="utf-8")
    (out / "breakdown.json").write_text(json.dumps([{"section": a, "label": b, "values": dict(zip(heads, c))}
                                                     for a, b, c in rows_out], indent=2))


def render_report(result, rows_out, heads, bounds=None) -> str:
    m, s = result.manifest, result.summary
    relief_rows = [r for r in rows_out if r[0] == "relief"]
    chart = charts.grouped_bars("Reliefs: synthetic registry beside the published figures",
                                [r[1] for r in relief_rows],
                                {h: [r[2][i] for r in relief_rows] for i, h in enumerate(heads)})
    cat_rows = [r for r in rows_out if r[0].startswith("category")]
    chart2 = charts.grouped_bars("Beneficiaries by category of crime", [r[1] for r in cat_rows],
                                 {h: [r[2][i] for r in cat_rows] for i, h in enumerate(heads)})
    table = html.table(["", ""] + heads, [[a, b, *v] for a, b, v in rows_out], numeric=set(range(2, 2 + len(heads))))
    clauses = html.table(["clause", "rows", "persons"],
                         [[k, v["rows"], v["persons"]] for k, v in s["by_clause"].items()], numeric={1, 2})
    made = html.table(["", "value"], run_words(s, m))          # the run in words: no path, no flag
    stamp = words_stamp(m)
    return html.page("The 2025 Azerbaijani amnesty applied to a synthetic registry", [
        ("Reliefs beside the published figures", chart + table),
        ("By category of crime", chart2),
        ("By clause", clauses),
    ] + ([("Every combination of readings (bounds) beside the official figures", _bounds_html(bounds))]
         if bounds else []) + [
        ("How this was made", "<p>The act is encoded from public reports (its official text is not available); "
         "each clause carries its status (reported, inferred, unknown). The registry is made up by Clemency's "
         "synthetic registry generator, whose proportions are assumptions calibrated to the published figures "
         "(Clemency's documentation on synthetic registries states them).</p>" + made),
    ], stamp, note=SYNTHETIC_NOTE)


def _bounds_html(bounds) -> str:
    from clemency.compare.report import bounds_section
    return bounds_section(bounds)
