"""Published reports of a run: a self-contained HTML page (inline CSS and SVG, works offline) and the
figures as CSV/XLSX. Every figure carries its as-of date, the act's id and hash, the readings, and the
synthetic-data note where the registry is synthetic."""

from __future__ import annotations

import csv
import io

from clemency.apply import SYNTHETIC_NOTE
from clemency.report import charts, html
from clemency.report.cells import neutralise

DIMENSIONS = ("relief", "clause", "crime_category", "sex")


def stamp(manifest: dict) -> str:
    readings = ", ".join(f"{k}={v}" for k, v in (manifest.get("readings") or {}).items())
    return (f"As of {manifest.get('on')} · act {manifest.get('act')} (sha256 {str(manifest.get('act_hash'))[:16]}) · "
            f"readings: {readings} · Criminal Code table {manifest.get('code_version')} · "
            f"registry sha256 {str(manifest.get('registry_hash'))[:16]}")


def note(manifest: dict) -> str | None:
    return SYNTHETIC_NOTE if manifest.get("synthetic") else None


def figure_rows(summary: dict, manifest: dict) -> list[dict]:
    """One row per dimension and value, each stamped."""
    out = []
    for dim in DIMENSIONS:
        for value, c in (summary.get(f"by_{dim}") or {}).items():
            out.append({"dimension": dim, "value": value, "rows": c["rows"], "persons": c["persons"],
                        "as_of": manifest.get("on"), "act": manifest.get("act"), "act_hash": manifest.get("act_hash"),
                        "readings": ";".join(f"{k}={v}" for k, v in (manifest.get("readings") or {}).items()),
                        "synthetic": bool(manifest.get("synthetic")),
                        "note": SYNTHETIC_NOTE if manifest.get("synthetic") else ""})
    return out


def figures_csv(summary: dict, manifest: dict) -> str:
    rows = figure_rows(summary, manifest)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else ["dimension"])
    w.writeheader()
    w.writerows({k: neutralise(v) for k, v in r.items()} for r in rows)
    return buf.getvalue()


def figures_xlsx(summary: dict, manifest: dict, path) -> None:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "figures"
    rows = figure_rows(summary, manifest)
    ws.append([neutralise("Clemency figures. " + stamp(manifest))])
    if note(manifest):
        ws.append([neutralise(note(manifest))])
    ws.append(list(rows[0]) if rows else [])
    for r in rows:
        ws.append([neutralise(v) for v in r.values()])
    wb.save(path)


def _category_words(dim: str, value, manifest: dict) -> str:
    """A chart category in words: a relief in the words of the act's jurisdiction, an empty clause as words."""
    if value in (None, "", "None"):
        return "(no clause)" if dim == "clause" else "(not recorded)"
    if dim == "relief":
        from clemency.web.i18n import relief_words
        return relief_words(str(value), manifest.get("act"))
    return str(value).replace("_", " ") if dim == "crime_category" else str(value)


def report_html(summary: dict, manifest: dict, title: str = "Clemency: an act applied to a registry") -> str:
    st = stamp(manifest)
    sections = []
    rows = manifest.get("rows") or {}
    sections.append(("The run", html.table(["", "value"], [
        ["rows in", rows.get("in")], ["rows decided", rows.get("decided")], ["rows rejected", rows.get("rejected")],
        ["findings", rows.get("findings")], ["persons", summary.get("persons")], ["engine", manifest.get("engine")],
        ["act", f"{manifest.get('act')} ({manifest.get('act_hash')})"], ["decision date", manifest.get("on")],
        ["window", f"{manifest.get('entry_into_force')} – {manifest.get('window_end')}"]], numeric={1})))
    for dim in DIMENSIONS:
        data = summary.get(f"by_{dim}") or {}
        cats = list(data)
        chart = charts.grouped_bars(f"By {dim.replace('_', ' ')} (as of {manifest.get('on')}, {manifest.get('act')})",
                                    [_category_words(dim, c, manifest) for c in cats], {"persons": [data[c]["persons"] for c in cats],
                                           "rows": [data[c]["rows"] for c in cats]},
                                    height=max(120, 40 * len(cats) + 80))
        tab = html.table([dim, "rows", "persons"], [[c, data[c]["rows"], data[c]["persons"]] for c in cats],
                         numeric={1, 2})
        caption = f'<p class="stamp">{html.escape(st)}</p>'
        if note(manifest):
            caption += f'<p class="stamp">{html.escape(note(manifest))}</p>'
        sections.append((f"By {dim.replace('_', ' ')}", chart + caption + tab))
    return html.page(title, sections, st, note(manifest))
