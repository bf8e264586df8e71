"""A registry file decided end to end on Spark: read, typed and checked (clemency/registry/spark_checks.py),
articles looked up through a broadcast join, decided by the compiled plan in Spark SQL, and the decisions
written by the executors as Parquet parts, which the driver appends, in registry order, to the one
`decisions.parquet` of the output folder (a byte-level append of row groups: the registry is never
collected into one process, and DuckDB never reads it).

A Parquet registry is read by Spark itself (each executor reads its own row groups). A CSV or XLSX
registry is first read by the same reader as the DuckDB path (encodings, malformed lines as findings),
which writes it as Parquet into the exchange folder: those formats are read on the driver.

The exchange folder (`CLEMENCY_SPARK_TMP`, default the system's temporary folder) holds the parts while
the run lasts; on a cluster it must be a path every executor and the driver see under the same name, and
so must the registry file (docs/scaling.md).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from clemency.engines import lookup as article_lookup
from clemency.engines.schema import DECISION_FIELDS, DECISION_TYPES, PASSTHROUGH
from clemency.engines.spark import get_session
from clemency.engines.sqlgen import SqlGen
from clemency.errors import ClemencyError, InputError
from clemency.law import CATEGORIES
from clemency.registry import spark_checks as sc
from clemency.registry.load import FINDINGS_COLUMNS, LoadResult, _check_required
from clemency.registry.read import SUFFIXES, file_hash, read_file
from clemency.registry.schema import ARTICLE_TOKEN, FIELDS, FOREIGN_MARK, SQL_TYPES, Field
from clemency.registry.sql import lit as duck_lit

ARROW_TYPES = {"VARCHAR": pa.string(), "DATE": pa.date32(), "BOOLEAN": pa.bool_(), "INTEGER": pa.int32(),
               "DOUBLE": pa.float64(), "BIGINT": pa.int64()}


def apply_spark(con, ctx, registry, out_path, *, metadata: dict[str, str], extra_fields: Iterable[Field] = (),
                safe_name: Callable[[str, set], str | None] = lambda name, taken: None,
                encoding: str | None = None, as_of: dt.date | None = None, spark=None,
                timings: dict | None = None) -> tuple[LoadResult, dict]:
    """Decide the registry file `registry` on Spark into `out_path` (one Parquet file, the DuckDB engine's
    columns, types and order, with `metadata`). Leaves the findings in the DuckDB table `findings` of
    `con` (findings only: the registry's rows never enter DuckDB). Returns the import's counts and the
    extra columns renamed by `safe_name` ({old: new}). `timings`, when given, receives the seconds of
    each phase (stage, findings, lookup, decide, append)."""
    spark = spark or get_session()
    try:
        return _apply(spark, con, ctx, Path(registry), Path(out_path), metadata, extra_fields, safe_name, encoding,
                      as_of, _Clock(timings))
    except ClemencyError:
        raise
    except Exception as exc:   # a Java error: its text may quote registry values, so only its kind is said
        if type(exc).__name__ not in ("Py4JJavaError", "Py4JError") and not type(exc).__module__.startswith("pyspark"):
            raise
        raise ClemencyError("Spark stopped while deciding the registry (a damaged file, or too little memory "
                            "for an executor, are the usual causes); nothing was written. The Spark driver's "
                            "log has the details") from None


def _apply(spark, con, ctx, path: Path, out_path: Path, metadata, extra_fields, safe_name, encoding, as_of,
           clock) -> tuple[LoadResult, dict]:
    as_of = as_of or dt.date.today()
    tmp = Path(tempfile.mkdtemp(prefix="clemency-spark-", dir=os.environ.get("CLEMENCY_SPARK_TMP")))
    try:
        stage, digest, rejects, check_cells, enc = _stage(spark, con, path, tmp, encoding)
        cols = [c for c in stage.columns if c != "_row"]
        _check_required(cols, path.name)
        fields = list(FIELDS.values()) + [f for f in extra_fields if f.name not in FIELDS]
        by_lower: dict[str, str] = {}
        for c in cols:
            by_lower.setdefault(c.strip().lower(), c)
        known = {f.name for f in fields}
        passthrough = [c for c in cols if c.strip().lower() not in known or by_lower[c.strip().lower()] != c]
        kinds = dict(stage.dtypes)
        native = frozenset(f.name for f in fields if f.name in by_lower and kinds[by_lower[f.name]] != "string")
        renamed = _renames(passthrough, known, safe_name)

        stage.createOrReplaceTempView("_clemency_stage")
        cells = sc.cell_checks(fields, native, passthrough, check_cells)
        checked = sc.checked_sql("_clemency_stage", fields, by_lower, passthrough, native, cells)
        spark.sql(checked).createOrReplaceTempView("_clemency_checked")
        checked = "SELECT * FROM _clemency_checked"
        typed = sc.typed_sql(checked, fields, passthrough)
        spark.sql(typed).createOrReplaceTempView("_clemency_typed")
        clock("stage_s")

        found = tmp / "findings"
        _write_findings(spark, checked, fields, native, cells, as_of, rejects, found)
        n_findings, rejected, bad_rows = _findings_into(con, found)
        rows_in = spark.sql("SELECT count(*) FROM _clemency_stage").collect()[0][0] + len({r[0] for r in rejects})
        clock("findings_s")

        # the rows without findings, in registry order (broadcast anti-join: the registry is not shuffled)
        ok_cols = [f.name for f in fields] + ["_row"] + [renamed.get(c, c) for c in passthrough]
        select = ", ".join(f"t.{sc.q(f.name)}" for f in fields) + ", t._row" + "".join(
            f", t.{sc.q(c)} AS {sc.q(renamed.get(c, c))}" for c in passthrough)
        spark.read.parquet(str(bad_rows)).hint("broadcast").createOrReplaceTempView("_clemency_bad_rows")
        spark.sql(f"SELECT {select} FROM _clemency_typed t LEFT ANTI JOIN _clemency_bad_rows b ON t._row = b.row "
                  "WHERE NOT coalesce(t._bad, FALSE)").createOrReplaceTempView("_clemency_ok")

        register_lookup(spark, ctx.plan, ctx.code, "_clemency_typed", "_clemency_lookup")
        clock("lookup_s")
        carried = list(PASSTHROUGH) + [c for c in ok_cols if c not in FIELDS and not c.startswith("_")]
        gen = SqlGen("spark")
        query = gen.decision_query(ctx.plan, gen.source_query(ctx.plan, "_clemency_ok", "_clemency_lookup", ok_cols),
                                   ctx.on, carried)
        schema = _target_schema(fields, carried, metadata)
        cast = ", ".join(f"CAST({sc.q(f.name)} AS {_spark_type(f.type)}) AS {sc.q(f.name)}" for f in schema)
        parts = tmp / "decisions"
        spark.sql(f"SELECT {cast} FROM ({query})").write.mode("overwrite").parquet(str(parts))
        clock("decide_s")
        decided = append_parts(parts, Path(out_path), schema)
        clock("append_s")
        rows_ok = rows_in - rejected
        if decided != rows_ok:
            raise ClemencyError(f"row accounting failed on Spark: {rows_in} in, {decided} decided, {rejected} rejected")
        result = LoadResult(rows_in=rows_in, rows_ok=rows_ok, rows_rejected=rejected, n_findings=n_findings,
                            registry_hash=digest, columns=tuple(cols), path=path.name, as_of=as_of, encoding=enc)
        return result, renamed
    finally:
        for view in ("_clemency_stage", "_clemency_checked", "_clemency_typed", "_clemency_ok", "_clemency_bad_rows", "_clemency_lookup"):
            spark.catalog.dropTempView(view)
        shutil.rmtree(tmp, ignore_errors=True)


class _Clock:
    def __init__(self, into: dict | None):
        self.into, self.t = into, time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        if self.into is not None:
            self.into[name] = now - self.t
        self.t = now


# --- reading -------------------------------------------------------------------------------------------------

def _stage(spark, con, path: Path, tmp: Path, encoding):
    """(the stage DataFrame: `_row` and the input columns, the registry's SHA-256, the unreadable records
    [(row, field, value, expected)], whether cells may hold NUL or undecodable bytes, the encoding read)."""
    if not path.is_file():
        raise InputError("no such file (or not a regular file)", where=path.name)
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq") and encoding is None:
        df = spark.read.parquet(str(path.absolute()))
        items = ["_metadata.row_index + 1 AS _row"]
        for name, kind in df.dtypes:
            expr, _ = sc.stage_column(name, kind, FIELDS.get(name.strip().lower()))
            items.append(f"{expr} AS {sc.q(name)}")
        return df.selectExpr(*items), file_hash(path), [], True, ""
    if suffix not in SUFFIXES:
        raise InputError(f"unsupported file type {suffix or '(no extension)'}; expected one of {', '.join(SUFFIXES)}",
                         where=path.name)
    # CSV and XLSX: the DuckDB reader's staging (encodings, malformed lines), written once as Parquet
    staged = read_file(path, con, "_clemency_spark_stage", encoding=encoding)
    exported = tmp / "stage.parquet"
    con.execute(f"COPY (SELECT * FROM _clemency_spark_stage) TO {duck_lit(str(exported))} "
                "(FORMAT PARQUET, ROW_GROUP_SIZE 122880)")
    con.execute("DROP VIEW IF EXISTS _clemency_spark_stage")
    return spark.read.parquet(str(exported)), staged.digest, list(staged.rejects), staged.check_cells, staged.encoding


def _renames(passthrough: list[str], known: set[str], safe_name) -> dict[str, str]:
    taken = set(passthrough) | known
    out = {}
    for c in passthrough:
        new = None if c in known or c == "_row" else safe_name(c, taken)
        if new is not None:
            taken.add(new)
            out[c] = new
    return out


# --- findings ------------------------------------------------------------------------------------------------

def _write_findings(spark, checked: str, fields, native, cells, as_of: dt.date, rejects: list, out: Path) -> None:
    qs = sc.findings_sqls(checked, "SELECT * FROM _clemency_typed", fields, native, cells, as_of)
    union = f"{qs['rows']} UNION ALL {qs['dups']} UNION ALL {qs['disagree']}"
    df = spark.sql(f"SELECT CAST(row AS BIGINT) AS row, case_id, field, {sc.shown_value('value')} AS value, "
                   f"expected FROM ({union})")
    if rejects:
        df = df.unionByName(spark.createDataFrame(
            [(int(r), None, f, v, e) for r, f, v, e in rejects],
            "row BIGINT, case_id STRING, field STRING, value STRING, expected STRING"))
    df.write.mode("overwrite").parquet(str(out))


def _findings_into(con, found: Path) -> tuple[int, int, Path]:
    """The findings (few) into the DuckDB table `findings`, ordered by row and field; their distinct rows
    written back for the anti-join. Returns (findings, rejected rows, the rows' Parquet file)."""
    cols = ", ".join(FINDINGS_COLUMNS)
    con.execute(f"CREATE OR REPLACE TABLE findings AS SELECT {cols} FROM "
                f"read_parquet({duck_lit(str(found / '*.parquet'))}) ORDER BY row, field")
    n, rejected = con.execute("SELECT count(*), count(DISTINCT row) FROM findings").fetchone()
    rows = found.parent / "bad_rows.parquet"
    con.execute(f"COPY (SELECT DISTINCT row FROM findings) TO {duck_lit(str(rows))} (FORMAT PARQUET)")
    return n, rejected, rows


# --- the article lookup, built and joined in Spark -------------------------------------------------------------

def register_lookup(spark, plan, code, table: str, name: str) -> None:
    """The temp view `name` (articles, _table_category, _table_negligent, _unknown_articles, _art*), as
    clemency.engines.lookup builds it for DuckDB: the distinct parts are resolved once on the driver (a
    few thousand), the combination per `articles` value runs in Spark, and the result is broadcast."""
    spark.sql(f"SELECT DISTINCT articles FROM {table} WHERE articles IS NOT NULL").createOrReplaceTempView(
        "_clemency_articles")
    spark.sql("SELECT articles, explode(split(articles, ';')) AS part FROM _clemency_articles"
              ).createOrReplaceTempView("_clemency_parts")
    # the lookup reads every row's articles (only the `articles` column is scanned); parts that are not
    # article ids belong to rejected rows and are left out
    token = sc.lit(ARTICLE_TOKEN)
    parts = [r[0] for r in spark.sql(f"SELECT DISTINCT part FROM _clemency_parts WHERE part RLIKE {token} "
                                     f"OR startswith(part, {sc.lit(FOREIGN_MARK)})").collect()]
    table_ = article_lookup.part_table(plan, code, parts)
    spark.createDataFrame([tuple(r.values()) for r in table_.to_pylist()], schema=_part_schema(plan)).createOrReplaceTempView("_clemency_codes")
    cats = ", ".join(sc.lit(c) for c in CATEGORIES)
    worst = len(CATEGORIES) - 1
    arts = "".join(f", bool_or(t.{sc.q(c)}) AS {sc.q(c)}" for c in plan.article_columns)
    spark.sql(f"""
        SELECT p.articles,
               CASE WHEN max(t.rank) = {worst} THEN {sc.lit(CATEGORIES[worst])}
                    WHEN count_if(t.rank IS NULL) > 0 THEN NULL
                    ELSE element_at(array({cats}), max(t.rank) + 1) END AS _table_category,
               CASE WHEN count_if(t.neg = FALSE) > 0 THEN FALSE
                    WHEN count_if(t.neg IS NULL) > 0 THEN NULL ELSE TRUE END AS _table_negligent,
               array_join(array_sort(collect_set(CASE WHEN t.rank IS NULL THEN t.part END)), ';')
                   AS _unknown_articles
               {arts}
        FROM _clemency_parts p JOIN _clemency_codes t ON p.part = t.part
        GROUP BY p.articles""").hint("broadcast").createOrReplaceTempView(name)


def _part_schema(plan) -> str:
    return ", ".join(["part STRING", "rank TINYINT", "neg BOOLEAN"] + [f"{sc.q(c)} BOOLEAN" for c in plan.article_columns])


# --- the decisions file ----------------------------------------------------------------------------------------

def _target_schema(fields: list[Field], carried: list[str], metadata: dict[str, str]) -> pa.Schema:
    """The DuckDB engine's columns and types: the carried input columns in their registry types, then the
    decision columns."""
    types = {f.name: ARROW_TYPES[SQL_TYPES[f.type]] for f in fields} | {"_row": pa.int64(), "notes": pa.string()}
    cols = [pa.field(c, types.get(c, pa.string())) for c in carried] + [pa.field(n, t) for n, t in DECISION_TYPES]
    return pa.schema(cols, metadata=metadata or None)


def _spark_type(t: pa.DataType) -> str:
    return {pa.string(): "STRING", pa.date32(): "DATE", pa.bool_(): "BOOLEAN", pa.int32(): "INT",
            pa.float64(): "DOUBLE", pa.int64(): "BIGINT"}[t]


def append_parts(parts: Path, out_path: Path, schema: pa.Schema) -> int:
    """Append the Parquet parts of a Spark write, in registry order (`_row`), to one file with `schema`;
    returns the number of rows. The parts of a map-only job follow the input's order; rows out of order
    (which a shuffle would cause) are an error, never a silently reordered output."""
    names = schema.names
    if list(names[-len(DECISION_FIELDS):]) != list(DECISION_FIELDS):
        raise ClemencyError("the Spark engine's decision columns are not the declared ones")
    files = [(_first_row(f), f) for f in parts.glob("part-*.parquet")]
    n, last = 0, None
    with pq.ParquetWriter(out_path, schema, compression="zstd") as w:
        for _first, f in sorted(x for x in files if x[0] is not None):
            pf = pq.ParquetFile(f)
            for i in range(pf.num_row_groups):
                t = pf.read_row_group(i).select(names).cast(schema)
                rows = t["_row"].to_numpy()
                if len(rows) and ((last is not None and rows[0] <= last) or bool((rows[1:] <= rows[:-1]).any())):
                    raise ClemencyError("the Spark engine wrote decisions out of registry order")
                last = rows[-1] if len(rows) else last
                w.write_table(t)
                n += t.num_rows
        if n == 0:
            w.write_table(schema.empty_table())
    return n


def _first_row(f: Path) -> int | None:
    """The first `_row` of a part (None when it is empty)."""
    pf = pq.ParquetFile(f)
    for i in range(pf.num_row_groups):
        col = pf.read_row_group(i, columns=["_row"])["_row"]
        if len(col):
            return int(col[0].as_py())
    return None
