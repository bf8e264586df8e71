"""The validation SQL of the registry import: per field, its typed value and its finding, for DuckDB and Spark.

Every input column arrives as text (`v_<name>`: trimmed, empty = NULL). For each field this module gives
the typed expression (with the default for an empty cell), and one finding struct (field, value,
expected, bad); then the layered checking query and the findings over the whole registry (repeated
case_ids, people whose rows disagree). Nothing here loops over rows.

Each rule is spelled once. What differs between DuckDB and Spark SQL (quoting, literals, regular
expressions, lists and lambdas, structs, type names) is a `Dialect`: `DUCKDB` (the import,
registry/load.py) or `SPARK` (the Spark engine, registry/spark_checks.py). Every function takes the
dialect as its last argument and defaults to DuckDB.

    stage   (`_row`, every input column as text, or in its own type when a typed Parquet column already
             has the field's type)
    checked (+ v_ trimmed, p_ article parts, t_ typed values, e_ flags, _bad)   `checked_sql`
    typed   (every field in its type, `_row`, the extra columns)               `typed_columns`
    findings field by field (`finding_struct`, `cell_checks`), plausibility (registry/plausible.py),
             repeated case_ids and people whose rows disagree (`dups_sql`, `disagree_sql`)
"""

from __future__ import annotations

from clemency.registry.schema import ARTICLE_TOKEN, CUSTODIAL_END, FOREIGN_MARK, Field

NAN_TEXTS = ("nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity")
REPLACEMENT = "\ufffd"   # what an undecodable byte became when the file was read
NUL_SHOWN = "\u2400"     # a NUL character is shown as this symbol in findings
_UNDECODABLE = "text in the file's encoding (this cell holds bytes that cannot be decoded)"
_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")


class Dialect:
    """What differs between DuckDB and Spark SQL in the validation queries; the rules themselves are the
    module's functions. Types are named as DuckDB names them (a field's `sql_type`) and translated by
    `TYPES`. One subclass per engine."""

    name = ""
    TYPES: dict[str, str] = {}
    narrow_people = False

    def lit(self, value: object) -> str:
        """A literal: NULL, a boolean, a number or a string."""
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, (int, float)):
            return repr(value)
        return self.string(str(value))

    def in_list(self, values) -> str:
        return "(" + ", ".join(self.lit(v) for v in values) + ")"

    def type(self, sql_type: str) -> str:
        return self.TYPES.get(sql_type, sql_type)

    def text(self, x: str) -> str:
        return f"CAST({x} AS {self.type('VARCHAR')})"

    def bad_structs(self, structs: list[str]) -> str:
        """The list of those finding structs (expressions) that are bad."""
        return self.filter(self.array(structs), "z", "z.bad")

    def __repr__(self) -> str:
        return f"<{self.name} dialect>"


