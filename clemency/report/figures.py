"""Published figures for an act (the announced projection, the ministry's cut-off reports) and how their
columns correspond to Clemency's reliefs, categories and sexes."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

from clemency.jurisdictions import Jurisdiction, default_jurisdiction

FIGURES_DIR = Path(str(resources.files("clemency") / "data" / "figures"))

# Which columns count which relief, category and sex is the jurisdiction's (`figures` and each relief's
# `figures` in clemency/jurisdictions/<id>/jurisdiction.yaml); these are the default jurisdiction's.
_DEFAULT = default_jurisdiction()
RELIEF_COLUMNS: dict[str, list[str]] = _DEFAULT.relief_columns
CATEGORY_COLUMNS: dict[str, str] = dict(_DEFAULT.figures.get("category_columns") or {})
SEX_COLUMNS: dict[str, str] = dict(_DEFAULT.figures.get("sex_columns") or {})


def relief_columns(jur: Jurisdiction | None = None) -> dict[str, list[str]]:
    """relief -> the official-figure columns that count it, for a jurisdiction (default: the default one)."""
    return (jur or _DEFAULT).relief_columns


def load_figures(act_id: str, path: str | Path | None = None) -> list[dict]:
    """Rows of the figures file as dicts; numbers as int, empty as None."""
    path = Path(path) if path else FIGURES_DIR / f"{act_id}.csv"
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        for k, v in row.items():
            if v and v.isdigit():
                row[k] = int(v)
            elif v == "":
                row[k] = None
    return rows


def figure(row: dict, columns: list[str]) -> int | None:
    """The sum of the given columns of a report row; None when none of them was reported."""
    values = [row.get(c) for c in columns if isinstance(row.get(c), int)]
    return sum(values) if values else None
