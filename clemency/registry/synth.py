"""A synthetic, Azerbaijan-shaped registry in the registry format (docs/registry-format.md).

THE REGISTRY THIS WRITES IS SYNTHETIC. No row describes a real person. Its proportions are the named
assumptions below (also in docs/synthetic.md), chosen so that the 2025 act, applied with its default
readings, gives roughly the announced projection and the ministry's reported breakdown at the default
size. Any agreement with published totals follows from that calibration, not from observation.

Rows are generated in chunks of CHUNK rows with numpy (one generator per chunk, seeded by (seed, chunk
index)), so the same seed gives a byte-identical CSV or Parquet file, and memory stays bounded.
"""

# the segment table reads best as dict(...) rows
# ruff: noqa: C408
from __future__ import annotations

import csv as _csv
import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from clemency.errors import UsageError
from clemency.outdir import replacing_file
from clemency.registry.schema import FIELDS, STATUS_FLAGS

# ---- the assumptions: every proportion is named here and in docs/synthetic.md ---------------------------

DEFAULT_ROWS = 40_000  # about 24,000 prisoners, 12,800 non-custodial punishments, 3,100 pending cases
CHUNK = 250_000
XLSX_MAX_ROWS = 1_048_575  # one header row + this many data rows fill an XLSX sheet
EIF = np.datetime64("2025-12-19")

# Segments: share of rows, and what each row of the segment looks like. The comment says which clause of
# the 2025 act (default readings) the segment is meant to meet; that is how the totals are calibrated.
SEGMENTS: dict[str, dict] = {
    # prisoners (fixed-term imprisonment)
    "prison_not_great_danger": dict(share=0.020, kind="prison", cats=("not_great_danger",), pool="plain",
                                    term=(3, 24), left="any"),                        # B1 release
    "prison_negligent_le5y": dict(share=0.008, kind="prison", cats=("less_serious", "not_great_danger"),
                                  pool="negligent", term=(6, 60), left="any"),        # B2 release
    "prison_less_serious_le6m_left": dict(share=0.090, kind="prison", cats=("less_serious",), pool="plain",
                                          term=(6, 84), left="b3"),                  # B3 release
    "prison_less_serious_gt12m_left": dict(share=0.070, kind="prison", cats=("less_serious",), pool="plain",
                                           term=(14, 84), left="c1"),                # C1 six-month cut
    "prison_less_serious_6_12m_left": dict(share=0.015, kind="prison", cats=("less_serious",), pool="plain",
                                           term=(8, 84), left="mid"),                # nothing (gap)
    "prison_grave_negligent_gt5y": dict(share=0.0075, kind="prison", cats=("grave",), pool="negligent_grave",
                                        term=(61, 120), left="c2"),                  # C2 six-month cut
    "prison_named_excluded": dict(share=0.015, kind="prison", cats=("less_serious", "not_great_danger"),
                                  pool="f2", term=(6, 84), left="any"),              # F2 (C1 may still cut)
    "prison_dangerous_recidivist": dict(share=0.012, kind="prison", cats=("less_serious",), pool="plain",
                                        term=(12, 84), left="any", recid="dangerous"),  # F3
    "prison_grave": dict(share=0.353, kind="prison", cats=("grave", "grave", "grave", "grave",
                                                           "especially_grave"), pool="plain",
                         term=(24, 180), left="any", recid="mixed"),                 # nothing (F1)
    "prison_life": dict(share=0.0075, kind="life", cats=("especially_grave",), pool="plain", recid="mixed"),
    "prison_military_unit": dict(share=0.004, kind="dmu", cats=("less_serious", "not_great_danger"),
                                 pool="military", term=(3, 24), left="any"),         # F2 (military)
    # non-custodial punishments (Probation Service)
    "probation_not_great_danger": dict(share=0.020, kind="probation", cats=("not_great_danger",), pool="plain"),
    "probation_less_serious": dict(share=0.230, kind="probation", cats=("less_serious",), pool="plain"),
    "probation_grave": dict(share=0.025, kind="probation", cats=("grave",), pool="plain"),       # D release
    "probation_especially_grave": dict(share=0.012, kind="probation", cats=("especially_grave",),
                                       pool="plain"),                                # D excludes
    "probation_named_excluded": dict(share=0.022, kind="probation", cats=("less_serious", "not_great_danger"),
                                     pool="f2"),                                     # F2
    "probation_dangerous_recidivist": dict(share=0.011, kind="probation", cats=("less_serious",), pool="plain",
                                           recid="dangerous"),                       # F3
    # pending cases (suspects and accused)
    "pending_not_grave": dict(share=0.028, kind="pending", cats=("less_serious", "less_serious", "less_serious",
                                                                 "less_serious", "not_great_danger"),
                              pool="plain"),                                         # E1 release
    "pending_grave": dict(share=0.0455, kind="pending", cats=("grave", "grave", "especially_grave"),
                          pool="plain"),                                             # nothing
    "pending_named_excluded": dict(share=0.0045, kind="pending", cats=("less_serious",), pool="f2"),  # F2
}

