"""What a user is told about a citation or a category that is not one, and the plan's article sets as the
monitor reads them (mutation benchmark, issue 16: clemency/law/articles.py, clemency/compile/plan.py)."""

import pytest

from clemency.compile.plan import compile_act
from clemency.errors import ClemencyError
from clemency.law.articles import ArticleError, category_rank, gravest, parse_article, parse_articles
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
