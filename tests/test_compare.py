"""`clemency compare`, exclusion attribution, and the metamorphic properties of comparisons."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from clemency.act.load import load_act
from clemency.act.overlay import OVERLAYS_DIR, neutralised, removed
from clemency.cli import main
from clemency.compare import compare
from clemency.compare.attribution import attribution
from clemency.registry.synth import synth

CONTRACT = ["person_id", "case_id", "base_relief", "alt_relief", "base_clause", "alt_clause",
            "base_new_sentence_end", "alt_new_sentence_end", "base_eligible_from", "alt_eligible_from"]
RELEASED = ("release_from_imprisonment", "release_from_criminal_liability")


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    path = tmp_path_factory.mktemp("reg") / "synth.parquet"
    synth(3000, path, seed=3)
    return path


def flips(out):
    with open(out / "flips.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_an_act_compared_with_itself_has_no_flips(registry, tmp_path):
    res = compare(registry, "az-2025", "az-2025", tmp_path)
    assert res.summary["flips"] == {"rows": 0, "persons": 0}
    assert all(v["delta"]["rows"] == 0 for v in res.summary["by_relief"].values())
    assert flips(tmp_path) == []
    header = (tmp_path / "flips.csv").read_text().splitlines()[0].split(",")
    assert header[:len(CONTRACT)] == CONTRACT
    assert (tmp_path / "compare.html").exists()


def test_chapeau_reading_flips_only_towards_release(registry, tmp_path):
    res = compare(registry, "az-2025", "az-2025", tmp_path, alt_readings={"chapeau": "a1-a6"})
    rows = flips(tmp_path)
    assert rows and len(rows) == res.summary["flips"]["rows"]
    for r in rows:
        assert r["alt_relief"] in ("release_from_imprisonment", "indeterminate")
        assert r["alt_clause"] in ("A7", "A8", "A9", "A10", "A11", "")
        assert "F1" in r["base_excluded_by"]   # F1 may still block another clause under the alt
    s = res.summary
    assert s["by_relief"]["release_from_imprisonment"]["delta"]["rows"] > 0
    assert sum(v["delta"]["rows"] for v in s["by_relief"].values()) == 0
    assert set(s["deltas"]) == {"crime_category", "sex", "eligible_month", "new_sentence_end_month"}
    json.dumps(s)


def test_clause_changes_come_from_the_reasons(registry, tmp_path):
    compare(registry, "az-2025", "az-2025", tmp_path, alt_readings={"f3": "none"})
    rows = flips(tmp_path)
    assert rows
    assert all("F3:H>F" in r["clause_changes"] for r in rows)


@pytest.mark.parametrize("exclusion", ["F1", "F2", "F3", "T1"])
def test_removing_an_exclusion_never_lowers_the_number_released(registry, tmp_path, exclusion):
    act = load_act("az-2025")
    for variant in (removed(act, [exclusion]), neutralised(act, [exclusion])):
        res = compare(registry, act, variant, tmp_path / variant.id, html=False)
        by = res.summary["by_relief"]
        base = sum(by.get(r, {"base": {"rows": 0}})["base"]["rows"] for r in RELEASED)
        alt = sum(by.get(r, {"alt": {"rows": 0}})["alt"]["rows"] for r in RELEASED)
        assert alt >= base
        for r in flips(tmp_path / variant.id):
            if r["base_relief"] in RELEASED:
                assert r["alt_relief"] == r["base_relief"], r


def test_compare_with_an_earlier_act_on_todays_registry(registry, tmp_path):
    out = tmp_path / "vs2021"
    result = CliRunner().invoke(main, ["compare", "--registry", str(registry), "--base", "az-2025",
                                       "--alt", "az-2021", "--out", str(out)])
    assert result.exit_code == 0, result.output
    s = json.loads((out / "summary.json").read_text())
    assert s["alt"]["entry_into_force"] == "2025-12-19"          # put in force on the base's day
    assert s["alt_entry_into_force_shifted"]["from"] == "2021-11-05"
    assert s["flips"]["rows"] > 0
    own = compare(registry, "az-2025", "az-2009", tmp_path / "own", same_day=False, html=False)
    assert own.summary["alt"]["entry_into_force"] == "2009-03-17"


def test_compare_an_overlay_by_path_and_by_id(registry, tmp_path):
    a = compare(registry, "az-2025", str(OVERLAYS_DIR / "az-2025-no-f2.yaml"), tmp_path / "a", html=False)
    b = compare(registry, "az-2025", "az-2025-no-f2", tmp_path / "b", html=False)
    assert a.summary["flips"] == b.summary["flips"] and a.summary["flips"]["rows"] > 0


def test_compare_bad_reading_is_usage_error(registry, tmp_path):
    result = CliRunner().invoke(main, ["compare", "--registry", str(registry), "--base", "az-2025", "--alt", "az-2025",
                                       "--alt-reading", "chapeau=none", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "a1-a6" in result.output


LIST = [
    {"id": "J1", "full_name": "A", "sex": "M", "birth_date": "1985-01-01", "status": "convicted", "group": "journalists",
     "articles": "206.3.2;193-1.3", "punishment": "imprisonment", "term_months": 108, "offense_date": "2023-11-20",
     "sentence_start": "2025-06-20", "sentence_end": "2032-11-20"},
    {"id": "J2", "full_name": "B", "sex": "F", "birth_date": "1990-01-01", "status": "convicted", "group": "journalists",
     "articles": "206.3.2", "punishment": "imprisonment", "term_months": 90, "offense_date": "2023-11-30",
     "sentence_start": "2025-06-20", "sentence_end": "2031-05-30"},
    {"id": "R1", "full_name": "C", "sex": "M", "birth_date": "1980-01-01", "status": "convicted", "group": "religious",
     "articles": "234.1", "punishment": "imprisonment", "term_months": 24, "offense_date": "2024-08-01",
     "sentence_start": "2024-08-01", "sentence_end": "2026-05-01"},
    {"id": "R2", "full_name": "D", "sex": "M", "birth_date": "1970-01-01", "status": "convicted", "group": "religious",
     "articles": "221.1", "punishment": "imprisonment", "term_months": 24, "offense_date": "2024-08-01",
     "sentence_start": "2024-08-01", "sentence_end": "2026-08-01", "recidivism": "dangerous"},
]


def test_attribution_on_a_list_by_group(tmp_path):
    res = attribution(LIST, "az-2025", out=tmp_path)
    assert res["exclusions"]["F1"]["sole"]["persons"] == 1           # J2: a woman, kept in by the chapeau alone
    assert res["exclusions"]["F3"]["sole"]["persons"] == 1           # R2: a dangerous recidivist
    assert res["groups"]["journalists"]["exclusions"]["F1"]["gain_if_dropped"] == 1
    kept = {k["excluded_by"] for k in res["groups"]["journalists"]["kept_in_by"]}
    assert "F1" in kept and any(k.startswith("(no exclusion") for k in kept)
    assert (tmp_path / "attribution.html").exists()
    reform = attribution(LIST, str(OVERLAYS_DIR / "az-2025-journalists.yaml"))
    assert reform["groups"]["journalists"]["beneficiaries"] == 2


def test_attribution_on_a_registry(registry):
    res = attribution(registry, "az-2025")
    for x, v in res["exclusions"].items():
        assert v["sole"]["persons"] + v["together"]["persons"] <= v["blocked"]["persons"] + 1, x
        assert v["dropped"]["gain_persons"] >= v["sole"]["persons"], x
    assert res["all_exclusions_dropped"]["gain_persons"] >= max(v["dropped"]["gain_persons"]
                                                                for v in res["exclusions"].values())
