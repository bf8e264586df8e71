"""The Criminal Code table read from its CSV text, and a case's category and negligence resolved from it.

Rules (the registry format's article matching, restated here without reading the project's code):
- a citation is dotted segments, each `N` or `N-M` (`193-1.3.1` is article 193-1, part 3, point 1);
- a reference covers a citation when the reference's segments are the first segments of the citation's
  (`206.3` covers `206.3.2`; `193-1` does not cover `193`; `234.1` does not cover `234.1-1`);
- looking a citation up: the row with exactly that id; else, if rows below it exist, the category they all
  share (none if they differ); else the nearest listed ancestor; else unknown;
- a case's category: the gravest of its parts; unknown if a part is unknown, unless a known part is
  especially grave; a given category wins over the table;
- a case's negligence: the table's `yes` is negligent, `consequence` unknown, empty not negligent, an
  unknown article unknown; the case is negligent only if every part is (any not → not; else any unknown →
  unknown).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

ORDER = ["not_great_danger", "less_serious", "grave", "especially_grave"]
TABLE = Path(__file__).resolve().parents[2] / "clemency" / "data" / "law" / "az-criminal-code-2024.csv"
_ID = re.compile(r"^\d+(-\d+)*(\.\d+(-\d+)*)*$")


def split_citation(text: str) -> list[str]:
    """`' 206.3.2. '` → `['206', '3', '2']`; raises ValueError on anything that is not an article id."""
    t = "".join(str(text).split())
    if t.endswith("."):
        t = t[:-1]
    if not _ID.match(t):
        raise ValueError(f"not an article id: {text!r}")
    return t.split(".")


def covered_by(citation: str, reference: str) -> bool:
    c, r = split_citation(citation), split_citation(reference)
    return c[: len(r)] == r


@dataclass(frozen=True)
class Resolved:
    category: str | None          # what a decision uses (a given category wins)
    table_category: str | None    # what the table alone says
    negligent: bool | None
    unknown_parts: tuple[str, ...]


class Code:
    def __init__(self, rows: dict[str, dict]):
        self.rows = rows                                   # '206.3.2' → the CSV row
        self.keys = {k: tuple(k.split(".")) for k in rows}

    def lookup(self, citation: str) -> tuple[str | None, str | None, bool]:
        """(category, negligent column, found) for one citation."""
        segs = tuple(split_citation(citation))
        key = ".".join(segs)
        if key in self.rows:
            row = self.rows[key]
            return row["category"] or None, row["negligent"], True
        below = [k for k, s in self.keys.items() if len(s) > len(segs) and s[: len(segs)] == segs]
        if below:
            cats = {self.rows[k]["category"] or None for k in below}
            negs = {self.rows[k]["negligent"] for k in below}
            return (cats.pop() if len(cats) == 1 else None), (negs.pop() if len(negs) == 1 else None), True
        for n in range(len(segs) - 1, 0, -1):
            anc = ".".join(segs[:n])
            if anc in self.rows:
                return self.rows[anc]["category"] or None, self.rows[anc]["negligent"], True
        return None, None, False

    def category(self, citation: str) -> str | None:
        return self.lookup(citation)[0]

    def resolve(self, articles: str, given: str | None = None) -> Resolved:
        parts = []
        for p in articles.split(";"):
            if p.strip():
                norm = ".".join(split_citation(p))
                if norm not in parts:
                    parts.append(norm)
        looked = [(p, *self.lookup(p)) for p in parts]
        unknown = tuple(p for p, cat, _, _ in looked if cat is None)
        known = [cat for _, cat, _, _ in looked if cat is not None]
        if "especially_grave" in known:
            table = "especially_grave"
        elif unknown or not known:
            table = None
        else:
            table = max(known, key=ORDER.index)
        flags = []
        for _, _, neg, found in looked:
            if not found or neg is None or neg == "consequence":
                flags.append(None)
            else:
                flags.append(neg == "yes")
        negligent = None if not flags else (False if False in flags else (None if None in flags else True))
        return Resolved(given or table, table, negligent, unknown)


def load_code(path: Path = TABLE) -> Code:
    with open(path, encoding="utf-8", newline="") as f:
        rows = {r["article"].strip(): {k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)}
    return Code(rows)
