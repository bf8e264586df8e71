"""End to end: a 30-person list, three release lists in mixed scripts, two later list versions, release
evidence and a ledger. The generated report.md must equal the committed expected file byte for byte."""

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from clemency.cli import main

E2E = Path(__file__).parent / "fixtures" / "monitor" / "e2e"


def _args(out, *extra):
    return ["monitor", "report", "--list", str(E2E / "list_2025-12-01.csv"), "--act", "az-2025", "--out", str(out),
            "--releases", str(E2E / "release_2025-12-26.csv"), "--releases", str(E2E / "release_2026-02-10.csv"),
            "--releases", str(E2E / "release_2026-04-10.csv"), "--events", str(E2E / "events.csv"),
            "--later", str(E2E / "list_2026-01-15.csv"), "--later", str(E2E / "list_2026-04-20.csv"),
            "--ledger", str(E2E / "ledger.jsonl"), "--decree", str(E2E / "decree_2026-03-27.txt"), "--salt", "test-salt",
            *extra]


@pytest.fixture(scope="module")
def withheld(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    r = CliRunner().invoke(main, _args(out, "--withhold-names"), catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return out


def test_report_matches_expected_byte_for_byte(withheld):
    assert (withheld / "report.md").read_bytes() == (E2E / "expected_report.md").read_bytes()


def test_report_content(withheld):
    md = (withheld / "report.md").read_text(encoding="utf-8")
    # released by amnesty, by pardon and otherwise in separate columns, never one "walked free" sum
    assert "| all | 30 | 8 | 1 | 1 | 1 | 19 | 10 |" in md and "walked free |" not in md
    assert "| e12 | Səfərov Mübariz Şahin oğlu | pardon decree 2026-27 of 2026-03-27 | pardoned: the unserved term" in md
    assert "decree entry 2026-27:11 may be list person e27" in md
    assert "<h2>Pardon decrees</h2>" in (withheld / "report.html").read_text(encoding="utf-8")
    assert "| e17 | Hacıyev Vüsal Ənvər oğlu | religious | died in custody |" in md
    assert "e21 (Rəhimov Anar Sabir oğlu): charges changed after the act's adoption from 221.3" in md
    assert "| e26 | (withheld) | human_rights_defenders | 2026-03-28 | pardon |" in md
    assert "b3=application: none, then release_from_imprisonment from 2026-02-20" in md


def test_names_of_released_people_are_withheld_everywhere(withheld):
    released = ["Mehralızadə", "Kərimov", "Hüseynov", "Babayev", "Quliyev", "Abbasov", "Orucov", "Babalı",
                "İsmayılov", "Əhmədov", "Мехрализаде", "Керимов", "Бабалы", "Akhmedov", "Orujov"]
    for f in withheld.iterdir():
        text = f.read_text(encoding="utf-8")
        for n in released:
            assert n not in text, (f.name, n)
    assert "Rəhimov" in (withheld / "report.html").read_text(encoding="utf-8")  # not released: named
    hashes = (withheld / "releases_unmatched.sha256").read_text().split()
    assert len(hashes) == 3 and all(len(h) == 64 for h in hashes)
    with open(withheld / "releases_matched.csv", encoding="utf-8") as fh:
        kept = list(csv.DictReader(fh))
    assert len(kept) == 9 and {k["full_name"] for k in kept} == {"(withheld)"}
    assert "Сулейманов" not in (withheld / "releases_matched.csv").read_text(encoding="utf-8")
    log = [json.loads(x) for x in (withheld / "export-log.jsonl").read_text().splitlines()]
    assert log[-1]["command"] == "monitor report" and log[-1]["options"]["withhold_names"] is True
    assert set(log[-1]) == {"at", "by", "command", "outputs", "options", "counts"}


def test_report_without_withholding_names_them(tmp_path):
    r = CliRunner().invoke(main, _args(tmp_path), catch_exceptions=False)
    assert r.exit_code == 0, r.output
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| e07 | Kərimov Cəlil Arif oğlu | religious |" in md
    assert "Names of released people: shown." in md


def test_withhold_names_is_an_allow_list(tmp_path):
    """With --withhold-names, a released person's rows keep only columns known to be safe, in every file:
    no birth year in `derived`, no extra column a release list happens to carry."""
    rel = tmp_path / "release_2025-12-26.csv"
    with open(E2E / "release_2025-12-26.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with open(rel, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=[*rows[0], "notes", "name_ru"])
        w.writeheader()
        for r in rows:
            w.writerow({**r, "notes": "phone +994 50 555 12 34", "name_ru": r["full_name"]})
    out = tmp_path / "out"
    args = ["monitor", "report", "--list", str(E2E / "list_2025-12-01.csv"), "--act", "az-2025", "--out", str(out),
            "--releases", str(rel), "--salt", "s", "--withhold-names"]
    r = CliRunner().invoke(main, args, catch_exceptions=False)
    assert r.exit_code == 0, r.output
    for f in out.iterdir():
        text = f.read_text(encoding="utf-8")
        assert "555 12 34" not in text and "Мехрализаде" not in text, f.name
    with open(out / "releases_matched.csv", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["list_id", "release_list", "id", "full_name", "date", "kind", "source",
                                     "confidence"]
        assert {x["full_name"] for x in reader} == {"(withheld)"}
    with open(out / "why.csv", encoding="utf-8") as fh:
        why = {x["id"]: x for x in csv.DictReader(fh)}
    freed = [x for x in why.values() if x["status"] == "walked_free"]
    assert freed and all(x["full_name"] == "(withheld)" and x["derived"] == "" and x["reason"] == ""
                         for x in freed)
    assert "1985" in why["e01"]["derived"] and why["e01"]["full_name"] == "Həsənov Əli Vüqar oğlu"
