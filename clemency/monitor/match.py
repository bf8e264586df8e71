"""Matching people between two lists: blocking, weighted field comparison, bands, explanations.

Score = sum over fields of weight x similarity (a field absent on either side counts
``MISSING_SHARE`` of its weight: it neither confirms nor refutes). Bands: ``match`` when the
score reaches ``MATCH_THRESHOLD`` and no rule caps the pair; ``review`` from ``REVIEW_THRESHOLD``.
An automatic match needs the full name (surname, given name, patronymic) and the birth year on both
sides, all in agreement: anything less is for a human.
The weights, thresholds and caps are documented in docs/monitor.md.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

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
W_SURNAME, W_GIVEN, W_PATRONYMIC = WEIGHTS["surname"], WEIGHTS["given"], WEIGHTS["patronymic"]
W_BIRTH, W_ARTICLES, W_DATES = WEIGHTS["birth_year"], WEIGHTS["articles"], WEIGHTS["dates"]
#: Name similarity below this earns nothing (see name_credit).
NAME_FLOOR = 0.7
#: Credit for a surname made from the patronymic (Vaqifqızı) against that patronymic.
PATRONYMIC_SURNAME_CREDIT = 0.6
#: Surname credit kept when the suffix type differs (Həsənov / Həsənli).
SUFFIX_CHANGE_FACTOR = 0.9
#: A patronymic below this similarity, or birth years 2+ apart, count against the pair (credit -0.5).
CLEAR_DIFFERENCE = 0.8
CONFLICT_CREDIT = -0.5
MATCH_THRESHOLD = 0.80
REVIEW_THRESHOLD = 0.65
#: A `match` also needs each name part at least this similar (Jaro-Winkler on phonetic keys).
NAME_AGREEMENT = {"surname": 0.95, "given": 0.95, "patronymic": 0.95}

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
    """Build a Person from a list row."""
    return Person(
        id=str(row.get("id") or row.get("person_id") or ""),
        name=parse_name(str(row.get("full_name") or ""), (row.get("patronymic") or None)),
        birth_year=_year(row.get("birth_year")) or _year(row.get("birth_date")),
        articles=parse_articles(row.get("articles")),
        arrest_date=_date(row.get("arrest_date")),
    )


#: Letter classes that Russian renderings confuse inside a word (Рагимов = Rəhimov, Мехтиев =
#: Mehdiyev, Алекперова = Ələkbərova), and that Azerbaijani typed without its letters merges (Elcin for
#: Elçin, Sahin for Şahin): keys equal after merging these are "near-identical".
_COARSE = str.maketrans({"H": "G", "T": "D", "P": "B", "C": "J", "X": "S"})
NEAR_IDENTICAL = 0.97


def _loose(key: str) -> str:
    """The key with mid-word г/h, d/t, b/p merged and a final i dropped (Quliyev / Gulyev: stems GULI / GUL)."""
    k = key.translate(_COARSE)
    return k[:-1] if len(k) > 2 and k.endswith("I") else k


@lru_cache(maxsize=1_000_000)
def similarity(a: str, b: str) -> float:
    """Similarity of two phonetic keys: 1.0 identical, 0.97 equal up to mid-word г/h, d/t, b/p or a
    final i, otherwise Jaro-Winkler."""
    if a == b:
        return 1.0
    if _loose(a) == _loose(b):
        return NEAR_IDENTICAL
    return JaroWinkler.normalized_similarity(a, b)


def name_credit(sim: float) -> float:
    """Share of a name field's weight earned at similarity ``sim``: Jaro-Winkler of unrelated short
    names is often 0.7, so similarity is rescaled linearly from NAME_FLOOR (0 credit) to 1 (full).
    The one rule for every name field, in ``compare`` and in ``fast_score`` alike."""
    return (sim - NAME_FLOOR) / (1.0 - NAME_FLOOR) if sim > NAME_FLOOR else 0.0


def compare(a: Person, b: Person, detail: bool = True) -> Comparison:
    """Score one pair field by field; see WEIGHTS, NAME_AGREEMENT and the caps in docs/monitor.md.

    With ``detail=False`` only score and band are computed (the fast path used for whole lists);
    ``contributions`` and ``caps`` are then empty, and ``capped`` alone says whether a rule applied.
    """
    na, nb = a.name, b.name
    contribs: list[Contribution] = []
    caps: list[str] = []
    capped = False
    score = 0.0

    # surname: the stem, and the suffix type apart
    s = similarity(na.surname_stem_key, nb.surname_stem_key)
    credit = name_credit(s)
    words = ""
    if s < NAME_AGREEMENT["surname"]:
        capped = True
        if detail:
            caps.append("surnames differ")
    sa, sb = na.surname_suffix, nb.surname_suffix
    if sa and sb and sa != sb:
        credit *= SUFFIX_CHANGE_FACTOR
        capped = True
        if detail:
            caps.append(f"surname suffix differs (-{sa} vs -{sb}): a change of surname form is weak "
                        "evidence and needs a human")
            words = f"; suffix -{sa} vs -{sb}"
        for x, y in ((na, nb), (nb, na)):
            if x.surname_suffix in PATRONYMIC_SURNAMES and y.patronymic_key and \
                    similarity(x.surname_stem_key, y.patronymic_key) >= NAME_AGREEMENT["patronymic"]:
                credit = max(credit, PATRONYMIC_SURNAME_CREDIT)
                if detail:
                    caps.append(f"one side's surname {x.surname} is the other's patronymic: weak evidence")
                    words += "; surname made from the patronymic on one side"
    score += WEIGHTS["surname"] * credit
    if detail:
        contribs.append(Contribution("surname", WEIGHTS["surname"], s, WEIGHTS["surname"] * credit,
                                     f"surnames {na.surname or '-'} / {nb.surname or '-'} (stems compared)"
                                     f" similar {s:.2f}{words}"))

    for fname, ka, kb, label, ra, rb in (
            ("given", na.given_key, nb.given_key, "given names", na.given, nb.given),
            ("patronymic", na.patronymic_key, nb.patronymic_key, "patronymics", na.patronymic, nb.patronymic)):
        w = WEIGHTS[fname]
        if ka and kb:
            g = similarity(ka, kb)
            credit = name_credit(g)
            if g < NAME_AGREEMENT[fname]:
                capped = True
                if fname == "patronymic" and g < CLEAR_DIFFERENCE:
                    credit = CONFLICT_CREDIT
                if detail:
                    caps.append(f"{label} differ ({ra} vs {rb})")
            score += w * credit
            if detail:
                contribs.append(Contribution(fname, w, g, w * credit, f"{label} {ra} / {rb} similar {g:.2f}"))
        else:
            score += w * MISSING_SHARE
            capped = True  # an automatic match needs the full name on both sides
            if detail:
                caps.append(f"{'given name' if fname == 'given' else 'patronymic'} not known on both sides")
            if detail:
                contribs.append(Contribution(fname, w, None, w * MISSING_SHARE, f"{label} not known on both sides"))

    w = WEIGHTS["birth_year"]
    if a.birth_year and b.birth_year:
        d = abs(a.birth_year - b.birth_year)
        y = 1.0 if d == 0 else 0.3 if d == 1 else CONFLICT_CREDIT
        if d:
            capped = True
            if detail:
                caps.append(f"birth years conflict ({a.birth_year} vs {b.birth_year})")
        score += w * y
        if detail:
            contribs.append(Contribution("birth_year", w, y, w * y, f"birth years {a.birth_year} / {b.birth_year}"))
    else:
        score += w * MISSING_SHARE
        capped = True  # an automatic match needs the birth year on both sides
        if detail:
            caps.append("birth year not known on both sides")
            contribs.append(Contribution("birth_year", w, None, w * MISSING_SHARE,
                                         "birth year not known on both sides"))

    w = WEIGHTS["articles"]
    if a.articles and b.articles:
        common = a.articles & b.articles
        ov = len(common) / min(len(a.articles), len(b.articles))
        score += w * ov
        if detail:
            contribs.append(Contribution("articles", w, ov, w * ov, f"{len(common)} article(s) in common"
                                         f" ({', '.join(sorted(common)) or 'none'})"))
    else:
        score += w * MISSING_SHARE
        if detail:
            contribs.append(Contribution("articles", w, None, w * MISSING_SHARE, "articles not known on both sides"))

    w = WEIGHTS["dates"]
    if a.arrest_date and b.arrest_date:
        days = abs((a.arrest_date - b.arrest_date).days)
        dv = 1.0 if days == 0 else 0.5 if days <= 31 else 0.0
        score += w * dv
        if detail:
            contribs.append(Contribution("dates", w, dv, w * dv,
                                         f"arrest dates {a.arrest_date} / {b.arrest_date} ({days} days apart)"))
    else:
        score += w * MISSING_SHARE
        if detail:
            contribs.append(Contribution("dates", w, None, w * MISSING_SHARE, "arrest dates not known on both sides"))

    if na.sex and nb.sex and na.sex != nb.sex:
        capped = True
        if detail:
            caps.append(f"sex differs ({na.sex} from {na.sex_source} vs {nb.sex} from {nb.sex_source})")

    score = round(min(1.0, max(0.0, score)), 4)
    if score >= MATCH_THRESHOLD and not capped:
        band: str | None = "match"
    elif score >= REVIEW_THRESHOLD:
        band = "review"
    else:
        band = None
    return Comparison(a.id, b.id, score, band, contribs, caps)


def fast_score(a: Person, b: Person) -> tuple[float, bool] | None:
    """(score, capped) exactly as ``compare`` computes them, without explanations; None for the rare
    pairs that need ``compare`` (a surname made from the patronymic)."""
    na, nb = a.name, b.name
    sa, sb = na.surname_suffix, nb.surname_suffix
    if sa in PATRONYMIC_SURNAMES or sb in PATRONYMIC_SURNAMES:
        return None
    agree = NAME_AGREEMENT
    s = similarity(na.surname_stem_key, nb.surname_stem_key)
    capped = s < agree["surname"]
    credit = name_credit(s)
    if sa and sb and sa != sb:
        credit *= SUFFIX_CHANGE_FACTOR
        capped = True
    score = W_SURNAME * credit
    ka, kb = na.given_key, nb.given_key
    if ka and kb:
        g = similarity(ka, kb)
        if g < agree["given"]:
            capped = True
        score += W_GIVEN * name_credit(g)
    else:
        score += W_GIVEN * MISSING_SHARE
        capped = True
    ka, kb = na.patronymic_key, nb.patronymic_key
    if ka and kb:
        g = similarity(ka, kb)
        if g < agree["patronymic"]:
            capped = True
            score += W_PATRONYMIC * (CONFLICT_CREDIT if g < CLEAR_DIFFERENCE else name_credit(g))
        else:
            score += W_PATRONYMIC * name_credit(g)
    else:
        score += W_PATRONYMIC * MISSING_SHARE
        capped = True
    if a.birth_year and b.birth_year:
        d = a.birth_year - b.birth_year
        if d == 0:
            score += W_BIRTH
        else:
            capped = True
            score += W_BIRTH * (0.3 if d in (1, -1) else CONFLICT_CREDIT)
    else:
        score += W_BIRTH * MISSING_SHARE
        capped = True
    if a.articles and b.articles:
        score += W_ARTICLES * len(a.articles & b.articles) / min(len(a.articles), len(b.articles))
    else:
        score += W_ARTICLES * MISSING_SHARE
    if a.arrest_date and b.arrest_date:
        days = abs((a.arrest_date - b.arrest_date).days)
        score += W_DATES * (1.0 if days == 0 else 0.5 if days <= 31 else 0.0)
    else:
        score += W_DATES * MISSING_SHARE
    if na.sex and nb.sex and na.sex != nb.sex:
        capped = True
    return round(min(1.0, max(0.0, score)), 4), capped


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

@lru_cache(maxsize=200_000)
def _coarse(key: str) -> str:
    return key.translate(_COARSE)


def block_keys(p: Person) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(keys a person is indexed under, keys it is looked up by).

    * ("s", surname stem, given name): the same names in any script or surname form;
    * ("g", given name, first 3 letters of the surname stem): surname spelling variants;
    * ("pp", given, patronymic) / ("ps", given, surname stem): a surname made from the patronymic
      (Vaqifqızı Aytən) found against "Aytən Vaqif qızı ...".
    Keys are coarse phonetic keys (mid-word г/h, d/t, b/p merged).
    """
    n = p.name
    stem, given = _coarse(n.surname_stem_key), _coarse(n.given_key)
    index = [("s", stem, given)]
    if given:
        index.append(("g", given, stem[:3]))
    query = list(index)
    if given and n.patronymic_key:
        index.append(("pp", given, _coarse(n.patronymic_key)))
        query.append(("ps", given, _coarse(n.patronymic_key)))
    if given and n.surname_suffix in PATRONYMIC_SURNAMES:
        index.append(("ps", given, stem))
        query.append(("pp", given, stem))
    return index, query


