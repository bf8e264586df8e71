"""Charts as Vega-Lite specifications (plain data), rendered to static SVG by vl-convert: no JavaScript and no
network in the result, so a report works offline and prints; the same specification can be shown interactively.

Why Vega-Lite and not hand-drawn SVG: the grammar gives round ("nice") ticks, lays out axes, titles and
legends so that no label is cut off (the margin grows to fit the longest label), draws a range as one bar
from its low to its high value, and marks dates on a time axis. The specifications are built as dictionaries
(no Altair) so that the only dependency is vl-convert-python, which bundles Vega itself.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import textwrap

PALETTE = ["#3b6ea5", "#e07b39", "#5a9e6f", "#b5485d", "#8e6bb8", "#c9a227", "#4aa3a2", "#7f7f7f"]
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
WRAP = 28          # a category label longer than this wraps onto further lines
EVENT_COLOUR = "#555"
LINE = 14          # pixels per line of an axis label


def _lines(wrapped: list[str]) -> int:
    return max([c.count("\n") + 1 for c in wrapped] or [1])


def _wrap(label: str) -> str:
    return "\n".join(textwrap.wrap(str(label), WRAP)) or str(label)


def _config() -> dict:
    return {"font": "sans-serif", "view": {"stroke": None},
            "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelLimit": 0, "gridColor": "#eee"},
            "legend": {"labelFontSize": 11, "labelLimit": 0, "orient": "bottom", "direction": "horizontal",
                       "title": None, "columns": 3},
            "title": {"anchor": "start", "fontSize": 13, "limit": 0}}


def _base(title: str, width: int) -> dict:
    return {"$schema": SCHEMA, "title": {"text": _title_lines(title, width)}, "width": width,
            "config": _config(), "autosize": {"type": "pad"}, "background": "white"}


def _title_lines(title: str, width: int) -> list[str]:
    return textwrap.wrap(title, max(30, width // 7)) or [title]


def _colour(names: list[str], offset: int = 0) -> dict:
    return {"domain": names, "range": [PALETTE[(j + offset) % len(PALETTE)] for j in range(len(names))]}


def _count_format(values: list[float]) -> str:
    return ",d" if all(float(v).is_integer() for v in values) else ",.1f"


def _ticks(width: int) -> int:
    """About one tick per 90 pixels, so that labels such as 12,000 never touch."""
    return max(2, width // 90)


def bars_spec(title: str, categories: list[str], series: dict[str, list[float | None]], width: int = 520,
              links: list[str | None] | None = None, number=None) -> dict:
    """Horizontal bars per category, one colour per series, each bar labelled with its value; a missing value
    (None) draws no bar. Each bar describes itself ("category, series: value", shown as a tooltip once
    inlined) and, with `links` (one URL per category), links there. `number` writes a value for the tooltip
    (default: with thousands separators)."""
    cats = [_wrap(c) for c in categories]
    names = list(series)
    say = number or (lambda v: f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}")
    rows = [{"category": cats[i], "series": name, "value": v,
             "says": f"{categories[i]}, {name}: {say(v)}" if len(names) > 1 else f"{categories[i]}: {say(v)}",
             **({"link": links[i]} if links and links[i] else {})}
            for name, vs in series.items() for i, v in enumerate(vs) if v is not None]
    fmt = _count_format([r["value"] for r in rows] or [0])
    y = {"field": "category", "type": "nominal", "sort": cats, "title": None,
         "axis": {"labelExpr": "split(datum.label, '\\n')", "labelPadding": 6}}
    x = {"field": "value", "type": "quantitative", "title": None,
         "axis": {"format": fmt, "tickMinStep": 1, "labelOverlap": True, "tickCount": _ticks(width)},
         "scale": {"nice": True}}
    enc = {"y": y, "x": x, "yOffset": {"field": "series", "sort": names},
           "color": {"field": "series", "scale": _colour(names), "sort": names,
                     "legend": None if len(names) < 2 else {}},
           "tooltip": [{"field": "category"}, {"field": "series"}, {"field": "value", "format": fmt}],
           "description": {"field": "says"}}
    if links:
        enc["href"] = {"field": "link"}
    spec = _base(title, width)
    step = max(15, math.ceil((LINE * _lines(cats) + 8) / max(len(names), 1)))
    spec.update({"data": {"values": rows}, "height": {"step": step, "for": "offset"}, "encoding": enc,
                 "layer": [{"mark": {"type": "bar"}},
                           {"mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 10},
                            "encoding": {"text": {"field": "value", "format": fmt}, "color": {"value": "#333"}}}]})
    return spec


def range_spec(title: str, categories: list[str], low: list[float], high: list[float],
               marks: dict[str, list[float | None]] | None = None, range_name: str = "range",
               width: int = 520) -> dict:
    """One bar from `low` to `high` per category (a range drawn as a range), with optional single values
    (e.g. official figures) marked as points on the same scale."""
    cats = [_wrap(c) for c in categories]
    marks = marks or {}
    names = [range_name] + list(marks)
    ranges = [{"category": cats[i], "series": range_name, "low": lo, "high": hi}
              for i, (lo, hi) in enumerate(zip(low, high)) if lo is not None and hi is not None]
    points = [{"category": cats[i], "series": name, "value": v}
              for name, vs in marks.items() for i, v in enumerate(vs) if v is not None]
    values = [r["low"] for r in ranges] + [r["high"] for r in ranges] + [p["value"] for p in points]
    fmt = _count_format(values or [0])
    y = {"field": "category", "type": "nominal", "sort": cats, "title": None,
         "axis": {"labelExpr": "split(datum.label, '\\n')", "labelPadding": 6}}
    colour = {"field": "series", "scale": _colour(names), "sort": names, "title": None}
    spec = _base(title, width)
    spec.update({"height": {"step": max(28, LINE * _lines(cats) + 10)}, "layer": [
        {"data": {"values": ranges}, "mark": {"type": "bar", "height": 12, "opacity": 0.75},
         "encoding": {"y": y, "x": {"field": "low", "type": "quantitative", "title": None,
                                     "axis": {"format": fmt, "tickMinStep": 1, "tickCount": _ticks(width)},
                                     "scale": {"nice": True}},
                      "x2": {"field": "high"}, "color": colour,
                      "tooltip": [{"field": "category"}, {"field": "low", "format": fmt},
                                  {"field": "high", "format": fmt}]}},
        {"data": {"values": points}, "mark": {"type": "point", "filled": True, "size": 70, "opacity": 1},
         "encoding": {"y": y, "x": {"field": "value", "type": "quantitative"}, "color": colour,
                      "tooltip": [{"field": "category"}, {"field": "series"},
                                  {"field": "value", "format": fmt}]}},
    ], "resolve": {"scale": {"color": "shared"}}})
    return spec


def _x_value(x):
    return x.isoformat() if isinstance(x, (dt.date, dt.datetime)) else x


def lines_spec(title: str, x: list, series: dict[str, list[float | None]],
               points: dict[str, list[tuple[int, float]]] | None = None, width: int = 720, height: int = 260,
               events: dict[str, object] | None = None) -> dict:
    """Line series over `x` (dates give a time axis), optional marked points given as (index into x, value),
    and optional events (label -> a date or an index into x) drawn as labelled vertical rules, e.g. the entry
    into force and the deadline."""
    temporal = bool(x) and isinstance(x[0], (dt.date, dt.datetime))
    xs = [_x_value(v) for v in x]
    points = points or {}
    names = list(series) + list(points)
    rows = [{"x": xs[i], "series": name, "value": v} for name, vs in series.items()
            for i, v in enumerate(vs) if v is not None and i < len(xs)]
    prow = [{"x": xs[i], "series": name, "value": v} for name, ps in points.items() for i, v in ps if i < len(xs)]
    values = [r["value"] for r in rows + prow]
    fmt = _count_format(values or [0])
    xenc = ({"field": "x", "type": "temporal", "title": None, "axis": {"format": "%d %b", "labelOverlap": True,
                                                                       "labelFlush": True}}
            if temporal else {"field": "x", "type": "ordinal", "sort": None, "title": None,
                              "axis": {"labelOverlap": True, "labelAngle": 0}})
    yenc = {"field": "value", "type": "quantitative", "title": None, "scale": {"nice": True},
            "axis": {"format": fmt, "tickMinStep": 1, "tickCount": 5}}
    colour = {"field": "series", "scale": _colour(names), "sort": names, "title": None}
    layers = [{"data": {"values": rows}, "mark": {"type": "line", "strokeWidth": 2},
               "encoding": {"x": xenc, "y": yenc, "color": colour,
                            "tooltip": [{"field": "series"}, {"field": "x", "type": xenc["type"]},
                                        {"field": "value", "format": fmt}]}}]
    if prow:
        layers.append({"data": {"values": prow}, "mark": {"type": "point", "filled": True, "size": 60},
                       "encoding": {"x": xenc, "y": yenc, "color": colour,
                                    "tooltip": [{"field": "series"}, {"field": "x", "type": xenc["type"]},
                                                {"field": "value", "format": fmt}]}})
    ev = [{"x": _x_value(xs[v] if isinstance(v, int) and 0 <= v < len(xs) else v), "label": k,
           "align": "left" if j % 2 == 0 else "right", "dx": 4 if j % 2 == 0 else -4}
          for j, (k, v) in enumerate((events or {}).items())]
    if ev:
        ex = {"field": "x", "type": xenc["type"]}
        layers.append({"data": {"values": ev}, "mark": {"type": "rule", "strokeDash": [4, 3],
                                                        "color": EVENT_COLOUR},
                       "encoding": {"x": ex}})
        for j, e in enumerate(ev):
            layers.append({"data": {"values": [e]},
                           "mark": {"type": "text", "align": e["align"], "dx": e["dx"], "baseline": "top",
                                    "y": 2 + 13 * (j // 2), "fontSize": 10, "color": EVENT_COLOUR},
                           "encoding": {"x": ex, "text": {"field": "label"}}})
    spec = _base(title, width)
    spec.update({"height": height, "layer": layers})
    return spec


def _number_locale(lang: str) -> dict:
    """How `lang` writes numbers (1,234 / 1.234 / 1 234), as d3-format wants it, from Babel's locale data."""
    from babel.numbers import get_decimal_symbol, get_group_symbol
    return {"decimal": get_decimal_symbol(lang), "thousands": get_group_symbol(lang), "grouping": [3],
            "currency": ["", ""]}


