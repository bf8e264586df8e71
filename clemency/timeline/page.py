"""Charts (SVG, offline) and the timeline pages: `timeline.html` in English, and `timeline.az.html`,
`timeline.ru.html` in the application's other languages (through the gettext catalogues: machine
translations, labelled so on the page), with numbers and dates as each locale writes them."""

from __future__ import annotations

import json
import re
from html import escape

import numpy as np

from clemency.jurisdictions import RELIEF_LABELS as LABELS_EN
from clemency.jurisdictions import RELIEF_SHORT as SHORT_EN
from clemency.jurisdictions import loaded
from clemency.locale import LANGS, N_, date, gettext_for, number
from clemency.locale.words import VALUES
from clemency.report import charts
from clemency.report.html import page, table
from clemency.report.stamp import act_title, readings_phrase
from clemency.timeline.reports import RELIEF_PARTS

# Relief labels are the jurisdictions' (their short words, in English).
RELIEF_LABELS = LABELS_EN
SHORT = SHORT_EN

CALENDARS = {"working": N_("working days (Monday to Friday, without public holidays)"),
             "weekdays": N_("Monday to Friday"), "every-day": N_("every day")}
# the report columns every jurisdiction's reports may carry (clemency.timeline.reports)
MEASURES = {"total": N_("all reliefs"), "men": N_("men"), "women": N_("women"), "minors": N_("minors")}
# what the timeline command itself writes in a reconciliation note
NOTES = (N_("simulated men include minors"), N_("reported men exclude minors; simulated men include them"))
NOT_MAPPED = re.compile(r"not simulated: no clause of (\S+) is mapped to it$")
MINORS = {"inside men": N_("inside men"), "a separate bucket": N_("a separate bucket"), "not said": N_("not said")}


class Html(str):
    """Text that is already HTML: `clemency.report.html.table` and this page insert it as it is."""

    def __html__(self) -> str:
        return str(self)


def _code(text) -> Html:
    """An id or a name as the data gives it, which translation leaves alone."""
    return Html(f'<span translate="no">{escape(str(text))}</span>')


def _h(text) -> str:
    """Text as HTML: `Html` as it is, anything else escaped."""
    return str(text) if isinstance(text, Html) else escape(str(text))


def _wide(svg: str) -> str:
    """A chart that keeps a readable size on a narrow screen: it scrolls inside its box, never the page."""
    return f'<div class="scroll"><div style="min-width:720px">{svg}</div></div>'


def page_name(lang: str) -> str:
    """The file of the timeline page in `lang`."""
    return "timeline.html" if lang == "en" else f"timeline.{lang}.html"


