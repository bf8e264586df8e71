"""Matching people between two lists: blocking, weighted field comparison, bands, explanations.

Score = sum over fields of weight x similarity (a field absent on either side counts
``MISSING_SHARE`` of its weight: it neither confirms nor refutes). Bands: ``match`` when the
score reaches ``MATCH_THRESHOLD`` and no rule caps the pair; ``review`` from ``REVIEW_THRESHOLD``.
An automatic match needs the full name (surname, given name, patronymic) and the birth year on both
sides, all in agreement: anything less is for a human.
The weights, thresholds and caps are documented in docs/monitor.md.
"""

from __future__ import annotations

import gc
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pyarrow as pa
from rapidfuzz.distance import JaroWinkler

from clemency.monitor.names import (
    INITIAL,
    PATRONYMIC_SURNAMES,
    SUFFIX_TYPES,
    ParsedName,
    fold_e,
    is_initial,
    parse_name,
)

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


class Person(NamedTuple):
    """One list row as the matcher sees it (a named tuple: lists of a million rows build one per row)."""

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


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector while building many small objects without cycles.

    With a million people alive, each collection walks all of them again: building the people of a
    list, or the pairs found, runs 2 to 10 times slower. Reference counting still frees everything;
    the collector is switched back on (if it was on) at the end."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def people_from_rows(rows: Iterable[dict]) -> list[Person]:
    """``person_from_row`` of every row (the collector paused: see ``gc_paused``)."""
    with gc_paused():
        return [person_from_row(r) for r in rows]


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
_MERGED = {"H": "G", "T": "D", "P": "B", "C": "J", "X": "S"}
_COARSE = str.maketrans(_MERGED)
#: Blocking is coarser still: E, A and O together, so that a Russian е written for ё (Гезель, Кенуль) meets
#: Gözəl and Könül.
_BLOCK = str.maketrans({**_MERGED, "E": "A", "O": "A"})
NEAR_IDENTICAL = 0.97
#: Jaro-Winkler never makes two names agree: it rates Gülnar / Gülər, Anar / Anarə, Taleh / Tələt 0.96, and
#: these are different names. Only the rules (identical or near-identical keys) reach NAME_AGREEMENT; any
#: other pair is at most this similar, so it can be reviewed but never matched automatically.
JW_CEILING = 0.94


def _loose(key: str) -> str:
    """The key with mid-word г/h, d/t, b/p merged and a final i dropped (Quliyev / Gulyev: stems GULI / GUL)."""
    k = key.translate(_COARSE)
    return k[:-1] if len(k) > 2 and k.endswith("I") else k


#: Similarity of a name known only by its initial and a name (or initial) it can stand for. Its name credit
#: is MISSING_SHARE: an initial that fits neither confirms nor refutes; one that does not fit is 0.
INITIAL_AGREEMENT = 0.85
#: Letter classes an initial is compared by: a name typed without its marks (S. for Şahin, C. for Çingiz).
_INITIAL_CLASS = str.maketrans({"X": "S", "C": "J", "E": "A"})
_VOWEL_CLASSES = frozenset("AIOU")


def initial_class(key: str) -> str:
    """The letter class an initial of this key (a name, or an initial) is compared by."""
    return key[:1].translate(_INITIAL_CLASS)


def _initials_agree(a: str, b: str) -> bool:
    ca, cb = initial_class(a), initial_class(b)
    if ca == cb:
        return True
    # a Latin Y. stands for a name whose key begins with its vowel (Yaşar: AXAR, Yusif: USIF)
    return (ca == "Y" and cb in _VOWEL_CLASSES and not is_initial(b)) or \
        (cb == "Y" and ca in _VOWEL_CLASSES and not is_initial(a))