class DuckDBDialect(Dialect):
    name = "duckdb"
    #: people whose rows disagree are first found by one narrow grouping, and only their rows are then
    #: grouped again to list their values: cheaper where the registry is a table (Spark groups once, since
    #: every extra pass over its view reads the file again)
    narrow_people = True

    def q(self, name: str) -> str:
        """A quoted identifier."""
        return '"' + name.replace('"', '""') + '"'

    def string(self, s: str) -> str:
        return "'" + s.replace("'", "''") + "'"

    def full_match(self, x: str, pattern: str) -> str:
        """TRUE when the whole of `x` matches the regular expression `pattern`."""
        return f"regexp_full_match({x}, {self.lit(pattern)})"

    def to_double(self, x: str) -> str:
        """Text to a number, NULL when it is none."""
        return f"TRY_CAST({x} AS DOUBLE)"

    def to_date(self, x: str) -> str:
        return f"TRY_CAST({x} AS DATE)"

    def isfinite(self, n: str) -> str:
        return f"isfinite({n})"

    def integral(self, n: str) -> str:
        """TRUE when the finite number `n` is whole."""
        return f"{n} = floor({n})"

    def number_text(self, n: str) -> str:
        """A DOUBLE as text, as Python's repr writes it (nan, inf, 1e-05, 12345678.5, 1e+300)."""
        return f"CAST({n} AS VARCHAR)"

    def starts_or_ends_with(self, x: str, s: str) -> str:
        return f"prefix({x}, {self.lit(s)}) OR suffix({x}, {self.lit(s)})"

    def length(self, x: str) -> str:
        """A length (in bytes: enough where it only bounds a short text)."""
        return f"strlen({x})"

    def chr(self, code: int) -> str:
        """The character of code point `code`."""
        return f"chr({code})"

    def array(self, items: list[str]) -> str:
        return "[" + ", ".join(items) + "]"

    def split(self, x: str, sep: str) -> str:
        return f"string_split({x}, {self.lit(sep)})"

    def join(self, xs: str, sep: str) -> str:
        return f"array_to_string({xs}, {self.lit(sep)})"

    def size(self, xs: str) -> str:
        return f"len({xs})"

    def filter(self, xs: str, var: str, cond: str) -> str:
        return f"list_filter({xs}, lambda {var}: {cond})"

    def transform(self, xs: str, var: str, expr: str) -> str:
        return f"list_transform({xs}, lambda {var}: {expr})"

    def head(self, xs: str, n: str) -> str:
        """The first `n` elements."""
        return f"list_slice({xs}, 1, {n})"

    def last(self, xs: str) -> str:
        return f"{xs}[len({xs})]"

    def unnest(self, xs: str) -> str:
        """One row per element (in a SELECT list)."""
        return f"unnest({xs})"

    def distinct_sorted(self, expr: str) -> str:
        """Aggregate: the distinct non-NULL values of `expr` in a group, as text, sorted."""
        return f"list_sort(list_distinct(list({self.text(expr)}) FILTER (WHERE {expr} IS NOT NULL)))"

    def struct(self, field: str, value: str, expected: str, bad: str) -> str:
        """A finding struct {field, value, expected, bad} (each an expression)."""
        return f"{{'field': {field}, 'value': {value}, 'expected': {expected}, 'bad': {bad}}}"


