"""The validation SQL of the registry import: per field, its typed value and its finding, as DuckDB SQL.

Every input column arrives as VARCHAR (`v_<name>`: trimmed, empty = NULL). For each field this module gives
the typed expression (with the default for an empty cell), and one finding struct (field, value,
expected, bad). Nothing here loops over rows.
"""

from __future__ import annotations

from clemency.registry.schema import ARTICLE_TOKEN, CUSTODIAL_END, FOREIGN_MARK, Field


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: object) -> str:
    """A SQL literal for a default or an enum value."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def foreign_articles_sql(articles: str) -> str:
    """Every part of the canonical `articles` value marked as a foreign article (`abroad:999.9`)."""
    return f"({lit(FOREIGN_MARK)} || replace({articles}, ';', {lit(';' + FOREIGN_MARK)}))"


def _in_list(values: tuple[str, ...] | list[str]) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")"


_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")


def trimmed(x: str) -> str:
    """The cell without surrounding spaces, empty = NULL (as NULLIF(trim(x), ''), which strips spaces only;
    the common cell with none is passed through without building a new string)."""
    return f"CASE WHEN {x} = '' THEN NULL WHEN prefix({x}, ' ') OR suffix({x}, ' ') THEN NULLIF(trim({x}), '') ELSE {x} END"


def v(name: str) -> str:
    return q("v_" + name)


def typed_expr(f: Field, native: bool = False) -> str:
    """The typed value of field `f` from its trimmed VARCHAR `v_<name>` (the default when empty).
    `native`: the input column already has the field's type (a typed Parquet column), no parsing needed."""
    x = v(f.name)
    default = lit(f.default)
    if native and f.type in ("date", "bool"):
        return f"coalesce({x}, CAST({default} AS {f.sql_type}))"
    if native and f.type in ("int", "number"):
        kind = "INTEGER" if f.type == "int" else "DOUBLE"
        return (f"CASE WHEN {x} IS NULL THEN CAST({default} AS {kind}) WHEN {_num_ok(f, x, integer=f.type == 'int')} "
                f"THEN CAST({x} AS {kind}) END")
    if f.name == "articles":
        return f"CASE WHEN {q('p_articles_fast')} THEN {x} ELSE array_to_string({q('p_articles')}, ';') END"
    if f.name == "case_id":
        return f"coalesce({x}, {v('person_id')})"
    if f.type == "string":
        return f"coalesce({x}, {default})" if f.default is not None else x
    if f.type == "enum":
        # values already in canonical form skip the case folding (the common case, and much cheaper)
        norm = f"upper({x})" if f.name == "sex" else f"lower({x})"
        values = _in_list(f.values or ())
        return (f"CASE WHEN {x} IS NULL THEN {default} WHEN {x} IN {values} THEN {x} "
                f"WHEN {norm} IN {values} THEN {norm} END")
    if f.type == "bool":
        lx = f"lower({x})"
        return (f"CASE WHEN {x} IS NULL THEN CAST({default} AS BOOLEAN) WHEN {x} IN {_in_list(_TRUE)} THEN TRUE "
                f"WHEN {x} IN {_in_list(_FALSE)} THEN FALSE WHEN {x} = 'unknown' THEN NULL "
                f"WHEN {lx} IN {_in_list(_TRUE)} THEN TRUE WHEN {lx} IN {_in_list(_FALSE)} THEN FALSE END")
    if f.type == "date":
        return (f"CASE WHEN {x} IS NULL THEN CAST({default} AS DATE) "
                f"WHEN regexp_full_match({x}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') THEN TRY_CAST({x} AS DATE) END")
    d = f"TRY_CAST({x} AS DOUBLE)"
    if f.type == "int":
        return (f"CASE WHEN {x} IS NULL THEN CAST({default} AS INTEGER) WHEN {_num_ok(f, d, integer=True)} "
                f"THEN CAST({d} AS INTEGER) END")
    return f"CASE WHEN {x} IS NULL THEN CAST({default} AS DOUBLE) WHEN {_num_ok(f, d)} THEN {d} END"