def _yo_for_e(a: str, b: str) -> bool:
    """Equal keys but for an E on one side where the other has O (or A): a Russian е written for ё, the
    usual rendering of ö (Гезель for Гёзель = Gözəl, Кенуль for Кёнуль = Könül)."""
    return len(a) == len(b) and all(x == y or (x == "E" and y in "AO") or (y == "E" and x in "AO")
                                    for x, y in zip(a, b))


@lru_cache(maxsize=1_000_000)
def similarity(a: str, b: str) -> float:
    """Similarity of two phonetic keys: 1.0 identical (E read as A), 0.97 equal up to mid-word г/h, d/t,
    b/p, a final i, or a Russian е for ё, otherwise Jaro-Winkler, at most ``JW_CEILING``. A key that is an initial (``T.``) is ``INITIAL_AGREEMENT`` similar to
    a name or initial it can stand for, even an equal initial (two initials never make a name agree), and
    0 to any other."""
    if a.endswith(INITIAL) or b.endswith(INITIAL):
        return INITIAL_AGREEMENT if a and b and _initials_agree(a, b) else 0.0
    if a == b:
        return 1.0
    fa, fb = fold_e(a), fold_e(b)
    if fa == fb:
        return 1.0
    la, lb = _loose(a), _loose(b)
    if fold_e(la) == fold_e(lb) or _yo_for_e(la, lb):
        return NEAR_IDENTICAL
    return min(JaroWinkler.normalized_similarity(fa, fb), JW_CEILING)


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
                    if g == INITIAL_AGREEMENT and (is_initial(ka) or is_initial(kb)):
                        shown = [f"{r.upper()}." if is_initial(k) else r for r, k in ((ra, ka), (rb, kb))]
                        caps.append(f"{'given name' if fname == 'given' else 'patronymic'} known only by "
                                    f"its initial ({shown[0]} / {shown[1]})")
                    else:
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
    return key.translate(_BLOCK)