ASSUMPTIONS: dict[str, object] = {
    "default_rows": DEFAULT_ROWS,
    "segment_shares": {k: s["share"] for k, s in SEGMENTS.items()},
    "women_share": {"prison": 0.035, "life": 0.01, "dmu": 0.0, "probation": 0.06, "pending": 0.06},
    "noncustodial_mix": {"restriction_of_liberty": 0.55, "conditional": 0.33, "corrective_work": 0.05,
                         "public_works": 0.03, "fine": 0.04},
    "pending_mix": {"accused": 0.7, "suspect": 0.3},
    "extra_articles": {1: 0.70, 2: 0.22, 3: 0.08},          # number of article parts per row
    "age_60_plus": 0.006,               # aged 60-85 at EIF; a fifth of them born within 5 days of 1965-12-19
    "minor_at_offence": 0.008,          # adult now, 15-17 at the offence
    "feb29_birth": 0.002,
    "exact_boundary_end": 0.10,         # share of B3/gap/C1 rows ending exactly on 6/12-month boundaries
    "feb29_start": 0.005,               # prisoners whose sentence started on 29 Feb
    "second_case_same_person": 0.04,    # row belongs to the same person as the row before it
    "flags": {"war_participant": 0.005, "relative_of_fallen": 0.002, "state_award": 0.002,
              "provocation_disabled": 0.0005, "khojaly_victim": 0.0003, "january_1990_disabled": 0.0002,
              "idp": 0.02, "repression_victim": 0.0002, "carer_of_child": 0.01, "convicted_abroad": 0.002},
    "award_stripped_of_awarded": 0.10,
    "regime_flags_in_grave_segments": {"malicious_regime_violator": 0.01, "reoffended_after_amnesty": 0.01},
    "disability": {"0": 0.97, "20-60": 0.02, "61-100": 0.01},
    "recidivism": {"clean": {"none": 0.85, "repeat": 0.15},
                   "mixed": {"none": 0.70, "repeat": 0.22, "dangerous": 0.06, "especially_dangerous": 0.02},
                   "dangerous": {"dangerous": 0.8, "especially_dangerous": 0.2}},
    "explicit_crime_category": 0.02,    # plus every convicted_abroad row (B4 needs it)
    "missing_birth_date": 0.003,        # indeterminate ages
    "unknown_status_flag": 0.002,       # one status field given as `unknown`
    "missing_negligent": 0.002,         # rows with a `consequence` article but no negligent value
}

# popular articles (by article number) are drawn more often; every other table row weighs 1
POPULARITY = {"177": 30, "178": 15, "179": 10, "180": 8, "181": 5, "126": 8, "127": 8, "120": 6, "132": 6,
              "221": 12, "234": 30, "228": 10, "263": 10, "206": 5, "308": 4, "311": 4, "213": 3, "186": 3,
              "122": 2, "193-1": 2, "244-1": 2, "149": 2, "150": 2, "124": 2, "133": 2, "125": 1}
