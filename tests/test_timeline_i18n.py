"""The timeline page in Azerbaijani and Russian: headings, tables, the readings-in-words stamp, the charts
(titles, legends, axes, events, tooltips) through the catalogues; numbers and dates as each locale writes
them; the machine-translation label; text with no translation marked as English, never passed off."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from test_i18n import english_in, page_texts
from test_web import client, data  # noqa: F401 (fixtures)

from clemency.report.figures import FIGURES_DIR
from clemency.timeline import run_timeline
from clemency.timeline.page import page_name

FIX = Path(__file__).parent / "fixtures" / "timeline"
MT = {"az": "Maşın tərcüməsi", "ru": "Машинный перевод"}


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The timeline of the fixture registry beside the shipped official figures (four-digit and five-digit
    counts), under a non-default reading; the page in every language."""
    out = tmp_path_factory.mktemp("tl-i18n")
    reg = out / "synth-small.csv"
    shutil.copy(FIX / "registry.csv", reg)
    run_timeline("az-2025", reg, out / "o", reports=FIGURES_DIR / "az-2025.csv", readings={"b3": "application"})
    return {lang: (out / "o" / page_name(lang)).read_text(encoding="utf-8") for lang in ("en", "az", "ru")}


def svg_texts(html: str) -> list[str]:
    """What the charts say: their drawn text, the tooltips (<title>) and the names for screen readers."""
    out = []
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        out += re.findall(r"<text[^>]*>([^<]+)</text>", svg) + re.findall(r"<title>([^<]+)</title>", svg)
        out += [a for a in re.findall(r'aria-label="([^"]+)"', svg)]
    return out


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_the_page_has_no_english_sentence_or_label(pages, lang):
    texts = page_texts(pages[lang])
    assert len(texts) > 100
    english = [t for t in texts if english_in(t)]
    assert english == [], english[:10]
    assert f'<html lang="{lang}"' in pages[lang] and MT[lang] in pages[lang]


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_the_charts_speak_the_language(pages, lang):
    """Titles, legends, event labels, tooltips and the names screen readers read: none reads as English,
    and Vega's own English names of axes, legends and titles are gone."""
    said = svg_texts(pages[lang])
    assert len(said) > 30
    english = [t for t in said if english_in(t)]
    assert english == [], english[:10]
    assert not any(t.startswith(("X-axis", "Y-axis", "Symbol legend", "Title text")) for t in said)
    assert "aria-roledescription" not in pages[lang]
    months = {"az": ["dek", "yan", "fev"], "ru": ["дек.", "янв.", "февр."]}[lang]
    ticks = re.findall(r"<text[^>]*>(\d\d \S+)</text>", pages[lang])
    assert ticks and all(t.split(" ", 1)[1] in months + {"az": ["mar", "apr"], "ru": ["мар.", "апр."]}[lang]
                         for t in ticks), ticks


def test_numbers_and_dates_are_written_as_the_locale_writes_them(pages):
    """The ministry's total of 8 February 2026 (15,119) in the reconciliation table and the chart's
    tooltip: 15.119 in Azerbaijani, 15 119 in Russian, never 15,119; dates in words."""
    en, az, ru = pages["en"], pages["az"], pages["ru"]
    assert "15,119" in en and "2026-02-08" in en
    assert "15.119" in az and "15,119" not in az
    assert "15\xa0119" in ru and "15,119" not in ru
    assert "8 fevral 2026" in az and "8 февраля 2026" in ru
    for lang, grouped in (("az", "15.119"), ("ru", "15\xa0119")):
        tooltips = [t for t in svg_texts(pages[lang]) if grouped in t]
        assert tooltips, lang     # the reported point's tooltip
        ticks = re.findall(r"<text[^>]*>(\d{1,3}(?:[.\xa0 ]\d{3})+)</text>", pages[lang])
        assert ticks, lang        # the axis: 5.000 / 5 000


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_the_stamp_says_the_reading_in_words_in_the_language(pages, lang):
    stamp = re.search(r'<p class="stamp">(.*?)</p>', pages[lang]).group(1)
    assert "b3=" not in stamp and "application" not in stamp and not english_in(stamp)
    assert {"az": "19 dekabr 2025", "ru": "19 декабря 2025"}[lang] in stamp
    assert {"az": "təqvim", "ru": "календарь"}[lang] in stamp