def block_keys(p: Person) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(keys a person is indexed under, keys it is looked up by).

    * ("s", surname stem, given name): the same names in any script or surname form;
    * ("g", given name, first 3 letters of the surname stem): surname spelling variants;
    * ("pp", given, patronymic) / ("ps", given, surname stem): a surname made from the patronymic
      (Vaqifqızı Aytən) found against "Aytən Vaqif qızı ...";
    * ("ia", surname stem, initial) / ("ib", surname stem, initial): a given name known only by its initial
      ("Mammadov T.") found against the names it can stand for, and the other way round. Everyone is
      indexed under "ia", only an initial under "ib"; an initial looks up "ia", a name "ib" (so a name
      never pulls in every namesake with the same initial).
    Keys are coarse phonetic keys (mid-word г/h, d/t, b/p merged; e, a and o merged). ``Index`` computes the same keys
    over whole columns; this function is the readable statement of them (and the reference path's).
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
    if given:
        ic = _initial_block(n.given_key)
        index.append(("ia", stem, ic))
        if is_initial(n.given_key):
            index.append(("ib", stem, ic))
            query.append(("ia", stem, ic))
        else:
            query.append(("ib", stem, ic))
    return index, query


@lru_cache(maxsize=200_000)
def _initial_block(key: str) -> str:
    """The class a name's initial is blocked by: coarser than ``similarity`` accepts (every vowel and Y
    together, mid-word merges as in ``_coarse``)."""
    c = initial_class(key)
    return "@" if c in "AIOUY" else _coarse(c)


def match_people_pairwise(left: Iterable[Person], right: Iterable[Person],
                          min_band: str = "review", detail: bool = False) -> Iterator[Comparison]:
    """The reference matcher: a dictionary of blocks and ``fast_score`` pair by pair.

    Slow on big lists (about 7 µs a pair); ``match_people`` gives the same pairs, scores and bands
    column-wise. Kept to check the fast path against it."""
    people = list(right)
    blocks: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, p in enumerate(people):
        for k in block_keys(p)[0]:
            blocks[k].append(i)
    for a in left:
        found: set[int] = set()
        for k in block_keys(a)[1]:
            found.update(blocks.get(k, ()))
        for j in sorted(found):
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


# --- column-wise matching -------------------------------------------------------------------------
#
# The same blocking keys and the same arithmetic as ``block_keys`` and ``fast_score``, over numpy
# columns: names are encoded once as integer ids of their phonetic keys, candidate pairs come from a
# sort-merge join of block codes, and Jaro-Winkler runs once per distinct pair of keys. The score is
# summed in the same order as ``fast_score`` (so the floating-point result is the same to the last
# bit) and rounded to 4 places exactly as Python's ``round`` does (``_round4``).

_KIND_S, _KIND_G, _KIND_PP, _KIND_PS, _KIND_IA, _KIND_IB = 0, 1, 2, 3, 4, 5
_SHIFT = 1 << 30  # coarse-key ids stay below this
_SUFFIX_CODE = {"": 0, **{s: i + 1 for i, s in enumerate(SUFFIX_TYPES)}}
_PATSUR_CODES = [_SUFFIX_CODE[s] for s in PATRONYMIC_SURNAMES]
_SEX_CODE = {None: 0, "M": 1, "F": 2}
#: Candidate pairs scored at once (bounds memory on lists with very common names).
PAIR_CHUNK = 2_000_000


class _Vocab:
    """Strings to dense integer ids, shared by both sides of a match."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.values: list[str] = []

    def encode(self, values: list[str]) -> np.ndarray:
        """Ids of ``values`` (dictionary-encoded by pyarrow, so the Python work is per distinct value)."""
        arr = pa.array(values, type=pa.string()).dictionary_encode()
        table = np.array([self.add(v) for v in arr.dictionary.to_pylist()] or [0], dtype=np.int64)
        return table[arr.indices.to_numpy(zero_copy_only=False)] if len(values) else np.zeros(0, np.int64)

    def add(self, value: str) -> int:
        i = self.ids.get(value)
        if i is None:
            i = self.ids[value] = len(self.values)
            self.values.append(value)
        return i


@dataclass(slots=True)
class _Columns:
    """One list as columns (keys as ids into the shared vocabulary)."""

    stem: np.ndarray
    given: np.ndarray
    pat: np.ndarray
    suffix: np.ndarray
    sex: np.ndarray
    birth: np.ndarray        # 0 when unknown
    arrest: np.ndarray       # date ordinal, 0 when unknown
    articles: np.ndarray     # id into article sets, -1 when none
    article_sets: list[frozenset[str]]


def _columns(people: list[Person], vocab: _Vocab, article_ids: dict[frozenset[str], int],
             article_sets: list[frozenset[str]]) -> _Columns:
    names = [p.name for p in people]
    suffix = vocab.encode([n.surname_suffix or "" for n in names])
    suffix_code = np.array([_SUFFIX_CODE.get(v, 0) for v in vocab.values], dtype=np.int8)[suffix]
    sexes = np.array([_SEX_CODE.get(n.sex, 0) for n in names], dtype=np.int8)
    arts = np.full(len(people), -1, dtype=np.int64)
    for i, p in enumerate(people):
        if p.articles:
            j = article_ids.get(p.articles)
            if j is None:
                j = article_ids[p.articles] = len(article_sets)
                article_sets.append(p.articles)
            arts[i] = j
    return _Columns(
        stem=vocab.encode([n.surname_stem_key for n in names]),
        given=vocab.encode([n.given_key for n in names]),
        pat=vocab.encode([n.patronymic_key for n in names]),
        suffix=suffix_code, sex=sexes,
        birth=np.array([p.birth_year or 0 for p in people], dtype=np.int64),
        arrest=np.array([p.arrest_date.toordinal() if p.arrest_date else 0 for p in people], dtype=np.int64),
        articles=arts, article_sets=article_sets,
    )


def _block_codes(cols: _Columns, vocab: _Vocab, coarse: _Vocab, query: bool) -> tuple[np.ndarray, np.ndarray]:
    """(block code, row) for every index (or query) key of every row; see ``block_keys``."""
    empty = vocab.add("")
    full = np.array([coarse.add(_coarse(v)) for v in vocab.values], dtype=np.int64)
    prefix = np.array([coarse.add(_coarse(v)[:3]) for v in vocab.values], dtype=np.int64)
    initial = np.array([coarse.add(_initial_block(v)) if v else 0 for v in vocab.values], dtype=np.int64)
    is_init = np.array([is_initial(v) for v in vocab.values], dtype=bool)
    rows = np.arange(len(cols.stem), dtype=np.int64)
    stem, given, pat = full[cols.stem], full[cols.given], full[cols.pat]
    has_given = cols.given != empty
    init_given = has_given & is_init[cols.given]
    has_pat = has_given & (cols.pat != empty)
    patsur = has_given & np.isin(cols.suffix, _PATSUR_CODES)

    def code(kind: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (kind * _SHIFT + x) * _SHIFT + y

    parts = [(code(_KIND_S, stem, given), rows),
             (code(_KIND_G, given, prefix[cols.stem])[has_given], rows[has_given]),
             (code(_KIND_PS if query else _KIND_PP, given, pat)[has_pat], rows[has_pat]),
             (code(_KIND_PP if query else _KIND_PS, given, stem)[patsur], rows[patsur])]
    ia = code(_KIND_IA, stem, initial[cols.given])
    ib = ia + (_KIND_IB - _KIND_IA) * _SHIFT * _SHIFT
    if query:  # an initial looks up everyone, a name only the initials
        parts += [(ia[init_given], rows[init_given]), (ib[has_given & ~init_given], rows[has_given & ~init_given])]
    else:  # everyone is indexed under "ia", an initial also under "ib"
        parts += [(ia[has_given], rows[has_given]), (ib[init_given], rows[init_given])]
    return np.concatenate([c for c, _ in parts]), np.concatenate([r for _, r in parts])


class Index:
    """The right-hand list as columns, with its blocks (sorted block codes and their members)."""

    def __init__(self, people: Iterable[Person]):
        self.people: list[Person] = list(people)
        self.vocab, self.coarse = _Vocab(), _Vocab()
        self.article_ids: dict[frozenset[str], int] = {}
        with gc_paused():
            self.cols = _columns(self.people, self.vocab, self.article_ids, [])
        codes, rows = _block_codes(self.cols, self.vocab, self.coarse, query=False)
        order = np.argsort(codes, kind="stable")
        codes = codes[order]
        self.members = rows[order]
        self.block_codes, self.block_start, self.block_size = np.unique(codes, return_index=True,
                                                                          return_counts=True)

    @property
    def largest_block(self) -> int:
        return int(self.block_size.max()) if len(self.block_size) else 0

    def pairs(self, left: _Columns, limit: int | None = None) -> Iterator[np.ndarray]:
        """Candidate pairs as ``left_row * len(people) + right_row``, sorted, each once; in batches of
        whole left rows holding about ``limit`` pairs at most (memory stays bounded on lists with very
        common names)."""
        codes, rows = _block_codes(left, self.vocab, self.coarse, query=True)
        if not len(self.block_codes):
            return
        pos = np.searchsorted(self.block_codes, codes)
        pos[pos == len(self.block_codes)] = 0
        hit = self.block_codes[pos] == codes
        order = np.argsort(rows[hit], kind="stable")
        pos, rows = pos[hit][order], rows[hit][order]
        size, start = self.block_size[pos], self.block_start[pos]
        ends = np.cumsum(size)
        limit = limit or PAIR_CHUNK
        lo = 0
        while lo < len(rows):
            # whole left rows whose blocks hold at most ``limit`` pairs (or one row, if it alone holds more)
            cut = int(np.searchsorted(ends, ends[lo] - size[lo] + limit, side="right"))
            if cut < len(rows):
                cut = int(np.searchsorted(rows, rows[cut], side="left"))  # back to a row boundary
                if cut <= lo:  # one row over the limit on its own
                    cut = int(np.searchsorted(rows, rows[lo], side="right"))
            yield self._expand(rows[lo:cut], start[lo:cut], size[lo:cut])
            lo = cut

    def _expand(self, rows: np.ndarray, start: np.ndarray, size: np.ndarray) -> np.ndarray:
        total = int(size.sum())
        ends = np.cumsum(size)
        at = np.repeat(start - (ends - size), size) + np.arange(total, dtype=np.int64)
        found = np.sort(np.repeat(rows, size) * max(len(self.people), 1) + self.members[at])
        return found[np.concatenate(([True], found[1:] != found[:-1]))] if len(found) else found


def _pair_similarity(a: np.ndarray, b: np.ndarray, values: list[str]) -> np.ndarray:
    """``similarity`` of key ids a[i], b[i], computed once per distinct pair of keys."""
    width = len(values)
    uniq, inverse = np.unique(a * width + b, return_inverse=True)
    sims = np.array([similarity(values[c // width], values[c % width]) for c in uniq.tolist()], dtype=np.float64)
    return sims[inverse]


def _name_credit(sim: np.ndarray) -> np.ndarray:
    """``name_credit`` over a column (same operations, so the same floats)."""
    return np.where(sim > NAME_FLOOR, (sim - NAME_FLOOR) / (1.0 - NAME_FLOOR), 0.0)


def _score_pairs(lc: _Columns, rc: _Columns, li: np.ndarray, ri: np.ndarray,
                 vocab: _Vocab) -> tuple[np.ndarray, np.ndarray]:
    """(unrounded score, capped) of each pair, as ``fast_score`` computes them term by term."""
    empty = vocab.ids.get("", -1)
    values = vocab.values
    agree = NAME_AGREEMENT
    s = _pair_similarity(lc.stem[li], rc.stem[ri], values)
    capped = s < agree["surname"]
    credit = _name_credit(s)
    sa, sb = lc.suffix[li], rc.suffix[ri]
    differ = (sa != 0) & (sb != 0) & (sa != sb)
    credit = np.where(differ, credit * SUFFIX_CHANGE_FACTOR, credit)
    capped |= differ
    score = W_SURNAME * credit

    ga, gb = lc.given[li], rc.given[ri]
    both = (ga != empty) & (gb != empty)
    g = _pair_similarity(ga, gb, values)
    capped |= ~both | (g < agree["given"])
    score = score + np.where(both, W_GIVEN * _name_credit(g), W_GIVEN * MISSING_SHARE)

    pa_, pb = lc.pat[li], rc.pat[ri]
    both = (pa_ != empty) & (pb != empty)
    g = _pair_similarity(pa_, pb, values)
    capped |= ~both | (g < agree["patronymic"])
    term = np.where((g < agree["patronymic"]) & (g < CLEAR_DIFFERENCE), W_PATRONYMIC * CONFLICT_CREDIT,
                    W_PATRONYMIC * _name_credit(g))
    score = score + np.where(both, term, W_PATRONYMIC * MISSING_SHARE)

    ya, yb = lc.birth[li], rc.birth[ri]
    both = (ya != 0) & (yb != 0)
    d = ya - yb
    capped |= ~both | (d != 0)
    term = np.where(d == 0, W_BIRTH, W_BIRTH * np.where(np.abs(d) == 1, 0.3, CONFLICT_CREDIT))
    score = score + np.where(both, term, W_BIRTH * MISSING_SHARE)

    aa, ab = lc.articles[li], rc.articles[ri]
    both = (aa >= 0) & (ab >= 0)
    term = np.full(len(li), W_ARTICLES * MISSING_SHARE)
    if both.any():
        sets = lc.article_sets
        width = len(sets)
        uniq, inverse = np.unique(aa[both] * width + ab[both], return_inverse=True)
        overlap = []
        for c in uniq.tolist():
            x, y = sets[c // width], sets[c % width]
            overlap.append(W_ARTICLES * len(x & y) / min(len(x), len(y)))
        term[both] = np.array(overlap, dtype=np.float64)[inverse]
    score = score + term

    da, db = lc.arrest[li], rc.arrest[ri]
    both = (da != 0) & (db != 0)
    days = np.abs(da - db)
    term = W_DATES * np.where(days == 0, 1.0, np.where(days <= 31, 0.5, 0.0))
    score = score + np.where(both, term, W_DATES * MISSING_SHARE)

    xa, xb = lc.sex[li], rc.sex[ri]
    capped |= (xa != 0) & (xb != 0) & (xa != xb)
    return score, capped


def match_people(left: Iterable[Person], right: Iterable[Person] | Index,
                 min_band: str = "review", detail: bool = False) -> Iterator[Comparison]:
    """Every pair in the `match` or `review` band (``min_band='match'`` for `match` only).

    Pairs come in left order, then right order. ``detail=True`` fills contributions and caps of each
    pair kept (for ``explain``). Same pairs, scores and bands as ``match_people_pairwise``."""
    index = right if isinstance(right, Index) else Index(right)
    people = index.people
    left = list(left)
    if not left or not people:
        return
    lowest = MATCH_THRESHOLD if min_band == "match" else REVIEW_THRESHOLD
    width = len(people)
    found: list[Comparison] = []
    with gc_paused():  # once for the whole list: resuming the collector may cost one full collection
        lc = _columns(left, index.vocab, index.article_ids, index.cols.article_sets)
        for chunk in index.pairs(lc):
            li, ri = chunk // width, chunk % width
            raw, capped = _score_pairs(lc, index.cols, li, ri, index.vocab)
            patsur = np.isin(lc.suffix[li], _PATSUR_CODES) | np.isin(index.cols.suffix[ri], _PATSUR_CODES)
            score = _round4(np.clip(raw, 0.0, 1.0))
            is_match = (score >= MATCH_THRESHOLD) & ~capped
            keep = np.flatnonzero(((score >= lowest) & (is_match | (min_band == "review"))) | patsur)
            found += _comparisons(left, people, li[keep], ri[keep], score[keep], is_match[keep], patsur[keep],
                                  min_band, detail)
    yield from found


def _comparisons(left: list[Person], people: list[Person], li: np.ndarray, ri: np.ndarray, score: np.ndarray,
                 is_match: np.ndarray, patsur: np.ndarray, min_band: str, detail: bool) -> Iterator[Comparison]:
    for i, x, value, matched, special in zip(li.tolist(), ri.tolist(), score.tolist(), is_match.tolist(),
                                             patsur.tolist()):
        a, b = left[i], people[x]
        if special:  # a surname made from the patronymic: compare() has the rule
            c = compare(a, b, detail=False)
            value, band = c.score, c.band
            if not (band == "match" or (band == "review" and min_band == "review")):
                continue
        else:
            band = "match" if matched else "review"
        yield compare(a, b) if detail else Comparison(a.id, b.id, value, band)


def _round4(x: np.ndarray) -> np.ndarray:
    """Python's ``round(v, 4)`` of each value (correctly rounded), column-wise.

    ``rint(v * 10⁴) / 10⁴`` gives the same float unless v * 10⁴ lies within a hair of a half, where the
    product's own rounding error could tip it: those few values are rounded by Python."""
    y = x * 10_000.0
    out = np.rint(y) / 10_000.0
    near_half = np.flatnonzero(np.abs(y - np.floor(y) - 0.5) < 1e-6)
    if len(near_half):
        out[near_half] = [round(v, 4) for v in x[near_half].tolist()]
    return out