F2_ARTICLES = {"122", "124", "125", "133", "149", "150", "151", "152", "153", "193-1", "186", "244-1",
               *[str(n) for n in range(328, 354)]}
SAFETY_ARTICLES = {"263", "263-1", "223", "225", "226", "248", "265", "265-1", "266", "268", "222-1", "222-2",
                   "162", "200", "249", "250", "251", "252", "254", "255", "267", "285"}

MALE = ["Əli", "Məmməd", "Hüseyn", "Həsən", "Elvin", "Rəşad", "Orxan", "Tural", "Kamran", "Elşən", "Vüsal",
        "Anar", "Ramil", "Namiq", "Fuad", "Emin", "Murad", "Samir", "Cavid", "Rauf", "Elnur", "Nicat", "Ülvi",
        "Zaur", "Vaqif", "Rövşən", "İlham", "Eldar", "Nurlan", "Fərid", "Tofiq", "Aydın", "Sənan", "Kənan",
        "Rüstəm", "Əkbər", "Yusif", "Şahin", "Mübariz", "Ceyhun"]
FEMALE = ["Aynur", "Günel", "Leyla", "Nərgiz", "Səbinə", "Aygün", "Könül", "Sevinc", "Ülkər", "Nigar", "Lalə",
          "Şəbnəm", "Gülnar", "Aysel", "Fidan", "Zərifə", "Xədicə", "Məryəm", "Türkan", "Aytən", "Səadət",
          "Rəna", "Elnarə", "Vəfa", "Nazilə"]
SURNAMES = ["Məmmədov", "Əliyev", "Həsənov", "Hüseynov", "Quliyev", "İsmayılov", "Abbasov", "Babayev",
            "Cəfərov", "Rəhimov", "Nəsirov", "Kərimov", "Səfərov", "Orucov", "Allahverdiyev", "Qasımov",
            "Əsgərov", "Bayramov", "Süleymanov", "Musayev", "Vəliyev", "Mirzəyev", "Hacıyev", "Nəbiyev",
            "Zeynalov", "Salmanov", "Əhmədov", "Rzayev", "Novruzov", "İbrahimov"]
PRISONS = [f"Penitentiary institution No. {n}" for n in (1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                                          17, 19)] + ["Baku Investigation Isolator"]
PROBATION = [f"Probation Service, {p}" for p in ("Baku Nəsimi", "Baku Binəqədi", "Baku Yasamal", "Baku Səbail",
                                                  "Baku Nərimanov", "Baku Xətai", "Baku Nizami", "Baku Sabunçu",
                                                  "Sumqayıt", "Gəncə", "Mingəçevir", "Şəki", "Lənkəran",
                                                  "Şirvan", "Naxçıvan", "Quba", "Bərdə", "Şamaxı")]
INVESTIGATORS = ["Investigation Department, Ministry of Justice", "Prosecutor General's Office",
                 "Main Police Department, Ministry of Internal Affairs", "State Security Service",
                 "Baku Investigation Isolator"]
COLUMNS = list(FIELDS)


# ---- small vectorised helpers -------------------------------------------------------------------------

def add_months(d: np.ndarray, n: np.ndarray | int) -> np.ndarray:
    """d + n months, clamped to the month's last day (docs/registry-format.md, calendar conventions), on datetime64[D] arrays."""
    m = d.astype("datetime64[M]")
    day = (d - m.astype("datetime64[D]")).astype(np.int64)
    nm = m + np.asarray(n).astype(np.int64)
    last = ((nm + 1).astype("datetime64[D]") - nm.astype("datetime64[D]")).astype(np.int64)
    return nm.astype("datetime64[D]") + np.minimum(day, last - 1)


def _pick(rng: np.random.Generator, mix: dict[str, float], n: int) -> np.ndarray:
    keys = list(mix)
    p = np.array([mix[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), n, p=p / p.sum())]


