"""The library's messages on Azerbaijani and Russian pages: a failed run's error, an upload's error, and the
"expected" text of each finding, translated through the catalogue with their values (numbers, field names,
listed values, bad tokens) kept; English pages and the findings file unchanged."""

from __future__ import annotations

import csv
import io
import re

import pytest
from starlette.testclient import TestClient
from test_web import make_app, seed_monitor, sign_in, wait_done

from clemency.locale import gettext_for, number
from clemency.registry.synth import synth
from clemency.web.messages import _SLOT, TEMPLATES, localise

LANGS = ("az", "ru")


# --- the table of templates and the catalogues ----------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_every_template_is_translated_with_the_same_slots(lang):
    g = gettext_for(lang)
    missing = [t for t in TEMPLATES if g(t) == t]
    assert missing == [], missing[:5]
    differ = [t for t in TEMPLATES if sorted(_SLOT.findall(g(t))) != sorted(_SLOT.findall(t))]
    assert differ == [], differ[:5]


@pytest.mark.parametrize("lang", LANGS)
def test_a_message_keeps_its_values_and_writes_numbers_as_the_locale_does(lang):
    g = gettext_for(lang)
    text = "registry.csv: the file has 2,500 columns, more than the 2,000 allowed"
    got = localise(text, lang)
    assert got.startswith("registry.csv: ") and "columns, more than" not in got
    assert number(2500, lang) in got and number(2000, lang) in got
    nested = localise("required: one of M, F", lang)
    assert nested == g("required: {expected}").format(expected=g("one of {values}").format(values="M, F"))
    bad = localise("article parts like 206.3.2 or 193-1.3.1, not: abc 9x", lang)
    assert bad.endswith("abc 9x") and "article parts like" not in bad
    hint = localise("r.csv: the first line (the header) is longer than 1,024 KiB\n  hint: is this a CSV file, "
                    "with one line per row?", lang).splitlines()
    assert hint[1].startswith("  " + g("hint") + ": ") and "one line per row" not in hint[1]
    conflict = localise("one sex in every row of this person_id (its rows give F and M)", lang)
    assert "F" + g(" and ") + "M" in conflict and "every row" not in conflict


@pytest.mark.parametrize("lang", LANGS)
def test_every_field_s_expected_text_is_translated(lang):
    from clemency.registry.schema import FIELDS
    texts = {f.expected for f in FIELDS.values()} | {"required: " + f.expected for f in FIELDS.values()}
    untranslated = sorted(t for t in texts if localise(t, lang) == t)
    assert untranslated == [], untranslated


def test_nothing_is_translated_by_guessing():
    """A message no template matches whole stays as it is, and English is never touched."""
    for text in ("the file has many columns, more or less", "required: something new",
                 "the file has 12 columns, more than the 10 allowed, and more"):
        assert localise(text, "az") == text
    assert localise("the file has 2,500 columns, more than the 2,000 allowed", "en") == \
        "the file has 2,500 columns, more than the 2,000 allowed"
    assert localise(None, "ru") is None


# --- the pages --------------------------------------------------------------------------------------------------