class Words:
    """The page's words in one language: reliefs and bodies in the jurisdiction's words, report columns,
    numbers and dates as the locale writes them; English texts with no translation marked as English."""

    def __init__(self, sim, manifest: dict, lang: str = "en"):
        self.lang, self.g = lang, gettext_for(lang)
        self.jur = loaded().get(sim.window.jurisdiction)
        self.bodies, self.act = manifest.get("bodies") or {}, manifest.get("act")

    def relief(self, relief: str, form: str = "label") -> str:
        if self.jur is not None:
            return getattr(self.jur, form)(relief, self.lang)
        return (SHORT if form == "short" else RELIEF_LABELS).get(relief, relief)

    def body(self, name: str) -> str:
        label = (self.bodies.get(name) or {}).get("label") or name
        return self.g(label)

    def n(self, value) -> str:
        if value is None:
            return ""
        return f"{value:,}" if self.lang == "en" else number(value, self.lang)

    def percent(self, share: float) -> str:
        if self.lang == "en":
            return f"{share:.0%}"
        from babel.numbers import format_percent
        return format_percent(share, locale=self.lang)

    def d(self, value) -> str:
        return date(value, self.lang) if value else ""

    def text(self, english: str):
        """A text through the catalogue; one with no translation is marked as English (not translated by
        the browser either), with a word saying so."""
        said = self.g(english)
        if self.lang == "en" or said != english:
            return said
        only = self.g(N_("in English only"))    # outside the f-string, where the catalogue's extraction sees it
        return Html(f'<span lang="en" translate="no">{escape(english)}</span> <i>({escape(only)})</i>')

    def measure(self, col: str) -> str:
        """A column of the official reports in words (the jurisdiction's `figures` section)."""
        g, fig = self.g, (self.jur.figures if self.jur else {})
        if col in MEASURES:
            return g(MEASURES[col])
        lanes = (fig.get("lane_columns") or {}).get(col)
        if lanes:
            relief = lanes[0].split(":")[0]
            words = self.relief(relief)
            several = [c for c, ls in (fig.get("lane_columns") or {}).items() if ls[0].split(":")[0] == relief]
            if len(several) > 1 and len(lanes) == 1 and self.jur is not None:
                words += f" — {self.body(self.jur.body_of_lane(lanes[0]) or lanes[0])}"
            return words
        for cat, c in (fig.get("category_columns") or {}).items():
            if c == col:
                return g(N_("crime category: {category}")).format(category=g(VALUES.get(cat, cat)))
        spec = (fig.get("clause_columns") or {}).get(col)
        if spec is not None:
            clauses = (spec.get("clauses") or {}).get(self.act)
            if clauses:
                return g(N_("relief under clause {clauses}")).format(clauses=", ".join(clauses))
        return col

    def note(self, note: str):
        m = NOT_MAPPED.match(note or "")
        if m:
            return self.g(N_("not simulated: no clause of {act} is mapped to it")).format(act=m.group(1))
        return self.text(note) if note else ""

    def change(self, change: str):
        """A change between two reports (clemency.timeline.reports.drift) in words."""
        g = self.g
        kind, _, rest = change.partition(": ")
        if kind in ("no longer reported", "newly reported"):
            what = ", ".join(self.measure(c.strip()) for c in rest.split(","))
            if kind == "no longer reported":
                return g(N_("no longer reported: {measures}")).format(measures=what)
            return g(N_("newly reported: {measures}")).format(measures=what)
        before, arrow, after = rest.partition(" -> ")
        if kind == "minors" and arrow and before in MINORS and after in MINORS:
            return g(N_("minors: {before} → {after}")).format(before=g(MINORS[before]), after=g(MINORS[after]))
        if kind == "bodies" and arrow:
            was, now = [b.strip() for b in before.split(",")], [b.strip() for b in after.split(",")]
            added, gone = [b for b in now if b not in was], [b for b in was if b not in now]
            if "all" not in was + now and (added or gone):     # what the later report adds and leaves out
                parts = []
                if added:
                    parts.append(g(N_("bodies added: {bodies}")).format(bodies=", ".join(map(self.body, added))))
                if gone:
                    parts.append(g(N_("bodies no longer covered: {bodies}")).format(
                        bodies=", ".join(map(self.body, gone))))
                return "; ".join(parts)

            def names(part):
                return ", ".join(g(N_("all bodies")) if b == "all" else self.body(b) for b in part)
            return g(N_("bodies: {before} → {after}")).format(before=names(was), after=names(now))
        return self.text(change)


def _says(w: Words, layer: dict) -> None:
    """Each mark of a line chart describes itself in the page's words (the tooltip shown by the browser)."""
    rows = layer["data"]["values"]
    mark = layer["mark"]["type"]
    if mark == "line":
        last = {}
        for r in rows:
            last[r["series"]] = r
        for r in rows:
            end = last[r["series"]]
            r["says"] = w.g(N_("{series}: {value} by {date}")).format(series=r["series"], value=w.n(end["value"]),
                                                                       date=w.d(end["x"]))
    elif mark == "point":
        for r in rows:
            r["says"] = w.g(N_("{series}, {date}: {value}")).format(series=r["series"], date=w.d(r["x"]),
                                                                     value=w.n(r["value"]))
    else:
        for r in rows:
            r["says"] = f"{r.get('label', '')}: {w.d(r['x'])}"
    enc = layer.setdefault("encoding", {})
    enc.pop("tooltip", None)
    enc["description"] = {"field": "says"}


_ARIA = re.compile(r'aria-roledescription="([^"]*)"( aria-label="([^"]*)")?')


