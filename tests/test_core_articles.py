"""What a user is told about a citation or a category that is not one, and the plan's article sets as the
monitor reads them (mutation benchmark, issue 16: clemency/law/articles.py, clemency/compile/plan.py)."""

import random

import pytest

from clemency.compile.plan import compile_act
from clemency.errors import ClemencyError
from clemency.law.articles import (
    ArticleError,
    ancestors,
    any_covered,
    category_rank,
    covers,
    gravest,
    parse_article,
    parse_articles,
    segments,
    try_parse_articles,
)
from clemency.pipeline import Context

HINT = "ids look like 206.3.2 or 193-1.3.1; several are separated by ';'"


def test_a_bad_citation_names_every_bad_token_and_how_ids_look():
    with pytest.raises(ArticleError) as info:
        parse_articles("206.3; x1; ; 12a")
    err = info.value
    assert err.bad == ("x1", "12a")
    assert err.message == "not an article id: 'x1', '12a'"
    assert err.hint == HINT and err.where is None
    assert str(err) == f"not an article id: 'x1', '12a'\n  hint: {HINT}"


def test_a_bad_citation_says_where_it_was_found():
    err = ArticleError(["5.x"], where="row 3")
    assert err.where == "row 3"
    assert str(err) == f"row 3: not an article id: '5.x'\n  hint: {HINT}"
    with pytest.raises(ArticleError) as info:
        parse_article(" 5.x")
    assert info.value.message == "not an article id: ' 5.x'"


def test_an_unknown_category_lists_the_four():
    with pytest.raises(ClemencyError) as info:
        category_rank("minor")
    assert info.value.message == "unknown crime category 'minor'"
    assert info.value.hint == "one of not_great_danger, less_serious, grave, especially_grave"
    assert [category_rank(c) for c in ("not_great_danger", "less_serious", "grave", "especially_grave")] == [0, 1, 2, 3]
    assert gravest(["grave", "less_serious"]) == "grave" and gravest([]) is None


def test_the_article_sets_a_clause_tests():
    plan = compile_act(Context.make("az-2025").act)
    n = len(plan.article_sets)
    assert n > 0 and plan.article_columns == [f"_art{k}" for k in range(n)]
    assert plan.article_set_of(f"_art{n - 1}") == plan.article_sets[-1]
    assert plan.article_set_of(f"_art{n}") is None and plan.article_set_of("_artx") is None
    assert plan.article_set_of("sex") is None
    f2 = plan.clause("F2")
    assert plan.articles_tested_by(f2) == plan.articles_tested_by("F2")
    assert "124" in plan.articles_tested_by("F2") or "124.1" in plan.articles_tested_by("F2")
    assert plan.articles_tested_by("A1") == []


# ---- citations as a registry or an act gives them

def test_a_citation_list_keeps_each_id_once_in_order_and_skips_empty_tokens():
    assert try_parse_articles(None) == ((), ())
    assert try_parse_articles("") == ((), ())
    assert try_parse_articles(";; ;\t;") == ((), ())
    # empty tokens at the start, in the middle and at the end never stop the reading
    assert try_parse_articles(" ;177.2; ;206.3.2 ;;124.1; ") == (("177.2", "206.3.2", "124.1"), ())
    # a repeat, written the same or differently, is kept once, where it first appears
    assert try_parse_articles("206.3;177;206.3.;177; 206 .3") == (("206.3", "177"), ())
    # bad tokens: every one, in order, without the spaces around them, and the good ones still read
    assert try_parse_articles(" x1 ;177;  12a;177.2") == (("177", "177.2"), ("x1", "12a"))
    assert try_parse_articles("x;x") == ((), ("x", "x"))


def test_a_citation_list_from_json():
    assert try_parse_articles(["206.3.2;193-1.3.1", "177", 124]) == (("206.3.2", "193-1.3.1", "177", "124"), ())
    assert try_parse_articles(("177", "x;124.1", "")) == (("177", "124.1"), ("x",))
    assert try_parse_articles(iter(["177;177", "177.2"])) == (("177", "177.2"), ())
    assert try_parse_articles([]) == ((), ())