def svg(spec: dict, lang: str = "en") -> str:
    """The specification rendered to a standalone SVG document (offline: Vega is bundled in vl-convert), its
    axis numbers written as `lang` writes them."""
    import vl_convert
    if lang == "en":
        return vl_convert.vegalite_to_svg(spec)
    return vl_convert.vegalite_to_svg(spec, format_locale=_number_locale(lang))


_MARK = re.compile(r'(<(path|circle|line|rect)\b[^>]*aria-label="([^"]*)"[^>]*?)(/>|>)')
_LINK = re.compile(r'xlink:href="[^"]*?/(runs/|\?)')


def _tooltips(svg_text: str) -> str:
    """Each mark that describes itself (aria-label) gets a <title>: the browser shows it as a tooltip, with no
    script. Links Vega resolved against its own base URL are made local again (our links are /runs/... or
    ?...)."""
    def titled(m: re.Match) -> str:
        if m.group(4) == "/>":
            return f"{m.group(1)}><title>{m.group(3)}</title></{m.group(2)}>"
        return f"{m.group(1)}><title>{m.group(3)}</title>"
    out = _MARK.sub(lambda m: titled(m) if 'aria-roledescription="title"' not in m.group(1) else m.group(0),
                    svg_text)
    return _LINK.sub(lambda m: 'xlink:href="' + ("/runs/" if m.group(1) == "runs/" else "?"), out)


