"""Self-contained HTML pages for comparisons, bounds and exclusion attribution (no network, stamped)."""

from __future__ import annotations

import json

from clemency.jurisdictions import RELIEF_LABELS as LABELS
from clemency.report import charts, html

# Relief labels are the jurisdictions' (clemency.jurisdictions), over every jurisdiction read.
RELIEF_LABELS = LABELS


def _readings(r: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in r.items())


def compare_page(s: dict) -> str:
    b, a = s["base"], s["alt"]
    bl, al = f"base: {b['act']}", f"alt: {a['act']}"
    rel = s["by_relief"]
    keys = list(rel)
    chart = charts.grouped_bars("Persons by relief under each side", [RELIEF_LABELS.get(k, k) for k in keys],
                                {bl: [rel[k]["base"]["persons"] for k in keys],
                                 al: [rel[k]["alt"]["persons"] for k in keys]})
    t_rel = html.table(["relief", "base rows", "alt rows", "delta rows", "base persons", "alt persons",
                        "delta persons"],
                       [[RELIEF_LABELS.get(k, k), v["base"]["rows"], v["alt"]["rows"], v["delta"]["rows"],
                         v["base"]["persons"], v["alt"]["persons"], v["delta"]["persons"]] for k, v in rel.items()],
                       numeric={1, 2, 3, 4, 5, 6})
    sections = [("Counts by relief", chart + t_rel)]
    for name, title in (("crime_category", "Beneficiaries by category of crime"), ("sex", "Beneficiaries by sex"),
                        ("eligible_month", "Beneficiaries by month of eligible_from"),
                        ("new_sentence_end_month", "Term cuts by month of the new sentence end")):
        d = s["deltas"][name]
        if not d:
            continue
        sections.append((title, html.table(["", "base", "alt", "delta"],
                                           [[k, v["base"], v["alt"], v["delta"]] for k, v in d.items()],
                                           numeric={1, 2, 3})))
    sections.append(("Flips: from which relief to which", html.table(
        ["base relief", "alt relief", "rows", "persons"],
        [[t["base_relief"], t["alt_relief"], t["rows"], t["persons"]] for t in s["transitions"]], numeric={2, 3})))
    sections.append(("The clauses behind the flips", "<p>Each clause whose result changed in a flipped row "
                     "(H held, F failed, U unknown, - not decided, x not in that act).</p>" + html.table(
                         ["clause: base>alt", "rows"], [[k, v] for k, v in list(s["clause_changes"].items())[:40]],
                         numeric={1})))
    if s["excluded_by_changes"]:
        sections.append(("Exclusions that changed", html.table(
            ["base excluded_by", "alt excluded_by", "rows"],
            [[e["base_excluded_by"], e["alt_excluded_by"], e["rows"]] for e in s["excluded_by_changes"][:40]],
            numeric={2})))
    stamp = (f"base {b['act']} (sha256 {b['act_hash'][:12]}; {_readings(b['readings'])}; on {b['on']}) against "
             f"alt {a['act']} (sha256 {a['act_hash'][:12]}; {_readings(a['readings'])}; on {a['on']}); "
             f"{s['rows']:,} rows, {s['flips']['rows']:,} flips; Clemency {s['clemency_version']}.")
    note = " ".join(x for x in (s.get("note"), s.get("note_dates")) if x) or None
    return html.page(f"{b['act']} against {a['act']}", sections, stamp, note=note)


def bounds_table_rows(result: dict) -> list[list]:
    """[relief label, default, min, max, min at, max at, official...] for the page and the console."""
    rows = []
    for key, v in result["reliefs"].items():
        rows.append([RELIEF_LABELS.get(key, key), v["default"], v["min"], v["max"],
                     _readings(v["min_at"]) or "(defaults)", _readings(v["max_at"]) or "(defaults)"]
                    + [v["official"].get(r) for r in result["reports"]])
    return rows


