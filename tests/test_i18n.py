"""Azerbaijani and Russian: the decision on the check page is in the page's language, not only the frame.

The check is on what a reader sees: every text node of the decision section is taken from the page, and a
node that reads as English (two or more common English words, or an English result or status word on its
own) fails the test. Proper names and codes (clause ids, article numbers, reading names such as b3=application,
source ids, hashes) are not words of a language and pass."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from test_web import client, csrf, data  # noqa: F401 (fixtures)

from clemency.locale import LOCALE_DIR, date, gettext_for, number
from clemency.web.i18n import EN, translator

# the README's client: two years for a drug offence (234.1, less serious), release 19 July 2026
CLIENT = {"person_id": "P1", "sex": "M", "birth_date": "1990-03-02", "status": "convicted", "articles": "234.1",
          "offense_date": "2024-05-01", "punishment": "imprisonment", "term_months": "24",
          "sentence_start": "2024-07-19", "sentence_end": "2026-07-19"}
# a woman released under A7, and a reduction: other sentences and values in the page
WOMAN = {**CLIENT, "sex": "F"}
REDUCED = {**CLIENT, "term_months": "36", "offense_date": "2023-06-01", "sentence_start": "2024-01-01",
           "sentence_end": "2027-01-01"}

ENGLISH = set("""the of and or is are was were be been on in to by for not from under with has have had this that
which who whose than more less day days person persons crime crimes clause clauses relief months month
sentence left held failed unknown reported inferred none no yes release released term imposed act reading
default content text decided decision window entry force whether only any every later will give holds missed
exists rests cannot data given depends excluded note as of""".split())
SINGLE = {"held", "failed", "unknown", "reported", "inferred", "relief", "exclusion", "provision", "none",
          "reading", "value", "true", "false", "from", "rows", "run", "act", "report", "file", "started", "search",
          "sex", "clause", "finished", "persons", "basis", "institution", "name", "page", "next", "previous",
          "download", "decisions", "findings", "row", "field", "expected", "sort", "filter", "files", "running",
          "waiting", "engine", "published"}


class _Texts(HTMLParser):
    """The text nodes inside <section id="decision">."""

    def __init__(self):
        super().__init__()
        self.depth, self.texts = 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag == "section"
        elif tag == "section" and ("id", "decision") in attrs:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and tag == "section":
            self.depth -= 1

    def handle_data(self, text):
        if self.depth and text.strip():
            self.texts.append(" ".join(text.split()))


def decision_texts(html: str) -> list[str]:
    p = _Texts()
    p.feed(html)
    assert p.texts, "no decision section in the page"
    return p.texts


def english_in(text: str) -> bool:
    """Reads as English: two or more common English words, or a lone English label."""
    words = [w for w in re.split(r"[\s,.;:()«»\"'–—-]+", text) if w]
    plain = [w.lower() for w in words if re.fullmatch(r"[A-Za-z]+", w)]   # codes (B3, 234.1, b3=x) are not words
    if len(words) == 1 and plain and plain[0] in SINGLE:
        return True
    return sum(w in ENGLISH for w in plain) >= 2


def decide_page(client, record, lang):  # noqa: F811
    client.get(f"/check?lang={lang}")     # the cookie keeps the language
    form = record | {"act": "az-2025", "csrf": csrf(client)}
    r = client.post("/check", data=form)
    assert r.status_code == 200, re.findall(r"<li>(.*?)</li>", r.text.split("problems")[-1])[:5]
    return r.text


def test_the_detector_finds_english():
    assert english_in("No clause of the act gives this person relief on 2025-12-19.")
    assert english_in("held") and english_in("the crime is less serious")
    assert not english_in("B3") and not english_in("b3=application") and not english_in("234.1")
    assert not english_in("Aktın heç bir bəndi 19 dekabr 2025 tarixində bu şəxsə güzəşt vermir.")
    assert not english_in("Ни один пункт акта не даёт этому лицу льготы на 19 декабря 2025 г.")


@pytest.mark.parametrize("lang", ["az", "ru"])
@pytest.mark.parametrize("record", [CLIENT, WOMAN, REDUCED], ids=["readme-client", "woman", "reduction"])
def test_the_decision_has_no_untranslated_english(client, lang, record):  # noqa: F811
    page = decide_page(client, record, lang)
    texts = decision_texts(page)
    untranslated = [t for t in texts if english_in(t)]
    assert untranslated == [], untranslated[:10]


def test_the_english_page_is_still_english(client):  # noqa: F811
    texts = decision_texts(decide_page(client, CLIENT, "en"))
    assert any(t.startswith("No clause of the act gives this person relief on 2025-12-19.") for t in texts)
    assert sum(english_in(t) for t in texts) > 20


@pytest.mark.parametrize("lang, words", [
    ("az", ["Aktın heç bir bəndi", "19 dekabr 2025", "B3"]),
    ("ru", ["Ни один пункт акта не даёт этому лицу льготы", "19 декабря 2025", "B3"]),
])
def test_the_explanation_is_in_the_language_with_its_dates(client, lang, words):  # noqa: F811
    page = decide_page(client, CLIENT, lang)
    explanation = re.search(r'<p id="explanation"[^>]*>(.*?)</p>', page, re.S).group(1)
    for w in words:
        assert w in explanation, (w, explanation)
    assert "Maşın tərcüməsi" in page if lang == "az" else "Машинный перевод" in page   # the label stays


def test_every_ui_key_and_explanation_sentence_is_in_both_catalogues():
    for lang in ("az", "ru"):
        t = translator(lang)
        missing = [k for k, en in EN.items() if t(k) == en and en not in ("Clemency", "API", "Status")]
        assert missing == [], (lang, missing)
        g = gettext_for(lang)
        sentence = "No clause of the act gives this person relief on {day}."
        assert g(sentence) != sentence and "{day}" in g(sentence)
    assert (LOCALE_DIR / "az" / "LC_MESSAGES" / "messages.mo").exists()


def test_numbers_and_dates_are_formatted_for_the_locale():
    assert number(12345, "en") == "12,345"
    assert number(12345, "ru").replace("\xa0", " ") == "12 345"
    assert number(12345, "az") == "12.345"
    assert date("2026-01-19", "en") == "2026-01-19"
    assert date("2026-01-19", "ru").startswith("19 января 2026")
    assert date("2026-01-19", "az").startswith("19 yanvar 2026")


def test_the_compiled_catalogues_match_the_po_files():
    """A .po edited without recompiling (python -m clemency.locale.compile) fails here."""
    from babel.messages.pofile import read_po
    for lang in ("az", "ru"):
        with open(LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
            catalog = read_po(f, locale=lang)
        g = gettext_for(lang)
        stale = [m.id for m in catalog if m.id and m.string and g(m.id) != m.string]
        assert stale == [], (lang, stale[:5])


def test_the_template_has_every_ui_message_and_the_act_texts():
    """A new UI string or act text not yet extracted into messages.pot (pybabel extract) fails here."""
    from babel.messages.pofile import read_po

    from clemency.locale import extract_yaml
    with open(LOCALE_DIR / "messages.pot", "rb") as f:
        pot = {m.id for m in read_po(f) if m.id}
    assert set(EN.values()) - {""} <= pot
    with open(LOCALE_DIR.parent / "data" / "acts" / "az-2025.yaml", "rb") as f:
        texts = {m for _, _, m, _ in extract_yaml(f, None, None, None)}
    assert texts and texts <= pot
    assert "No clause of the act gives this person relief on {day}." in pot


class _Labelled(HTMLParser):
    """The text nodes inside the elements with the given ids."""

    def __init__(self, ids):
        super().__init__()
        self.ids, self.stack, self.texts = ids, [], []

    def handle_starttag(self, tag, attrs):
        if tag not in ("input", "br", "meta", "link", "img", "hr", "wbr"):
            self.stack.append((tag, dict(attrs).get("id") in self.ids))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, text):
        if text.strip() and any(on for _, on in self.stack):
            self.texts.append(" ".join(text.split()))


def labelled_texts(html: str, ids) -> list[str]:
    p = _Labelled(set(ids))
    p.feed(html)
    return p.texts


def test_the_run_pages_in_azerbaijani_have_no_untranslated_english_label(tmp_path):
    """The results browser's labels (status, search, filters, facet titles, the total and its page line, the
    findings), the window warning and the runs table: in Azerbaijani, none reads as English."""
    from starlette.testclient import TestClient
    from test_web import make_app, seed_monitor, sign_in, wait_done

    from clemency.registry.synth import synth
    seed_monitor(tmp_path)
    path = synth(60, tmp_path / "synth.csv", seed=7)
    with TestClient(make_app(tmp_path, max_upload=2_000_000)) as web:
        ids = []
        for on in ("", "2009-03-17"):             # a run in the window, and one outside it (the warning)
            r = web.post("/runs", files={"registry": (path.name, path.read_bytes(), "text/csv")},
                            data={"csrf": sign_in(web), "act": "az-2025", "on": on}, follow_redirects=False)
            assert r.status_code == 303
            ids.append(r.headers["location"].rsplit("/", 1)[1])
            assert wait_done(web, ids[-1])["state"] == "done"
        inside = web.get(f"/runs/{ids[0]}?lang=az&sex=M").text
        outside = web.get(f"/runs/{ids[1]}?lang=az").text
        runs = web.get("/runs?lang=az").text
        web.get("/runs?lang=en")
    assert 'id="window-warning"' in outside and 'id="active-filters"' in inside
    texts = (labelled_texts(inside, {"state", "search", "active-filters", "total", "findings-title", "no-findings"})
             + labelled_texts(outside, {"window-warning"}) + labelled_texts(runs, {"runs"}))
    assert len(texts) > 10
    english = [t for t in texts if english_in(t) or t.lower() in {"rows", "finished", "search", "clear all", "sex",
                                                                  "relief", "clause", "file", "started", "act"}]
    assert english == [], english[:10]
    summaries = re.findall(r"<summary>([^<]*)</summary>", inside)
    assert summaries and not {"relief", "clause", "basis", "crime category", "sex", "institution",
                              "excluded by"} & set(summaries), summaries


class _PageTexts(HTMLParser):
    """Every text a reader sees on a page: text nodes of the body and the title, aria-label and placeholder
    attributes; not scripts, styles, code, or anything marked translate="no" (data: names, file names, ids)."""

    SKIP = {"script", "style", "code", "pre", "svg", "option"}
    VOID = {"input", "br", "meta", "link", "img", "hr", "wbr", "source", "col", "area", "base", "embed",
            "track", "param"}

    def __init__(self):
        super().__init__()
        self.stack, self.texts = [], []

    def _hidden(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        skip = tag in self.SKIP or a.get("translate") == "no"
        if not skip and not self._hidden():
            for k in ("title", "aria-label", "placeholder", "alt"):
                if a.get(k):
                    self.texts.append(" ".join(a[k].split()))
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if any(t == tag for t, _ in self.stack):
            while self.stack and self.stack.pop()[0] != tag:
                pass

    def handle_data(self, text):
        if text.strip() and not self._hidden():
            self.texts.append(" ".join(text.split()))


def page_texts(html: str) -> list[str]:
    p = _PageTexts()
    p.feed(html.split("<body", 1)[-1])
    return p.texts


# a political-prisoner list with articles, for the monitor's why and status pages
WHY_LIST = ("id,full_name,group,articles,term_months,sentence_start,sentence_end\n"
            "A1,Həsənov Əli Vaqif oğlu,journalist,206.3.2;193-1.3.1,96,2024-03-01,2032-03-01\n"
            "B1,Quliyev Elvin Rəşad oğlu,religious,234.1,30,2024-10-01,2026-04-01\n")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A web app with a finished and published run of a small synthetic registry and a monitored list."""
    from starlette.testclient import TestClient
    from test_web import make_app, seed_monitor, sign_in, wait_done

    from clemency.registry.synth import synth
    folder = tmp_path_factory.mktemp("pages-i18n")
    seed_monitor(folder)
    (folder / "monitor" / "lists" / "pp").mkdir(parents=True)
    (folder / "monitor" / "lists" / "pp" / "2025-10-07.csv").write_text(WHY_LIST, encoding="utf-8")
    path = synth(80, folder / "synth.csv", seed=5)
    with TestClient(make_app(folder, max_upload=2_000_000)) as web:
        token = sign_in(web, "admin")
        r = web.post("/runs", files={"registry": (path.name, path.read_bytes(), "text/csv")},
                     data={"csrf": token, "act": "az-2025"}, follow_redirects=False)
        run = r.headers["location"].rsplit("/", 1)[1]
        assert wait_done(web, run)["state"] == "done"
        web.post(f"/runs/{run}/publish", data={"csrf": token, "published": "1"})
        case = re.search(r'href="/runs/[^/]+/person/([^"]+)"', web.get(f"/runs/{run}").text).group(1)
        yield {"web": web, "run": run, "case": case}