def _num_ok(f: Field, d: str, integer: bool = False) -> str:
    conds = [f"isfinite({d})"]
    if integer:
        conds.append(f"{d} = floor({d})")
    if f.minimum is not None:
        conds.append(f"{d} >= {f.minimum!r}")
    if f.maximum is not None:
        conds.append(f"{d} <= {f.maximum!r}")
    return "coalesce(" + " AND ".join(conds) + ", FALSE)"


def required_expr(f: Field) -> str:
    """TRUE when the row needs a value in `f` (evaluated on typed columns)."""
    if f.required is True:
        return "TRUE"
    if f.required == "convicted":
        return f"coalesce({q('t_status')} = 'convicted', FALSE)"
    if f.required == "abroad":
        return f"coalesce({q('t_convicted_abroad')}, FALSE)"
    if f.required == "custodial_end":
        return f"coalesce({q('t_punishment')} IN {_in_list(CUSTODIAL_END)}, FALSE)"
    return "FALSE"


def bad_expr(f: Field, native: bool = False) -> str:
    """TRUE when field `f` of the row is a finding. Evaluated on the layer that holds v_, p_ and t_."""
    x, t = v(f.name), q("t_" + f.name)
    if f.name == "articles":
        return (f"({_articles_missing()} OR (NOT {q('p_articles_fast')} AND len({q('p_articles_bad')}) > 0))")
    missing = f"({x} IS NULL AND {required_expr(f)})"
    invalid = f"({x} IS NOT NULL AND {t} IS NULL)"
    if f.type == "bool":
        invalid = "FALSE" if native else (f"(CASE WHEN {x} IS NULL OR {t} IS NOT NULL OR {x} = 'unknown' THEN FALSE "
                                          f"ELSE lower({x}) <> 'unknown' END)")
    if f.type == "string" or f.name == "case_id":
        invalid = "FALSE"
    return f"({missing} OR {invalid})"


def _articles_missing() -> str:
    return f"({v('articles')} IS NULL OR (NOT {q('p_articles_fast')} AND len({q('p_articles')}) = 0))"


def finding_struct(f: Field, native: bool = False) -> str:
    """One struct per field: {field, value, expected, bad}; `bad` reads the row's e_<name> flag."""
    x = v(f.name)
    if f.name == "articles":
        expected = (f"CASE WHEN {_articles_missing()} THEN 'required: article parts like 206.3.2;193-1.3.1' "
                    f"ELSE 'article parts like 206.3.2 or 193-1.3.1, not: ' "
                    f"|| array_to_string({q('p_articles_bad')}, ' ') END")
    else:
        missing = f"({x} IS NULL AND {required_expr(f)})"
        need = ("required when convicted_abroad is true (a foreign article is not looked up in the Azerbaijani "
                "Criminal Code): " if f.required == "abroad" else "required: ") + f.expected
        expected = f"CASE WHEN {missing} THEN {lit(need)} ELSE {lit(f.expected)} END"
    r = q("r_" + f.name)
    text = (f"CASE WHEN isfinite({r}) AND {r} = floor({r}) AND abs({r}) < 1e15 THEN CAST(CAST({r} AS BIGINT) AS VARCHAR) "
            f"ELSE CAST({r} AS VARCHAR) END"
            if native and f.type in ("int", "number") else f"CAST({r} AS VARCHAR)")
    return (f"{{'field': {lit(f.name)}, 'value': coalesce({text}, ''), "
            f"'expected': {expected}, "
            f"'bad': {q('e_' + f.name)}}}")


def articles_parts() -> tuple[str, str, str]:
    """(fast-path flag, parts list, bad-token list) of the articles cell.

    The common case (already canonical: valid tokens, no spaces, no empty parts) is one regexp; only the
    other rows are split into lists."""
    token = ARTICLE_TOKEN[1:-1]
    fast = f"coalesce(regexp_full_match({v('articles')}, '{token}(;{token})*'), FALSE)"
    parts = (f"CASE WHEN {q('p_articles_fast')} THEN NULL ELSE list_filter(list_transform("
             f"string_split({v('articles')}, ';'), lambda x: trim(x)), lambda x: x <> '') END")
    bad = (f"CASE WHEN {q('p_articles_fast')} THEN NULL ELSE "
           f"list_filter({q('p_articles')}, lambda x: NOT regexp_full_match(x, '{token}')) END")
    return fast, parts, bad
