"""Lawyer-written cases that the scenario format cannot hold: what `clemency check` prints in plain words (the
clause and the reason a lawyer reads), a record the act cannot decide without a fact (refused, not guessed),
and the check page in Azerbaijani and Russian, labelled as unchecked machine translation. The decisions
themselves are the lawyer-written cases of clemency/data/acts/az-2025.scenarios.yaml."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from clemency.act.load import ACTS_DIR
from clemency.apply import Context
from clemency.cli import main
from clemency.explain import decide_records
from tests.test_scenarios import load

WOMAN = {"person_id": "P1", "sex": "F", "birth_date": "1980-05-05", "status": "convicted", "articles": "178.2",
         "punishment": "imprisonment", "term_months": 36, "offense_date": "2023-06-01",
         "sentence_start": "2024-01-10", "sentence_end": "2027-01-10"}


def check(record: dict, *args: str):
    res = CliRunner().invoke(main, ["check", "--act", "az-2025", "--json", "-", *args], input=json.dumps(record))
    return res


def explanation(record: dict, *args: str) -> str:
    res = check(record, *args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)["explanation"]


# ---- the window: a decision date outside it is the reason, not a near miss ------------------------------

@pytest.mark.parametrize("on, side", [("2026-04-20", "after"), ("2025-12-18", "before")])
def test_outside_the_window_the_plain_words_say_so_and_name_no_near_miss(on, side):
    """A woman serving 3 years: released from the entry into force to the window's last day. Decided one day
    outside, nothing holds because of the day alone; the words must say that, not that she 'missed only on
    the time left' under B3 (she has over a year left: B3 is no reason at all)."""
    text = explanation(WOMAN, "--on", on)
    assert "Missed only" not in text
    assert "2025-12-19" in text and "2026-04-19" in text
    assert ("after the implementation window closed" if side == "after" else "before the entry into force") in text


def test_inside_the_window_no_window_sentence():
    text = explanation(WOMAN, "--on", "2026-04-19")
    assert text.startswith("Release from imprisonment under clause A7 (women)")
    assert "window" not in text


# ---- plain words: clause, reason, no internal codes -------------------------------------------------------

REPR = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\{'|\['|'\]|==|!=|\breading\(|\bany_article\(|\bage_on\(|_art\d"
                  r"|\b(?:crime_category|sentence_end|term_months|birth_date|offense_date|disability_percent)\b")


def _lawyer_decisions():
    act, cases = load(ACTS_DIR / "az-2025.scenarios.yaml")
    groups: dict = {}
    for sc, rec in cases:
        if sc["name"].startswith("lawyer"):
            key = (tuple(sorted((sc.get("readings") or {}).items())), sc.get("decided_on"))
            groups.setdefault(key, []).append((sc, rec))
    out = []
    for (readings, on), items in groups.items():
        ctx = Context.make(act, dict(readings), on.isoformat() if on else None)
        got = {d["case_id"]: d for d in decide_records(ctx, [r for _, r in items])}
        out += [(sc, got[rec["case_id"]]) for sc, rec in items]
    return out


def test_every_lawyer_case_is_explained_with_its_clause_and_without_internal_codes():
    decisions = _lawyer_decisions()
    assert len(decisions) >= 40
    wrong = []
    for sc, d in decisions:
        text = d["explanation"]
        if REPR.search(text):
            wrong.append(f"{sc['name']}: internal code {REPR.search(text).group(0)!r} in: {text}")
        if d["clause"]:
            clause_text = next(r["text"] for r in d["reasons"] if r["clause"] == d["clause"])
            if f"under clause {d['clause']} ({clause_text})" not in text:
                wrong.append(f"{sc['name']}: the deciding clause and its text are not named: {text}")
        for x in d["excluded_by"]:
            if f"Excluded by {x} (" not in text:
                wrong.append(f"{sc['name']}: the exclusion {x} is not named: {text}")
        if d["relief"] == "indeterminate" and "cannot be decided" not in text:
            wrong.append(f"{sc['name']}: an undecided outcome must say so: {text}")
    assert not wrong, "\n".join(wrong[:10])


