"""The registry's validation as Spark SQL: the same rules as the DuckDB import (clemency/registry/load.py,
sql.py, plausible.py), the same findings (row, case_id, field, value, expected) with the same words.

The rules themselves are data shared with the DuckDB import: each `Field` of registry/schema.py (type,
default, values, bounds, when it is required, what a valid value looks like), the article token, the
NaN texts, and the plausibility limits of registry/plausible.py. This module only spells them in Spark
SQL; tests/test_spark_scale.py checks that both imports report the same findings for the same rows.

    stage   (`_row`, every input column as text, or in its own type when a typed Parquet column already
             has the field's type)
    checked (+ v_ trimmed, p_ article parts, t_ typed values, e_ flags, _bad)   `checked_sql`
    typed   (every field in its type, `_row`, the extra columns, `_bad`)       `typed_sql`
    findings from `checked` (per field) and `typed` (plausibility, duplicate case_ids, people whose rows
             disagree)                                                          `findings_sqls`
"""

from __future__ import annotations

import datetime as dt

from clemency.calendar_sql import add_days_sql, add_months_sql, age_on_sql
from clemency.registry.load import NAN_TEXTS
from clemency.registry.plausible import END_TOLERANCE_DAYS, MAX_TERM_MONTHS, _last_birth_over
from clemency.registry.schema import (
    ARTICLE_TOKEN,
    CUSTODIAL_END,
    FOREIGN_MARK,
    MAX_AGE,
    MIN_AGE_CRIMINAL_RESPONSIBILITY,
    Field,
)

SPARK_TYPES = {"VARCHAR": "STRING", "DATE": "DATE", "BOOLEAN": "BOOLEAN", "INTEGER": "INT", "DOUBLE": "DOUBLE"}
_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")
REPLACEMENT = "\ufffd"   # what an undecodable byte became when the file was read
NUL_SHOWN = "\u2400"     # a NUL character is shown as this symbol in findings


def q(name: str) -> str:
    """A quoted Spark SQL identifier."""
    return "`" + name.replace("`", "``") + "`"


def lit(value: object) -> str:
    """A Spark SQL literal (backslash escapes: Spark does not read '' as a quote)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _in(values) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")"


def spark_type(f: Field) -> str:
    return SPARK_TYPES[f.sql_type]


def _full_match(x: str, pattern: str) -> str:
    return f"({x} RLIKE {lit('^(' + pattern + ')$')})"


def _isfinite(d: str) -> str:
    return f"(NOT isnan({d}) AND abs({d}) <> double('Infinity'))"


def _integral_text(r: str) -> str:
    """A number as the DuckDB import shows it: integral values without a fraction."""
    return (f"CASE WHEN {_isfinite(r)} AND {r} = floor({r}) AND abs({r}) < 1e15 "
            f"THEN CAST(CAST({r} AS BIGINT) AS STRING) ELSE CAST({r} AS STRING) END")


# --- the stage: one column per input column, as text unless it already has its field's type ------------

NUMERIC = ("byte", "short", "integer", "long", "float", "double")


def stage_column(name: str, kind: str, field: Field | None) -> tuple[str, bool]:
    """(the Spark expression of input column `name` of Spark type `kind` (simpleString), whether it stays
    in its own type) by the DuckDB reader's rules for typed Parquet columns."""
    c = q(name)
    is_date = kind == "date" or kind.startswith("timestamp")
    is_num = kind in NUMERIC or kind.startswith("decimal")
    if field is not None:
        if field.type == "date" and is_date:
            return f"CAST({c} AS DATE)", True
        if field.type == "bool" and kind == "boolean":
            return c, True
        if field.type in ("int", "number") and is_num:
            return f"CAST({c} AS DOUBLE)", True
    if kind == "string":
        return c, False
    if is_date:
        return f"CAST(CAST({c} AS DATE) AS STRING)", False
    if kind == "boolean":
        return f"CASE WHEN {c} THEN 'true' WHEN NOT {c} THEN 'false' END", False
    if kind.startswith("array"):
        return f"array_join({c}, ';')", False
    if kind in ("float", "double") or kind.startswith("decimal"):
        d = f"CAST({c} AS DOUBLE)"
        return (f"CASE WHEN {_isfinite(d)} AND {d} = floor({d}) AND abs({d}) < 1e18 "
                f"THEN CAST(CAST({d} AS BIGINT) AS STRING) ELSE CAST({c} AS STRING) END"), False
    return f"CAST({c} AS STRING)", False


# --- per field: typed value, flag, finding ----------------------------------------------------------------