def _registry(tmp_path) -> bytes:
    """A small synthetic registry with a sex that is no value, an article that is no article part, a date that is
    no date, a NaN term, a case_id twice, a birth after the sentence began, an end before the start, and a line
    of more fields than the header."""
    path = synth(30, tmp_path / "synth.csv", seed=3)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[0]["sex"], rows[1]["articles"] = "X", "177.2;abc"
    rows[2]["birth_date"], rows[3]["term_months"], rows[4]["case_id"] = "not a date", "nan", rows[5]["case_id"]
    rows[6]["birth_date"], rows[7]["sentence_end"] = "2025-06-01", "2001-01-01"
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    return out.getvalue().encode("utf-8") + b"P99,C99,a line,with,more,fields,than,the,header,has,and,then,some,more,still\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web-i18n-messages")
    seed_monitor(folder)
    with TestClient(make_app(folder, max_upload=2_000_000)) as web:
        token = sign_in(web)
        runs = {}
        headerless = (b"P1,C1,Name One,M,1980-01-01,convicted,177.2,imprisonment,36,2024-01-10,2027-01-10,Inst 1\n"
                      b"P2,C2,Name Two,F,1981-01-01,convicted,177.2,imprisonment,36,2024-01-10,2027-01-10,Inst 1\n")
        for kind, body in (("findings", _registry(folder)), ("headerless", headerless)):
            r = web.post("/runs", files={"registry": ("registry.csv", body, "text/csv")},
                         data={"csrf": token, "act": "az-2025"}, follow_redirects=False)
            assert r.status_code == 303, r.text[:300]
            runs[kind] = r.headers["location"].rsplit("/", 1)[1]
            wait_done(web, runs[kind])
        yield {"web": web, "token": token, "runs": runs}


def _cells(html: str, table: str, column: int) -> list[str]:
    body = re.search(rf'<table id="{table}">.*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]
    return [re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)[column]) for r in rows]


def _expected(web, run, lang) -> list[str]:
    import html
    page = web.get(f"/runs/{run}?lang={lang}").text
    head = re.search(r'<table id="findings"><thead><tr>(.*?)</tr>', page, re.S).group(1)
    column = re.findall(r"<th>", head).__len__() - 1
    return [html.unescape(c) for c in _cells(page, "findings", column)]


@pytest.mark.parametrize("lang", LANGS)
def test_the_findings_expected_text_is_translated_with_its_values(site, lang):
    g = gettext_for(lang)
    web, run = site["web"], site["runs"]["findings"]
    english = _expected(web, run, "en")
    assert "one of M, F" in english and any(e.endswith("not: abc") for e in english), english
    shown = _expected(web, run, lang)
    assert g("one of {values}").format(values="M, F") in shown, shown
    assert g("article parts like 206.3.2 or 193-1.3.1, not: {bad}").format(bad="abc") in shown, shown
    line = [e for e in english if e.startswith("a CSV line with ")]
    assert len(line) == 1 and line[0].endswith("fields)"), english
    n, at, has = re.fullmatch(r"a CSV line with (\d+) fields as in the header \(line (\d+) of the file: it has (\d+) "
                              r"fields\)", line[0]).groups()
    assert g("a CSV line with {n} fields as in the header (line {line} of the file: {problem})").format(
        n=n, line=at, problem=g("it has {n} fields").format(n=has)) in shown, shown
    assert len(english) >= 7 and not [e for e in shown if e in english], (english, shown)
    page = web.get(f"/runs/{run}?lang={lang}").text
    assert f"<td>{g('(whole row)')}</td>" in page and "(whole row)" not in page
    csv_text = web.get(f"/runs/{run}/findings.csv?lang={lang}").text      # the file stays English
    assert "one of M, F" in csv_text


@pytest.mark.parametrize("lang", ["en", *LANGS])
def test_a_headerless_registry_s_error_is_in_the_page_s_language(site, lang):
    import html
    web, run = site["web"], site["runs"]["headerless"]
    assert web.get(f"/api/runs/{run}/status").json()["state"] == "failed"
    page = web.get(f"/runs/{run}?lang={lang}").text
    error = html.unescape(re.search(r'<pre class="problems" id="run-error">(.*?)</pre>', page, re.S).group(1))
    said = "(does the first line name the columns?)"
    if lang == "en":
        assert said in error and "hint: the registry format is described" in error
    else:
        assert said not in error and "missing required column" not in error, error
        assert "person_id" in error and "registry.csv: " in error          # the values kept
        assert gettext_for(lang)("hint") + ": " in error