def _inline(svg_text: str, title: str, page_styles: bool = False) -> str:
    """An SVG fit for inlining in a page: scales down on narrow screens (by a style attribute, or, for the
    application's pages whose policy forbids style attributes, by the page's CSS), named for screen readers,
    with a tooltip on every mark that describes itself."""
    from html import escape
    style = "" if page_styles else 'style="max-width:100%;height:auto" '
    return _tooltips(svg_text).replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" {style}', 1)


def grouped_bars(title: str, categories: list[str], series: dict[str, list[float | None]],
                 width: int = 720, height: int | None = None) -> str:
    """Bars per category, one colour per series, as inline SVG. `height` is accepted for old callers: the
    height follows from the number of bars."""
    return _inline(svg(bars_spec(title, categories, series, width=max(240, width - 260))), title)


def linked_bars(title: str, categories: list[str], values: list[float], links: list[str | None],
                width: int = 720, number=None, lang: str = "en") -> str:
    """Bars that link to the rows they count (e.g. the results browser filtered on that value), each with a
    tooltip, for the application's pages (no style attribute, no script); numbers as `lang` writes them."""
    spec = bars_spec(title, categories, {title: values}, width=max(240, width - 260), links=links, number=number)
    return _inline(svg(spec, lang), title, page_styles=True)


def range_bars(title: str, categories: list[str], low: list[float], high: list[float],
               marks: dict[str, list[float | None]] | None = None, range_name: str = "range",
               width: int = 720) -> str:
    return _inline(svg(range_spec(title, categories, low, high, marks, range_name, width=max(240, width - 260))),
                   title)


def lines(title: str, x_labels: list, series: dict[str, list[float | None]],
          points: dict[str, list[tuple[int, float]]] | None = None, width: int = 720, height: int = 300,
          events: dict[str, object] | None = None) -> str:
    """Line series over x (dates or labels) with optional marked points (e.g. reported figures) and events."""
    return _inline(svg(lines_spec(title, x_labels, series, points, width=width - 80, height=height - 110,
                                  events=events)), title)