def _v(name: str) -> str:
    return q("v_" + name)


def trimmed(x: str) -> str:
    return (f"CASE WHEN {x} = '' THEN NULL WHEN startswith({x}, ' ') OR endswith({x}, ' ') "
            f"THEN NULLIF(trim({x}), '') ELSE {x} END")


def _double(x: str) -> str:
    """Text to a number as DuckDB's TRY_CAST reads it: no Java suffixes (1.5d), digits grouped by _ allowed."""
    grouped = _full_match(x, "[+-]?[0-9]+(_[0-9]+)+(\\.[0-9]+)?")
    return (f"CASE WHEN {x} RLIKE '[0-9.][dDfF]$' THEN NULL WHEN {grouped} THEN try_cast(replace({x}, '_', '') "
            f"AS DOUBLE) ELSE try_cast({x} AS DOUBLE) END")


def _num_ok(f: Field, d: str, integer: bool = False) -> str:
    conds = [_isfinite(d)]
    if integer:
        conds.append(f"{d} = floor({d})")
    if f.minimum is not None:
        conds.append(f"{d} >= {f.minimum!r}")
    if f.maximum is not None:
        conds.append(f"{d} <= {f.maximum!r}")
    return "coalesce(" + " AND ".join(conds) + ", FALSE)"


def typed_expr(f: Field, native: bool = False) -> str:
    x, default = _v(f.name), lit(f.default)
    if native and f.type in ("date", "bool"):
        return f"coalesce({x}, CAST({default} AS {spark_type(f)}))"
    if native and f.type in ("int", "number"):
        kind = "INT" if f.type == "int" else "DOUBLE"
        return (f"CASE WHEN {x} IS NULL THEN CAST({default} AS {kind}) WHEN {_num_ok(f, x, f.type == 'int')} "
                f"THEN CAST({x} AS {kind}) END")
    if f.name == "articles":
        return f"CASE WHEN {q('p_articles_fast')} THEN {x} ELSE array_join({q('p_articles')}, ';') END"
    if f.name == "case_id":
        return f"coalesce({x}, {_v('person_id')})"
    if f.type == "string":
        return f"coalesce({x}, {default})" if f.default is not None else x
    if f.type == "enum":
        norm = f"upper({x})" if f.name == "sex" else f"lower({x})"
        values = _in(f.values or ())
        return (f"CASE WHEN {x} IS NULL THEN {default} WHEN {x} IN {values} THEN {x} "
                f"WHEN {norm} IN {values} THEN {norm} END")
    if f.type == "bool":
        lx = f"lower({x})"
        return (f"CASE WHEN {x} IS NULL THEN CAST({default} AS BOOLEAN) WHEN {x} IN {_in(_TRUE)} THEN TRUE "
                f"WHEN {x} IN {_in(_FALSE)} THEN FALSE WHEN {x} = 'unknown' THEN NULL "
                f"WHEN {lx} IN {_in(_TRUE)} THEN TRUE WHEN {lx} IN {_in(_FALSE)} THEN FALSE END")
    if f.type == "date":
        return (f"CASE WHEN {x} IS NULL THEN CAST({default} AS DATE) "
                f"WHEN {_full_match(x, '[0-9]{4}-[0-9]{2}-[0-9]{2}')} THEN try_cast({x} AS DATE) END")
    d = _double(x)
    if f.type == "int":
        return (f"CASE WHEN {x} IS NULL THEN CAST({default} AS INT) WHEN {_num_ok(f, d, True)} "
                f"THEN CAST({d} AS INT) END")
    return f"CASE WHEN {x} IS NULL THEN CAST({default} AS DOUBLE) WHEN {_num_ok(f, d)} THEN {d} END"


def _required(f: Field) -> str:
    if f.required is True:
        return "TRUE"
    if f.required == "convicted":
        return f"coalesce({q('t_status')} = 'convicted', FALSE)"
    if f.required == "abroad":
        return f"coalesce({q('t_convicted_abroad')}, FALSE)"
    if f.required == "custodial_end":
        return f"coalesce({q('t_punishment')} IN {_in(CUSTODIAL_END)}, FALSE)"
    return "FALSE"


def _articles_missing() -> str:
    return f"({_v('articles')} IS NULL OR (NOT {q('p_articles_fast')} AND size({q('p_articles')}) = 0))"