class SparkDialect(Dialect):
    name = "spark"
    TYPES = {"VARCHAR": "STRING", "INTEGER": "INT"}

    def q(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def string(self, s: str) -> str:
        """Spark reads backslash escapes in a string literal, and not '' as a quote."""
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def full_match(self, x: str, pattern: str) -> str:
        """Java's `$` also matches before a line break that ends the text: `\\z` is the very end."""
        anchored = "^(" + pattern + r")\z"
        return f"({x} RLIKE {self.lit(anchored)})"

    def to_double(self, x: str) -> str:
        """As DuckDB's TRY_CAST reads text: no Java suffixes (1.5d), digits grouped by _ allowed."""
        grouped = self.full_match(x, "[+-]?[0-9]+(_[0-9]+)+(\\.[0-9]+)?")
        return (f"CASE WHEN {x} RLIKE '[0-9.][dDfF]$' THEN NULL WHEN {grouped} THEN try_cast(replace({x}, '_', '') "
                f"AS DOUBLE) ELSE try_cast({x} AS DOUBLE) END")

    def to_date(self, x: str) -> str:
        return f"try_cast({x} AS DATE)"

    def isfinite(self, n: str) -> str:
        return f"(NOT isnan({n}) AND abs({n}) <> double('Infinity'))"

    def integral(self, n: str) -> str:
        """(Spark's floor gives a BIGINT, which overflows on a large double: the remainder instead.)"""
        return f"{n} % 1 = 0"

    def number_text(self, n: str) -> str:
        """As DuckDB writes a DOUBLE: Java's NaN, Infinity and 1.0E-5 become nan, inf and 1e-05, and numbers
        from 1e-4 to 1e16 are written without an exponent."""
        s = f"CAST({n} AS STRING)"
        plain = f"regexp_replace(regexp_replace(CAST(CAST({n} AS DECIMAL(38, 20)) AS STRING), '0+$', ''), '\\\\.$', '.0')"
        mantissa = f"regexp_replace(regexp_extract({s}, '^(.*)E', 1), '\\\\.0$', '')"
        exp = f"CAST(regexp_extract({s}, 'E(-?[0-9]+)$', 1) AS INT)"
        sci = (f"{mantissa} || 'e' || CASE WHEN {exp} < 0 THEN '-' ELSE '+' END "
               f"|| CASE WHEN abs({exp}) < 10 THEN '0' ELSE '' END || CAST(abs({exp}) AS STRING)")
        return (f"CASE WHEN isnan({n}) THEN 'nan' WHEN {n} = double('Infinity') THEN 'inf' "
                f"WHEN {n} = -double('Infinity') THEN '-inf' WHEN {n} = 0 OR {s} NOT LIKE '%E%' THEN {s} "
                f"WHEN abs({n}) >= 1e-4 AND abs({n}) < 1e16 THEN {plain} ELSE {sci} END")

    def starts_or_ends_with(self, x: str, s: str) -> str:
        return f"startswith({x}, {self.lit(s)}) OR endswith({x}, {self.lit(s)})"

    def length(self, x: str) -> str:
        return f"length({x})"

    def chr(self, code: int) -> str:
        return "char(0)" if code == 0 else self.lit(chr(code))

    def array(self, items: list[str]) -> str:
        return f"array({', '.join(items)})"

    def split(self, x: str, sep: str) -> str:
        """(`sep` is a regular expression in Spark: only characters that are not special are passed.)"""
        return f"split({x}, {self.lit(sep)})"

    def join(self, xs: str, sep: str) -> str:
        return f"array_join({xs}, {self.lit(sep)})"

    def size(self, xs: str) -> str:
        return f"size({xs})"

    def filter(self, xs: str, var: str, cond: str) -> str:
        return f"filter({xs}, {var} -> {cond})"

    def transform(self, xs: str, var: str, expr: str) -> str:
        return f"transform({xs}, {var} -> {expr})"

    def head(self, xs: str, n: str) -> str:
        return f"slice({xs}, 1, {n})"

    def last(self, xs: str) -> str:
        return f"element_at({xs}, size({xs}))"

    def unnest(self, xs: str) -> str:
        return f"explode({xs})"

    def distinct_sorted(self, expr: str) -> str:
        return f"array_sort(collect_set({self.text(expr)}))"

    def struct(self, field: str, value: str, expected: str, bad: str) -> str:
        return f"named_struct('field', {field}, 'value', {value}, 'expected', {expected}, 'bad', {bad})"


DUCKDB: Dialect = DuckDBDialect()
SPARK: Dialect = SparkDialect()
D = DUCKDB


def q(name: str) -> str:
    """A quoted DuckDB identifier."""
    return DUCKDB.q(name)


def lit(value: object) -> str:
    """A DuckDB literal for a default or an enum value."""
    return DUCKDB.lit(value)


def foreign_articles_sql(articles: str, d: Dialect = D) -> str:
    """Every part of the canonical `articles` value marked as a foreign article (`abroad:999.9`)."""
    return f"({d.lit(FOREIGN_MARK)} || replace({articles}, ';', {d.lit(';' + FOREIGN_MARK)}))"


def trimmed(x: str, d: Dialect = D) -> str:
    """The cell without surrounding spaces, empty = NULL (as NULLIF(trim(x), ''), which strips spaces only;
    the common cell with none is passed through without building a new string)."""
    return (f"CASE WHEN {x} = '' THEN NULL WHEN {d.starts_or_ends_with(x, ' ')} THEN NULLIF(trim({x}), '') "
            f"ELSE {x} END")


def v(name: str, d: Dialect = D) -> str:
    return d.q("v_" + name)


def typed_expr(f: Field, native: bool = False, d: Dialect = D) -> str:
    """The typed value of field `f` from its trimmed text `v_<name>` (the default when empty).
    `native`: the input column already has the field's type (a typed Parquet column), no parsing needed."""
    x = v(f.name, d)
    default = d.lit(f.default)
    if native and f.type in ("date", "bool"):
        return f"coalesce({x}, CAST({default} AS {d.type(f.sql_type)}))"
    if native and f.type in ("int", "number"):
        kind = d.type("INTEGER" if f.type == "int" else "DOUBLE")
        return (f"CASE WHEN {x} IS NULL THEN CAST({default} AS {kind}) "
                f"WHEN {_num_ok(f, x, f.type == 'int', d)} THEN CAST({x} AS {kind}) END")
    if f.name == "articles":
        return f"CASE WHEN {d.q('p_articles_fast')} THEN {x} ELSE {d.join(d.q('p_articles'), ';')} END"
    if f.name == "case_id":
        return f"coalesce({x}, {v('person_id', d)})"
    if f.type == "string":
        return f"coalesce({x}, {default})" if f.default is not None else x
    if f.type == "enum":
        # values already in canonical form skip the case folding (the common case, and much cheaper)
        norm = f"upper({x})" if f.name == "sex" else f"lower({x})"
        values = d.in_list(f.values or ())
        return (f"CASE WHEN {x} IS NULL THEN {default} WHEN {x} IN {values} THEN {x} "
                f"WHEN {norm} IN {values} THEN {norm} END")
    if f.type == "bool":
        lx, yes, no = f"lower({x})", d.in_list(_TRUE), d.in_list(_FALSE)
        return (f"CASE WHEN {x} IS NULL THEN CAST({default} AS BOOLEAN) WHEN {x} IN {yes} THEN TRUE "
                f"WHEN {x} IN {no} THEN FALSE WHEN {x} = 'unknown' THEN NULL "
                f"WHEN {lx} IN {yes} THEN TRUE WHEN {lx} IN {no} THEN FALSE END")
    if f.type == "date":
        return (f"CASE WHEN {x} IS NULL THEN CAST({default} AS DATE) "
                f"WHEN {d.full_match(x, '[0-9]{4}-[0-9]{2}-[0-9]{2}')} THEN {d.to_date(x)} END")
    n = d.to_double(x)
    if f.type == "int":
        kind = d.type("INTEGER")
        return (f"CASE WHEN {x} IS NULL THEN CAST({default} AS {kind}) WHEN {_num_ok(f, n, True, d)} "
                f"THEN CAST({n} AS {kind}) END")
    return f"CASE WHEN {x} IS NULL THEN CAST({default} AS DOUBLE) WHEN {_num_ok(f, n, False, d)} THEN {n} END"


def _num_ok(f: Field, n: str, integer: bool = False, d: Dialect = D) -> str:
    conds = [d.isfinite(n)]
    if integer:   # a whole number within the range of the INTEGER column
        conds += [d.integral(n), f"abs({n}) <= {2**31 - 1}"]
    if f.minimum is not None:
        conds.append(f"{n} >= {f.minimum!r}")
    if f.maximum is not None:
        conds.append(f"{n} <= {f.maximum!r}")
    return "coalesce(" + " AND ".join(conds) + ", FALSE)"


def integral_text(n: str, d: Dialect = D) -> str:
    """A number as text, integral values without a fraction (24, not 24.0)."""
    return (f"CASE WHEN {d.isfinite(n)} AND {d.integral(n)} AND abs({n}) < 1e15 "
            f"THEN {d.text(f'CAST({n} AS BIGINT)')} ELSE {d.number_text(n)} END")


def required_expr(f: Field, d: Dialect = D) -> str:
    """TRUE when the row needs a value in `f` (evaluated on typed columns)."""
    if f.required is True:
        return "TRUE"
    if f.required == "convicted":
        return f"coalesce({d.q('t_status')} = 'convicted', FALSE)"
    if f.required == "abroad":
        return f"coalesce({d.q('t_convicted_abroad')}, FALSE)"
    if f.required == "custodial_end":
        return f"coalesce({d.q('t_punishment')} IN {d.in_list(CUSTODIAL_END)}, FALSE)"
    return "FALSE"


def bad_expr(f: Field, native: bool = False, d: Dialect = D) -> str:
    """TRUE when field `f` of the row is a finding. Evaluated on the layer that holds v_, p_ and t_."""
    x, t = v(f.name, d), d.q("t_" + f.name)
    if f.name == "articles":
        return (f"({_articles_missing(d)} OR (NOT {d.q('p_articles_fast')} "
                f"AND {d.size(d.q('p_articles_bad'))} > 0))")
    missing = f"({x} IS NULL AND {required_expr(f, d)})"
    invalid = f"({x} IS NOT NULL AND {t} IS NULL)"
    if f.type == "bool":
        invalid = "FALSE" if native else (f"(CASE WHEN {x} IS NULL OR {t} IS NOT NULL OR {x} = 'unknown' THEN FALSE "
                                          f"ELSE lower({x}) <> 'unknown' END)")
    if f.type == "string" or f.name == "case_id":
        invalid = "FALSE"
    return f"({missing} OR {invalid})"


def _articles_missing(d: Dialect = D) -> str:
    return f"({v('articles', d)} IS NULL OR (NOT {d.q('p_articles_fast')} AND {d.size(d.q('p_articles'))} = 0))"


def finding_struct(f: Field, native: bool = False, d: Dialect = D) -> str:
    """One struct per field: {field, value, expected, bad}; `bad` reads the row's e_<name> flag."""
    x = v(f.name, d)
    if f.name == "articles":
        expected = (f"CASE WHEN {_articles_missing(d)} THEN 'required: article parts like 206.3.2;193-1.3.1' "
                    f"ELSE 'article parts like 206.3.2 or 193-1.3.1, not: ' "
                    f"|| {d.join(d.q('p_articles_bad'), ' ')} END")
    else:
        missing = f"({x} IS NULL AND {required_expr(f, d)})"
        need = ("required when convicted_abroad is true (a foreign article is not looked up in the Azerbaijani "
                "Criminal Code): " if f.required == "abroad" else "required: ") + f.expected
        expected = f"CASE WHEN {missing} THEN {d.lit(need)} ELSE {d.lit(f.expected)} END"
    r = d.q("r_" + f.name)
    text = integral_text(r, d) if native and f.type in ("int", "number") else d.text(r)
    return d.struct(d.lit(f.name), f"coalesce({text}, '')", expected, d.q("e_" + f.name))


def articles_parts(d: Dialect = D) -> tuple[str, str, str]:
    """(fast-path flag, parts list, bad-token list) of the articles cell.

    The common case (already canonical: valid tokens, no spaces, no empty parts) is one regexp; only the
    other rows are split into lists."""
    token, fast_flag, x = ARTICLE_TOKEN[1:-1], d.q("p_articles_fast"), v("articles", d)
    fast = f"coalesce({d.full_match(x, token + '(;' + token + ')*')}, FALSE)"
    nonempty = d.filter(d.transform(d.split(x, ";"), "y", "trim(y)"), "y", "y <> ''")
    parts = f"CASE WHEN {fast_flag} THEN NULL ELSE {nonempty} END"
    bad = (f"CASE WHEN {fast_flag} THEN NULL ELSE "
           f"{d.filter(d.q('p_articles'), 'y', 'NOT ' + d.full_match('y', token))} END")
    return fast, parts, bad


# --- cells: NaN, NUL and undecodable text ---------------------------------------------------------------------

def cell_bad(raw: str, check_cells: bool, d: Dialect = D) -> tuple[str, str]:
    """(the condition, the expected text) of a cell holding NaN or infinity, a NUL character or
    undecodable bytes (the last two only when the reader says they may occur)."""
    nan = f"({d.length(raw)} <= 9 AND lower({raw}) IN {d.in_list(NAN_TEXTS)})"
    nan_text = d.lit("a value, not NaN or infinity (an export's mark for a missing number)")
    if not check_cells:
        return f"coalesce({nan}, FALSE)", nan_text
    nul, bad = f"contains({raw}, {d.chr(0)})", f"contains({raw}, {d.chr(ord(REPLACEMENT))})"
    expected = (f"CASE WHEN {nul} THEN {d.lit('text without NUL characters (a sign of a damaged or binary file)')} "
                f"WHEN {bad} THEN {d.lit(_UNDECODABLE)} "
                f"ELSE {nan_text} END")
    return f"coalesce({nan} OR {nul} OR {bad}, FALSE)", expected


def cell_checks(fields: list[Field], native: frozenset, passthrough: list[str], check_cells: bool,
                d: Dialect = D) -> list[tuple[str, str, str, str]]:
    """(name, raw column, condition, expected) for every text column whose type check does not already
    reject NaN, NUL and undecodable text: the string fields and the extra columns."""
    out = []
    for f in fields:
        if f.name in native or f.name == "articles" or f.type != "string":
            continue
        raw = d.q("r_" + f.name)
        out.append((f.name, raw, *cell_bad(raw, check_cells, d)))
    for c in passthrough:
        raw = d.q("x_" + c)
        out.append((c, raw, *cell_bad(raw, check_cells, d)))
    return out


def cell_structs(cells: list[tuple[str, str, str, str]], d: Dialect = D) -> list[str]:
    return [d.struct(d.lit(name), f"coalesce({d.text(raw)}, '')", expected, cond)
            for name, raw, cond, expected in cells]


# --- the layered checking query and the typed columns -----------------------------------------------------------

def checked_sql(source: str, fields: list[Field], by_lower: dict[str, str], passthrough: list[str],
                native: frozenset = frozenset(), cells: list[tuple] = (), d: Dialect = D) -> str:
    """The layered validation query over `source` (a relation with `_row` and the input columns): every row
    with its trimmed, parsed and typed values and its finding flags. `native` names the fields whose input
    column already has the field's type (typed Parquet); `cells` the cell checks (NaN, NUL) of text columns."""
    q_ = d.q
    raw = ", ".join(f"{q_(by_lower[f.name]) if f.name in by_lower else 'CAST(NULL AS ' + d.type('VARCHAR') + ')'} "
                    f"AS {q_('r_' + f.name)}" for f in fields)
    extras = "".join(f", {q_(c)} AS {q_('x_' + c)}" for c in passthrough)
    trims = ", ".join((f"{q_('r_' + f.name)} AS {v(f.name, d)}" if f.name in native else
                       f"{trimmed(q_('r_' + f.name), d)} AS {v(f.name, d)}") for f in fields)
    fast, parts, bad_tokens = articles_parts(d)
    typed = ", ".join(f"{typed_expr(f, f.name in native, d)} AS {q_('t_' + f.name)}" for f in fields)
    flags = ", ".join(f"{bad_expr(f, f.name in native, d)} AS {q_('e_' + f.name)}" for f in fields)
    cell_flag = " OR ".join(c[2] for c in cells) or "FALSE"
    any_bad = " OR ".join(q_("e_" + f.name) for f in fields) + f" OR {q_('e__cells')}"
    return f"""
        SELECT *, ({any_bad}) AS _bad FROM (
          SELECT *, {flags}, ({cell_flag}) AS {q_('e__cells')} FROM (
            SELECT *, {typed} FROM (
              SELECT *, {bad_tokens} AS p_articles_bad FROM (
                SELECT *, {parts} AS p_articles FROM (
                  SELECT *, {fast} AS p_articles_fast FROM (
                    SELECT *, {trims} FROM (SELECT _row, {raw}{extras} FROM {source})))))))"""


def typed_columns(fields: list[Field], d: Dialect = D) -> str:
    """Every field in its type, from the checked layer; a foreign conviction's articles are marked so that
    the article lookup never reads them as Azerbaijani ones."""
    def column(f: Field) -> str:
        value = f"CAST({d.q('t_' + f.name)} AS {d.type(f.sql_type)})"
        if f.name == "articles":
            value = f"CASE WHEN {d.q('t_convicted_abroad')} THEN {foreign_articles_sql(value, d)} ELSE {value} END"
        return f"{value} AS {d.q(f.name)}"
    return ", ".join(column(f) for f in fields)


def struct_findings_sql(source: str, case_id: str, structs: str, where: str, d: Dialect = D) -> str:
    """(row, case_id, f) for every bad finding struct in the list `structs`, over the rows of `source`
    (a relation with `_row`) that `where` keeps."""
    return (f"SELECT _row AS row, {case_id} AS case_id, {d.unnest(d.filter(structs, 'z', 'z.bad'))} AS f "
            f"FROM {source} WHERE {where}")


def field_findings_sql(checked: str, structs: list[str], d: Dialect = D) -> str:
    """(row, case_id, f) for every finding struct that is bad, over the checked rows with a finding."""
    return struct_findings_sql(f"({checked})", "t_case_id", d.array(structs), "_bad", d)


# --- over the whole registry: repeated case_ids, people whose rows disagree ---------------------------------------

def dups_sql(t: str, d: Dialect = D) -> str:
    """(row, case_id, field, value, expected) for every row of a case_id that several rows of `t` hold."""
    return f"""
        SELECT c._row AS row, c.case_id AS case_id, 'case_id' AS field, c.case_id AS value,
               'a case_id that only one row has (' || dk.n || ' rows have this one, so none of them is decided)'
               AS expected
        FROM {t} c JOIN (SELECT case_id AS k, count(*) AS n FROM {t} WHERE case_id IS NOT NULL
                         GROUP BY case_id HAVING count(*) > 1) dk ON c.case_id = dk.k"""


def _list_values(expr: str, d: Dialect = D) -> str:
    """The distinct values of `expr` in a group, sorted, as 'A and B' or 'A, B and C' (at most 5 shown;
    used where a group has at least two, but computed on every group: NULL when it has none)."""
    vals = d.distinct_sorted(expr)
    return (f"CASE WHEN {d.size(vals)} = 0 THEN NULL WHEN {d.size(vals)} > 5 THEN {d.join(d.head(vals, '5'), ', ')} || ' and others' "
            f"ELSE {d.join(d.head(vals, d.size(vals) + ' - 1'), ', ')} || ' and ' || {d.last(vals)} END")


def disagree_sql(t: str, d: Dialect = D) -> str:
    """(row, case_id, field, value, expected) for every row of a person_id whose rows in `t` give several
    sexes or several birth dates."""
    conflict = "min(sex) <> max(sex) OR min(birth_date) <> max(birth_date)"
    among = (f"person_id IN (SELECT person_id FROM {t} WHERE person_id IS NOT NULL GROUP BY person_id "
             f"HAVING {conflict})" if d.narrow_people else "person_id IS NOT NULL")
    people = f"""
        SELECT person_id AS p,
               count(DISTINCT sex) > 1 AS sex_conflict, {_list_values('sex', d)} AS sexes,
               count(DISTINCT birth_date) > 1 AS birth_conflict, {_list_values('birth_date', d)} AS births
        FROM {t} WHERE {among} GROUP BY person_id HAVING {conflict}"""
    return f"""
        SELECT * FROM (WITH people AS ({people})
        SELECT c._row AS row, c.case_id AS case_id, 'sex' AS field, coalesce(c.sex, '') AS value,
               'one sex in every row of this person_id (its rows give ' || p.sexes || ')' AS expected
        FROM {t} c JOIN people p ON c.person_id = p.p WHERE p.sex_conflict
        UNION ALL
        SELECT c._row, c.case_id, 'birth_date', coalesce({d.text('c.birth_date')}, ''),
               'one birth_date in every row of this person_id (its rows give ' || p.births || ')'
        FROM {t} c JOIN people p ON c.person_id = p.p WHERE p.birth_conflict)"""


def shown_value(col: str, d: Dialect = D) -> str:
    """A finding's value with NUL characters made visible."""
    return f"replace({col}, {d.chr(0)}, {d.lit(NUL_SHOWN)})"
