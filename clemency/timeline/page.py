"""Charts (SVG, offline) and the timeline.html page."""

from __future__ import annotations

from html import escape
from pathlib import Path

import numpy as np

from clemency.jurisdictions import RELIEF_LABELS as LABELS_EN
from clemency.jurisdictions import RELIEF_SHORT as SHORT_EN
from clemency.jurisdictions import loaded
from clemency.report.charts import lines
from clemency.report.html import page, table
from clemency.report.stamp import readings_phrase
from clemency.timeline.reports import RELIEF_PARTS

# Relief labels are the jurisdictions' (their short words, in English).
RELIEF_LABELS = LABELS_EN
SHORT = SHORT_EN


def _words(sim, relief: str, form: str) -> str:
    """A relief's label (form `label`) or legend word (`short`) in the words of the window's jurisdiction."""
    jur = loaded().get(sim.window.jurisdiction)
    if jur is not None:
        return getattr(jur, form)(relief)
    return (SHORT if form == "short" else RELIEF_LABELS).get(relief, relief)


def cumulative_chart(sim, reports) -> str:
    n = sim.n_days
    series = {"all (sim.)": np.cumsum(sim.g_served.sum(axis=0)).tolist()}
    reliefs = sorted({ln.split(":")[0] for ln in sim.g_lane.tolist()})
    for rel in reliefs:
        m = np.array([ln.split(":")[0] == rel for ln in sim.g_lane.tolist()], bool)
        series[_words(sim, rel, "short")] = np.cumsum(sim.g_served[m].sum(axis=0)).tolist()
    points = {}
    pts = [((r.cut_off - sim.window.eif).days, r.values["total"]) for r in reports
           if not r.projection and r.cut_off and "total" in r.values and 0 <= (r.cut_off - sim.window.eif).days < n]
    if pts:
        points["reported"] = pts
    jur = loaded().get(sim.window.jurisdiction)
    first = next(iter(jur.reliefs.values()), None) if jur else None     # the jurisdiction's first relief
    col = first.figures[0] if first and first.figures else None
    rel_pts = [((r.cut_off - sim.window.eif).days, r.values[col]) for r in reports
               if col and not r.projection and r.cut_off and col in r.values
               and 0 <= (r.cut_off - sim.window.eif).days < n]
    if rel_pts:
        points[f"reported {_words(sim, first.id, 'short')}"] = rel_pts
    return lines("Reliefs applied, cumulative (simulated lines, reported points)", sim.days, series, points,
                 width=860, height=360, events=_events(sim))


def backlog_chart(sim) -> str:
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
        series[body] = back.tolist()
    return lines("Eligible but not yet applied (backlog), by body", sim.days, series, width=860, height=320,
                 events=_events(sim))


def _events(sim) -> dict:
    """The entry into force and the deadline (the window's last day), marked on the time charts."""
    return {"entry into force": sim.window.eif, "deadline": sim.window.end}


def write_page(out: Path, sim, manifest, totals, reports, recon, findings, drift_rows) -> None:
    charts = {"timeline_cumulative.svg": cumulative_chart(sim, reports), "timeline_backlog.svg": backlog_chart(sim)}
    for name, svg in charts.items():
        (out / name).write_text(svg, encoding="utf-8")
    readings = readings_phrase(manifest)     # in words, from the act file: never a command-line code
    stamp = (f"As of {manifest['as_of']} (decisions), window {manifest['entry_into_force']} to "
             f"{manifest['window_end']}; act {manifest['act']} sha256 {str(manifest['act_hash'])[:16]}; "
             f"readings: {readings}; registry sha256 {str(manifest.get('registry_hash'))[:16]}; "
             f"calendar: {manifest['calendar']}.")
    sections = []
    sections.append(("Totals over the window", table(
        ["body", "relief", "eligible in window", "applied by the end", "lapsed (served out first)",
         "overdue at the deadline", "last applied"],
        [[t["body"], _words(sim, t["relief"], "label") + (" (" + t["lane"].split(":")[1] + ")"
                                                                   if ":" in t["lane"] else ""),
          t["eligible"], t["applied"], t["lapsed"], t["overdue"], t["last_applied"]] for t in totals],
        numeric={2, 3, 4, 5})))
    sections.append(("Cumulative reliefs", charts["timeline_cumulative.svg"]))
    sections.append(("Backlog", charts["timeline_backlog.svg"]))
    if recon:
        sections.append(("Reported beside simulated (gap = reported - simulated)", table(
            ["report", "cut-off", "measure", "reported", "simulated", "gap", "bodies", "note"],
            [[r["report"], r["cut_off"], r["measure"], r["reported"], r["simulated"], r["gap"], r["bodies"],
              r["note"]] for r in recon], numeric={3, 4, 5})))
    if reports:
        sections.append(("Reports that do not add up, and other problems", table(
            ["report", "problem"], [[f["report"], f["problem"]] for f in findings])
            if findings else "<p>Every report adds up: reliefs, categories and sexes each sum to the total.</p>"))
        if drift_rows:
            sections.append(("How the reports' breakdown changes", table(
                ["report", "previous", "change"], [[d["report"], d["previous"], d["change"]] for d in drift_rows])))
    if manifest.get("warnings"):
        sections.append(("What could not be placed", "<ul>" + "".join(
            f"<li>{escape(w)}</li>" for w in manifest["warnings"]) + "</ul>"))
    bodies = manifest["bodies"]
    sections.append(("Who applies what (calibrated assumptions)", "<p>" + escape(
        "Capacities, ramps, lead times and shares are calibrated assumptions chosen so that the default synthetic "
        "registry roughly follows the ministry's reported pace; no body has published its capacity. Each body's "
        "capacity, lead time and start can be set for a run (docs/timeline.md says how).") + "</p>" + table(
        ["body", "applies (lane: share of capacity)", "from", "persons per working day", "ramp (working days)",
         "lead (days)", "sources"],
        [[b["label"], "; ".join(f"{k} {v:g}" for k, v in b["lanes"].items()), b["start"], b["capacity"],
          b["ramp_days"], b["lead_days"], b["sources"]] for b in bodies.values()], numeric={3, 4, 5})))
    html = page(f"Implementation over time: {manifest['act']}", sections, stamp, manifest.get("note"))
    (out / "timeline.html").write_text(html, encoding="utf-8")


__all__ = ["RELIEF_PARTS", "backlog_chart", "cumulative_chart", "write_page"]