def _chart(w: Words, title: str, series: dict, points: dict | None, events: dict, days: list, height: int,
           width: int = 860) -> str:
    """A line chart over the window in the page's words: title, legend, events, axes, tooltips; the months
    and the numbers on the axes as the locale writes them. Vega names its axes, legend and title for screen
    readers in English ("X-axis for a time scale ..."): those names are replaced by the page's words."""
    spec = charts.lines_spec(title, days, series, points, width=width - 80, height=height - 110, events=events)
    top = max([v for vs in series.values() for v in vs if v is not None]
              + [v for ps in (points or {}).values() for _, v in ps] + [0])
    names = list(series) + list(points or {})
    for layer in spec["layer"]:
        _says(w, layer)
        x = layer["encoding"]["x"]
        if "axis" in x and w.lang != "en":
            from babel.dates import get_month_names
            months = list(get_month_names("abbreviated", "format", w.lang).values())
            x["axis"]["labelExpr"] = (f"timeFormat(datum.value, '%d') + ' ' + "
                                      f"{json.dumps(months, ensure_ascii=False)}[month(datum.value)]")
        if "axis" in layer["encoding"].get("y", {}):
            layer["encoding"]["y"]["title"] = w.g(N_("persons"))
    said = {"X": w.g(N_("dates from {first} to {last}")).format(first=w.d(days[0]), last=w.d(days[-1])),
            "Y": w.g(N_("persons, from 0 to {top}")).format(top=w.n(top)),
            "legend": w.g(N_("legend: {names}")).format(names=", ".join(names)), "title": title}

    def aria(m: re.Match) -> str:
        role, label = m.group(1), m.group(3) or ""
        key = label[:1] if role == "axis" else role
        return f'aria-label="{escape(said[key])}"' if key in said and m.group(2) else ""
    return _ARIA.sub(aria, charts._inline(charts.svg(spec, w.lang), title))


def _events(sim, w: Words) -> dict:
    """The entry into force and the deadline (the window's last day), marked on the time charts."""
    return {w.g(N_("entry into force")): sim.window.eif, w.g(N_("deadline")): sim.window.end}


def cumulative_chart(sim, reports, w: Words | None = None) -> str:
    w = w or Words(sim, {})
    n = sim.n_days
    series = {w.g(N_("all reliefs (simulated)")): np.cumsum(sim.g_served.sum(axis=0)).tolist()}
    reliefs = sorted({ln.split(":")[0] for ln in sim.g_lane.tolist()})
    for rel in reliefs:
        m = np.array([ln.split(":")[0] == rel for ln in sim.g_lane.tolist()], bool)
        series[w.relief(rel, "short")] = np.cumsum(sim.g_served[m].sum(axis=0)).tolist()
    points = {}
    pts = [((r.cut_off - sim.window.eif).days, r.values["total"]) for r in reports
           if not r.projection and r.cut_off and "total" in r.values and 0 <= (r.cut_off - sim.window.eif).days < n]
    if pts:
        points[w.g(N_("reported: {relief}")).format(relief=w.g(MEASURES["total"]))] = pts
    jur = w.jur
    first = next(iter(jur.reliefs.values()), None) if jur else None     # the jurisdiction's first relief
    col = first.figures[0] if first and first.figures else None
    rel_pts = [((r.cut_off - sim.window.eif).days, r.values[col]) for r in reports
               if col and not r.projection and r.cut_off and col in r.values
               and 0 <= (r.cut_off - sim.window.eif).days < n]
    if rel_pts:
        points[w.g(N_("reported: {relief}")).format(relief=w.relief(first.id, "short"))] = rel_pts
    title = w.g(N_("Reliefs applied, cumulative (simulated lines, reported points)"))
    return _chart(w, title, series, points, _events(sim, w), sim.days, 360)


