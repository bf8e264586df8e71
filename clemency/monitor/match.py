"""Matching people between two lists: blocking, weighted field comparison, bands, explanations.

Score = sum over fields of weight x similarity (a field absent on either side counts
``MISSING_SHARE`` of its weight: it neither confirms nor refutes). Bands: ``match`` when the
score reaches ``MATCH_THRESHOLD`` and no rule caps the pair; ``review`` from ``REVIEW_THRESHOLD``.
The weights, thresholds and caps are documented in docs/monitor.md.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Iterable, Iterator

from rapidfuzz.distance import JaroWinkler

from clemency.monitor.names import PATRONYMIC_SURNAMES, ParsedName, parse_name

#: Weight of each field in the score (they sum to 1).
WEIGHTS: dict[str, float] = {
    "surname": 0.30,
    "given": 0.25,
    "patronymic": 0.15,
    "birth_year": 0.15,
    "articles": 0.10,
    "dates": 0.05,
}
MISSING_SHARE = 0.5
#: Name similarity below this earns nothing (see name_credit).
NAME_FLOOR = 0.7
#: Credit for a surname made from the patronymic (Vaqifqızı) against that patronymic.
PATRONYMIC_SURNAME_CREDIT = 0.6
#: Surname credit kept when the suffix type differs (Həsənov / Həsənli).
SUFFIX_CHANGE_FACTOR = 0.9
MATCH_THRESHOLD = 0.80
REVIEW_THRESHOLD = 0.60
#: A `match` also needs each name part at least this similar (Jaro-Winkler on phonetic keys).
NAME_AGREEMENT = {"surname": 0.95, "given": 0.95, "patronymic": 0.95}
#: Only a pair whose name parts reach these is kept as a candidate at all.
CANDIDATE_FLOOR = {"surname": 0.75}

BANDS = ("match", "review")


@dataclass(frozen=True, slots=True)
class Person:
    """One list row as the matcher sees it."""

    id: str
    name: ParsedName
    birth_year: int | None = None
    articles: frozenset[str] = frozenset()
    arrest_date: date | None = None


@dataclass(slots=True)
class Contribution:
    field: str
    weight: float
    similarity: float | None  # None: absent on one side
    points: float
    words: str


@dataclass(slots=True)
class Comparison:
    left_id: str
    right_id: str
    score: float
    band: str | None  # "match", "review" or None (below review)
    contributions: list[Contribution] = field(default_factory=list)
    caps: list[str] = field(default_factory=list)  # reasons that keep the pair out of `match`


_YEAR = re.compile(r"(1[89]\d\d|20\d\d)")


def _year(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, date):
        return value.year
    m = _YEAR.search(str(value))
    return int(m.group(1)) if m else None


def _date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10]) if value else None
    except ValueError:
        return None


def top_article(ref: str) -> str:
    """`206.3.2` -> `206`; `193-1.3` -> `193-1` (the article, not its parts)."""
    return ref.strip().split(".")[0]


def parse_articles(value: object) -> frozenset[str]:
    if not value:
        return frozenset()
    parts = value if isinstance(value, (list, tuple)) else re.split(r"[;,]", str(value))
    return frozenset(top_article(p) for p in parts if str(p).strip())


def person_from_row(row: dict) -> Person:
    """Build a Person from a list row (contracts §4/§7 columns)."""
    return Person(
        id=str(row.get("id") or row.get("person_id") or ""),
        name=parse_name(str(row.get("full_name") or ""), (row.get("patronymic") or None)),
        birth_year=_year(row.get("birth_year")) or _year(row.get("birth_date")),
        articles=parse_articles(row.get("articles")),
        arrest_date=_date(row.get("arrest_date")),
    )


#: Letter classes that Russian renderings confuse inside a word (Рагимов = Rəhimov, Мехтиев =
#: Mehdiyev, Алекперова = Ələkbərova): keys equal after merging these are "near-identical".
_COARSE = str.maketrans({"H": "G", "T": "D", "P": "B"})
NEAR_IDENTICAL = 0.97


@lru_cache(maxsize=1_000_000)
def similarity(a: str, b: str) -> float:
    """Similarity of two phonetic keys: 1.0 identical, 0.97 equal up to mid-word г/h, d/t, b/p,
    otherwise Jaro-Winkler."""
    if a == b:
        return 1.0
    if a.translate(_COARSE) == b.translate(_COARSE):
        return NEAR_IDENTICAL
    return JaroWinkler.normalized_similarity(a, b)


def name_credit(sim: float) -> float:
    """Share of a name field's weight earned at similarity ``sim``: Jaro-Winkler of unrelated short
    names is often 0.7, so similarity is rescaled linearly from NAME_FLOOR (0 credit) to 1 (full)."""
    return max(0.0, (sim - NAME_FLOOR) / (1.0 - NAME_FLOOR))


def compare(a: Person, b: Person) -> Comparison:
    """Score one pair field by field; see WEIGHTS, NAME_AGREEMENT and the caps in docs/monitor.md."""
    na, nb = a.name, b.name
    contribs: list[Contribution] = []
    caps: list[str] = []

    def add(fname: str, sim: float | None, words: str, credit: float | None = None) -> None:
        w = WEIGHTS[fname]
        if credit is None:
            credit = MISSING_SHARE if sim is None else sim
        contribs.append(Contribution(fname, w, sim, w * credit, words))

    # surname: the stem, and the suffix type apart
    s = similarity(na.surname_stem_key, nb.surname_stem_key)
    words = f"surname stems {na.surname_stem_key or '-'} / {nb.surname_stem_key or '-'} similar {s:.2f}"
    credit = name_credit(s)
    if s < NAME_AGREEMENT["surname"]:
        caps.append("surnames differ")
    if na.surname_suffix and nb.surname_suffix and na.surname_suffix != nb.surname_suffix:
        credit *= SUFFIX_CHANGE_FACTOR
        caps.append(f"surname suffix differs (-{na.surname_suffix} vs -{nb.surname_suffix}): a change "
                    "of surname form is weak evidence and needs a human")
        words += f"; suffix -{na.surname_suffix} vs -{nb.surname_suffix}"
    for x, y in ((na, nb), (nb, na)):
        if x.surname_suffix in PATRONYMIC_SURNAMES and y.patronymic_key and \
                similarity(x.surname_stem_key, y.patronymic_key) >= NAME_AGREEMENT["patronymic"]:
            credit = max(credit, PATRONYMIC_SURNAME_CREDIT)
            caps.append(f"one side's surname {x.surname} is the other's patronymic: weak evidence")
            words += "; surname made from the patronymic on one side"
    add("surname", s, words, credit)

    for fname, ka, kb, label in (("given", na.given_key, nb.given_key, "given names"),
                                 ("patronymic", na.patronymic_key, nb.patronymic_key, "patronymics")):
        if ka and kb:
            g = similarity(ka, kb)
            if g < NAME_AGREEMENT[fname]:
                caps.append(f"{label} differ ({ka} vs {kb})")
            add(fname, g, f"{label} {ka} / {kb} similar {g:.2f}", name_credit(g))
        else:
            if fname == "given":
                caps.append("given name missing on one side")
            add(fname, None, f"{label} not known on both sides")

    if a.birth_year and b.birth_year:
        d = abs(a.birth_year - b.birth_year)
        y = 1.0 if d == 0 else 0.3 if d == 1 else 0.0
        if d:
            caps.append(f"birth years conflict ({a.birth_year} vs {b.birth_year})")
        add("birth_year", y, f"birth years {a.birth_year} / {b.birth_year}")
    else:
        add("birth_year", None, "birth year not known on both sides")

    if a.articles and b.articles:
        inter = len(a.articles & b.articles)
        ov = inter / min(len(a.articles), len(b.articles))
        add("articles", ov, f"{inter} article(s) in common ({', '.join(sorted(a.articles & b.articles)) or 'none'})")
    else:
        add("articles", None, "articles not known on both sides")

    if a.arrest_date and b.arrest_date:
        days = abs((a.arrest_date - b.arrest_date).days)
        dv = 1.0 if days == 0 else 0.5 if days <= 31 else 0.0
        add("dates", dv, f"arrest dates {a.arrest_date} / {b.arrest_date} ({days} days apart)")
    else:
        add("dates", None, "arrest dates not known on both sides")

    if na.sex and nb.sex and na.sex != nb.sex:
        caps.append(f"sex differs ({na.sex} from {na.sex_source} vs {nb.sex} from {nb.sex_source})")

    score = round(sum(c.points for c in contribs), 4)
    if score >= MATCH_THRESHOLD and not caps:
        band: str | None = "match"
    elif score >= REVIEW_THRESHOLD:
        band = "review"
    else:
        band = None
    return Comparison(a.id, b.id, score, band, contribs, caps)


def explain(pair: Comparison) -> str:
    """Per-field contributions of one pair in plain words."""
    lines = [f"{pair.left_id} ~ {pair.right_id}: score {pair.score:.2f}, band {pair.band or 'none'}"]
    for c in pair.contributions:
        how = ("absent on one side, counted as half" if c.similarity is None
               else f"similarity {c.similarity:.2f}, credit {c.points / c.weight:.2f}")
        lines.append(f"  {c.field}: {c.words}; {how} x weight {c.weight:.2f} = {c.points:.3f}")
    if pair.caps:
        lines.append("  not an automatic match because: " + "; ".join(pair.caps))
    elif pair.band == "match":
        lines.append(f"  automatic match: score >= {MATCH_THRESHOLD} and every name part agrees")
    return "\n".join(lines)


# --- blocking -------------------------------------------------------------------------------------

def block_keys(p: Person) -> list[tuple[str, str, str]]:
    """Keys under which a person is indexed: (surname stem, given prefix) and (given, surname prefix)."""
    n = p.name
    keys = [("s", n.surname_stem_key, n.given_key[:2])]
    if n.given_key:
        keys.append(("g", n.given_key, n.surname_stem_key[:2]))
        if n.patronymic_key:
            keys.append(("p", n.given_key, n.patronymic_key))
        if n.surname_suffix in PATRONYMIC_SURNAMES:
            keys.append(("p", n.given_key, n.surname_stem_key))
    return keys


class Index:
    """The right-hand list indexed by blocking keys."""

    def __init__(self, people: Iterable[Person]):
        self.people: list[Person] = list(people)
        self.blocks: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for i, p in enumerate(self.people):
            for k in block_keys(p):
                self.blocks[k].append(i)

    def candidates(self, p: Person) -> set[int]:
        found: set[int] = set()
        for k in block_keys(p):
            found.update(self.blocks.get(k, ()))
        return found


def match_people(left: Iterable[Person], right: Iterable[Person] | Index,
                 min_band: str = "review") -> Iterator[Comparison]:
    """Every pair in the `match` or `review` band (``min_band='match'`` for `match` only)."""
    index = right if isinstance(right, Index) else Index(right)
    people = index.people
    for a in left:
        sa = a.name.surname_stem_key
        for j in index.candidates(a):
            b = people[j]
            if similarity(sa, b.name.surname_stem_key) < CANDIDATE_FLOOR["surname"] and \
                    a.name.given_key != b.name.given_key:
                continue
            c = compare(a, b)
            if c.band == "match" or (c.band == "review" and min_band == "review"):
                yield c