@lru_cache(maxsize=1)
def _law() -> dict[str, np.ndarray]:
    text = resources.files("clemency").joinpath("data/law/az-criminal-code-2024.csv").read_text("utf-8")
    rows = list(_csv.DictReader(text.splitlines()))
    art = np.array([r["article"] for r in rows], dtype=object)
    num = np.array([a.split(".")[0] for a in art], dtype=object)
    maxy = np.array([99.0 if r["max_years"] == "life" else float(r["max_years"] or 0) for r in rows])
    counts: dict[str, int] = {}
    for x in num:
        counts[x] = counts.get(x, 0) + 1
    weight = np.array([POPULARITY.get(x, 1) * (1.0 if x in POPULARITY else 0.2) / counts[x] ** 0.5 for x in num])
    return {"article": art, "num": num, "negligent": np.array([r["negligent"] for r in rows], dtype=object),
            "max_years": maxy, "category": np.array([r["category"] for r in rows], dtype=object),
            "weight": weight}


@lru_cache(maxsize=64)
def _pool(pool: str, cat: str, custodial: bool) -> tuple[np.ndarray, np.ndarray]:
    """(indices into the law table, probabilities) of the articles a segment draws from."""
    law = _law()
    f2 = np.isin(law["num"], list(F2_ARTICLES))
    safety = np.isin(law["num"], list(SAFETY_ARTICLES))
    neg = law["negligent"]
    ok = law["category"] == cat
    if custodial:
        ok &= law["max_years"] >= (1 if cat == "not_great_danger" else 2)
    if pool == "plain":
        ok &= ~f2 & (neg == "")
    elif pool == "f2":
        ok &= f2 & ~np.isin(law["num"], [str(n) for n in range(328, 354)])
    elif pool == "military":
        ok &= np.isin(law["num"], [str(n) for n in range(328, 354)]) & (neg == "")
    elif pool == "negligent":
        ok &= ~f2 & ((neg == "yes") | ((neg == "consequence") & safety))
    elif pool == "negligent_grave":
        ok &= ~f2 & (neg == "consequence") & safety & (law["max_years"] > 5)
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        raise RuntimeError(f"no article in the table for pool {pool}/{cat}")
    w = law["weight"][idx]
    return idx, w / w.sum()


# ---- one chunk ----------------------------------------------------------------------------------------

_CAT_RANK = {"not_great_danger": 0, "less_serious": 1, "grave": 2, "especially_grave": 3}
_CATS = np.array(list(_CAT_RANK), dtype=object)
_MONTH_DAYS = 30.4


def _uniform_days(rng: np.random.Generator, lo: np.ndarray | int, hi: np.ndarray | int, n: int) -> np.ndarray:
    lo = np.broadcast_to(np.asarray(lo, dtype=np.int64), (n,))
    hi = np.maximum(np.broadcast_to(np.asarray(hi, dtype=np.int64), (n,)), lo)
    return lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int64)


