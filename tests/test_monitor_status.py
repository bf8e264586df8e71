"""Pardon decrees (text as published and tables, bad lines as findings) and every list person's status,
on the end-to-end fixture extended with a decree; pardons are never summed with amnesty counts."""

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from clemency.cli import main
from clemency.errors import InputError
from clemency.monitor.decrees import load_decree, parse_decree_text, relief_of_heading
from clemency.monitor.status import STATUSES, person_statuses, summary_tables, write_status

E2E = Path(__file__).parent / "fixtures" / "monitor" / "e2e"
DECREE = E2E / "decree_2026-03-27.txt"


def test_decree_text_as_published():
    d = load_decree(DECREE)
    assert d.date == dt.date(2026, 3, 27) and d.number == "2026-27" and "synthetic" in d.source
    got = {(p.full_name, p.birth_year, p.relief) for p in d.people}
    assert got == {("Əhmədov Anar Mübariz oğlu", 1970, "released"), ("Əhmədov Anar Tofiq oğlu", 1984, "released"),
                   ("Muradova Gülnar", 1986, "released"), ("Səfərov Mübariz Şahin oğlu", 1965, "term_reduced"),
                   ("Rüstəmov Elvin Akif oğlu", 1997, "noncustodial_lifted")}
    # the two bad lines are findings, with their line numbers; boilerplate is not
    assert [(f.line, f.problem) for f in d.findings] == [
        (14, "no birth year in the form 'YYYY-ci il təvəllüdlü'"),
        (17, "a full name needs at least a surname and a given name")]


def test_decree_text_numbered_lines_date_and_bad_lines():
    text = "\n".join([
        "1. Aşağıda adları göstərilən şəxslər cəzanın qalan hissəsinin çəkilməsindən əfv edilsinlər:",
        "1) Həsənov Əli Vüqar oğlu, 1985-ci il təvəllüdlü;",
        "2. Məmmədova Gülər Eldar qızı, 1979-cu il təvəllüdlü",
        "3. Quliyev 12 Rəşad, 1983-cü il təvəllüdlü;",      # a digit in the name
        "Ələkbərov Vüsal oğlu",                              # no year
        "2. Nazirlər Kabineti bu Sərəncamdan irəli gələn məsələləri həll etsin.",
        "Bakı şəhəri, 16 mart 2019-cu il",
        "№ 1196",
    ])
    d = parse_decree_text(text)
    assert d.date == dt.date(2019, 3, 16) and d.number == "1196"
    assert [(p.full_name, p.birth_year, p.relief) for p in d.people] == [
        ("Həsənov Əli Vüqar oğlu", 1985, "released"), ("Məmmədova Gülər Eldar qızı", 1979, "released")]
    assert [f.line for f in d.findings] == [4, 5]
    with pytest.raises(InputError, match="date"):
        parse_decree_text("Həsənov Əli Vüqar oğlu, 1985-ci il təvəllüdlü;")


def test_relief_headings():
    assert relief_of_heading("Aşağıda adları göstərilən məhkumların cəzasının çəkilməmiş hissəsi yarıdək "
                             "azaldılsın:") == "term_reduced"
    assert relief_of_heading("ömürlük azadlıqdan məhrum etmə cəzası 25 il müddətinə azadlıqdan məhrum etmə ilə "
                             "əvəz edilsin:") == "life_commuted"
    assert relief_of_heading("Qərara alıram:") is None


def test_decree_table_with_findings(tmp_path):
    p = tmp_path / "decree.csv"
    p.write_text("full_name,birth_year,relief,decree_date,decree_number,source\n"
                 "Həsənov Əli Vüqar oğlu,1985,released,2025-05-27,1234,president.az\n"
                 "Гасымова Сабина Рафик кызы,1990,term_reduced,,,\n"
                 "Əliyev,1980,,,,\n"
                 "Kərimov Cəlil Arif oğlu,nineteen,,,,\n"
                 "Rzayev Kamran Səməd oğlu,1991,freed by magic,,,\n", encoding="utf-8")
    d = load_decree(p)
    assert (d.date, d.number, d.source) == (dt.date(2025, 5, 27), "1234", "president.az")
    assert [(x.full_name, x.relief) for x in d.people] == [("Həsənov Əli Vüqar oğlu", "released"),
                                                          ("Гасымова Сабина Рафик кызы", "term_reduced")]
    assert [f.line for f in d.findings] == [3, 4, 5]
    with pytest.raises(InputError, match="date"):
        p2 = tmp_path / "nodate.csv"
        p2.write_text("full_name,birth_year\nHəsənov Əli Vüqar oğlu,1985\n", encoding="utf-8")
        load_decree(p2)