def bad_expr(f: Field, native: bool = False) -> str:
    x, t = _v(f.name), q("t_" + f.name)
    if f.name == "articles":
        return f"({_articles_missing()} OR (NOT {q('p_articles_fast')} AND size({q('p_articles_bad')}) > 0))"
    missing = f"({x} IS NULL AND {_required(f)})"
    invalid = f"({x} IS NOT NULL AND {t} IS NULL)"
    if f.type == "bool":
        invalid = "FALSE" if native else (f"(CASE WHEN {x} IS NULL OR {t} IS NOT NULL OR {x} = 'unknown' THEN FALSE "
                                          f"ELSE lower({x}) <> 'unknown' END)")
    if f.type == "string" or f.name == "case_id":
        invalid = "FALSE"
    return f"({missing} OR {invalid})"


def finding_struct(f: Field, native: bool = False) -> str:
    x = _v(f.name)
    if f.name == "articles":
        expected = (f"CASE WHEN {_articles_missing()} THEN 'required: article parts like 206.3.2;193-1.3.1' "
                    f"ELSE 'article parts like 206.3.2 or 193-1.3.1, not: ' "
                    f"|| array_join({q('p_articles_bad')}, ' ') END")
    else:
        missing = f"({x} IS NULL AND {_required(f)})"
        need = ("required when convicted_abroad is true (a foreign article is not looked up in the Azerbaijani "
                "Criminal Code): " if f.required == "abroad" else "required: ") + f.expected
        expected = f"CASE WHEN {missing} THEN {lit(need)} ELSE {lit(f.expected)} END"
    r = q("r_" + f.name)
    text = _integral_text(r) if native and f.type in ("int", "number") else f"CAST({r} AS STRING)"
    return _struct(lit(f.name), f"coalesce({text}, '')", expected, q("e_" + f.name))


def _struct(field: str, value: str, expected: str, bad: str) -> str:
    return f"named_struct('field', {field}, 'value', {value}, 'expected', {expected}, 'bad', {bad})"


def cell_bad(raw: str, check_cells: bool) -> tuple[str, str]:
    """(condition, expected) of a text cell holding NaN or infinity, a NUL or undecodable bytes."""
    nan = f"(length({raw}) <= 9 AND lower({raw}) IN {_in(NAN_TEXTS)})"
    nan_text = lit("a value, not NaN or infinity (an export's mark for a missing number)")
    if not check_cells:
        return f"coalesce({nan}, FALSE)", nan_text
    nul, bad = f"contains({raw}, char(0))", f"contains({raw}, {lit(REPLACEMENT)})"
    expected = (f"CASE WHEN {nul} THEN 'text without NUL characters (a sign of a damaged or binary file)' "
                f"WHEN {bad} THEN {lit('text in the file' + chr(39) + 's encoding (this cell holds bytes that cannot be decoded)')} "
                f"ELSE {nan_text} END")
    return f"coalesce({nan} OR {nul} OR {bad}, FALSE)", expected


def cell_checks(fields: list[Field], native: frozenset, passthrough: list[str], check_cells: bool) -> list[tuple]:
    out = []
    for f in fields:
        if f.name in native or f.name == "articles" or f.type != "string":
            continue
        raw = q("r_" + f.name)
        out.append((f.name, raw, *cell_bad(raw, check_cells)))
    for c in passthrough:
        raw = q("x_" + c)
        out.append((c, raw, *cell_bad(raw, check_cells)))
    return out


def checked_sql(source: str, fields: list[Field], by_lower: dict[str, str], passthrough: list[str],
                native: frozenset, cells: list[tuple]) -> str:
    """Every staged row with its trimmed, parsed and typed values and its finding flags."""
    raw = ", ".join(f"{q(by_lower[f.name]) if f.name in by_lower else 'CAST(NULL AS STRING)'} AS {q('r_' + f.name)}"
                    for f in fields)
    extras = "".join(f", {q(c)} AS {q('x_' + c)}" for c in passthrough)
    trims = ", ".join((f"{q('r_' + f.name)} AS {_v(f.name)}" if f.name in native else
                       f"{trimmed(q('r_' + f.name))} AS {_v(f.name)}") for f in fields)
    token = ARTICLE_TOKEN[1:-1]
    fast = f"coalesce({_full_match(_v('articles'), token + '(;' + token + ')*')}, FALSE)"
    parts = (f"CASE WHEN {q('p_articles_fast')} THEN NULL ELSE filter(transform(split({_v('articles')}, ';'), "
             f"y -> trim(y)), y -> y <> '') END")
    bad_tokens = (f"CASE WHEN {q('p_articles_fast')} THEN NULL ELSE "
                  f"filter({q('p_articles')}, y -> NOT {_full_match('y', token)}) END")
    typed = ", ".join(f"{typed_expr(f, f.name in native)} AS {q('t_' + f.name)}" for f in fields)
    flags = ", ".join(f"{bad_expr(f, f.name in native)} AS {q('e_' + f.name)}" for f in fields)
    cell_flag = " OR ".join(c[2] for c in cells) or "FALSE"
    any_bad = " OR ".join(q("e_" + f.name) for f in fields) + f" OR {q('e__cells')}"
    return f"""
        SELECT *, ({any_bad}) AS _bad FROM (
          SELECT *, {flags}, ({cell_flag}) AS {q('e__cells')} FROM (
            SELECT *, {typed} FROM (
              SELECT *, {bad_tokens} AS p_articles_bad FROM (
                SELECT *, {parts} AS p_articles FROM (
                  SELECT *, {fast} AS p_articles_fast FROM (
                    SELECT *, {trims} FROM (SELECT _row, {raw}{extras} FROM {source})))))))"""