def _terms_and_dates(rng: np.random.Generator, s: dict, art: np.ndarray, m: int) -> tuple[np.ndarray, ...]:
    """(term_months, sentence_start, sentence_end, punishment) for m rows of one custodial/probation segment."""
    law = _law()
    nat = np.full(m, np.datetime64("NaT"), dtype="datetime64[D]")
    kind = s["kind"]
    if kind == "pending":
        return np.full(m, -1), nat, nat.copy(), np.full(m, None, dtype=object)
    if kind == "life":
        start = EIF - _uniform_days(rng, 365, 25 * 365, m)
        return np.full(m, -1), start, nat, np.full(m, "life_imprisonment", dtype=object)
    if kind == "probation":
        pun = _pick(rng, ASSUMPTIONS["noncustodial_mix"], m)
        lo = np.where(pun == "corrective_work", 2, 6)
        hi = np.where(pun == "corrective_work", 24, 60)
        term = lo + np.floor(rng.random(m) * (hi - lo + 1)).astype(np.int64)
        left = "any"
    else:
        pun = np.full(m, "imprisonment" if kind == "prison" else "disciplinary_military_unit", dtype=object)
        lo, hi = s["term"]
        cap = np.maximum(np.floor(law["max_years"][art] * 12).astype(np.int64), 1)
        term = np.minimum(rng.integers(lo, hi + 1, m), cap)
        if s["left"] == "any" and hi >= 60:  # the B2 boundary: exactly five years
            term = np.where((rng.random(m) < 0.1) & (cap >= 60), 60, term)
        left = s["left"]
    span = np.floor(term * _MONTH_DAYS).astype(np.int64)
    days = {"any": lambda: _uniform_days(rng, 1, span, m), "b3": lambda: _uniform_days(rng, 1, 182, m),
            "mid": lambda: _uniform_days(rng, 184, 365, m), "c1": lambda: _uniform_days(rng, 367, span, m),
            "c2": lambda: _uniform_days(rng, 190, span, m)}[left]()
    start = add_months(EIF + days, -term)
    exact = rng.random(m) < ASSUMPTIONS["exact_boundary_end"]
    six, twelve = add_months(np.array([EIF]), 6)[0], add_months(np.array([EIF]), 12)[0]
    boundary = {"b3": np.array([six]), "mid": np.array([six + 1, twelve]), "c1": np.array([twelve + 1])}
    if left in boundary:
        ends = boundary[left][rng.integers(len(boundary[left]), size=m)]
        exact &= add_months(ends, -term) < EIF
        start = np.where(exact, add_months(ends, -term), start)
    elif kind == "prison":
        leap = rng.random(m) < ASSUMPTIONS["feb29_start"]
        start = np.where(leap & (term >= 70), np.datetime64("2020-02-29"), start)
        start = np.where(leap & (term >= 22) & (term < 70), np.datetime64("2024-02-29"), start)
    end = add_months(start, term)
    noterm = np.isin(pun, ["public_works", "fine"])
    start = np.where(noterm, EIF - _uniform_days(rng, 10, 300, m), start)
    end = np.where(noterm, np.datetime64("NaT"), end)
    return np.where(noterm, -1, term), start, end, pun


def _articles(rng: np.random.Generator, s: dict, cats: np.ndarray, m: int, custodial: bool) -> tuple:
    """(main article index, extra index or -1, extra index or -1) into the law table."""
    main = np.zeros(m, dtype=np.int64)
    for c in np.unique(cats):
        sub = np.flatnonzero(cats == c)
        idx, p = _pool(s["pool"], c, custodial)
        main[sub] = rng.choice(idx, sub.size, p=p)
    k = _pick(rng, {str(a): b for a, b in ASSUMPTIONS["extra_articles"].items()}, m).astype(int)
    if s["pool"].startswith("negligent"):
        k[:] = 1  # a negligent case stays a single article part
    extras = []
    for j in (2, 3):
        ngd = cats == "not_great_danger"
        e = np.full(m, -1, dtype=np.int64)
        for c, mask in (("not_great_danger", ngd), ("less_serious", ~ngd)):
            sub = np.flatnonzero(mask & (k >= j))
            if sub.size:
                idx, p = _pool("plain", c, custodial)
                e[sub] = rng.choice(idx, sub.size, p=p)
        e[e == main] = -1
        extras.append(e)
    return main, extras[0], extras[1]


