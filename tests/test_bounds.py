"""Bounds over every combination of readings: the vectorised run agrees with the SQL engine, and widening a
reading never lowers the count of the relief it widens (metamorphic)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from clemency.act.load import load_act
from clemency.cli import main
from clemency.compare.bounds import bounds, combinations, two_valued
from clemency.registry.synth import synth


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    path = tmp_path_factory.mktemp("reg") / "synth.parquet"
    synth(4000, path, seed=5)
    return path


@pytest.fixture(scope="module")
def result(registry):
    return bounds(registry, "az-2025")


def test_every_two_valued_reading_is_combined(result):
    act = load_act("az-2025")
    assert two_valued(act) == ["chapeau", "b2", "b3", "f2", "f2-drugs", "f3", "d", "e1"]
    assert result["combinations"] == 256 == len(combinations(act))
    assert result["fixed"] == {"eif": "2025-12-19"}
    for v in result["reliefs"].values():
        assert v["min"] <= v["default"] <= v["max"]
    assert set(result["reports"]) >= {"announced", "moj-2026-02-08"}
    assert result["reliefs"]["release_from_imprisonment"]["official"]["announced"] == 5000


def test_vectorised_agrees_with_sql(registry):
    names = ["chapeau", "b3", "f2-drugs", "d"]
    a = bounds(registry, "az-2025", names=names)
    b = bounds(registry, "az-2025", names=names, engine="sql")
    assert [c["window"] for c in a["per_combination"]] == [c["window"] for c in b["per_combination"]]
    assert [c["on_eif"] for c in a["per_combination"]] == [c["on_eif"] for c in b["per_combination"]]


WIDER = [  # reading, narrow value, wide value, the relief it widens (counted over the window)
    ("chapeau", "all", "a1-a6", "release_from_imprisonment"),
    ("b2", "exclusive", "inclusive", "release_from_imprisonment"),
    ("b3", "eif", "application", "release_from_imprisonment"),
    ("d", "not-grave", "except-especially-grave", "release_from_punishment"),
    ("e1", "categories", "also-a", "release_from_criminal_liability"),
    ("f3", "inferred", "none", "release_from_imprisonment"),
    ("f2-drugs", "all-234", "none", "release_from_imprisonment"),
    ("f2", "abcde", "abde", "term_reduction"),
]


@pytest.mark.parametrize("name, narrow, wide, relief", WIDER)
def test_a_wider_reading_never_lowers_its_count(result, name, narrow, wide, relief):
    per = {tuple(sorted(c["readings"].items())): c for c in result["per_combination"]}
    pairs = 0
    for key, c in per.items():
        readings = dict(key)
        if readings[name] != narrow:
            continue
        w = per[tuple(sorted(dict(readings, **{name: wide}).items()))]
        assert w["window"].get(relief, 0) >= c["window"].get(relief, 0), (readings, name)
        pairs += 1
    assert pairs == 128


def test_bounds_cli(registry, tmp_path):
    r = CliRunner().invoke(main, ["bounds", "--registry", str(registry), "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    data = json.loads((tmp_path / "bounds.json").read_text())
    assert data["combinations"] == 256
    assert (tmp_path / "combinations.csv").read_text().count("\n") == 257
    assert "min-max" in r.output and (tmp_path / "bounds.html").exists()
