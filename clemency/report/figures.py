"""Published figures for an act (the announced projection, the ministry's cut-off reports) and how their
columns correspond to Clemency's reliefs, categories and sexes."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

FIGURES_DIR = Path(str(resources.files("clemency") / "data" / "figures"))

RELIEF_COLUMNS = {
    "release_from_imprisonment": ["released_from_imprisonment"],
    "release_from_punishment": ["released_from_noncustodial"],
    "term_reduction": ["term_reduced_6m_custodial", "term_reduced_6m_noncustodial"],
    "release_from_criminal_liability": ["released_from_criminal_liability"],
}
CATEGORY_COLUMNS = {"not_great_danger": "cat_not_great_danger", "less_serious": "cat_less_serious",
                    "grave": "cat_grave"}
SEX_COLUMNS = {"M": "men", "F": "women"}


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