READING_CODE = re.compile(r"\b(?:eif|chapeau|b2|b3|f2|f2-drugs|f3|d|e1)=[a-z0-9-]+|\breading (?:b2|b3|f2|d|e1)\b|\bf2-drugs\b"
                          r"|\bD's category limit\b")


def test_the_plain_words_name_no_reading_by_its_code():
    """An open point of the act is named in words (what the other reading says), never as `b3=application` or
    `the reading b2`: a lawyer reads the sentence, not the command line."""
    wrong = [f"{sc['name']}: {READING_CODE.search(d['explanation']).group(0)!r}"
             for sc, d in _lawyer_decisions() if READING_CODE.search(d["explanation"])]
    assert not wrong, "\n".join(wrong[:10])


def test_a_decision_with_no_clause_and_no_exclusion_still_gives_the_reason():
    """A man serving 5 years for grave theft (177.3) with 3 months left: nothing holds and nothing excludes
    him, so the reason is the category of his crime, which the words must name."""
    rec = dict(WOMAN, sex="M", articles="177.3", term_months=60, offense_date="2020-11-01",
               sentence_start="2021-03-19", sentence_end="2026-03-19")
    text = explanation(rec)
    assert text.startswith("No clause of the act gives this person relief on 2025-12-19.")
    assert "grave" in text and "imprisonment" in text


# ---- a fact the act cannot do without --------------------------------------------------------------------

def test_a_foreign_conviction_without_its_category_is_refused_in_plain_words():
    """A foreign article is not looked up in the Azerbaijani Code (B4: the same terms as everyone else, so
    the category must be given): `check` refuses the record, naming the field, instead of guessing."""
    rec = dict(WOMAN, convicted_abroad=True, articles="999.1")
    res = check(rec)
    assert res.exit_code == 1
    assert "crime_category" in res.output and "convicted_abroad" in res.output
    assert "Traceback" not in res.output and str(Path.cwd()) not in res.output


# ---- Azerbaijani and Russian: the decision in words, labelled unchecked -----------------------------------

@pytest.mark.parametrize("lang, label, clause_word", [("az", "Maşın tərcüməsi", "A7"), ("ru", "Машинный перевод", "A7")])
def test_the_check_page_in_az_and_ru_is_labelled_machine_translation(tmp_path, lang, label, clause_word):
    from starlette.testclient import TestClient

    from tests.test_web import csrf, make_app
    with TestClient(make_app(tmp_path)) as client:
        client.get(f"/check?lang={lang}")
        form = {k: str(v) for k, v in WOMAN.items()} | {"act": "az-2025", "csrf": csrf(client)}
        r = client.post("/check", data=form)
    assert r.status_code == 200
    assert label in r.text
    assert 'id="relief" class="relief-release_from_imprisonment"' in r.text
    assert clause_word in r.text
    assert "under clause A7" not in r.text      # the sentence itself is in the page's language


@pytest.mark.parametrize("lang, words", [("az", "tarixinədək"), ("ru", "включительно")])
def test_the_window_and_case_sentences_are_translated(lang, words):
    from clemency.explain import plain_words
    from tests.test_i18n import english_in
    after = Context.make("az-2025", None, "2026-04-20")
    d = decide_records(after, [WOMAN])[0]
    text = plain_words(after, d, lang)
    assert words in text and not english_in(text), text
    grave = Context.make("az-2025")
    d = decide_records(grave, [dict(WOMAN, sex="M", articles="177.3", term_months=60, offense_date="2020-11-01",
                                    sentence_start="2021-03-19", sentence_end="2026-03-19")])[0]
    text = plain_words(grave, d, lang)
    assert not english_in(text), text