PAGES = ["/check", "/runs", "/runs/{run}", "/runs/{run}?sex=M&sort=-relief", "/runs/{run}/person/{case}",
         "/runs/{run}/letter/{case}", "/acts", "/acts/az-2025", "/acts/az-2009", "/acts/az-2021", "/timeline",
         "/timeline/{run}", "/monitor", "/monitor/review", "/monitor/why/pp/2025-10-07",
         "/monitor/status/pp/2025-10-07", "/reports", "/reports/{run}/report.html", "/drafting"]
# pages whose az/ru text is not all translated yet, each with what is still English: they run all the same and
# report XPASS once translated (remove them from here then)
NOT_YET: dict[str, str] = {}


def _pages():
    for p in PAGES:
        marks = [pytest.mark.xfail(reason=f"not yet in az/ru: {NOT_YET[p]}", strict=False)] if p in NOT_YET else []
        yield pytest.param(p, marks=marks, id=p)


@pytest.mark.parametrize("lang", ["az", "ru"])
@pytest.mark.parametrize("path", list(_pages()))
def test_no_page_shows_an_untranslated_english_sentence(site, path, lang):
    """Every page a user sees, in Azerbaijani and Russian: no text reads as English (two or more common English
    words, or a lone English label); proper names and codes aside."""
    web = site["web"]
    url = path.format(run=site["run"], case=site["case"])
    r = web.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
    if r.status_code == 404 and path == "/drafting":
        pytest.skip("no drafting page in this build")
    assert r.status_code == 200, (url, r.status_code)
    texts = page_texts(r.text)
    assert len(texts) > 3, url
    english = [t for t in texts if english_in(t)]
    assert english == [], english[:12]