class Index:
    """The right-hand list indexed by blocking keys."""

    def __init__(self, people: Iterable[Person]):
        self.people: list[Person] = list(people)
        self.blocks: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for i, p in enumerate(self.people):
            for k in block_keys(p)[0]:
                self.blocks[k].append(i)

    def candidates(self, p: Person) -> set[int]:
        found: set[int] = set()
        get = self.blocks.get
        for k in block_keys(p)[1]:
            found.update(get(k, ()))
        return found


def match_people(left: Iterable[Person], right: Iterable[Person] | Index,
                 min_band: str = "review", detail: bool = False) -> Iterator[Comparison]:
    """Every pair in the `match` or `review` band (``min_band='match'`` for `match` only).

    ``detail=True`` fills contributions and caps of each pair kept (for ``explain``)."""
    index = right if isinstance(right, Index) else Index(right)
    people = index.people
    for a in left:
        for j in index.candidates(a):
            b = people[j]
            fast = fast_score(a, b)
            if fast is None:
                c = compare(a, b, detail=False)
                score, band = c.score, c.band
            else:
                score, capped = fast
                band = ("match" if score >= MATCH_THRESHOLD and not capped
                        else "review" if score >= REVIEW_THRESHOLD else None)
            if band == "match" or (band == "review" and min_band == "review"):
                yield compare(a, b) if detail else Comparison(a.id, b.id, score, band)