def backlog_chart(sim, w: Words | None = None) -> str:
    w = w or Words(sim, {})
    n = sim.n_days
    series = {}
    for body in sim.bodies:
        lanes = [ln for ln in sim.bodies[body].lanes]
        m = np.isin(sim.g_lane, lanes)
        if not m.any():
            continue
        elig = np.zeros(n, np.int64)
        np.add.at(elig, np.clip(sim.g_elig[m], 0, n - 1), sim.g_count[m])
        back = np.cumsum(elig) - np.cumsum(sim.g_served[m].sum(axis=0)) - np.cumsum(sim.g_lapsed[m].sum(axis=0))
        series[w.g(sim.bodies[body].label or body)] = back.tolist()
    title = w.g(N_("Eligible but not yet applied (backlog), by body"))
    return _chart(w, title, series, None, _events(sim, w), sim.days, 320)


def stamp(manifest: dict, w: Words) -> str:
    """As-of date, window, act (title, id, version), readings in words, registry version, calendar."""
    g = w.g
    calendar = manifest.get("calendar")
    return " · ".join([
        g(N_("As of {date} (decisions)")).format(date=w.d(manifest["as_of"])),
        g(N_("window {start} to {end}")).format(start=w.d(manifest["entry_into_force"]),
                                                end=w.d(manifest["window_end"])),
        g(N_("act: {title} ({id}, version {hash})")).format(title=act_title(manifest["act"], w.lang),
                                                             id=manifest["act"], hash=str(manifest["act_hash"])[:16]),
        g(N_("readings: {readings}")).format(readings=readings_phrase(manifest, w.lang)),   # never a flag
        g(N_("registry version {hash}")).format(hash=str(manifest.get("registry_hash"))[:16]),
        g(N_("calendar: {calendar}")).format(calendar=g(CALENDARS[calendar]) if calendar in CALENDARS
                                             else calendar),
    ])


def _totals(totals: list, w: Words) -> str:
    pairs = [(t["body"], t["relief"]) for t in totals]
    rows = []
    for t in totals:
        relief = w.relief(t["relief"])
        if pairs.count((t["body"], t["relief"])) > 1 and ":" in t["lane"]:
            relief += " (" + t["lane"].split(":")[1] + ")"
        rows.append([w.body(t["body"]), relief, *(w.n(t[k]) for k in ("eligible", "applied", "lapsed", "overdue")),
                     w.d(t["last_applied"])])
    g = w.g
    return table([g(N_("body")), g(N_("relief")), g(N_("eligible in the window")), g(N_("applied by the end")),
                  g(N_("lapsed (served out first)")), g(N_("overdue at the deadline")), g(N_("last applied"))],
                 rows, numeric={2, 3, 4, 5})


def _reconciliation(recon: list, w: Words) -> str:
    """One row per report and measure; the report, its cut-off and the bodies it covers once per report."""
    g = w.g

    def bodies(r):
        if r["bodies"] == "all":
            return g(N_("all bodies"))
        return ", ".join(w.body(b) for b in r["bodies"].split(";") if b)

    def note(r, first):
        said = w.note(r["note"])
        if not (first and r["kind"].startswith("projection")):
            return said
        projection = g(N_("an announced projection, set beside everyone eligible in the window"))
        return Html(f"{escape(projection)}; {_h(said)}") if said else projection
    rows, last = [], None
    for r in recon:
        first = r["report"] != last
        last = r["report"]
        rows.append([_code(r["report"]) if first else "",
                     w.d(r["cut_off"]) if first else "", w.measure(r["measure"]), w.n(r["reported"]),
                     w.n(r["simulated"]), w.n(r["gap"]), bodies(r) if first else "", note(r, first)])
    return table([g(N_("report")), g(N_("cut-off")), g(N_("measure")), g(N_("reported")), g(N_("simulated")),
                  g(N_("gap")), g(N_("bodies")), g(N_("note"))], rows, numeric={3, 4, 5})