def typed_sql(checked: str, fields: list[Field], passthrough: list[str]) -> str:
    """The typed registry (every row, `_bad` marking those with a finding in a field); a foreign
    conviction's articles are marked so that the lookup never reads them as Azerbaijani ones."""
    def column(f: Field) -> str:
        value = f"CAST({q('t_' + f.name)} AS {spark_type(f)})"
        if f.name == "articles":
            foreign = f"concat({lit(FOREIGN_MARK)}, replace({value}, ';', {lit(';' + FOREIGN_MARK)}))"
            value = f"CASE WHEN {q('t_convicted_abroad')} THEN {foreign} ELSE {value} END"
        return f"{value} AS {q(f.name)}"
    cols = ", ".join(column(f) for f in fields)
    extra = "".join(f", {q('x_' + c)} AS {q(c)}" for c in passthrough)
    return f"SELECT {cols}, CAST(_row AS BIGINT) AS _row{extra}, _bad FROM ({checked})"


# --- plausibility, as registry/plausible.py -------------------------------------------------------------

def plausibility(as_of: dt.date) -> tuple[list[tuple[str, str, str, str]], str]:
    """([(condition, field, value text, expected)], any condition) over the typed columns."""
    B, OFF, S, E, T = (q(n) for n in ("birth_date", "offense_date", "sentence_start", "sentence_end", "term_months"))
    A, asof = f"DATE {lit(as_of.isoformat())}", lit(as_of.isoformat())

    def d(name):
        return f"CAST({q(name)} AS STRING)"
    when = f"coalesce({OFF}, {S})"
    limit = add_days_sql("spark", add_months_sql("spark", S, f"CAST(ceil(LEAST({T}, {MAX_TERM_MONTHS})) AS INT)"),
                         str(END_TOLERANCE_DAYS))
    term_text = _integral_text(T)
    m = MIN_AGE_CRIMINAL_RESPONSIBILITY
    checks = [
        (f"{B} > {OFF}", "birth_date", B,
         f"'a date on or before offense_date (' || {d('offense_date')} || '): no one offends before being born'"),
        (f"{B} > {S}", "birth_date", B, f"'a date on or before sentence_start (' || {d('sentence_start')} || ')'"),
        (f"{OFF} > {S}", "offense_date", OFF,
         f"'a date on or before sentence_start (' || {d('sentence_start')} || '): a sentence follows the offence'"),
        (f"{E} < {S}", "sentence_end", E, f"'a date on or after sentence_start (' || {d('sentence_start')} || ')'"),
        (f"{T} <= {MAX_TERM_MONTHS} AND {E} > {limit}", "sentence_end", E,
         f"'a date on or before sentence_start + term_months + {END_TOLERANCE_DAYS} days (' || {d('sentence_start')} "
         f"|| ' + ' || {term_text} || ' months = ' || CAST({limit} AS STRING) || '): credit for time "
         "already served can make the end earlier, never later'"),
        (f"{T} > {MAX_TERM_MONTHS}", "term_months", T, f"'at most {MAX_TERM_MONTHS} months (100 years)'"),
        (f"{B} <= {when} AND {age_on_sql('spark', B, when)} < {m}", "birth_date", B,
         f"'a person at least {m} years old (the minimum age of criminal "
         f"responsibility) on ' || CASE WHEN {OFF} IS NOT NULL THEN 'offense_date (' || {d('offense_date')} || ')' "
         f"ELSE 'sentence_start (' || {d('sentence_start')} || '), which the offence preceded' END"),
        (f"{B} <= DATE {lit(_last_birth_over(MAX_AGE, as_of).isoformat())}", "birth_date", B,
         f"'a person at most {MAX_AGE} years old on the as-of date (' || {asof} || ')'"),
        (f"{B} > {A}", "birth_date", B, f"'a date not after the as-of date (' || {asof} || ')'"),
        (f"{OFF} > {A}", "offense_date", OFF, f"'a date not after the as-of date (' || {asof} || ')'"),
        (f"{S} > {A}", "sentence_start", S, f"'a date not after the as-of date (' || {asof} || ')'"),
    ]
    out = [(f"coalesce({c}, FALSE)", fld, term_text if fld == "term_months" else f"CAST({v} AS STRING)", e)
           for c, fld, v, e in checks]
    return out, " OR ".join(c for c, *_ in out)


