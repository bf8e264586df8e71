"""Charts (Vega-Lite rendered to SVG): round ticks, no label cut off or overlapping, a range drawn as one mark,
the entry into force and the deadline marked on a time chart."""

from __future__ import annotations

import datetime as dt
import math
import os
import re

import pytest

from clemency.report import charts

CHROMIUM = "/usr/bin/chromium"
LONG = "release from punishment of persons sentenced for a crime of little public danger under a long clause"
# the values of the issue: a hand-drawn axis gave ticks of 4,971 and 9,942
SERIES = {"synthetic registry": [9942, 4971, 13, None], "moj-2025-06-30 (official)": [7000, None, 2, 120],
          "announced": [12345, 3000, 1, 17]}
CATS = ["release from imprisonment", LONG, "term reduction", "none"]


def _groups(svg: str, role: str) -> list[list[str]]:
    """The texts of each mark group with this role (e.g. role-axis-label), in document order."""
    out = []
    for m in re.finditer(rf'<g class="mark-text {role}[^"]*"[^>]*>(.*?)</g>', svg, re.S):
        out.append([re.sub(r"<[^>]+>", " ", t).strip() for t in re.findall(r"<text[^>]*>(.*?)</text>", m.group(1),
                                                                              re.S)])
    return out


def _is_round_step(step: float) -> bool:
    k = 10 ** math.floor(math.log10(step))
    return any(math.isclose(step, m * k) for m in (1, 2, 2.5, 5, 10))


def _numeric_axes(svg: str) -> list[list[float]]:
    axes = []
    for labels in _groups(svg, "role-axis-label"):
        try:
            axes.append([float(x.replace(",", "")) for x in labels])
        except ValueError:
            continue        # a category or date axis
    return axes


def bars_svg():
    return charts.grouped_bars("Reliefs beside the published figures", CATS, SERIES)


def range_svg():
    return charts.range_bars("Range over every combination of readings", CATS[:3], [3971, 120, 10],
                             [9942, 4971, 5000], {"official": [5500, None, 4000]}, range_name="min to max")


DAYS = [dt.date(2025, 5, 20) + dt.timedelta(days=i) for i in range(123)]


def lines_svg():
    return charts.lines("Reliefs applied, cumulative", DAYS, {"all": [i * 41 for i in range(123)],
                                                            "release": [i * 17 for i in range(123)]},
                        {"reported": [(10, 410), (70, 2800)]},
                        events={"entry into force": DAYS[0], "deadline": DAYS[-1]})


@pytest.mark.parametrize("make", [bars_svg, range_svg, lines_svg])
def test_ticks_are_round_numbers(make):
    axes = _numeric_axes(make())
    assert axes, "no numeric axis found"
    for ticks in axes:
        assert len(ticks) >= 3
        steps = {round(b - a, 6) for a, b in zip(ticks, ticks[1:])}
        assert len(steps) == 1, ticks
        step = steps.pop()
        assert _is_round_step(step), ticks
        assert all(math.isclose(t / step, round(t / step)) for t in ticks), ticks


def test_a_range_is_one_mark_from_low_to_high():
    svg = range_svg()
    group = re.search(r'<g class="mark-rect role-mark[^"]*"[^>]*>(.*?)</g>', svg, re.S).group(1)
    bars = re.findall(r'd="M([\d.]+),[\d.]+h([\d.]+)v', group)
    assert len(bars) == 3                       # one mark per category, not a bar for the low and one for the high
    ticks = _numeric_axes(svg)[0]
    # the x scale: pixels per person from the first bar (3971..9942); the others must agree with it
    px = float(bars[0][1]) / (9942 - 3971)
    for (x, w), (lo, hi) in zip(bars, [(3971, 9942), (120, 4971), (10, 5000)]):
        assert math.isclose(float(w), (hi - lo) * px, rel_tol=1e-6)
        assert math.isclose(float(x), lo * px, rel_tol=1e-6, abs_tol=1e-6)
    assert ticks[-1] >= 9942                    # the axis reaches the highest value