def test_the_page_detector_sees_attributes_and_skips_data():
    html = ('<body><main><p title="sort by this column">Sıralayın</p><span translate="no">the file of rows</span>'
            '<code>b3=application</code><input placeholder="search by id or name"></main></body>')
    texts = page_texts(html)
    assert "sort by this column" in texts and "search by id or name" in texts
    assert "the file of rows" not in texts and "b3=application" not in texts


def test_a_run_in_words_names_no_path_and_no_flag():
    """The run as reports and pages show it: the act by its title, a reading by what it is about and the
    meaning of the chosen value, the default readings named once, dates for the locale; never the manifest's
    paths (act_path, registry) or NAME=VALUE flags."""
    from clemency.report.stamp import readings_phrase, run_words, stamp
    manifest = {"act": "az-2025", "act_path": "/home/someone/acts/az-2025.yaml", "act_hash": "ab" * 32,
                "readings": {"eif": "2025-12-19", "b3": "application", "f2": "abde"}, "on": "2026-01-19",
                "entry_into_force": "2025-12-19", "window_end": "2026-04-19", "code_version": "az-criminal-code-2024",
                "registry": "/home/someone/registry.csv", "registry_hash": "cd" * 32, "engine": "duckdb",
                "rows": {"in": 10, "decided": 9, "rejected": 1, "findings": 1},
                "environment": {"clemency": "0.1.0", "python": "3.11.7"}}
    en = stamp(manifest)
    assert en.startswith("As of 2026-01-19") and "Year of the Constitution and Sovereignty" in en
    assert "the unserved part is measured on the day the act is applied" in en
    assert "otherwise the act's default readings" in en and "abde" not in en
    for lang in ("en", "az", "ru"):
        text = stamp(manifest, lang) + " ".join(str(v) for row in run_words({"persons": 9}, manifest, lang)
                                                  for v in row)
        assert "/home/someone" not in text and not re.search(r"\b(b3|f2|eif)=", text), lang
    assert "19 yanvar 2026" in stamp(manifest, "az") and "Konstitusiya" in stamp(manifest, "az")
    assert "English" not in readings_phrase(manifest, "ru") and english_in(readings_phrase(manifest, "ru")) is False
    assert readings_phrase({"act": "az-2025", "readings": {"b3": "eif"}}) == "the act's default readings"
