"""Published reports of a run: a self-contained HTML page (inline CSS and SVG, works offline) and the
figures as CSV/XLSX. Every figure carries its as-of date, the act's id and hash, the readings, and the
synthetic-data note where the registry is synthetic."""

from __future__ import annotations

import csv
import io

from clemency.apply import SYNTHETIC_NOTE
from clemency.locale import N_, date, gettext_for
from clemency.report import charts, html
from clemency.report.cells import neutralise
from clemency.report.stamp import act_title, readings_phrase, run_words
from clemency.report.stamp import stamp as words_stamp
from clemency.web.common import sheet_cell

DIMENSIONS = ("relief", "clause", "crime_category", "sex")


def stamp(manifest: dict, lang: str = "en") -> str:
    """As-of date, act (title, id, version), readings, Criminal Code table and registry version, in words."""
    return words_stamp(manifest, lang)


def note(manifest: dict) -> str | None:
    return SYNTHETIC_NOTE if manifest.get("synthetic") else None


def figure_rows(summary: dict, manifest: dict) -> list[dict]:
    """One row per dimension and value, each stamped."""
    out = []
    for dim in DIMENSIONS:
        for value, c in (summary.get(f"by_{dim}") or {}).items():
            out.append({"dimension": dim, "value": value, "rows": c["rows"], "persons": c["persons"],
                        "as_of": manifest.get("on"), "act": manifest.get("act"), "act_hash": manifest.get("act_hash"),
                        "act_title": act_title(manifest.get("act")),
                        "readings": ";".join(f"{k}={v}" for k, v in (manifest.get("readings") or {}).items()),
                        "readings_in_words": readings_phrase(manifest),
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
    ws.append([sheet_cell("Clemency figures. " + stamp(manifest))])
    if note(manifest):
        ws.append([sheet_cell(note(manifest))])
    ws.append(list(rows[0]) if rows else [])
    for r in rows:
        ws.append([sheet_cell(v) for v in r.values()])
    wb.save(path)


DIMENSION_WORDS = {"relief": N_("By relief"), "clause": N_("By clause"), "crime_category": N_("By crime category"),
                   "sex": N_("By sex")}
HEADINGS = {"relief": N_("Relief"), "clause": N_("Clause"), "crime_category": N_("Crime category"), "sex": N_("Sex")}


def _category_words(dim: str, value, manifest: dict, lang: str = "en") -> str:
    """A chart category in words: a relief in the words of the act's jurisdiction, a registry value in words,
    an empty clause as words."""
    from clemency.locale.words import VALUES
    from clemency.web.i18n import relief_words
    g = gettext_for(lang)
    if value in (None, "", "None", "(none)"):
        return g(N_("(no clause)")) if dim == "clause" else g(N_("(not recorded)"))
    if dim == "relief":
        return relief_words(str(value), manifest.get("act"), lang)
    if dim in ("crime_category", "sex") and str(value) in VALUES:
        return g(VALUES[str(value)])
    return str(value)


def report_html(summary: dict, manifest: dict, lang: str = "en") -> str:
    g = gettext_for(lang)
    st = stamp(manifest, lang)
    nt = g(note(manifest)) if note(manifest) else None
    sections = [(g(N_("The run")), html.table(["", g(N_("value"))], run_words(summary, manifest, lang), numeric={1}))]
    for dim in DIMENSIONS:
        data = summary.get(f"by_{dim}") or {}
        cats = list(data)
        heading = g(DIMENSION_WORDS[dim])
        words = [_category_words(dim, c, manifest, lang) for c in cats]
        title = g(N_("{heading} (as of {date}, {act})")).format(heading=heading, date=date(manifest.get("on"), lang),
                                                              act=manifest.get("act"))
        chart = charts.grouped_bars(title, words, {g(N_("persons")): [data[c]["persons"] for c in cats],
                                                   g(N_("rows")): [data[c]["rows"] for c in cats]})
        tab = html.table([g(HEADINGS[dim]), g(N_("rows")), g(N_("persons"))],
                         [[w, data[c]["rows"], data[c]["persons"]] for w, c in zip(words, cats)], numeric={1, 2})
        caption = f'<p class="stamp">{html.escape(st)}</p>'
        if nt:
            caption += f'<p class="stamp">{html.escape(nt)}</p>'
        sections.append((heading, chart + caption + tab))
    return html.page(g(N_("Clemency: an act applied to a registry")), sections, st, nt, lang=lang)