def test_time_chart_marks_the_entry_into_force_and_the_deadline():
    svg = lines_svg()
    texts = [t for g in _groups(svg, "role-mark") for t in g]
    assert "entry into force" in texts and "deadline" in texts
    rules = re.search(r'<g class="mark-rule role-mark[^"]*"[^>]*>(.*?)</g>', svg, re.S).group(1)
    xs = [float(x) for x in re.findall(r'<line [^>]*transform="translate\(([\d.]+),', rules)]
    assert len(xs) == 2 and xs[0] == pytest.approx(0, abs=1) and xs[1] > 500   # at the first and the last day


def test_long_category_labels_wrap_instead_of_being_cut():
    svg = bars_svg()
    labels = _groups(svg, "role-axis-label")
    words = " ".join(" ".join(g) for g in labels)
    assert "…" not in words and all(w in words for w in LONG.split())


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is missing")
@pytest.mark.parametrize("make", [bars_svg, range_svg, lines_svg])
def test_no_label_is_clipped_or_overlapping(make, tmp_path):
    """Every text's box, as Chromium lays it out, lies inside the SVG; value labels do not overlap."""
    from playwright.sync_api import sync_playwright
    page_file = tmp_path / "chart.html"
    page_file.write_text(f"<!doctype html><html><body style='margin:0'>{make()}</body></html>")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = b.new_page(viewport={"width": 1366, "height": 900})
            page.goto(page_file.as_uri())
            res = page.evaluate("""() => {
                const svg = document.querySelector('svg'); const box = svg.getBoundingClientRect();
                const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => {
                    const r = t.getBoundingClientRect();
                    const g = t.closest('g[class*="role-"]');
                    return {text: t.textContent, role: g ? g.getAttribute('class') : '',
                            x1: r.left - box.left, y1: r.top - box.top, x2: r.right - box.left,
                            y2: r.bottom - box.top};
                });
                return {w: box.width, h: box.height, texts};
            }""")
        finally:
            b.close()
    assert res["texts"]
    for t in res["texts"]:
        assert t["x1"] >= -0.5 and t["y1"] >= -0.5, t
        assert t["x2"] <= res["w"] + 0.5 and t["y2"] <= res["h"] + 0.5, t
    for role in ("role-mark", "role-axis-label", "role-legend-label"):
        boxes = [t for t in res["texts"] if role in t["role"]]
        for i, a in enumerate(boxes):
            for c in boxes[i + 1:]:
                overlap_x = min(a["x2"], c["x2"]) - max(a["x1"], c["x1"])
                overlap_y = min(a["y2"], c["y2"]) - max(a["y1"], c["y1"])
                assert overlap_x <= 0.5 or overlap_y <= 0.5, (a, c)


def test_linked_bars_have_tooltips_and_local_links_and_no_style_attribute():
    """The run page's chart: each bar links to the rows it counts and says its number as a <title> tooltip; no
    link leaves the site, and nothing the page's Content-Security-Policy forbids (style attributes, scripts)."""
    links = ["/runs/R1?relief=term_reduction", "/runs/R1?relief=%28none%29"]
    svg = charts.linked_bars("Persons by relief", ["term reduction", "no relief"], [12345, 7], links)
    hrefs = re.findall(r'xlink:href="([^"]*)"', svg)
    assert hrefs and set(hrefs) == {h for h in links}          # every bar and its label, each to its own rows
    bars = re.findall(r'<a xlink:href="([^"]*)"><path[^>]*><title>([^<]*)</title></path></a>', svg)
    assert sorted(bars) == sorted([(links[0], "term reduction: 12,345"), (links[1], "no relief: 7")])
    assert "style=" not in svg and "<script" not in svg
    french = charts.linked_bars("x", ["a"], [12345], ["/runs/R1?relief=a"], number=lambda v: f"{v:_}")
    assert "<title>a: 12_345</title>" in french                 # the page's own number format
    az = charts.linked_bars("x", ["a"], [12345], ["/runs/R1?relief=a"], lang="az")
    ticks = re.findall(r'<text[^>]*>([\d.,\s]+)</text>', az)
    assert "12.000" in ticks and "12,000" not in ticks, ticks    # the axis as Azerbaijani writes numbers


def test_report_charts_keep_their_tooltips_without_links():
    svg = charts.grouped_bars("t", ["a", "b"], {"rows": [3, 5], "persons": [2, 4]})
    assert "<title>a, rows: 3</title>" in svg and "<title>b, persons: 4</title>" in svg
    assert "xlink:href" not in svg
