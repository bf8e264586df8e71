"""The Criminal Code table, article matching and case resolution (docs/registry-format.md)."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from clemency.errors import ClemencyError
from clemency.law import (
    CATEGORIES,
    ArticleError,
    CriminalCode,
    any_covered,
    category_rank,
    covers,
    default_code,
    gravest,
    parse_article,
    parse_articles,
    resolve,
    try_parse_articles,
)


@pytest.fixture(scope="module")
def code() -> CriminalCode:
    return default_code()


# ------------------------------------------------------------------ ids and matching


@pytest.mark.parametrize("raw, norm", [
    ("206.3.2", "206.3.2"), (" 193-1.3.1 ", "193-1.3.1"), ("177.2.3-1", "177.2.3-1"),
    ("116.0.8-1", "116.0.8-1"), ("320.1.", "320.1"), ("3 0 8 . 1 .", "308.1"), ("177", "177"),
])
def test_parse_article(raw, norm):
    assert parse_article(raw) == norm


@pytest.mark.parametrize("junk", ["", "abc", "206..3", "206.3-", "-1", ".206", "206.a", "206.3.2.."])
def test_parse_article_junk(junk):
    with pytest.raises(ArticleError):
        parse_article(junk)


def test_parse_articles():
    assert parse_articles("206.3.2;193-1.3.1") == ("206.3.2", "193-1.3.1")
    assert parse_articles(" 206.3.2 ; ;193-1.3.1.;") == ("206.3.2", "193-1.3.1")
    assert parse_articles(["206.3.2", "320.1"]) == ("206.3.2", "320.1")
    assert parse_articles("") == ()
    assert try_parse_articles("206.3.2;x1;177,2") == (("206.3.2",), ("x1", "177,2"))
    with pytest.raises(ArticleError) as info:
        parse_articles("206.3.2;bad")
    assert info.value.bad == ("bad",)
    assert isinstance(info.value, ClemencyError)


@pytest.mark.parametrize("ref, article, expected", [
    ("206.3", "206.3.2", True), ("206.3", "206.3", True), ("244-1", "244-1.1", True),
    ("193-1", "193", False), ("193", "193-1.1", False), ("234.1", "234.1-1", False),
    ("206.3.2", "206.3", False), ("20", "206.3", False), ("177", "177.2.3-1", True),
])
def test_covers(ref, article, expected):
    assert covers(ref, article) is expected


def test_any_covered():
    assert any_covered(["320.1", "244-1.1"], ["244-1", "234"])
    assert not any_covered(["193-1.3.1", "234.1-1"], ["193", "234.1"])
    assert not any_covered([], ["177"])


def test_category_order():
    assert CATEGORIES == ("not_great_danger", "less_serious", "grave", "especially_grave")
    assert [category_rank(c) for c in CATEGORIES] == [0, 1, 2, 3]
    assert gravest(["less_serious", "grave", "not_great_danger"]) == "grave"
    assert gravest([]) is None
    with pytest.raises(ClemencyError):
        category_rank("serious")


# ------------------------------------------------------------------ the table


def _art15(max_years: str) -> str:
    if max_years == "life":
        return "especially_grave"
    m = float(max_years)
    return ("not_great_danger" if m <= 2 else "less_serious" if m <= 7
            else "grave" if m <= 12 else "especially_grave")


def test_table_loads(code):
    assert len(code) == 1235
    assert code.version == "az-criminal-code-2024"


def test_categories_follow_article_15(code):
    raw = resources.files("clemency").joinpath("data", "law", "az-criminal-code-2024.csv").read_text()
    rows = list(csv.DictReader(raw.splitlines()))
    assert len(rows) == 1235
    bad = [(r["article"], r["max_years"], r["category"]) for r in rows if _art15(r["max_years"]) != r["category"]]
    assert bad == []
    assert all(code.entry(r["article"]).category == r["category"] for r in rows)


@pytest.mark.parametrize("article, category", [
    ("206.3.2", "grave"), ("206.4", "grave"), ("193-1.3.1", "grave"), ("192.3.2", "less_serious"),
    ("213.2.1", "less_serious"), ("320.1", "not_great_danger"), ("177.1", "not_great_danger"),
    ("177.2", "less_serious"), ("177.3", "grave"), ("188.2", "less_serious"),
    ("244-1.1", "not_great_danger"), ("120.1", "especially_grave"), ("122.1", "less_serious"),
    ("234.1", "less_serious"), ("234.1-1", "grave"), ("234.4", "grave"), ("221.3", "less_serious"),
    ("178.2", "less_serious"),
])
def test_known_articles(code, article, category):
    assert code.entry(article).category == category


def test_nearest_ancestor(code):
    e = code.entry("320.1.1")
    assert (e.article, e.matched, e.category) == ("320.1", "ancestor", "not_great_danger")
    assert code.entry("206.3.2.7").article == "206.3.2"
    assert code.entry("234.1-1.5").category == "grave"  # ancestor 234.1-1, not 234.1


def test_bare_article(code):
    e = code.entry("177")
    assert e.matched == "descendants" and e.category is None
    assert code.entry("244-1.3").category == "less_serious"  # listed part
    assert code.entry("193-1").category is None  # parts from less_serious to grave
    assert code.entry("999.1") is None
    assert code.entry("177.9") is None  # no such part, no listed ancestor


def test_bare_article_with_one_category(code):
    # a bare article whose listed parts all share one category gets it
    groups: dict[str, set] = {}
    for a, e in code.rows.items():
        if "." in a:
            groups.setdefault(a.split(".")[0], set()).add(e.category)
    uniform = sorted(a for a, cats in groups.items() if len(cats) == 1 and a not in code.rows)
    assert uniform
    for a in uniform:
        assert code.entry(a).category == next(iter(groups[a]))


# ------------------------------------------------------------------ resolution


def test_gravest_part_wins(code):
    r = code.resolve("206.3.2;193-1.3.1;320.1")
    assert (r.category, r.table_category, r.unknown_articles, r.disagreement) == ("grave", "grave", (), False)
    assert code.resolve("177.1;177.2").category == "less_serious"


def test_unknown_article_makes_category_unknown(code):
    r = code.resolve("177;320.1")
    assert r.category is None and r.table_category is None and r.unknown_articles == ("177",)
    r = code.resolve("999.1")
    assert r.category is None and r.unknown_articles == ("999.1",) and r.negligent is None


def test_especially_grave_needs_no_unknowns(code):
    r = code.resolve("177;120.1")
    assert r.category == "especially_grave" and r.unknown_articles == ("177",)


def test_given_category_wins(code):
    r = code.resolve("177", given_category="grave")
    assert r.category == "grave" and r.table_category is None and not r.disagreement
    r = code.resolve("320.1", given_category="grave")
    assert r.category == "grave" and r.table_category == "not_great_danger" and r.disagreement
    assert not code.resolve("320.1", given_category="not_great_danger").disagreement
    assert code.resolve("320.1", given_category="").category == "not_great_danger"
    with pytest.raises(ClemencyError):
        code.resolve("320.1", given_category="serious")


def test_negligent_three_valued(code):
    assert code.resolve("124.1").negligent is True
    assert code.resolve("124.1;124.2").negligent is True
    assert code.resolve("263.1").negligent is None
    assert code.resolve("263.3").negligent is None
    assert code.resolve("320.1").negligent is False
    assert code.resolve("124.1;263.2").negligent is None  # True AND unknown
    assert code.resolve("124.1;320.1").negligent is False  # True AND False
    assert code.resolve("263.2;320.1").negligent is False  # unknown AND False
    assert code.resolve("124.1;999.1").negligent is None  # unknown article
    assert code.resolve("320.1", given_negligent=True).negligent is True
    assert code.resolve("124.1", given_negligent=False).negligent is False
    assert code.resolve("").negligent is None and code.resolve("").category is None


def test_resolve_list_and_junk(code):
    assert code.resolve(["206.3.2", "320.1"]).category == "grave"
    with pytest.raises(ArticleError):
        code.resolve("206.3.2;junk")


def test_resolve_is_cached(code):
    assert code.resolve("206.3.2;320.1") is code.resolve("206.3.2;320.1")
    assert resolve("206.3.2;320.1") is resolve("206.3.2;320.1", code=default_code())


# ------------------------------------------------------------------ overrides


def test_overrides_change_result_and_version():
    base = default_code()
    over = CriminalCode.load(overrides={"320.1": "less_serious", "177": {"category": "grave"},
                                        "263.2": {"negligent": True}})
    assert over.version.startswith("az-criminal-code-2024+overrides-") and over.version != base.version
    assert over.entry("320.1").category == "less_serious"
    assert over.entry("320.1.1").category == "less_serious"
    assert over.resolve("320.1").category == "less_serious"
    assert base.resolve("320.1").category == "not_great_danger"  # the default is untouched
    # an override of a bare article reaches its listed parts; a more specific one wins
    assert over.resolve("177").category == "grave" and over.entry("177.1").category == "grave"
    assert over.resolve("263.2").negligent is True
    assert over.entry("320.1").source == "override"
    # same overrides → same version; different → different
    again = CriminalCode.load(overrides={"263.2": {"negligent": "yes"}, "177": "grave", "320.1": "less_serious"})
    assert again.version == over.version
    assert CriminalCode.load(overrides={"320.1": "grave"}).version != over.version


def test_override_specific_beats_general_and_new_rows():
    c = CriminalCode.load(overrides={"177": "grave", "177.1": "not_great_danger", "999.1": "less_serious"})
    assert c.entry("177.1").category == "not_great_danger"
    assert c.entry("177.2.1").category == "grave"
    assert c.entry("999.1").category == "less_serious" and len(c) == 1236


def test_bad_overrides():
    with pytest.raises(ClemencyError):
        CriminalCode.load(overrides={"320.1": "serious"})
    with pytest.raises(ClemencyError):
        CriminalCode.load(overrides={"x": "grave"})
    with pytest.raises(ClemencyError):
        CriminalCode.load(overrides={"320.1": {"max_years": 3}})


def test_missing_table(tmp_path):
    with pytest.raises(ClemencyError):
        CriminalCode.load(tmp_path / "nope.csv")
