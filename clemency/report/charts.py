"""Small charts as inline SVG: no JavaScript, no network, so a report works offline and prints."""

from __future__ import annotations

from html import escape

PALETTE = ["#3b6ea5", "#e07b39", "#5a9e6f", "#b5485d", "#8e6bb8", "#c9a227", "#4aa3a2", "#7f7f7f"]


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:,.1f}".rstrip("0").rstrip(".")


def grouped_bars(title: str, categories: list[str], series: dict[str, list[float | None]],
                 width: int = 720, height: int = 300) -> str:
    """Bars per category, one colour per series; a missing value (None) draws no bar."""
    left, bottom, top = 150, 56, 30
    values = [v for vs in series.values() for v in vs if v is not None]
    vmax = max(values + [1])
    n_series = max(len(series), 1)
    row_h = (height - top - bottom) / max(len(categories), 1)
    bar_h = max(row_h * 0.8 / n_series, 2)
    plot_w = width - left - 80
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'aria-label="{escape(title)}" font-family="sans-serif" font-size="12">',
           f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>']
    for i, cat in enumerate(categories):
        y0 = top + i * row_h
        out.append(f'<text x="{left - 6}" y="{y0 + row_h / 2 + 4:.1f}" text-anchor="end">{escape(cat)}</text>')
        for j, (name, vs) in enumerate(series.items()):
            v = vs[i]
            if v is None:
                continue
            w = plot_w * v / vmax
            y = y0 + row_h * 0.1 + j * bar_h
            out.append(f'<rect x="{left}" y="{y:.1f}" width="{w:.1f}" height="{bar_h - 1:.1f}" '
                       f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(name)}: {_fmt(v)}</title></rect>')
            out.append(f'<text x="{left + w + 4:.1f}" y="{y + bar_h - 2:.1f}" font-size="10">{_fmt(v)}</text>')
    out.append(legend(list(series), 10, height - 36, width))
    out.append("</svg>")
    return "".join(out)


def legend(names: list[str], x0: float, y: float, width: float, offset: int = 0) -> str:
    """Colour keys in one row, continuing on the row below when the row is full."""
    out, x = [], x0
    for j, name in enumerate(names):
        w = 24 + 6.5 * len(name)
        if x + w > width and x > x0:
            x, y = x0, y + 16
        colour = PALETTE[(j + offset) % len(PALETTE)]
        out.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{x + 14:.0f}" y="{y + 9:.0f}">{escape(name)}</text>')
        x += w
    return "".join(out)


def lines(title: str, x_labels: list[str], series: dict[str, list[float | None]],
          points: dict[str, list[tuple[int, float]]] | None = None, width: int = 720, height: int = 300) -> str:
    """Line series over x (e.g. days) with optional marked points (e.g. reported figures)."""
    left, right, top, bottom = 70, 20, 30, 66
    values = [v for vs in series.values() for v in vs if v is not None]
    values += [v for ps in (points or {}).values() for _, v in ps]
    vmax = max(values + [1])
    n = max(len(x_labels) - 1, 1)
    pw, ph = width - left - right, height - top - bottom

    def xy(i, v):
        return left + pw * i / n, top + ph * (1 - v / vmax)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'aria-label="{escape(title)}" font-family="sans-serif" font-size="12">',
           f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>',
           f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#999"/>']
    for k in range(5):
        v = vmax * k / 4
        _, y = xy(0, v)
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10">{_fmt(v)}</text>'
                   f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#eee"/>')
    step = max(1, len(x_labels) // 6)
    for i in range(0, len(x_labels), step):
        x, _ = xy(i, 0)
        out.append(f'<text x="{x:.1f}" y="{top + ph + 16}" text-anchor="middle" font-size="10">'
                   f'{escape(x_labels[i])}</text>')
    for j, (name, vs) in enumerate(series.items()):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in enumerate(vs) if v is not None))
        out.append(f'<polyline fill="none" stroke="{PALETTE[j % len(PALETTE)]}" stroke-width="2" points="{pts}">'
                   f'<title>{escape(name)}</title></polyline>')
    for j, (name, ps) in enumerate((points or {}).items()):
        colour = PALETTE[(j + len(series)) % len(PALETTE)]
        for i, v in ps:
            x, y = xy(i, v)
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"><title>{escape(name)}: '
                       f'{_fmt(v)}</title></circle>')
    out.append(legend(list(series) + list(points or {}), 10, height - 30, width))
    out.append("</svg>")
    return "".join(out)