def _bodies(bodies: dict, w: Words) -> str:
    g = w.g

    def lanes(b):
        return "; ".join(f"{w.relief(k.split(':')[0])}: {w.percent(v)}"
                         for k, v in b["lanes"].items())
    intro = g(N_("Capacities, ramps, lead times and shares are calibrated assumptions chosen so that the default "
                 "synthetic registry roughly follows the ministry's reported pace; no body has published its "
                 "capacity. Each body's capacity, lead time and start can be set for a run (docs/timeline.md "
                 "says how)."))
    return "<p>" + escape(intro) + "</p>" + table(
        [g(N_("body")), g(N_("applies (share of capacity)")), g(N_("starts on")), g(N_("persons per working day")),
         g(N_("ramp (working days)")), g(N_("lead (days)")), g(N_("sources"))],
        [[g(b["label"]), lanes(b), w.d(b["start"]), w.n(b["capacity"]), w.n(b["ramp_days"]), w.n(b["lead_days"]),
          w.text(b["sources"]) if b.get("sources") else ""] for b in bodies.values()], numeric={3, 4, 5})


def page_html(sim, manifest, totals, reports, recon, findings, drift_rows, lang: str = "en",
              svgs: dict | None = None) -> str:
    """The timeline page in `lang`: every heading, label, chart and note through the catalogue."""
    w = Words(sim, manifest, lang)
    g = w.g
    svgs = svgs or {"cumulative": cumulative_chart(sim, reports, w), "backlog": backlog_chart(sim, w)}
    sections = [(g(N_("Totals over the window")), _totals(totals, w)),
                (g(N_("Cumulative reliefs")), _wide(svgs["cumulative"])), (g(N_("Backlog")), _wide(svgs["backlog"]))]
    if recon:
        sections.append((g(N_("Reported beside simulated (gap = reported − simulated)")), _reconciliation(recon, w)))
    if reports:
        sections.append((g(N_("Reports that do not add up, and other problems")), table(
            [g(N_("report")), g(N_("problem"))],
            [[_code(f["report"]), w.text(f["problem"])] for f in findings])
            if findings else "<p>" + escape(g(N_("Every report adds up: reliefs, categories and sexes each sum to "
                                                 "the total."))) + "</p>"))
        if drift_rows:
            sections.append((g(N_("How the reports' breakdown changes")), table(
                [g(N_("report")), g(N_("previous")), g(N_("change"))],
                [[_code(d["report"]),
                  _code(d["previous"]), w.change(d["change"])]
                 for d in drift_rows])))
    if manifest.get("warnings"):
        sections.append((g(N_("What could not be placed")), "<ul>" + "".join(
            f"<li>{_h(w.text(x))}</li>" for x in manifest["warnings"]) + "</ul>"))
    sections.append((g(N_("Who applies what (calibrated assumptions)")), _bodies(manifest["bodies"], w)))
    note = g(manifest["note"]) if manifest.get("note") else None
    html = page(g(N_("Implementation over time: {act}")).format(act=manifest["act"]), sections, stamp(manifest, w),
                note, lang=lang)
    if lang != "en":     # the machine-translation label, under the title
        label = escape(g(N_("Machine translation, not checked by a fluent speaker.")))
        html = html.replace("</h1>", f'</h1><p class="note" role="note" id="machine-translation">{label}</p>', 1)
    return html


def languages() -> tuple[str, ...]:
    """English, and the application's other languages when Babel (the `web` extra), which writes their numbers
    and dates, is installed."""
    try:
        import babel  # noqa: F401
    except ImportError:
        return ("en",)
    return LANGS


def write_page(out, sim, manifest, totals, reports, recon, findings, drift_rows, langs=None) -> None:
    """The charts (SVG, English) and the page in each language of `langs` (default: `languages()`), each in
    its file (`page_name`)."""
    langs = langs or languages()
    w = Words(sim, manifest)
    svgs = {"cumulative": cumulative_chart(sim, reports, w), "backlog": backlog_chart(sim, w)}
    (out / "timeline_cumulative.svg").write_text(svgs["cumulative"], encoding="utf-8")
    (out / "timeline_backlog.svg").write_text(svgs["backlog"], encoding="utf-8")
    for lang in langs:
        html = page_html(sim, manifest, totals, reports, recon, findings, drift_rows, lang,
                         svgs if lang == "en" else None)
        (out / page_name(lang)).write_text(html, encoding="utf-8")


__all__ = ["RELIEF_PARTS", "Words", "backlog_chart", "cumulative_chart", "languages", "page_html", "page_name",
           "write_page"]