def test_parse_articles_gives_the_ids_or_names_every_bad_token():
    assert parse_articles("177; 206.3.2.;177") == ("177", "206.3.2")
    assert parse_articles(None) == ()
    with pytest.raises(ArticleError) as info:
        parse_articles(["177", "y;206.3", " z "])
    assert info.value.bad == ("y", "z")
    assert info.value.message == "not an article id: 'y', 'z'"


@pytest.mark.parametrize("raw, norm", [
    ("206.3.2", "206.3.2"), ("\t206 .3\n.2 ", "206.3.2"), ("206.3.2.", "206.3.2"), ("193-1-2.3", "193-1-2.3"),
    ("7", "7"), ("0.0", "0.0"), (206, "206"),
])
def test_an_id_normalised(raw, norm):
    assert parse_article(raw) == norm


@pytest.mark.parametrize("junk", ["", " ", ".", "206.3..", "..", "206-", "-206", "206.-1", "206--1",
                                  "206,3", "206.3x", "x206", "2 06a", "206.3.2;177", "abroad:177"])
def test_not_an_id(junk):
    with pytest.raises(ArticleError) as info:
        parse_article(junk)
    assert info.value.bad == (junk,)


def test_segments_and_ancestors():
    assert segments("193-1.3.1") == ("193-1", "3", "1")
    assert segments(" 206.3. ") == ("206", "3")
    assert segments("177") == ("177",)
    assert ancestors("177") == ()
    assert ancestors("177.2") == ("177",)
    assert ancestors("320.1.1") == ("320.1", "320")
    assert ancestors("116.0.8-1.2") == ("116.0.8-1", "116.0", "116")
    assert ancestors(" 193-1.3.1. ") == ("193-1.3", "193-1")


def _segment_prefix(ref: str, article: str) -> bool:
    """Independent of clemency.law.articles: `ref` is `article` or a prefix of it ending at a dot."""
    return article == ref or article.startswith(ref + ".")


def test_covers_is_whole_segments_on_a_seeded_sample():
    rng = random.Random(16)
    segs = ["1", "2", "12", "21", "1-1", "1-2", "12-1", "0"]
    ids = sorted({".".join(rng.choice(segs) for _ in range(rng.randint(1, 4))) for _ in range(300)})
    agree = {True: 0, False: 0}
    for ref in ids[::3]:
        for article in ids:
            expected = _segment_prefix(ref, article)
            assert covers(ref, article) is expected, (ref, article)
            agree[expected] += 1
    assert agree[True] > 50 and agree[False] > 50


@pytest.mark.parametrize("ref, article, expected", [
    ("206", "206", True), ("206.3", "206.3.2.1", True), ("206.3.2.1", "206.3", False),
    ("206.3", "206.30", False), ("206.30", "206.3", False), ("206.3", "206", False),
    ("177.2", "177.2-1", False), ("177.2-1", "177.2-1.1", True), ("1", "12.1", False), ("206.3", "206.2.3", False),
])
def test_covers_at_every_boundary(ref, article, expected):
    assert covers(ref, article) is expected


def test_any_covered_tries_every_article_against_every_reference():
    refs = ["124", "193-1", "234.1"]
    assert any_covered(["177", "234.1.2"], refs) is True          # the last article, the last reference
    assert any_covered(["124.1", "177"], refs) is True            # the first article, the first reference
    assert any_covered(["177", "193", "234.2"], refs) is False
    assert any_covered(["177", "234.1.2"], iter(refs)) is True    # references given once, as an iterator
    assert any_covered(iter(["177", "193-1.2"]), iter(refs)) is True
    assert any_covered(["124.1"], []) is False and any_covered([], refs) is False


@pytest.mark.parametrize("cats, worst", [
    (["not_great_danger"], "not_great_danger"),
    (["not_great_danger", "less_serious"], "less_serious"),
    (["less_serious", "not_great_danger"], "less_serious"),
    (["grave", "not_great_danger", "less_serious"], "grave"),
    (["less_serious", "especially_grave", "grave"], "especially_grave"),
    (["especially_grave", "not_great_danger"], "especially_grave"),
])
def test_gravest_by_article_15_not_by_spelling(cats, worst):
    assert gravest(cats) == worst
    assert gravest(iter(cats)) == worst
    assert gravest(reversed(cats)) == worst


def test_gravest_of_a_category_that_is_none():
    with pytest.raises(ClemencyError) as info:
        gravest(["grave", "serious"])
    assert info.value.message == "unknown crime category 'serious'"