def _chunk(rng: np.random.Generator, first: int, n: int) -> pa.Table:
    law = _law()
    names = list(SEGMENTS)
    shares = np.array([SEGMENTS[k]["share"] for k in names])
    seg = rng.choice(len(names), n, p=shares / shares.sum())
    nat = np.datetime64("NaT")
    a1, a2, a3 = (np.full(n, -1, dtype=np.int64) for _ in range(3))
    term = np.full(n, -1, dtype=np.int64)
    start, end = np.full(n, nat, dtype="datetime64[D]"), np.full(n, nat, dtype="datetime64[D]")
    pun, status, kinds, recid_spec = (np.full(n, None, dtype=object) for _ in range(4))
    for si, name in enumerate(names):
        rows = np.flatnonzero(seg == si)
        if rows.size == 0:
            continue
        s = SEGMENTS[name]
        cats = np.array(s["cats"])[rng.integers(len(s["cats"]), size=rows.size)]
        custodial = s["kind"] in ("prison", "life", "dmu")
        a1[rows], a2[rows], a3[rows] = _articles(rng, s, cats, rows.size, custodial)
        term[rows], start[rows], end[rows], pun[rows] = _terms_and_dates(rng, s, a1[rows], rows.size)
        kinds[rows] = s["kind"]
        recid_spec[rows] = s.get("recid", "clean")
        if s["kind"] == "pending":
            status[rows] = _pick(rng, ASSUMPTIONS["pending_mix"], rows.size)
        else:
            status[rows] = "convicted"
    pending = kinds == "pending"

    # who: sex, age, names
    women_p = np.zeros(n)
    for kind, p in ASSUMPTIONS["women_share"].items():
        women_p[kinds == kind] = p
    female = rng.random(n) < women_p
    offense = np.where(pending, EIF - _uniform_days(rng, 20, 720, n), start - _uniform_days(rng, 30, 600, n))
    age_days = np.floor((18 + np.minimum(rng.gamma(4.0, 4.0, n), 41.9)) * 365.25).astype(np.int64)
    old = rng.random(n) < ASSUMPTIONS["age_60_plus"]
    age_days = np.where(old, np.floor((60 + np.minimum(rng.exponential(6.0, n), 25.5)) * 365.25), age_days)
    birth = EIF - age_days.astype(np.int64)
    near60 = old & (rng.random(n) < 0.2)
    birth = np.where(near60, np.datetime64("1965-12-19") + rng.integers(-5, 6, n), birth)
    minor = (rng.random(n) < ASSUMPTIONS["minor_at_offence"]) & (kinds != "life")
    birth = np.where(minor, offense - np.floor(rng.uniform(14.1, 17.95, n) * 365.25).astype(np.int64), birth)
    leap = rng.random(n) < ASSUMPTIONS["feb29_birth"]
    year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    feb29 = ((year - year % 4 - 1970).astype("datetime64[Y]").astype("datetime64[M]") + 1).astype("datetime64[D]") + 28
    birth = np.where(leap & ~minor, feb29, birth)
    # an adult now was an adult at an offence years ago too (long sentences): never younger than 18 then
    birth = np.where(minor, birth, np.minimum(birth, offense - int(18 * 365.25) - 1))
    birth = np.where(rng.random(n) < ASSUMPTIONS["missing_birth_date"], nat, birth)

    # the same person on consecutive rows (adults only, so ages at offence stay plausible)
    idx = np.arange(n)
    same = (rng.random(n) < ASSUMPTIONS["second_case_same_person"]) & (birth < EIF - 30 * 365)
    same[0] = False
    src = np.maximum.accumulate(np.where(same, 0, idx))
    # a second case of the same person keeps the person's birth date: only where the person was at
    # least 16 at this case's offence (the registry import refuses anything younger than 14)
    for _ in range(10):
        young = same & ~np.isnat(birth[src]) & (birth[src] > offense - int(16 * 365.25))
        if not young.any():
            break
        same &= ~young
        src = np.maximum.accumulate(np.where(same, 0, idx))
    female, birth = female[src], birth[src]
    surname = rng.integers(len(SURNAMES), size=n)[src]
    given = rng.integers(len(MALE), size=n)[src]
    given_f = rng.integers(len(FEMALE), size=n)[src]
    father = rng.integers(len(MALE), size=n)[src]

    sur = pa.array(SURNAMES + [x + "a" for x in SURNAMES]).take(pa.array(surname + female * len(SURNAMES)))
    first_name = pc.if_else(pa.array(female), pa.array(FEMALE).take(pa.array(given_f)),
                            pa.array(MALE).take(pa.array(given)))
    full_name = pc.binary_join_element_wise(sur, first_name, pa.array(MALE).take(pa.array(father)),
                                            pc.if_else(pa.array(female), "qızı", "oğlu"), " ")

    # articles, category, negligence
    law_art = pa.array(law["article"].tolist())
    parts = [law_art.take(pa.array(np.where(a < 0, 0, a), type=pa.int64())) for a in (a1, a2, a3)]
    parts = [parts[0]] + [pc.if_else(pa.array(a < 0), pa.nulls(n, pa.string()), p)
                          for a, p in zip((a2, a3), parts[1:])]
    articles = pc.binary_join_element_wise(*parts, ";", null_handling="skip")
    rank = np.array([_CAT_RANK[c] for c in law["category"]], dtype=np.int64)
    gravest = np.maximum.reduce([np.where(a < 0, -1, rank[np.maximum(a, 0)]) for a in (a1, a2, a3)])
    flags = {f: rng.random(n) < p for f, p in ASSUMPTIONS["flags"].items()}
    explicit = (rng.random(n) < ASSUMPTIONS["explicit_crime_category"]) | flags["convicted_abroad"]
    category = np.where(explicit, _CATS[gravest], None)
    consequence = np.zeros(n, dtype=bool)
    for a in (a1, a2, a3):
        consequence |= (a >= 0) & (law["negligent"][np.maximum(a, 0)] == "consequence")
    negl_seg = np.isin(seg, [i for i, k in enumerate(names) if SEGMENTS[k]["pool"].startswith("negligent")])
    negligent = np.where(consequence, np.where(negl_seg, "true", "false"), None)
    negligent = np.where(consequence & (rng.random(n) < ASSUMPTIONS["missing_negligent"]), None, negligent)

    # status fields, disability, recidivism
    flags["award_stripped"] = flags["state_award"] & (rng.random(n) < ASSUMPTIONS["award_stripped_of_awarded"])
    harsh = np.isin(recid_spec, ["mixed", "dangerous"])
    for f, p in ASSUMPTIONS["regime_flags_in_grave_segments"].items():
        flags[f] = harsh & (rng.random(n) < p)
    codes = {f: flags[f].astype(np.int8) for f in STATUS_FLAGS}
    unknown_row = rng.random(n) < ASSUMPTIONS["unknown_status_flag"]
    which = rng.integers(len(STATUS_FLAGS), size=n)
    for i, f in enumerate(STATUS_FLAGS):
        codes[f][unknown_row & (which == i)] = 2
    u = rng.random(n)
    disability = np.where(u < 0.01, rng.integers(61, 101, n), np.where(u < 0.03, rng.integers(20, 61, n), 0))
    recid = np.empty(n, dtype=object)
    for spec, mix in ASSUMPTIONS["recidivism"].items():
        mask = recid_spec == spec
        recid[mask] = _pick(rng, mix, int(mask.sum()))

    institution = np.empty(n, dtype=object)
    institution[:] = np.array(PROBATION, dtype=object)[rng.integers(len(PROBATION), size=n)]
    jail = np.isin(kinds, ["prison", "life"])
    institution[jail] = np.array(PRISONS, dtype=object)[rng.integers(len(PRISONS), size=int(jail.sum()))]
    institution[jail & female] = "Penitentiary institution No. 4 (women)"
    institution[jail & (birth > EIF - int(18 * 365.25))] = "Educational institution for juveniles"
    institution[kinds == "dmu"] = "Disciplinary military unit"
    institution[pending] = np.array(INVESTIGATORS, dtype=object)[rng.integers(len(INVESTIGATORS),
                                                                              size=int(pending.sum()))]

    ids = np.arange(first + 1, first + n + 1)
    person = pc.binary_join_element_wise("AZ-P", pc.utf8_lpad(pc.cast(pa.array(first + 1 + src), pa.string()), 9, "0"), "")
    case = pc.binary_join_element_wise("AZ-C", pc.utf8_lpad(pc.cast(pa.array(ids), pa.string()), 10, "0"), "")
    bools = pa.array(["false", "true", "unknown"])

    def date_arr(d: np.ndarray) -> pa.Array:
        return pa.array(d, type=pa.date32(), mask=np.isnat(d))

    cols = {
        "person_id": person, "case_id": case, "full_name": full_name,
        "sex": pc.if_else(pa.array(female), "F", "M"), "birth_date": date_arr(birth),
        "status": pa.array(status, pa.string()), "articles": articles,
        "crime_category": pa.array(category, pa.string()), "negligent": pa.array(negligent, pa.string()),
        "offense_date": date_arr(offense), "punishment": pa.array(pun, pa.string()),
        "term_months": pa.array(term, pa.int32(), mask=term < 0), "sentence_start": date_arr(start),
        "sentence_end": date_arr(end), "institution": pa.array(institution, pa.string()),
        **{f: bools.take(pa.array(codes[f])) for f in STATUS_FLAGS},
        "disability_percent": pa.array(disability, pa.int32()), "recidivism": pa.array(recid, pa.string()),
    }
    return pa.table({c: cols[c] for c in COLUMNS})