@pytest.mark.parametrize("lang", ["en", *LANGS])
def test_an_upload_refused_for_its_columns_says_so_in_the_page_s_language(site, lang):
    import html
    web, token = site["web"], site["token"]
    web.get(f"/monitor?lang={lang}")                       # the cookie keeps the language
    body = b"id,full_name" + b",x" * 2_600 + b"\n1,a" + b",1" * 2_600 + b"\n"
    r = web.post("/monitor/lists", data={"csrf": token, "list": "wide", "date": "2025-03-03"},
                 files={"file": ("l.csv", body, "text/csv")})
    assert r.status_code == 413
    h1 = html.unescape(re.search(r"<h1>(.*?)</h1>", r.text, re.S).group(1))
    items = [html.unescape(x) for x in re.findall(r"<li>(.*?)</li>", r.text.split('class="problems"')[1])]
    if lang == "en":
        assert h1 == "413: the file has 2,602 columns, more than the 2,000 allowed", h1
        assert items == ["the registry format has about forty fields; remove the columns it does not use"]
    else:
        g = gettext_for(lang)
        assert h1 == "413: " + g("the file has {n} columns, more than the {max} allowed").format(
            n=number(2602, lang), max=number(2000, lang)), h1
        assert items == [g("the registry format has about forty fields; remove the columns it does not use")]
    web.get("/monitor?lang=en")


@pytest.mark.parametrize("lang", LANGS)
def test_the_navigation_names_reports_and_users_in_the_page_s_language(site, lang):
    from test_web import sign_in as signed
    web = site["web"]
    signed(web, "admin")
    nav = re.search(r"<nav>(.*?)</nav>", web.get(f"/check?lang={lang}").text, re.S).group(1)
    english = re.search(r"<nav>(.*?)</nav>", web.get("/check?lang=en").text, re.S).group(1)
    assert ">Reports<" in english and ">Users<" in english
    g = gettext_for(lang)
    assert f">{g('Reports')}<" in nav and f">{g('Users')}<" in nav and ">Reports<" not in nav, nav
    site["token"] = signed(web)


@pytest.mark.parametrize("lang", ["en", *LANGS])
def test_an_upload_over_the_limit_says_so_in_the_page_s_language(site, lang):
    import html
    web, token = site["web"], site["token"]
    web.get(f"/runs?lang={lang}")
    r = web.post("/runs", files={"registry": ("r.csv", b"x" * 2_100_000, "text/csv")}, data={"csrf": token})
    assert r.status_code == 413
    h1 = html.unescape(re.search(r"<h1>(.*?)</h1>", r.text, re.S).group(1))
    item = html.unescape(re.search(r"<li>(.*?)</li>", r.text.split('class="problems"')[1]).group(1))
    g = gettext_for(lang)
    assert h1 == "413: " + g("the request body is too large"), h1
    assert item.endswith(g("the limit here is {n} bytes").format(n=number(2_000_000, lang))) or \
        "2,000,000" in item and lang == "en", item
    if lang != "en":
        assert "too large" not in h1 and "the limit" not in item
    web.get("/runs?lang=en")


@pytest.mark.parametrize("lang", ["en", *LANGS])
def test_a_list_upload_s_findings_are_in_the_page_s_language(site, lang):
    web, token = site["web"], site["token"]
    web.get(f"/monitor?lang={lang}")
    body = "id,full_name,birth_date,sex\nb1,Həsənov Əli,1985-13-01,X\n"
    r = web.post("/monitor/lists", data={"csrf": token, "list": f"bad-{lang}", "date": "2026-01-15"},
                 files={"file": ("l.csv", body.encode(), "text/csv")})
    table = r.text[r.text.index('id="upload-findings"'):]
    g = gettext_for(lang)
    for english in ("a date written YYYY-MM-DD", "M or F (or empty: then taken from the patronymic)",
                    "a column named articles (without it no row can be decided under an act)"):
        assert g(english) in table and (lang == "en") == (english in table), (english, table[:2000])
    assert "1985-13-01" in table and ">birth_date<" in table          # the value and the field as given
    web.get("/monitor?lang=en")