def _list_values(expr: str) -> str:
    """The distinct values of `expr` in a group, sorted, as 'A and B' or 'A, B and C' (at most 5 shown)."""
    vals = f"array_sort(collect_set(CAST({expr} AS STRING)))"
    return (f"CASE WHEN size({vals}) = 0 THEN NULL WHEN size({vals}) > 5 "
            f"THEN array_join(slice({vals}, 1, 5), ', ') || ' and others' "
            f"ELSE array_join(slice({vals}, 1, size({vals}) - 1), ', ') || ' and ' || element_at({vals}, size({vals})) END")


def findings_sqls(checked: str, typed: str, fields: list[Field], native: frozenset, cells: list[tuple],
                  as_of: dt.date) -> dict[str, str]:
    """The queries of the findings: `rows` (per field and plausibility, from one scan), `dups` and
    `disagree` (groupings over the whole registry), each (row, case_id, field, value, expected)."""
    structs = [finding_struct(f, f.name in native) for f in fields]
    structs += [_struct(lit(name), f"coalesce(CAST({raw} AS STRING), '')", expected, cond)
                for name, raw, cond, expected in cells]
    checks, _ = plausibility(as_of)
    plaus = [_struct(lit(fld), f"coalesce({value}, '')", expected, cond) for cond, fld, value, expected in checks]
    per_field = (f"SELECT _row AS row, t_case_id AS case_id, explode(filter(array({', '.join(structs)}), "
                 f"z -> z.bad)) AS f FROM ({checked}) WHERE _bad")
    implausible = (f"SELECT _row AS row, case_id, explode(filter(array({', '.join(plaus)}), z -> z.bad)) AS f "
                   f"FROM ({typed}) WHERE {' OR '.join(c for c, *_ in checks)}")
    rows = (f"SELECT row, case_id, f.field AS field, f.value AS value, f.expected AS expected FROM ({per_field}) "
            f"UNION ALL SELECT row, case_id, f.field, f.value, f.expected FROM ({implausible})")
    t = f"({typed})"
    dups = f"""
        SELECT c._row AS row, c.case_id AS case_id, 'case_id' AS field, c.case_id AS value,
               'a case_id that only one row has (' || d.n || ' rows have this one, so none of them is decided)'
               AS expected
        FROM {t} c JOIN (SELECT case_id AS k, count(*) AS n FROM {t} WHERE case_id IS NOT NULL
                         GROUP BY case_id HAVING count(*) > 1) d ON c.case_id = d.k"""
    people = f"""
        SELECT person_id AS p,
               count(DISTINCT sex) > 1 AS sex_conflict, {_list_values('sex')} AS sexes,
               count(DISTINCT birth_date) > 1 AS birth_conflict, {_list_values('birth_date')} AS births
        FROM {t} WHERE person_id IS NOT NULL GROUP BY person_id
        HAVING min(sex) <> max(sex) OR min(birth_date) <> max(birth_date)"""
    disagree = f"""
        SELECT c._row AS row, c.case_id AS case_id, 'sex' AS field, coalesce(c.sex, '') AS value,
               'one sex in every row of this person_id (its rows give ' || p.sexes || ')' AS expected
        FROM {t} c JOIN ({people}) p ON c.person_id = p.p WHERE p.sex_conflict
        UNION ALL
        SELECT c._row, c.case_id, 'birth_date', coalesce(CAST(c.birth_date AS STRING), ''),
               'one birth_date in every row of this person_id (its rows give ' || p.births || ')'
        FROM {t} c JOIN ({people}) p ON c.person_id = p.p WHERE p.birth_conflict"""
    return {"rows": rows, "dups": dups, "disagree": disagree,
            "any_plausibility": " OR ".join(c for c, *_ in checks)}


def shown_value(col: str) -> str:
    """A finding's value with NUL characters made visible."""
    return f"replace({col}, char(0), {lit(NUL_SHOWN)})"