# ---- writing --------------------------------------------------------------------------------------------

def chunks(rows: int, seed: int = 0):
    """The registry as Arrow tables of at most CHUNK rows, deterministic by seed."""
    for k, first in enumerate(range(0, rows, CHUNK)):
        yield _chunk(np.random.default_rng([seed, k]), first, min(CHUNK, rows - first))


def synth(rows: int = DEFAULT_ROWS, out: str | Path = "registry.parquet", seed: int = 0,
          progress: Callable[[int], None] | None = None) -> Path:
    """Write a synthetic registry of `rows` rows to `out` (CSV, Parquet or XLSX by extension)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if rows < 0:
        raise UsageError(f"--rows must be 0 or more, not {rows}")
    if suffix not in (".csv", ".parquet", ".pq", ".xlsx"):
        raise UsageError(f"cannot write a registry as {suffix or 'a file without extension'!r}",
                         where=str(out), hint="use .csv, .parquet or .xlsx")
    if suffix == ".xlsx" and rows > XLSX_MAX_ROWS:
        raise UsageError(f"an XLSX sheet holds at most {XLSX_MAX_ROWS:,} data rows; {rows:,} asked",
                         where=str(out), hint="write .parquet or .csv for larger registries")
    with replacing_file(out) as part:     # whole or not at all: a killed run leaves no half registry
        if suffix == ".xlsx":
            _write_xlsx(rows, part, seed, progress)
        else:
            _write_table(rows, part, suffix, seed, progress)
    return out


def _write_table(rows: int, out: Path, suffix: str, seed: int, progress: Callable[[int], None] | None) -> None:
    schema = _chunk(np.random.default_rng(0), 0, 1).schema
    done = 0
    if suffix == ".csv":
        import pyarrow.csv as pcsv
        writer = pcsv.CSVWriter(str(out), schema, write_options=pcsv.WriteOptions(quoting_style="needed"))
    else:
        import pyarrow.parquet as pq
        # marked so that every result computed from it can say it is synthetic
        schema = schema.with_metadata({b"clemency.synthetic": b"true", b"clemency.seed": str(seed).encode()})
        writer = pq.ParquetWriter(str(out), schema, compression="zstd")
    with writer:
        for table in chunks(rows, seed):
            writer.write_table(table.replace_schema_metadata(schema.metadata))
            done += table.num_rows
            if progress:
                progress(done)


def _write_xlsx(rows: int, out: Path, seed: int, progress: Callable[[int], None] | None) -> Path:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    wb.properties.creator = "clemency synth (synthetic data)"
    wb.properties.created = dt.datetime(2025, 12, 19)
    ws = wb.create_sheet("registry")
    ws.append(COLUMNS)
    done = 0
    for table in chunks(rows, seed):
        for row in zip(*(table.column(c).to_pylist() for c in COLUMNS)):
            ws.append(list(row))
        done += table.num_rows
        if progress:
            progress(done)
    wb.save(out)
    return out