def test_decree_xlsx(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.append(["full_name", "birth_year"])
    wb.active.append(["Həsənov Əli Vüqar oğlu", 1985])
    wb.save(tmp_path / "d.xlsx")
    d = load_decree(tmp_path / "d.xlsx", date_="2025-05-27", number="7")
    assert d.people[0].birth_year == 1985 and d.people[0].relief == "not_stated" and d.number == "7"


@pytest.fixture(scope="module")
def e2e_status():
    return person_statuses(
        E2E / "list_2025-12-01.csv", "az-2025", decrees=[DECREE],
        later=[(E2E / "list_2026-01-15.csv", dt.date(2026, 1, 15)), (E2E / "list_2026-04-20.csv", dt.date(2026, 4, 20))],
        events=E2E / "events.csv", ledger=E2E / "ledger.jsonl", salt="s",
        releases=[E2E / f"release_{d}.csv" for d in ("2025-12-26", "2026-02-10", "2026-04-10")])


def test_status_per_person_on_the_end_to_end_fixture(e2e_status):
    by = {p.id: p for p in e2e_status.persons}
    assert len(by) == 30
    # pardoned by the decree (full name and birth year agree), with decree and date
    assert by["e26"].status == "pardoned" and by["e26"].decree_date == "2026-03-27" and "2026-27" in by["e26"].decree
    assert by["e12"].status == "term_reduced_pardon"
    assert by["e29"].status == "noncustodial_lifted_pardon"
    # the decree's namesake (same surname and given name, other patronymic and year) is not e26's twin
    assert sum(p.status == "pardoned" for p in e2e_status.persons) == 1
    # Muradova Gülnar without patronymic: a pair for review, not a pardon
    assert by["e27"].status == "still_in" and any(lid == "e27" for _, lid, _, _ in e2e_status.review)
    # amnesty releases carry the clause when the act gives one
    assert by["e07"].status == "released_amnesty" and by["e07"].clause == "B3"
    assert by["e10"].status == "released_amnesty" and by["e10"].clause == "" and "though" in by["e10"].why
    assert by["e17"].status == "died_in_custody" and by["e17"].date == "2026-03-02"
    assert by["e18"].status == "released_end_of_term"
    assert by["e20"].status == "term_reduced_amnesty" and by["e20"].clause == "C1"
    assert by["e01"].status == "still_in" and "206.3.2" in by["e01"].why
    assert set(e2e_status.counts()) == set(STATUSES)


def test_died_in_custody_from_the_lists_notes(tmp_path):
    p = tmp_path / "list_2026-01-10.csv"
    p.write_text("id,full_name,birth_year,articles,status,notes\n"
                 "x1,Həsənov Əli Vüqar oğlu,1985,221.3,convicted,died in custody on 2026-01-03\n"
                 "x2,Məmmədov Elnur Zakir oğlu,1984,221.3,convicted,\n", encoding="utf-8")
    res = person_statuses(p, "az-2025")
    by = {x.id: x.status for x in res.persons}
    assert by == {"x1": "died_in_custody", "x2": "still_in"}


def test_pardons_never_summed_with_amnesty(e2e_status, tmp_path):
    from importlib import resources
    figures = resources.files("clemency") / "data" / "figures" / "az-2025.csv"
    tables = summary_tables(e2e_status, figures)
    c = e2e_status.counts()
    amnesty = c["released_amnesty"]
    pardon = c["pardoned"] + c["noncustodial_lifted_pardon"]
    assert amnesty and pardon
    # separate tables; no row of one names the other instrument, and no figure is their sum
    assert set(tables) == {"amnesty", "pardons", "other"}
    assert all("pardon" not in r["measure"] for r in tables["amnesty"])
    assert all(r["decree"].startswith("pardon decree") for r in tables["pardons"])
    # counts chosen so that every sum of amnesty and pardon figures is a number no other figure takes
    from clemency.monitor.status import PersonStatus, StatusResult
    dec = e2e_status.decrees[0]
    made = {"released_amnesty": 7, "term_reduced_amnesty": 13, "pardoned": 29, "term_reduced_pardon": 53,
            "noncustodial_lifted_pardon": 101, "still_in": 2}
    persons = [PersonStatus(f"{k}{i}", "x", "g", k, decree=dec.label if "pardon" in k else "")
               for k, n in made.items() for i in range(n)]
    synthetic = StatusResult(persons, [dec], {dec.label: 183})
    numbers = {v for t in summary_tables(synthetic).values() for r in t for v in r.values() if isinstance(v, int)}
    for a in (7, 13, 20):
        for p in (29, 53, 101, 82, 130, 154, 183):
            assert a + p not in numbers, (a, p)
    assert any(r.get("official") == 5148 for r in tables["amnesty"])  # beside the latest official total
    files = write_status(e2e_status, tmp_path, figures=figures)
    md = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "## Amnesty" in md and "## Pardon decrees" in md and "total" not in md.split("## Pardon decrees")[1]
    rows = list(csv.DictReader((tmp_path / "status.csv").open(encoding="utf-8")))
    assert {r["instrument"] for r in rows} == {"amnesty", "pardon", ""}
    assert json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["pardons"][0]["named_in_decree"] == 5
    findings = (tmp_path / "decree_findings.csv").read_text(encoding="utf-8")
    assert "Nağıyev" not in findings and "Qasımov" not in findings  # line numbers and problems only
    assert len(files) == 4


def test_cli_status(tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["monitor", "status", "--list", str(E2E / "list_2025-12-01.csv"), "--act", "az-2025",
                                  "--out", str(out), "--decree", str(DECREE), "--events", str(E2E / "events.csv"),
                                  "--later", str(E2E / "list_2026-04-20.csv"), "--ledger", str(E2E / "ledger.jsonl"),
                                  "--withhold-names"])
    assert r.exit_code == 0, r.output
    assert "pardoned and released: 1" in r.output and "2 line(s) not read" in r.output
    rows = {x["id"]: x for x in csv.DictReader((out / "status.csv").open(encoding="utf-8"))}
    assert rows["e26"]["full_name"] == "(withheld)" and rows["e01"]["full_name"] == "Həsənov Əli Vüqar oğlu"
    log = json.loads((out / "export-log.jsonl").read_text().splitlines()[-1])
    assert log["command"] == "monitor status"
    r = CliRunner().invoke(main, ["monitor", "status", "--list", str(E2E / "list_2025-12-01.csv"), "--act", "az-2025",
                                  "--out", str(tmp_path / "o2"), "--decree", str(tmp_path / "missing.txt")])
    assert r.exit_code == 1 and "missing.txt" in r.output and str(tmp_path) not in r.output


def test_a_reviewers_judgement_settles_a_decree_pair(tmp_path):
    from clemency.monitor.ledger import Ledger
    led = Ledger(tmp_path / "ledger.jsonl")
    led.record("e27", "2026-27:11", "same", "reviewer-a", note="lawyer confirmed")
    res = person_statuses(E2E / "list_2025-12-01.csv", "az-2025", decrees=[DECREE], ledger=led)
    by = {p.id: p for p in res.persons}
    assert by["e27"].status == "pardoned" and not any(lid == "e27" for _, lid, _, _ in res.review)


def test_end_of_term_inferred_when_someone_leaves_after_the_sentence_end(tmp_path):
    old = tmp_path / "list_2025-12-01.csv"
    old.write_text("id,full_name,birth_year,articles,status,punishment,sentence_end\n"
                   "x1,Həsənov Əli Vüqar oğlu,1985,221.3,convicted,imprisonment,2026-02-01\n"
                   "x2,Məmmədov Elnur Zakir oğlu,1984,221.3,convicted,imprisonment,2029-02-01\n"
                   "x3,Quliyev Rəşad Akif oğlu,1983,221.3,convicted,imprisonment,2029-02-01\n", encoding="utf-8")
    new = tmp_path / "list_2026-03-01.csv"
    new.write_text("id,full_name,birth_year,articles\nx3,Quliyev Rəşad Akif oğlu,1983,221.3\n", encoding="utf-8")
    res = person_statuses(old, "az-2025", later=[(new, dt.date(2026, 3, 1))])
    by = {p.id: p for p in res.persons}
    assert by["x1"].status == "released_end_of_term" and by["x1"].why.startswith("inferred")
    assert by["x2"].status == "left_other" and by["x3"].status == "still_in"


def test_decree_line_variants_as_published():
    text = "\n".join([
        "Date: 2025-05-27",
        "1. Aşağıda adları göstərilən şəxslər cəzanın çəkilməmiş hissəsindən əfv edilsinlər:",
        "Abbasov Akif Sabir oğlu - 1972-ci il təvəllüdlü;",
        "• Əliyeva Aygün Rauf qızı, 1990-cı ildə anadan olmuş;",
        "ABBASOV ELÇİN FAMİL OĞLU, 1980-ci il təvəllüdlü;",
        "Quliyev Tural — 1991 təvəllüdlü",
    ])
    d = parse_decree_text(text)
    assert [(p.full_name, p.birth_year) for p in d.people] == [
        ("Abbasov Akif Sabir oğlu", 1972), ("Əliyeva Aygün Rauf qızı", 1990), ("ABBASOV ELÇİN FAMİL OĞLU", 1980),
        ("Quliyev Tural", 1991)]
    assert not d.findings and d.date == dt.date(2025, 5, 27)


def test_decree_date_and_number_on_one_line():
    d = parse_decree_text("1. Aşağıda adları göstərilən şəxslər cəzanın çəkilməmiş hissəsindən əfv edilsinlər:\n"
                          "Həsənov Əli Vüqar oğlu, 1985-ci il təvəllüdlü;\n"
                          "Bakı şəhəri, 16 mart 2019-cu il, № 1196")
    assert (d.date, d.number, len(d.people)) == (dt.date(2019, 3, 16), "1196", 1)
