"""The SQL generated from an act: literals are data, names are checked identifiers."""

import duckdb
import pytest

from clemency.act.lang import parse
from clemency.act.load import load_act
from clemency.compile.plan import compile_act
from clemency.engines.sqlgen import SqlGen

ACT = """
id: quoting
title: quoting test
parameters:
  eif: {type: date, value: 2025-12-19, status: reported}
  window_months: {type: int, value: 4, status: reported}
clauses:
  - id: X1
    kind: relief
    relief: release_from_imprisonment
    text: a clause whose literal looks like SQL
    status: reported
    when:
      - test: institution == "a'); DROP TABLE registry; --" or institution == 'O\\'Brien'
        says: an institution
"""


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_string_literals_are_quoted(dialect):
    gen = SqlGen(dialect)
    sql = gen.expr(parse("institution == \"a'b\""))
    assert sql.count("'") % 2 == 0


def test_an_sql_looking_literal_is_compared_as_data(tmp_path):
    path = tmp_path / "act.yaml"
    path.write_text(ACT)
    plan = compile_act(load_act(path))
    con = duckdb.connect()
    con.execute("CREATE TABLE registry AS SELECT 'a''); DROP TABLE registry; --' AS institution, 1 AS k "
                "UNION ALL SELECT 'x', 2")
    cond = SqlGen("duckdb").expr(plan.clause("X1").static)
    got = con.execute(f"SELECT k, {cond} FROM registry ORDER BY k").fetchall()
    assert got == [(1, True), (2, False)]
    assert con.execute("SELECT count(*) FROM registry").fetchone()[0] == 2


def test_identifiers_must_be_plain_names():
    with pytest.raises(ValueError):
        SqlGen("duckdb").ident('x"; DROP TABLE y; --')