def test_text_with_no_translation_is_marked_as_english(tmp_path):
    """A report file's problems are the command's own English sentences: on the Azerbaijani page each is
    marked as English (lang="en", not machine-translated by the browser) and says it is in English only."""
    reg = tmp_path / "synth-small.csv"
    shutil.copy(FIX / "registry.csv", reg)
    run_timeline("az-2025", reg, tmp_path / "o", reports=FIX / "reports_bad.csv", calendar="every-day")
    az = (tmp_path / "o" / page_name("az")).read_text(encoding="utf-8")
    problems = re.findall(r'<span lang="en" translate="no">([^<]+)</span> <i>\(([^)]+)\)</i>', az)
    assert problems and all(label == "yalnız ingiliscə" for _, label in problems)
    assert any("do not add up" in p for p, _ in problems)
    assert [t for t in page_texts(az) if english_in(t)] == []


def test_the_web_page_follows_the_request_language(client, tmp_path):  # noqa: F811
    """/timeline/{run} in the request's language: the Azerbaijani page, then the English one, of one run."""
    from test_web import sign_in, wait_done

    from clemency.registry.synth import synth
    from clemency.web.middleware import CSP_REPORT
    path = synth(200, tmp_path / "synth-t.csv", seed=3)
    r = client.post("/runs", files={"registry": (path.name, path.read_bytes(), "text/csv")},
                    data={"csrf": sign_in(client)}, follow_redirects=False)
    run_id = r.headers["location"].rsplit("/", 1)[1]
    assert wait_done(client, run_id)["state"] == "done"
    az = client.get(f"/timeline/{run_id}?lang=az")
    assert az.status_code == 200 and '<html lang="az"' in az.text and MT["az"] in az.text
    assert az.headers["content-security-policy"] == CSP_REPORT      # self-contained: no script, no network
    assert "Müddət ərzində cəmi" in az.text and "Totals over the window" not in az.text
    en = client.get(f"/timeline/{run_id}?lang=en").text
    assert '<html lang="en"' in en and "Totals over the window" in en and MT["az"] not in en
    ru = client.get(f"/timeline/{run_id}?lang=ru").text
    assert '<html lang="ru"' in ru and "Итоги за период" in ru and MT["ru"] in ru


def test_the_changes_between_reports_in_words():
    """How the reports' breakdown changes, in the page's words: measures by what they count, bodies by their
    names, what a later report adds; a change the page does not know stays English and is marked so."""
    from types import SimpleNamespace

    from clemency.jurisdictions import default_jurisdiction
    from clemency.locale import gettext_for
    from clemency.timeline.page import Words
    jur = default_jurisdiction()
    bodies = {b: {"label": spec.label} for b, spec in jur.bodies.items()}
    sim = SimpleNamespace(window=SimpleNamespace(jurisdiction=jur.id))
    en, az = Words(sim, {"bodies": bodies, "act": "az-2025"}), Words(sim, {"bodies": bodies, "act": "az-2025"}, "az")
    added = "bodies: penitentiary, probation -> investigation, penitentiary, probation"
    assert en.change(added) == f"bodies added: {bodies['investigation']['label']}"
    said = az.change(added)
    assert gettext_for("az")(bodies["investigation"]["label"]) in said and "Penitensiar" not in said
    assert not english_in(said)
    new = az.change("newly reported: released_from_criminal_liability")
    assert jur.label("release_from_criminal_liability", "az") in new and "released_from" not in new
    gone = az.change("no longer reported: term_reduced_6m_noncustodial")     # one of two lanes: its body named
    assert jur.label("term_reduction", "az") in gone and gettext_for("az")(bodies["probation"]["label"]) in gone
    assert az.change("minors: a separate bucket -> inside men") != "minors: a separate bucket -> inside men"
    odd = az.change("columns renamed: x -> y")
    assert 'lang="en" translate="no"' in odd and "columns renamed" in odd
    assert en.change("columns renamed: x -> y") == "columns renamed: x -> y"


def test_without_babel_the_command_writes_the_english_page(tmp_path):
    """Babel comes with the web extra: a core install still writes the timeline, in English only."""
    import subprocess
    import sys
    script = f"""
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('babel', 'markupsafe', 'jinja2'):
            raise ImportError(name)
sys.meta_path.insert(0, Block())
from clemency.timeline import run_timeline
run_timeline('az-2025', {str(FIX / 'registry.csv')!r}, {str(tmp_path / 'o')!r}, calendar='every-day')
assert 'babel' not in sys.modules
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "o" / "timeline.html").exists() and not (tmp_path / "o" / page_name("az")).exists()
