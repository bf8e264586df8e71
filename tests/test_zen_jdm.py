"""The ZEN decision graph generated from the compiled plan (bench/zen_jdm.py) decides like Clemency.

Used by the head-to-head benchmark (bench/zen.py); tested here so that the comparison it reports is a
comparison of the same decisions. Skipped when zen-engine is not installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

zen = pytest.importorskip("zen")

from bench.zen import prepare_inputs  # noqa: E402
from bench.zen_jdm import NotExpressible, _Gen, build_graph  # noqa: E402
from clemency.act.lang import Lit  # noqa: E402
from clemency.act.load import load_act  # noqa: E402
from clemency.apply import apply_act  # noqa: E402
from clemency.compile.plan import compile_act  # noqa: E402
from clemency.registry.synth import synth  # noqa: E402


@pytest.fixture(scope="module")
def plan():
    return compile_act(load_act("az-2025"))


def test_graph_decides_every_row_like_duckdb(plan, tmp_path):
    reg = tmp_path / "registry.parquet"
    synth(2_000, reg, 5)
    apply_act("az-2025", reg, tmp_path / "out", csv=False)
    rows = duckdb.connect().execute(
        f"SELECT case_id, relief, clause, reasons FROM read_parquet('{tmp_path / 'out' / 'decisions.parquet'}')"
    ).fetchall()
    ours = {r[0]: tuple(r[1:]) for r in rows}
    ids, docs = prepare_inputs(plan, reg)
    engine = zen.ZenEngine({"loader": {"type": "static", "content": {"act": build_graph(plan)}}})
    theirs = [engine.evaluate("act", d)["result"] for d in docs]
    assert len(ids) == len(ours) > 1_900
    bad = [(i, ours[i], (t.get("relief"), t.get("clause"), t.get("reasons"))) for i, t in zip(ids, theirs)
           if ours[i] != (t.get("relief"), t.get("clause"), t.get("reasons"))]
    assert not bad, f"{len(bad)} rows differ, first: {bad[:3]}"
    # not vacuous: many reliefs, unknown conditions and exclusions occur
    assert len({o[0] for o in ours.values()}) >= 5
    assert any("U" in o[2] for o in ours.values())


def test_graph_refuses_what_it_cannot_express():
    """A reading that needs date arithmetic on a row's values is refused, not encoded wrongly."""
    plan = compile_act(load_act("az-2025"), {"b3": "application"})
    with pytest.raises(NotExpressible):
        build_graph(plan)


def test_literals_with_unexpected_characters_are_refused():
    """Text from an act reaches ZEN only as checked words, never as expression source."""
    gen = _Gen()
    assert gen.lit(Lit("less_serious", "string")) == '"less_serious"'
    for text in ['a" + $.x + "', "x\\", "a\nb"]:
        with pytest.raises(NotExpressible):
            gen.lit(Lit(text, "string"))
    with pytest.raises(NotExpressible):
        gen.name("status == 1 or x")