def bounds_section(result: dict) -> str:
    """The bounds table with a chart: every combination of the two-valued readings beside the official figures."""
    reports = result["reports"]
    rows = bounds_table_rows(result)
    heads = ["relief", "default readings", "min", "max", "min under (non-default readings)",
             "max under (non-default readings)"] + [f"{r} (official)" for r in reports]
    keys = list(result["reliefs"])
    official = {r: [result["reliefs"][k]["official"].get(r) for k in keys] for r in reports}
    chart = charts.range_bars("Persons by relief: range over every combination of readings, and official figures",
                              [RELIEF_LABELS.get(k, k) for k in keys], [result["reliefs"][k]["min"] for k in keys],
                              [result["reliefs"][k]["max"] for k in keys], official,
                              range_name="from the fewest to the most (every combination of readings)")
    intro = (f"<p>{result['combinations']:,} combinations of the two-valued readings "
             f"({', '.join(result['readings'])}; eif fixed at {result['entry_into_force']}), each decided over the "
             f"same registry. Counts are persons {result['measure_words']}. The official figures are cumulative "
             "counts of reliefs applied by each cut-off date.</p>")
    return intro + chart + html.table(heads, rows, numeric={1, 2, 3} | set(range(6, 6 + len(reports))))


def bounds_page(result: dict) -> str:
    stamp = (f"act {result['act']} (sha256 {result['act_hash'][:12]}); {result['rows']:,} rows; "
             f"{result['combinations']} combinations in {result['seconds']:.1f} s; Clemency {result['clemency_version']}.")
    return html.page(f"Bounds of {result['act']} over every combination of readings",
                     [("Bounds", bounds_section(result))], stamp, note=result.get("note"))


def attribution_page(res: dict) -> str:
    heads = ["exclusion", "held and blocked (rows)", "persons", "sole reason (persons)", "together with others",
             "flips if dropped (rows)", "gain a relief if dropped (persons)"]
    rows = [[x, v["blocked"]["rows"], v["blocked"]["persons"], v["sole"]["persons"], v["together"]["persons"],
             v["dropped"]["flips"], v["dropped"]["gain_persons"]] for x, v in res["exclusions"].items()]
    sections = [("What each exclusion does", "<p><b>sole</b>: the exclusion is the only one that held (excluded_by "
                 "lists only it) and dropping it gives a relief; <b>together</b>: it held with others; "
                 "<b>if dropped</b>: the act decided again with the exclusion neutralised.</p>"
                 + html.table(heads, rows, numeric={1, 2, 3, 4, 5, 6}))]
    if res.get("groups"):
        grows = []
        for g, v in res["groups"].items():
            for x, w in v["exclusions"].items():
                grows.append([g, v["persons"], v["beneficiaries"], x, w["sole"], w["together"], w["gain_if_dropped"]])
        sections.append(("By group", html.table(["group", "persons", "with a relief", "exclusion", "sole",
                                                 "together", "gain if dropped"], grows, numeric={1, 2, 4, 5, 6})))
        krows = [[g, k["excluded_by"], k["persons"]] for g, v in res["groups"].items() for k in v["kept_in_by"]]
        sections.append(("What keeps each group in", html.table(["group", "excluded_by", "persons"], krows,
                                                                numeric={2})))
    stamp = (f"act {res['act']} (sha256 {res['act_hash'][:12]}); readings {_readings(res['readings'])}; "
             f"on {res['on']}; {res['rows']:,} rows.")
    return html.page(f"Exclusion attribution: {res['act']}", sections + [
        ("Raw", f"<pre>{html.escape(json.dumps(res['exclusions'], indent=1))[:20000]}</pre>")], stamp,
        note=res.get("note"))


def bounds_console(result):
    """A compact table: relief, default, range, official figures; then which readings give each end."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{result['act']}: persons by relief under {result['combinations']} combinations of "
                        f"readings ({result['rows']:,} rows; {result['measure_words']})", title_justify="left")
    table.add_column("relief")
    table.add_column("default", justify="right")
    table.add_column("min-max", justify="right", no_wrap=True)
    for r in result["reports"]:
        table.add_column(r, justify="right")
    ends = []
    for key, v in result["reliefs"].items():
        label = RELIEF_LABELS.get(key, key)
        table.add_row(label, f"{v['default']:,}", f"{v['min']:,}-{v['max']:,}",
                      *["" if v["official"].get(r) is None else f"{v['official'][r]:,}" for r in result["reports"]])
        fmt = lambda d: ", ".join(f"{k}={x}" for k, x in d.items()) or "the defaults"  # noqa: E731
        ends.append(f"{label}: min under {fmt(v['min_at'])}; max under {fmt(v['max_at'])}")
    return Group(table, Text("\n".join(ends)), Text("Official figures: cumulative counts of reliefs applied by "
                                                   "each cut-off date (clemency/data/figures)."))
