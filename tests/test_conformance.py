"""Engines agree: DuckDB (and Spark) against the reference interpreter, the oracle, on generated registries.

Each hypothesis example is a whole registry (about a thousand rows, drawn around the dates where the act's
answers change: the entry into force, the window end, month ends, leap days, 18th and 60th birthdays,
6 and 12 months left) written as CSV and run through `apply_act` once per engine, so the whole pipeline
is compared - import, article lookup, decision, Parquet output - in one batch per engine. Every decision
field must be identical on every row. Rows the import rejects are findings on both sides and not compared.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import shutil
from importlib import resources
from pathlib import Path

import duckdb
import pytest
from conftest import examples
from decisions_compare import differences, spark_missing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clemency import calendar as cal
from clemency.act.load import ACTS_DIR
from clemency.apply import apply_act
from clemency.registry.schema import CATEGORIES, PUNISHMENTS, RECIDIVISM, STATUS_FLAGS

EIF = dt.date(2025, 12, 19)
ROWS = 1_100          # rows per generated registry
# (id, readings, decision date): every alternative reading, another entry into force, days inside the window
CONFIGS = [
    ("default", {}, None),
    ("b3-application", {"b3": "application"}, None),
    ("b3-application-on-feb", {"b3": "application"}, dt.date(2026, 2, 28)),
    ("chapeau-a1-a6", {"chapeau": "a1-a6", "e1": "also-a"}, None),
    ("f2-abcde-drugs", {"f2": "abcde", "f2-drugs": "all-234"}, None),
    ("d-not-grave-b2-exclusive", {"d": "not-grave", "b2": "exclusive"}, None),
    ("e1-also-a", {"e1": "also-a"}, None),
    ("f3-none-on-window-end", {"f3": "none"}, dt.date(2026, 4, 19)),
    ("eif-month-end", {"eif": "2026-01-31", "b3": "application"}, dt.date(2026, 3, 31)),
    ("on-mid-window", {}, dt.date(2026, 1, 20)),
]
assert len(CONFIGS) * ROWS >= 10_000  # at least ten thousand generated cases per run
OVERLAYS = ACTS_DIR.parent / "overlays"
# every other shipped act and overlay, under its default readings (smaller registries)
OTHER_ACTS = [("az-2021", None), ("az-2009", None), (str(OVERLAYS / "az-2025-journalists.yaml"), None),
              (str(OVERLAYS / "az-2025-no-f2.yaml"), dt.date(2026, 2, 28))]
OTHER_ROWS = 600


# ---- the generator --------------------------------------------------------------------------------------

def _code_articles() -> list[str]:
    text = resources.files("clemency").joinpath("data/law/az-criminal-code-2024.csv").read_text()
    return [r["article"] for r in csv.DictReader(text.splitlines())]


ARTICLES = _code_articles()
NEGLIGENT = ["124.1", "124.2", "131.1", "263.1", "314.1"]
SPECIAL = ["999.1", "177", "126", "122", "122.1", "124.1", "234.1", "234.4.3", "193-1.1", "193.1", "244-1.1",
           "126.3", "206.3.2", "320.1.1", "177.1", "177.2", "177.3.1", "186.1", "328.1", "221.1"]
MONTH_ENDS = [dt.date(y, m, 1) - dt.timedelta(days=1) for y in (2025, 2026, 2027) for m in range(1, 13)]


class Gen:
    """Registry rows as strings (the CSV an office would send), biased to the boundaries of `eif`."""

    def __init__(self, rng: random.Random, eif: dt.date, on: dt.date, missing: float, unknown: float):
        self.r, self.eif, self.on = rng, eif, on
        self.end = cal.window_end(eif, 4)
        self.missing, self.unknown = missing, unknown

    def date(self, d: dt.date | None) -> str:
        return "" if d is None else d.isoformat()

    def near(self, d: dt.date, spread: int = 2) -> dt.date:
        return d + dt.timedelta(days=self.r.randint(-spread, spread))

    def day_in_window(self) -> dt.date:
        return self.eif + dt.timedelta(days=self.r.randint(0, (self.end - self.eif).days))

    def sentence_end(self) -> dt.date:
        r = self.r
        anchor = r.choice([self.eif, self.end, self.on, self.day_in_window(), r.choice(MONTH_ENDS)])
        kind = r.random()
        if kind < 0.55:
            return self.near(cal.add_months(anchor, r.choice([0, 1, 4, 5, 6, 7, 11, 12, 13, 18, 24, 60])), 1)
        if kind < 0.7:
            return r.choice(MONTH_ENDS)
        if kind < 0.8:
            return r.choice([dt.date(2026, 2, 28), dt.date(2026, 3, 1), dt.date(2026, 8, 31), dt.date(2026, 6, 30),
                             dt.date(2026, 12, 31), dt.date(2027, 2, 28), dt.date(2028, 2, 29), dt.date(2026, 10, 19)])
        return self.eif + dt.timedelta(days=r.randint(-400, 3000))

    def birth(self, offense: dt.date | None) -> dt.date | None:
        r = self.r
        kind = r.random()
        if kind < self.missing:
            return None
        if kind < 0.3:   # 60 around the entry into force (and the decision day)
            return self.near(cal.add_months(r.choice([self.eif, self.on, self.end]), -720), 2)
        if kind < 0.5 and offense is not None:   # 18 around the offence
            return self.near(cal.add_months(offense, -216), 2)
        if kind < 0.6:   # born on 29 February, or the days around it
            return r.choice([dt.date(1964, 2, 29), dt.date(1965, 2, 28), dt.date(1965, 3, 1), dt.date(1960, 2, 29),
                             dt.date(2004, 2, 29), dt.date(2008, 2, 29), dt.date(2007, 3, 1), dt.date(1966, 2, 28)])
        return dt.date(1935, 1, 1) + dt.timedelta(days=r.randint(0, 27_000))

    def flag(self, p_true: float) -> str:
        r = self.r.random()
        if r < self.unknown:
            return "unknown"
        if r < self.unknown + p_true:
            return self.r.choice(["true", "yes", "1", "TRUE"])
        return self.r.choice(["", "", "false", "no", "0"])

    def articles(self) -> str:
        r = self.r
        n = r.choices([1, 2, 3], [0.7, 0.2, 0.1])[0]
        pool = [lambda: r.choice(ARTICLES), lambda: r.choice(SPECIAL), lambda: r.choice(NEGLIGENT)]
        return ";".join(dict.fromkeys(r.choices(pool, [0.5, 0.35, 0.15])[0]() for _ in range(n)))

    def row(self, i: int, prev: dict | None) -> dict:
        r = self.r
        status = r.choices(["convicted", "suspect", "accused"], [0.8, 0.1, 0.1])[0]
        punishment = r.choices(list(PUNISHMENTS), [40, 3, 10, 8, 4, 3, 4, 2, 3])[0]
        if status != "convicted" and r.random() < 0.6:
            punishment = ""
        offense = None if r.random() < self.missing else r.choice([
            self.near(self.eif, 3), self.eif + dt.timedelta(days=r.randint(-4000, -1)),
            self.eif + dt.timedelta(days=r.randint(-900, 60))])
        start = None if r.random() < max(self.missing, 0.2) else r.choice([
            self.near(self.eif, 2), self.day_in_window(), self.eif + dt.timedelta(days=r.randint(-3000, -1))])
        end = self.sentence_end()
        if punishment not in ("imprisonment", "restriction_of_liberty") and r.random() < 0.4:
            end = None
        same_person = prev is not None and r.random() < 0.1
        row = {
            "person_id": prev["person_id"] if same_person else f"P{i}",
            "case_id": f"C{i}",
            "full_name": r.choice(["", "Əli Məmmədov", "Ayşə O'Neil", 'Иван "Ваня" Петров', "x; y, z"]),
            "sex": prev["sex"] if same_person else r.choice("MF"),
            "birth_date": prev["birth_date"] if same_person else self.date(self.birth(offense)),
            "status": status,
            "articles": self.articles(),
            "crime_category": "" if r.random() < 0.75 else r.choice(CATEGORIES),
            "negligent": "" if r.random() < 0.75 else self.flag(0.4),
            "offense_date": self.date(offense),
            "punishment": punishment,
            "term_months": "" if r.random() < self.missing else str(r.choice(
                [59, 60, 61, 60.5, 6, 12, 24, 120, 0, r.randint(1, 240)])),
            "sentence_start": self.date(start),
            "sentence_end": self.date(end),
            "institution": r.choice(["", "Penitentiary 1", "Probation office, Baku"]),
            "disability_percent": "" if r.random() < 0.6 else str(r.choice([0, 60, 61, 100, r.randint(0, 100)])),
            "recidivism": "" if r.random() < 0.5 else r.choice(RECIDIVISM),
        }
        for name in STATUS_FLAGS:
            row[name] = self.flag(0.06)
        return self.plausible(row, prev if same_person else None)

    def plausible(self, row: dict, prev: dict | None) -> dict:
        """Make the drawn dates consistent, as a registry office's are: birth at least 14 years before the
        offence, offence <= sentence start <= sentence end <= start + term (+ 3 days); a foreign conviction
        with its category. The boundaries drawn stay where they were: the start and term move, not the end."""
        r = self.r
        iso = dt.date.fromisoformat
        off = iso(row["offense_date"]) if row["offense_date"] else None
        start = iso(row["sentence_start"]) if row["sentence_start"] else None
        end = iso(row["sentence_end"]) if row["sentence_end"] else None
        if start and end and start > end:
            start = end - dt.timedelta(days=r.randint(0, 400))
        if off and start and off > start:
            off = start - dt.timedelta(days=r.choice([0, 0, 1, r.randint(2, 700)]))
        if start and end and row["term_months"]:
            months = (end.year - start.year) * 12 + end.month - start.month
            months += 1 if cal.add_months(start, months) < end else 0
            row["term_months"] = str(max(months, 1) + r.choice([0, 0, 0, 1, 6]))
        when = off or start
        birth = iso(row["birth_date"]) if row["birth_date"] else None
        if birth and when and cal.add_months(birth, 14 * 12) > when:
            if prev is not None:          # the same person cannot be this young: make it another person
                row["person_id"] = "N" + row["case_id"]
                row["sex"] = r.choice("MF")
            birth = cal.add_months(when, -r.choice([14 * 12, 17 * 12 + 11, 18 * 12, 25 * 12]))
        row["birth_date"] = self.date(birth)
        row["offense_date"], row["sentence_start"] = self.date(off), self.date(start)
        if row.get("convicted_abroad") in ("true", "yes", "1", "TRUE") and not row["crime_category"]:
            row["crime_category"] = r.choice(CATEGORIES)
        return row


def write_registry(path: Path, seed: int, n: int, eif: dt.date, on: dt.date, missing: float, unknown: float) -> None:
    gen = Gen(random.Random(seed), eif, on, missing, unknown)
    rows, prev = [], None
    for i in range(n):
        prev = gen.row(i, prev)
        rows.append(prev)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


# ---- comparison -----------------------------------------------------------------------------------------

def run(registry: Path, out: Path, engine: str, readings: dict, on, act: str = "az-2025") -> Path:
    shutil.rmtree(out, ignore_errors=True)
    apply_act(act, registry, out, engine=engine, readings=readings, on=on, csv=False)
    return out / "decisions.parquet"


registries = st.fixed_dictionaries({
    "seed": st.integers(0, 2**32 - 1),
    "missing": st.sampled_from([0.0, 0.05, 0.15, 0.3]),
    "unknown": st.sampled_from([0.0, 0.02, 0.1]),
})


@pytest.mark.parametrize(("name", "readings", "on"), CONFIGS, ids=[c[0] for c in CONFIGS])
@settings(max_examples=examples(1), deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(knobs=registries)
def test_duckdb_agrees_with_reference(tmp_path_factory, name, readings, on, knobs):
    tmp = tmp_path_factory.mktemp(name)
    eif = dt.date.fromisoformat(readings.get("eif", EIF.isoformat()))
    reg = tmp / "registry.csv"
    write_registry(reg, knobs["seed"], ROWS, eif, on or eif, knobs["missing"], knobs["unknown"])
    ref = run(reg, tmp / "reference", "reference", readings, on)
    duck = run(reg, tmp / "duckdb", "duckdb", readings, on)
    n, bad = differences(reg, ref, duck)
    assert n >= ROWS * 0.9, f"only {n} of {ROWS} generated rows were decided"
    assert not bad, f"{name} (seed {knobs['seed']}): reference vs duckdb differ:\n" + "\n".join(bad)


@pytest.mark.parametrize(("act", "on"), OTHER_ACTS, ids=[Path(a).name.split(".")[0] for a, _ in OTHER_ACTS])
@settings(max_examples=examples(1), deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(knobs=registries)
def test_every_shipped_act_and_overlay_agrees(tmp_path_factory, act, on, knobs):
    tmp = tmp_path_factory.mktemp("act")
    reg = tmp / "registry.csv"
    write_registry(reg, knobs["seed"], OTHER_ROWS, EIF if "2025" in act else _eif_of(act), on or EIF,
                   knobs["missing"], knobs["unknown"])
    ref = run(reg, tmp / "reference", "reference", {}, on, act)
    duck = run(reg, tmp / "duckdb", "duckdb", {}, on, act)
    n, bad = differences(reg, ref, duck)
    assert n >= OTHER_ROWS * 0.8, f"only {n} of {OTHER_ROWS} generated rows were decided"
    assert not bad, f"{act} (seed {knobs['seed']}): reference vs duckdb differ:\n" + "\n".join(bad)


def _eif_of(act: str) -> dt.date:
    from clemency.act.load import load_act
    from clemency.compile.plan import compile_act
    return compile_act(load_act(act)).eif


# ---- bounds: the vectorised path against the SQL engine, row by row ----------------------------------------

BOUNDS_DAYS = [None, dt.date(2026, 2, 28)]


@pytest.mark.parametrize("on", BOUNDS_DAYS, ids=["eif", "2026-02-28"])
def test_bounds_vectorised_agrees_with_sql_row_by_row(tmp_path, monkeypatch, on):
    """The numpy decisions behind `clemency bounds` (every combination of readings) against the DuckDB
    engine's decisions, row by row: the relief on the day, and over the window (the upcoming relief where
    none holds on the day). Every combination is decided vectorised; a fixed sample of 12 combinations (and the
    defaults) is decided again by the SQL engine and compared."""
    import numpy as np

    from clemency.compare import bounds as B
    reg = tmp_path / "registry.csv"
    write_registry(reg, 11, 900, EIF, on or EIF, 0.1, 0.05)
    seen: dict = {}
    original = B.decide_vectorised

    def spy(plan, data, index, day_num, cache=None):
        relief, window = original(plan, data, index, day_num, cache)
        codes = B.relief_codes(plan)
        key = tuple(sorted(plan.readings.items()))
        seen[key] = {int(r): (codes[a], codes[w]) for r, a, w in zip(np.asarray(data["_row"]), relief, window)}
        return relief, window

    monkeypatch.setattr(B, "decide_vectorised", spy)
    B.bounds(reg, "az-2025", on=on, figures=[])
    assert len(seen) == 256
    combos = [dict(k) for k in sorted(seen)]
    sample = random.Random(5).sample(combos, 12)
    defaults = next(c for c in combos if c == {**c, **{"chapeau": "all", "b2": "inclusive", "b3": "eif",
                    "f2": "abde", "f2-drugs": "none", "f3": "inferred", "d": "except-especially-grave",
                    "e1": "categories"}})
    wrong = []
    for readings in [defaults] + sample:
        d = run(reg, tmp_path / "sql", "duckdb", readings, on)
        con = duckdb.connect()
        rows = con.execute(f"SELECT _row, relief, upcoming_relief FROM read_parquet('{d}')").fetchall()
        got = seen[tuple(sorted(readings.items()))]
        for row, relief, upcoming in rows:
            window = upcoming if relief == "none" and upcoming else relief
            if got.get(row) != (relief, window):
                wrong.append(f"{readings} row {row}: vectorised {got.get(row)}, sql {(relief, window)}")
    assert not wrong, f"{len(wrong)} rows differ:\n" + "\n".join(wrong[:10])


def test_generator_reaches_the_boundaries(tmp_path):
    """The generated registries do meet the cases they are meant to: every relief, upcoming reliefs,
    exclusions, unknowns and eligible_from after the entry into force."""
    reg = tmp_path / "registry.csv"
    on = dt.date(2026, 2, 28)
    write_registry(reg, 7, 3000, EIF, on, 0.1, 0.05)
    d = run(reg, tmp_path / "out", "duckdb", {"b3": "application"}, on)
    con = duckdb.connect()
    reliefs = {r[0] for r in con.execute(f"SELECT DISTINCT relief FROM '{d}'").fetchall()}
    assert reliefs >= {"release_from_imprisonment", "term_reduction", "release_from_punishment",
                       "release_from_criminal_liability", "none", "indeterminate"}
    counts = con.execute(f"""SELECT count(*) FILTER (WHERE upcoming_relief IS NOT NULL),
        count(*) FILTER (WHERE excluded_by <> ''), count(*) FILTER (WHERE reasons LIKE '%U%'),
        count(*) FILTER (WHERE eligible_from > DATE '{EIF}'), count(*) FILTER (WHERE eligible_until < DATE '2026-04-19'),
        count(*) FILTER (WHERE notes IS NOT NULL)
        FROM '{d}'""").fetchone()
    assert all(c > 0 for c in counts), counts


# ---- Spark ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spark_session():
    reason = spark_missing()
    if reason:
        pytest.skip(f"Spark engine unavailable: {reason}")
    from clemency.engines.spark import get_session
    # a short-lived JVM: the C1 compiler only and the serial collector start and warm up several times faster
    yield get_session(conf={"spark.sql.shuffle.partitions": "2",
                            "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"})


@pytest.mark.spark
@pytest.mark.parametrize(("name", "readings", "on", "oracle"), [
    ("default", {}, None, "reference"),
    ("b3-application-on-feb", {"b3": "application", "f2": "abcde"}, dt.date(2026, 2, 28), "duckdb"),
], ids=["default-vs-reference", "b3-application-vs-duckdb"])
def test_spark_agrees(spark_session, tmp_path, name, readings, on, oracle):
    reg = tmp_path / "registry.csv"
    write_registry(reg, 20251219 + len(name), 2500, EIF, on or EIF, 0.1, 0.05)
    other = run(reg, tmp_path / oracle, oracle, readings, on)
    spark = run(reg, tmp_path / "spark", "spark", readings, on)
    n, bad = differences(reg, other, spark)
    assert n >= 2000
    assert not bad, f"{name}: {oracle} vs spark differ:\n" + "\n".join(bad)
