"""A second, fictional jurisdiction (Ruritania, tests/fixtures/jurisdictions/ruritania) runs `check`, `apply`,
`timeline`, `compare` and `bounds` end to end with no change to the core: its own registry fields, penal code
table by version, a relief the Azerbaijani acts lack (release on licence), its own bodies and holidays."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from clemency.cli import main
from clemency.jurisdictions import default_jurisdiction

HERE = Path(__file__).parent / "fixtures" / "jurisdictions" / "ruritania"
ACT = str(HERE / "acts" / "ru-2024.yaml")
REGISTRY = str(HERE / "registry.csv")

# What the act gives each person of the fixture registry on its entry into force (default readings):
EXPECTED = {
    "V1": ("release_from_imprisonment", "G1"),   # a Lake War veteran, theft
    "V2": ("none", None),                        # a veteran, but robbery is grave: X1
    "L1": ("release_on_licence", "L1"),          # good conduct, 12 months or less left
    "L2": ("release_on_licence", "L1"),
    "L3": ("none", None),                        # poaching: X2 under the default reading
    "L4": ("release_on_licence", "L1"),          # negligent careless driving
    "L5": ("none", None),                        # more than 12 months left on the entry into force...
    "H1": ("term_reduction", "R1"),              # a harvest volunteer: three months off
    "H2": ("none", None),                        # treason: X1
    "N1": ("none", None),
}
AZ_BODIES = set(default_jurisdiction().bodies)


def run(*args):
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return res


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def applied(tmp_path_factory):
    out = tmp_path_factory.mktemp("ru") / "apply"
    res = run("apply", "--act", ACT, "--registry", REGISTRY, "--out", str(out))
    assert res.exit_code == 0, res.output
    return out


def test_apply_decides_with_the_jurisdictions_relief_table_and_fields(applied):
    rows = {r["person_id"]: r for r in read_csv(applied / "decisions.csv")}
    assert {k: (r["relief"], r["clause"] or None) for k, r in rows.items()} == EXPECTED
    assert rows["H1"]["new_sentence_end"] == "2024-11-01"
    assert rows["L3"]["excluded_by"] == "X2" and rows["V2"]["excluded_by"] == "X1"
    assert rows["L5"]["upcoming_relief"] == "release_on_licence" and rows["L5"]["upcoming_from"] == "2024-08-15"
    manifest = json.loads((applied / "manifest.json").read_text())
    assert manifest["code_version"] == "penal-code-2024"
    assert manifest["rows"]["rejected"] == 0


def test_check_explains_in_the_jurisdictions_words(tmp_path):
    rec = {"person_id": "L1", "sex": "F", "birth_date": "1984-02-02", "status": "convicted", "articles": "10",
           "punishment": "imprisonment", "term_months": 36, "offense_date": "2021-10-01",
           "sentence_start": "2022-01-20", "sentence_end": "2025-01-20", "good_conduct_years": 3}
    res = CliRunner().invoke(main, ["check", "--act", ACT, "--json", "-"], input=json.dumps(rec))
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["relief"] == "release_on_licence" and d["clause"] == "L1" and d["code_version"] == "penal-code-2024"
    assert d["explanation"].startswith("Release on licence under the supervision of a parish warden under clause L1")
    vet = dict(rec, person_id="V", lake_war_veteran=True, good_conduct_years=0)
    d = json.loads(CliRunner().invoke(main, ["check", "--act", ACT, "--json", "-"], input=json.dumps(vet)).output)
    assert d["relief"] == "release_from_imprisonment"
    assert d["explanation"].startswith("Release from prison by royal grace")     # Ruritania's words, not Azerbaijan's


def test_timeline_uses_the_jurisdictions_bodies_lanes_and_holidays(tmp_path):
    out = tmp_path / "tl"
    res = run("timeline", "--act", ACT, "--registry", REGISTRY, "--out", str(out))
    assert res.exit_code == 0, res.output
    meta = json.loads((out / "timeline.json").read_text())
    assert set(meta["bodies"]) == {"royal_prisons", "parish_wardens"}
    assert meta["bodies"]["royal_prisons"]["start"] == "2024-06-04"      # a day after the entry into force
    assert meta["bodies"]["parish_wardens"]["start"] == "2024-06-10"     # a week after
    assert meta["holidays"] == ["2024-07-14", "2024-08-01"]               # its own override file
    assert meta["warnings"] == []
    series = read_csv(out / "series.csv")
    assert {r["body"] for r in series} == {"royal_prisons", "parish_wardens"}
    assert not {r["body"] for r in series} & AZ_BODIES
    licence = [r for r in series if r["lane"] == "release_on_licence"]
    first = min(r["date"] for r in licence if int(r["applied"]) > 0)
    assert first == "2024-06-10"            # the wardens start on 06-10 (later than eligibility + lead)
    assert int(licence[-1]["applied"]) == 4 and int(licence[-1]["eligible_not_applied"]) == 0
    assert "licence" in res.output          # the jurisdiction's legend word in the console table


def test_timeline_warns_about_a_relief_no_body_applies(tmp_path):
    import shutil
    j = tmp_path / "elsewhere"
    shutil.copytree(HERE, j)
    text = (j / "jurisdiction.yaml").read_text()
    text = text.replace("  - {lane: release_on_licence, relief: release_on_licence, body: parish_wardens}\n", "")
    (j / "jurisdiction.yaml").write_text(text)
    res = run("timeline", "--act", str(j / "acts" / "ru-2024.yaml"), "--registry", REGISTRY, "--out",
              str(tmp_path / "tl"))
    assert res.exit_code == 0, res.output
    meta = json.loads((tmp_path / "tl" / "timeline.json").read_text())
    assert any("release on licence" in w and "cannot be placed" in w for w in meta["warnings"])
    assert "cannot be placed" in res.output
    assert "What could not be placed" in (tmp_path / "tl" / "timeline.html").read_text()


def test_compare_two_readings_flips_the_poacher(tmp_path):
    out = tmp_path / "cmp"
    res = run("compare", "--registry", REGISTRY, "--base", ACT, "--alt", ACT, "--alt-reading", "poaching=covered",
              "--out", str(out))
    assert res.exit_code == 0, res.output
    flips = read_csv(out / "flips.csv")
    assert [(f["person_id"], f["base_relief"], f["alt_relief"]) for f in flips] == [
        ("L3", "none", "release_on_licence")]


def test_bounds_over_the_readings_counts_every_relief_of_the_jurisdiction(tmp_path):
    out = tmp_path / "b"
    res = run("bounds", "--registry", REGISTRY, "--act", ACT, "--out", str(out))
    assert res.exit_code == 0, res.output
    b = json.loads((out / "bounds.json").read_text())
    assert b["combinations"] == 2
    assert set(b["reliefs"]) == {"release_from_imprisonment", "release_on_licence", "term_reduction", "total"}
    assert b["reliefs"]["release_on_licence"]["min"] == 4 and b["reliefs"]["release_on_licence"]["max"] == 5
    assert b["reliefs"]["release_on_licence"]["max_at"] == {"poaching": "covered"}
    header = (out / "combinations.csv").read_text().splitlines()[0]
    assert "window_release_on_licence" in header


def test_code_overrides_apply_to_the_acts_own_table(tmp_path):
    overrides = tmp_path / "code.csv"
    overrides.write_text("article,category,negligent\n12,not_great_danger,\n")
    rec = {"person_id": "L3", "sex": "M", "birth_date": "1979-05-05", "status": "convicted", "articles": "12.1",
           "punishment": "imprisonment", "term_months": 36, "offense_date": "2021-12-01",
           "sentence_start": "2022-01-15", "sentence_end": "2025-01-15", "good_conduct_years": 2}
    res = CliRunner().invoke(main, ["check", "--act", ACT, "--json", "-", "--code-overrides", str(overrides),
                                    "--reading", "poaching=covered"], input=json.dumps(rec))
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["code_version"].startswith("penal-code-2024+overrides-")
    assert d["crime_category"] == "not_great_danger" and d["relief"] == "release_on_licence"


def test_attribution_ranks_by_the_jurisdictions_reliefs():
    from clemency.compare.attribution import attribution
    res = attribution(REGISTRY, act=ACT)
    x1, x2 = res["exclusions"]["X1"], res["exclusions"]["X2"]
    assert x1["sole"]["persons"] == 2 and x1["dropped"]["gain_persons"] == 2      # the robber and the traitor
    assert x2["dropped"]["transitions"] == [{"from": "none", "to": "release_on_licence", "rows": 1}]
    assert x2["dropped"]["gain_persons"] == 1                                       # release on licence ranks


def test_timeline_reconciles_the_jurisdictions_own_report_columns(tmp_path):
    out = tmp_path / "tl"
    res = run("timeline", "--act", ACT, "--registry", REGISTRY, "--reports", str(HERE / "figures.csv"),
              "--out", str(out))
    assert res.exit_code == 0, res.output
    recon = {(r["report"], r["measure"]): r for r in read_csv(out / "reconciliation.csv")}
    assert recon[("gazette-07", "released_on_licence")]["simulated"] == "3"
    assert recon[("gazette-07", "total")]["simulated"] == "5" and recon[("gazette-07", "total")]["gap"] == "0"
    assert recon[("gazette-07", "women")]["simulated"] == "2"
    assert recon[("gazette-08", "total")]["bodies"] == "royal_prisons"          # scope words of Ruritania
    findings = read_csv(out / "findings.csv")
    assert [f["report"] for f in findings] == ["gazette-08"] and "do not add up" in findings[0]["problem"]
