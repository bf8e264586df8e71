"""Mutation testing of the suite, as a benchmark (not run in CI).

Plants one small change at a time - in the shipped act files (data mutations: drop or add one element of a
list, change one number, drop one binding) or in the decision core (code mutations: flip a comparison, swap
and/or, drop a `not`, shift an integer, swap + and -, flip True/False) - and runs a targeted subset of the
tests, in stages from the fastest; a mutant is killed by the first stage that fails. The suite is never run
against the shared working tree: the project is copied to a scratch directory and the mutant is imported from
there (PYTHONPATH).

    nice -n 19 .venv/bin/python -m bench.mutation --data            # every data mutant of the shipped acts
    nice -n 19 .venv/bin/python -m bench.mutation --code --sample 60 --seed 1
    .venv/bin/python -m bench.mutation --list --code                # the mutants, without running them

Results go to bench/mutation-results.json (one entry per mutant: where, what, killed by which stage) and
a summary is printed; bench/MUTATION.md records the measured scores and the survivors judged equivalent.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ACTS = ["az-2025"] + [a for a in ("az-2021", "az-2009") if (ROOT / "tests" / "acts" / f"{a}.tables.yaml").exists()]
CORE = ["clemency/act/lang.py", "clemency/compile/plan.py", "clemency/compile/evaluate.py",
        "clemency/engines/sqlgen.py", "clemency/engines/reference.py", "clemency/calendar.py",
        "clemency/calendar_sql.py", "clemency/law/articles.py"]

ENUMS = {
    "category": ["not_great_danger", "less_serious", "grave", "especially_grave"],
    "punishment": ["imprisonment", "life_imprisonment", "restriction_of_liberty", "conditional", "corrective_work",
                   "public_works", "fine", "disciplinary_military_unit", "other"],
    "status": ["convicted", "suspect", "accused"],
    "recidivism": ["none", "repeat", "dangerous", "especially_dangerous"],
}

# test stages, fastest first; a mutant is killed by the first that fails
T = "tests/test_act_tables.py"
# data mutants run in one worker process through the same test functions, in this order: tables-plan,
# tables-decisions, scenarios (the act's scenario file), tables-code-articles (see _WORKER)
CODE_STAGES = {
    "clemency/calendar.py": [("calendar", ["tests/test_calendar.py"]), ("calendar-sql", ["tests/test_calendar_sql.py"])],
    "clemency/calendar_sql.py": [("calendar-sql", ["tests/test_calendar_sql.py"])],
    "clemency/act/lang.py": [("lang", ["tests/test_act_lang.py", "tests/test_act_load.py"])],
    "clemency/law/articles.py": [("law", ["tests/test_law.py"]), ("oracle", ["tests/test_oracle.py", "-k",
                                                                              "library or every_article"])],
    "clemency/engines/reference.py": [("tables-reference", [T, "-k", "reference"])],
}
CODE_DEFAULT = [("tables-plan", [T, "-k", "plan"]),
                ("tables-decisions", [T, "-k", "not reference and not no_unlisted"]),
                ("scenarios", ["tests/test_scenarios.py"])]


@dataclass
class Mutant:
    kind: str           # data / code
    file: str
    line: int
    what: str
    text: str = ""      # the mutated file
    result: str = ""    # killed / survived / invalid / timeout
    stage: str = ""
    seconds: float = 0.0


# ---- data mutations -------------------------------------------------------------------------------------

_QUOTED = re.compile(r"'[^']*'")


def _enum_of(items: list[str]) -> list[str] | None:
    for values in ENUMS.values():
        if items and all(i in values for i in items):
            return values
    return None


def data_mutants(act: str) -> list[Mutant]:
    path = f"clemency/data/acts/{act}.yaml"
    if not (ROOT / path).exists():      # a shipped overlay (its own additions and changes are mutated)
        path = f"clemency/data/overlays/{act}.yaml"
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines(keepends=True)
    out: list[Mutant] = []

    def emit(i: int, new_line: str | None, what: str) -> None:
        new = lines[:i] + ([new_line] if new_line is not None else []) + lines[i + 1:]
        out.append(Mutant("data", path, i + 1, what, "".join(new)))

    from clemency.act.load import load_act  # noqa: PLC0415
    # a binding to a clause that never decides (a provision, a clause of unknown content) is inert:
    # dropping it from a group is an equivalent mutant, not generated
    ids = [c.id for c in load_act(act if "/acts/" in path else str(ROOT / path)).clauses
           if c.kind == "relief" and c.decides]
    in_applies, indent = False, 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        # lists in conditions: any_article(...) and [...] of quoted items
        if stripped.startswith(("- test:", "test:")):
            for m in re.finditer(r"any_article\(([^)]*)\)|\[([^\]]*)\]", line):
                body = m.group(1) if m.group(1) is not None else m.group(2)
                start = m.start(1) if m.group(1) is not None else m.start(2)
                items = [q for q in _QUOTED.finditer(body)]
                if len(items) == 1:
                    q = items[0]
                    emit(i, line[: start + q.start()] + "'0'" + line[start + q.end():], f"drop {q.group()} (the only one)")
                if len(items) > 1:
                    for q in items:
                        a, b = start + q.start(), start + q.end()
                        left, right = line[:a], line[b:]
                        if right.startswith(", "):
                            new_line = left + right[2:]
                        else:
                            new_line = left.rstrip()[:-1] + right if left.rstrip().endswith(",") else left + right
                        emit(i, new_line, f"drop {q.group()} from a list")
                enum = _enum_of([q.group()[1:-1] for q in items])
                if enum and m.group(2) is not None:
                    for v in enum:
                        if f"'{v}'" not in body:
                            emit(i, line[:m.end(2)] + f", '{v}'" + line[m.end(2):], f"add '{v}' to a list")
                if m.group(1) is not None:
                    emit(i, line[:m.end(1)] + ", '177'" + line[m.end(1):], "add article '177' to a list")
            # numbers outside quotes (thresholds, months, ages, percentages)
            for m in re.finditer(r"(?<![\w.'-])(\d+)(?![\w.'-])", line):
                if _QUOTED.search(line[: m.start()]) and line[: m.start()].count("'") % 2 == 1:
                    continue
                n = int(m.group(1))
                for k in (n - 1, n + 1):
                    emit(i, line[: m.start()] + str(k) + line[m.end():], f"{n} -> {k}")
            # a comparison moved by one (the end day of a punishment, an age, a term)
            for m in re.finditer(r"(?<![<>=!])(<=|>=|<|>)(?![<>=])", line):
                if line[: m.start()].count("'") % 2 == 1:
                    continue
                flipped = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}[m.group(1)]
                emit(i, line[: m.start()] + flipped + line[m.end():], f"{m.group(1)} -> {flipped} (column {m.start()})")
            # a changed enumeration value in == comparisons
            for m in re.finditer(r"== '([a-z_]+)'", line):
                enum = _enum_of([m.group(1)])
                if enum:
                    other = enum[(enum.index(m.group(1)) + 1) % len(enum)]
                    emit(i, line[: m.start(1)] + other + line[m.end(1):], f"'{m.group(1)}' -> '{other}'")
        m = re.match(r"(\s*)(reduction_months|value): (\d+)\s*$", line)
        if m:
            n = int(m.group(3))
            for k in (n - 1, n + 1):
                emit(i, f"{m.group(1)}{m.group(2)}: {k}\n", f"{m.group(2)} {n} -> {k}")
        # bindings
        if stripped.startswith("applies_to:"):
            in_applies, indent = True, len(line) - len(line.lstrip())
            flow = re.search(r"\[(.*)\]\s*$", stripped)
            if flow:
                items = _split_flow(flow.group(1))
                for j in range(len(items)):
                    rest = items[:j] + items[j + 1:]
                    emit(i, line[: line.index("[")] + "[" + ", ".join(rest) + "]\n", f"drop binding {items[j]}")
                    members = [c for c in ids if re.fullmatch(re.escape(items[j]) + r"\d+", c)]
                    for cid in members:   # one clause of a group
                        part = items[:j] + [c for c in members if c != cid] + items[j + 1:]
                        emit(i, line[: line.index("[")] + "[" + ", ".join(part) + "]\n", f"drop binding {cid}")
                in_applies = False
            continue
        if in_applies:
            if stripped.startswith("- ") and len(line) - len(line.lstrip()) > indent:
                item = stripped[2:]
                if item.startswith("{"):
                    cl = re.search(r"clauses: \[([^\]]*)\]", item)
                    group = [x.strip() for x in cl.group(1).split(",")] if cl else []
                    for j, cid in enumerate(group):
                        rest = ", ".join(group[:j] + group[j + 1:])
                        emit(i, line.replace(cl.group(0), f"clauses: [{rest}]"), f"drop binding {cid}")
                else:
                    emit(i, None, f"drop binding {item}")
            else:
                in_applies = False
    # dedupe (identical texts)
    seen, uniq = set(), []
    for m in out:
        if m.text not in seen:
            seen.add(m.text)
            uniq.append(m)
    return uniq


def _split_flow(body: str) -> list[str]:
    items, depth, cur = [], 0, ""
    for ch in body:
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if ch == "," and depth == 0:
            items.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        items.append(cur.strip())
    return items


# ---- code mutations -------------------------------------------------------------------------------------

_SWAP_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
             ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}


def _sites(tree):
    skip = set()
    for node in ast.walk(tree):   # docstrings and annotations are not mutated
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module, ast.AsyncFunctionDef)) and node.body \
                and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
            skip.add(id(node.body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                if type(op) in _SWAP_CMP:
                    yield node, ("cmp", k), f"{type(op).__name__} -> {_SWAP_CMP[type(op)].__name__}"
        elif isinstance(node, ast.BoolOp):
            yield node, ("bool",), "and <-> or"
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield node, ("not",), "drop not"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            yield node, ("binop",), "+ <-> -"
        elif isinstance(node, ast.Constant) and id(node) not in skip:
            if isinstance(node.value, bool):
                yield node, ("bool-const",), f"{node.value} -> {not node.value}"
            elif isinstance(node.value, int):
                yield node, ("int",), f"{node.value} -> {node.value + 1}"


def code_mutants(path: str) -> list[Mutant]:
    src = (ROOT / path).read_text(encoding="utf-8")
    tree = ast.parse(src)
    n_sites = sum(1 for _ in _sites(tree))
    out = []
    for index in range(n_sites):
        t = ast.parse(src)
        node, how, what = list(_sites(t))[index]
        if how[0] == "cmp":
            node.ops[how[1]] = _SWAP_CMP[type(node.ops[how[1]])]()
        elif how[0] == "bool":
            node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        elif how[0] == "not":
            parent = _parent(t, node)
            _replace(parent, node, node.operand)
        elif how[0] == "binop":
            node.op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
        elif how[0] == "bool-const":
            node.value = not node.value
        elif how[0] == "int":
            node.value = node.value + 1
        line = getattr(node, "lineno", 0)
        out.append(Mutant("code", path, line, what, ast.unparse(t)))
    return out


def _parent(tree, child):
    for node in ast.walk(tree):
        for _, value in ast.iter_fields(node):
            if value is child or (isinstance(value, list) and any(v is child for v in value)):
                return node
    raise LookupError


def _replace(parent, old, new):
    for name, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, name, new)
            return
        if isinstance(value, list):
            for k, v in enumerate(value):
                if v is old:
                    value[k] = new
                    return


# ---- running --------------------------------------------------------------------------------------------

def scratch_copy() -> Path:
    tmp = Path(tempfile.mkdtemp(prefix="clemency-mutation-"))
    ignore = shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.parquet", "out", "golden")
    shutil.copytree(ROOT / "clemency", tmp / "clemency", ignore=ignore)
    shutil.copytree(ROOT / "tests", tmp / "tests", ignore=shutil.ignore_patterns("__pycache__", "browser"))
    shutil.copy(ROOT / "pyproject.toml", tmp / "pyproject.toml")
    return tmp


def run_stage(work: Path, args: list[str], timeout: int) -> str:
    env = dict(os.environ, PYTHONPATH=str(work), PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header", "--tb=no",
           "-o", "addopts=", *args]
    try:
        r = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout"
    if r.returncode == 0:
        return "passed"
    if r.returncode == 1:
        return "failed"
    return f"error {r.returncode}"


_WORKER = r"""
import json, sys, time, traceback
from pathlib import Path
work = Path(sys.argv[1])
sys.path[:0] = [str(work), str(work / "tests")]
import test_act_tables as T
import test_scenarios as S

def stages(act):
    paths = [p for p in T.TABLES if p.name.startswith(act + ".")]
    def plan():
        T._plans.clear()
        for p in paths:
            T.test_plan_reliefs_match_the_table(p)
            T.test_plan_bindings_match_the_table(p)
            T.test_plan_article_lists_match_the_table(p)
    def decisions():
        T._decided.clear()
        for p in paths:
            T.SCENARIOS[p] = T.scenarios_of(p)
            for sc in T.SCENARIOS[p]:
                kind = T._kind(sc)
                if kind == "code":
                    continue
                if kind == "binds":
                    T.test_each_clause_exclusion_binding(p, sc)
                else:
                    T.check_holds(p, sc)
    def scenarios():
        S._cache.clear()
        for case in S.all_cases():
            if case.values[1] == act:
                S.test_scenario(*case.values)
    def code_articles():
        for p in paths:
            T.test_no_unlisted_article_of_the_code_excludes(p)
    def reference():
        for p in paths:
            T.test_the_reference_engine_agrees_on_every_table_scenario(p)
    return [("tables-plan", plan), ("tables-decisions", decisions), ("scenarios", scenarios),
            ("tables-code-articles", code_articles), ("tables-reference", reference)]

for line in sys.stdin:
    m = json.loads(line)
    target = work / m["file"]
    original = target.read_text(encoding="utf-8")
    target.write_text(m["text"], encoding="utf-8")
    t0 = time.perf_counter()
    result, stage = "survived", ""
    try:
        for name, fn in stages(m["act"]):
            try:
                fn()
            except BaseException as exc:
                result, stage = "killed", f"{name} ({type(exc).__name__})"
                break
    finally:
        target.write_text(original, encoding="utf-8")
    print(json.dumps({"result": result, "stage": stage, "seconds": round(time.perf_counter() - t0, 1)}),
          flush=True)
"""


def run_data_in_process(mutants: list[Mutant], work: Path, done: list[Mutant], results: Path) -> None:
    """Data mutants in one long-lived process (imports and collection once, not once per mutant)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.Popen([sys.executable, "-c", _WORKER, str(work)], cwd=work, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        for n, m in enumerate(mutants, 1):
            proc.stdin.write(json.dumps({"file": m.file, "text": m.text,
                                         "act": Path(m.file).name.split(".")[0]}) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
            while line and not line.startswith('{"result"'):    # a test printed something: skip it
                line = proc.stdout.readline()
            out = json.loads(line)
            m.result, m.stage, m.seconds = out["result"], out["stage"], out["seconds"]
            done.append(m)
            print(f"[{n}/{len(mutants)}] {m.result:8} {m.file}:{m.line} {m.what} {m.stage} ({m.seconds}s)",
                  flush=True)
            _save(done, results)
    finally:
        proc.stdin.close()
        proc.wait()


def run_code_in_process(mutants: list[Mutant], work: Path, done: list[Mutant], results: Path) -> None:
    """Code mutants: the mutated module is written first, then a fresh worker imports it and runs the same
    stages as for data mutants on az-2025 (act tables: plan, decisions; scenarios; code articles). A mutant
    that cannot even be imported is killed."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    for n, m in enumerate(mutants, 1):
        target = work / m.file
        original = target.read_text(encoding="utf-8")
        target.write_text(m.text, encoding="utf-8")
        t0 = time.perf_counter()
        try:
            proc = subprocess.Popen([sys.executable, "-c", _WORKER, str(work)], cwd=work, env=env, text=True,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            try:
                proc.stdin.write(json.dumps({"file": m.file, "text": m.text, "act": "az-2025"}) + "\n")
                proc.stdin.flush()
                line = proc.stdout.readline()
            except BrokenPipeError:
                line = ""
            proc.stdin.close()
            proc.wait()
            if line:
                out = json.loads(line)
                m.result, m.stage = out["result"], out["stage"]
            else:
                m.result, m.stage = "killed", "the mutated module does not import"
            if m.result == "survived":        # the module's own tests (messages, calendar, lookup)
                for name, args in CODE_STAGES.get(m.file, []):
                    outcome = run_stage(work, args, 900)
                    if outcome != "passed":
                        m.result, m.stage = "killed", f"{name} ({outcome})"
                        break
        finally:
            target.write_text(original, encoding="utf-8")
        m.seconds = round(time.perf_counter() - t0, 1)
        done.append(m)
        print(f"[{n}/{len(mutants)}] {m.result:8} {m.file}:{m.line} {m.what} {m.stage} ({m.seconds}s)", flush=True)
        _save(done, results)


def run(mutants: list[Mutant], timeout: int, results: Path, pytest_stages: bool = False) -> None:
    work = scratch_copy()
    done: list[Mutant] = []
    try:
        data = [m for m in mutants if m.kind == "data"]
        if data:
            run_data_in_process(data, work, done, results)
        mutants = [m for m in mutants if m.kind != "data"]
        if mutants and not pytest_stages:
            run_code_in_process(mutants, work, done, results)
            mutants = []
        for n, m in enumerate(mutants, 1):
            target = work / m.file
            original = target.read_text(encoding="utf-8")
            target.write_text(m.text, encoding="utf-8")
            t0 = time.perf_counter()
            try:
                stages = CODE_STAGES.get(m.file, []) + CODE_DEFAULT
                if not m.result:
                    m.result = "survived"
                    for name, args in stages:
                        outcome = run_stage(work, args, timeout)
                        if outcome != "passed":
                            m.result, m.stage = "killed", f"{name} ({outcome})"
                            break
            finally:
                target.write_text(original, encoding="utf-8")
            m.seconds = round(time.perf_counter() - t0, 1)
            done.append(m)
            print(f"[{n}/{len(mutants)}] {m.result:8} {m.file}:{m.line} {m.what} {m.stage} ({m.seconds}s)",
                  flush=True)
            _save(done, results)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary(done)


def _save(done, results: Path) -> None:
    old = json.loads(results.read_text()) if results.exists() else []
    keys = {(m.kind, m.file, m.line, m.what) for m in done}
    kept = [o for o in old if (o["kind"], o["file"], o["line"], o["what"]) not in keys]
    results.write_text(json.dumps(kept + [{k: v for k, v in asdict(m).items() if k != "text"} for m in done],
                                  indent=1))


def summary(done: list[Mutant]) -> None:
    for kind in ("data", "code"):
        ms = [m for m in done if m.kind == kind]
        if not ms:
            continue
        killed = sum(m.result == "killed" for m in ms)
        print(f"{kind}: {killed}/{len(ms)} killed ({100 * killed / len(ms):.1f}%)")
        for m in ms:
            if m.result != "killed":
                print(f"  survived: {m.file}:{m.line} {m.what}")


# ---- mutmut (the maintained tool) --------------------------------------------------------------------------

# mutants judged equivalent (no behaviour of the core can tell them apart), keyed by mutmut's mutant name,
# with the one-line reason; bench/MUTATION.md lists them
EQUIVALENT: dict[str, str] = {
    "clemency.act.lang.x_render__mutmut_6":
        "a date literal holds a datetime.date (the parser's YYYY-MM-DD, a date parameter, which may not carry a time of day), whose str() is its ISO form, the same text",
    "clemency.act.lang.x_render__mutmut_7":
        "a date literal holds a datetime.date (the parser's YYYY-MM-DD, a date parameter, which may not carry a time of day), whose str() is its ISO form, the same text",
    "clemency.act.lang.xǁ_Parserǁand___mutmut_2":
        "the only token whose text is exactly 'and' is the keyword and (a name with that text is made the keyword, a string's text keeps its quotes), so testing the text is testing the kind",
    "clemency.act.lang.xǁ_Parserǁatom__mutmut_116":
        "the only token whose text is ')' is the punctuation token, so taking it by its text alone takes the same tokens and names the same one in the message",
    "clemency.act.lang.xǁ_Parserǁatom__mutmut_51":
        "decoding escapes in a string without a backslash gives the string back (letters up to U+00FF pass as themselves, others as \\u escapes that decode to themselves): the test for a backslash only saves work",
    "clemency.act.lang.xǁ_Parserǁatom__mutmut_58":
        "codec names are case-insensitive: 'LATIN-1' is 'latin-1'",
    "clemency.act.lang.xǁ_Parserǁatom__mutmut_62":
        "codec names are case-insensitive: 'UNICODE_ESCAPE' is 'unicode_escape'",
    "clemency.act.lang.xǁ_Parserǁatom__mutmut_95":
        "the only token whose text is ')' is the punctuation token, so taking it by its text alone takes the same tokens and names the same one in the message",
    "clemency.act.lang.xǁ_Parserǁcompare__mutmut_33":
        "the only token whose text is exactly 'in' is the keyword in (a name with that text is made the keyword, a string's text keeps its quotes), so testing the text is testing the kind",
    "clemency.act.lang.xǁ_Parserǁlist___mutmut_1":
        "the only token whose text is '[' is the punctuation token, so taking it by its text alone takes the same tokens and names the same one in the message",
    "clemency.act.lang.xǁ_Parserǁlist___mutmut_13":
        "the only token whose text is ']' is the punctuation token, so taking it by its text alone takes the same tokens and names the same one in the message",
    "clemency.act.lang.xǁ_Parserǁnot___mutmut_1":
        "the only token whose text is exactly 'not' is the keyword not (a name with that text is made the keyword, a string's text keeps its quotes), so testing the text is testing the kind",
    "clemency.act.lang.xǁ_Parserǁor___mutmut_2":
        "the only token whose text is exactly 'or' is the keyword or (a name with that text is made the keyword, a string's text keeps its quotes), so testing the text is testing the kind",
    "clemency.act.load.x__construct_map__mutmut_7":
        "a mapping key is a scalar (text, number, date), built the same deep or not; the deep flag matters only for the values",
    "clemency.act.load.x__construct_map__mutmut_9":
        "a mapping key is a scalar (text, number, date), built the same deep or not; the deep flag matters only for the values",
    "clemency.act.load.x__construct_seq__mutmut_4":
        "a list item that is a mapping or list is built whole by the loader's own constructors, and PyYAML finishes any other value left half-built (a set, an ordered map) before the document is returned: the same act either way",
    "clemency.act.load.xǁ_Builderǁparameters__mutmut_110":
        "a parameter without a status is itself a problem ('status (missing) is not one of ...'), so no act is returned and the default status is never seen",
    "clemency.calendar_sql.x_first_day_left_at_most_sql__mutmut_13":
        "_day(None, ...) writes dayofmonth(...) instead of day(...): DuckDB and Spark SQL both have both names for the same function (Spark registers day and dayofmonth as DayOfMonth)",
    "clemency.calendar_sql.x_first_day_left_at_most_sql__mutmut_9":
        "_day(None, ...) writes dayofmonth(...) instead of day(...): DuckDB and Spark SQL both have both names for the same function (Spark registers day and dayofmonth as DayOfMonth)",
    "clemency.calendar_sql.x_nth_birthday_sql__mutmut_19":
        "_day(None, ...) writes dayofmonth(...) instead of day(...): DuckDB and Spark SQL both have both names for the same function (Spark registers day and dayofmonth as DayOfMonth)",
    "clemency.calendar_sql.x_nth_birthday_sql__mutmut_6":
        "_day(None, d) writes dayofmonth(d), which DuckDB reads exactly as day(d) (and Spark is given anyway)",
    "clemency.compile.intervals.x__combine__mutmut_1":
        "with exactly one argument unknown the tests that follow return unknown too (a == 0 returns the unknown b, b == 0 returns the unknown a, a == b fails)",
    "clemency.compile.intervals.x__narrow_one__mutmut_56":
        "direction is +1 or -1 there (0 and unknown have returned just before), so >= 0 and > 0 agree",
    "clemency.compile.intervals.x_date_bounds__mutmut_23":
        "the type tag of the literal 'convicted' is read only by the SQL writer, which quotes any non-bool/date/number tag as a string, and by render, read only for the bounds' variant keys, the same for every variant",
    "clemency.compile.intervals.x_date_bounds__mutmut_28":
        "the type tag of the literal 'convicted' is read only by the SQL writer, which quotes any non-bool/date/number tag as a string, and by render, read only for the bounds' variant keys, the same for every variant",
    "clemency.compile.intervals.x_date_bounds__mutmut_29":
        "the type tag of the literal 'convicted' is read only by the SQL writer, which quotes any non-bool/date/number tag as a string, and by render, read only for the bounds' variant keys, the same for every variant",
    "clemency.compile.intervals.x_substitute__mutmut_5":
        "Call.column (the source position) is excluded from equality and read nowhere after parsing",
    "clemency.compile.intervals.x_substitute__mutmut_8":
        "Call.column (the source position) is excluded from equality and read nowhere after parsing",
    "clemency.compile.plan.x__span__mutmut_35":
        "swapping the sides when on is on the left or on both sides is undone by the next test, which refuses any comparison with on on its right, exactly as without the swap",
    "clemency.compile.plan.x__span__mutmut_40":
        "the sides are swapped whenever on is on the right (also when it is on both sides); with on on both sides the comparison is refused either way, by the next test",
    "clemency.engines.lookup.x_register_lookup__mutmut_11":
        "DuckDB reads SQL keywords, function names and identifiers case-insensitively: the mutated statement builds, reads or drops the same objects and gives the same lookup",
    "clemency.engines.lookup.x_register_lookup__mutmut_12":
        "DuckDB reads SQL keywords, function names and identifiers case-insensitively: the mutated statement builds, reads or drops the same objects and gives the same lookup",
    "clemency.engines.lookup.x_register_lookup__mutmut_14":
        "DuckDB reads SQL keywords, function names and identifiers case-insensitively: the mutated statement builds, reads or drops the same objects and gives the same lookup",
    "clemency.engines.lookup.x_register_lookup__mutmut_15":
        "DuckDB reads SQL keywords, function names and identifiers case-insensitively: the mutated statement builds, reads or drops the same objects and gives the same lookup",
    "clemency.engines.lookup.x_register_lookup__mutmut_2":
        "the default table name 'REGISTRY' is only read, and DuckDB resolves it to the same table 'registry' (identifiers are case-insensitive)",
    "clemency.engines.lookup.x_register_lookup__mutmut_21":
        "ARTICLE_TOKEN contains no quote, so replacing any quote-bearing text in it changes nothing",
    "clemency.engines.lookup.x_register_lookup__mutmut_22":
        "ARTICLE_TOKEN contains no quote, so what a quote would be replaced with never appears",
    "clemency.engines.lookup.x_register_lookup__mutmut_33":
        "the part table is registered as '_PARTS_ARROW'; DuckDB names are case-insensitive, so the query and the unregister reach the same view and nothing is left behind",
    "clemency.engines.lookup.x_register_lookup__mutmut_52":
        "unregister('_PARTS_ARROW') removes the view registered as '_parts_arrow' (DuckDB names are case-insensitive; checked: no view is left)",
    "clemency.engines.lookup.x_register_lookup__mutmut_55":
        "DuckDB reads SQL keywords, function names and identifiers case-insensitively: the mutated statement builds, reads or drops the same objects and gives the same lookup",
    "clemency.engines.lookup.x_register_lookup__mutmut_56":
        "DuckDB reads SQL keywords, function names and identifiers case-insensitively: the mutated statement builds, reads or drops the same objects and gives the same lookup",
    "clemency.engines.lookup.x_register_lookup__mutmut_59":
        "DuckDB reads SQL keywords, function names and identifiers case-insensitively: the mutated statement builds, reads or drops the same objects and gives the same lookup",
    "clemency.engines.lookup.x_register_lookup__mutmut_60":
        "DuckDB reads SQL keywords, function names and identifiers case-insensitively: the mutated statement builds, reads or drops the same objects and gives the same lookup",
    "clemency.engines.lookup.x_register_lookup__mutmut_7":
        "DuckDB reads SQL keywords, function names and identifiers case-insensitively: the mutated statement builds, reads or drops the same objects and gives the same lookup",
    "clemency.engines.lookup.x_register_lookup__mutmut_8":
        "DuckDB reads SQL keywords, function names and identifiers case-insensitively: the mutated statement builds, reads or drops the same objects and gives the same lookup",
    "clemency.engines.reference.x_decide_row__mutmut_8":
        "a clause that decides nothing is evaluated too, but its condition is folded to unknown and its result is read nowhere (its reason code is '-', it is never a candidate)",
    "clemency.engines.reference.x_source_rows__mutmut_18":
        "for a row without articles the lookup is asked for the key None, which it never holds (it is built from the articles that are not null), so the row gets {} as before",
    "clemency.engines.reference.x_to_arrow__mutmut_10":
        "the passthrough columns get pa.array(values, None), which is pa.array(values): the same inferred type",
    "clemency.engines.sqlgen.xǁDecisionQueryǁquery__mutmut_27":
        "the CTE `s3r` read as `S3R`: both dialects bind CTE names without regard to case",
    "clemency.engines.sqlgen.xǁSqlGenǁexpr__mutmut_17":
        "`OR` written `or`: SQL keywords are read without regard to case (DuckDB and Spark)",
    "clemency.engines.sqlgen.xǁSqlGenǁleast__mutmut_7":
        "`OR` written `or` in the unknown-date test: SQL keywords are read without regard to case",
    "clemency.engines.sqlgen.xǁSqlGenǁsource_query__mutmut_29":
        "the registry column `crime_category` named in capitals: both dialects bind names without regard to case (DuckDB even when quoted; Spark unless spark.sql.caseSensitive, never set)",
    "clemency.engines.sqlgen.xǁSqlGenǁsource_query__mutmut_44":
        "the lookup's `articles` column named in capitals: both dialects bind names without regard to case",
}


def mutmut_report(project: Path, results: Path) -> dict:
    """Read a finished (or interrupted) `mutmut run` in `project` (a scratch copy with a [tool.mutmut]
    section): every mutant's status, and the diff of every one not killed, to `results`."""
    here = Path.cwd()
    before = {r["mutant"]: r for r in json.loads(results.read_text())} if results.exists() else {}
    os.chdir(project)
    try:
        from mutmut.mutation.diff_apply import get_diff_for_mutant  # noqa: PLC0415
        from mutmut.stats import status_by_exit_code  # noqa: PLC0415
        rows = []
        for meta in sorted(Path("mutants").rglob("*.py.meta")):
            source = str(meta.relative_to("mutants"))[: -len(".meta")]
            codes = json.loads(meta.read_text())["exit_code_by_key"]
            for name, code in codes.items():
                status = status_by_exit_code[code]
                row = {"mutant": name, "file": source, "status": status}
                if status not in ("killed", "not checked"):
                    try:
                        row["diff"] = [ln for ln in get_diff_for_mutant(name, path=source).splitlines()
                                       if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
                    except Exception as exc:  # noqa: BLE001 - the report must not stop on one mutant
                        row["diff"] = [f"(no diff: {type(exc).__name__})"]
                    if name in EQUIVALENT:
                        row["verdict"] = "equivalent: " + EQUIVALENT[name]
                    old = before.get(name, {})
                    if old.get("status") == status and "recheck" in old:   # kept from an earlier --recheck
                        row["recheck"] = old["recheck"]
                rows.append(row)
    finally:
        os.chdir(here)
    results.write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    by_file: dict[str, dict[str, int]] = {}
    for r in rows:
        counts = by_file.setdefault(r["file"], {})
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    total: dict[str, int] = {}
    for f, counts in sorted(by_file.items()):
        for k, v in counts.items():
            total[k] = total.get(k, 0) + v
        print(f"{f}: {_score_line(counts, [r for r in rows if r['file'] == f])}")
    print(f"all: {_score_line(total, rows)}")
    return total


# the tests written against survivors, by mutated module (the recheck's default)
RECHECK_TESTS = {
    "clemency/act/lang.py": ["tests/test_core_lang.py"],
    "clemency/act/load.py": ["tests/test_core_load.py"],
    "clemency/compile/evaluate.py": ["tests/test_core_evaluate.py"],
    "clemency/compile/plan.py": ["tests/test_core_articles.py", "tests/test_core_plan.py"],
    "clemency/compile/intervals.py": ["tests/test_core_intervals.py", "tests/test_core_evaluate.py",
                                      "tests/test_core_plan.py"],
    "clemency/law/articles.py": ["tests/test_core_articles.py"],
    "clemency/calendar.py": ["tests/test_core_calendar.py", "tests/test_core_evaluate.py", "tests/test_core_plan.py"],
    "clemency/calendar_sql.py": ["tests/test_core_calendar.py", "tests/test_calendar_sql.py", "-m", "not spark"],
    "clemency/engines/reference.py": ["tests/test_core_reference.py", "tests/test_core_explain.py",
                                      "tests/test_core_plan.py"],
    "clemency/engines/sqlgen.py": ["tests/test_core_sqlgen.py", "tests/test_core_plan.py"],
    "clemency/engines/lookup.py": ["tests/test_core_lookup.py", "tests/test_core_explain.py", "tests/test_core_plan.py"],
}


def _forked_pytest(work: Path, args: list[str], timeout: int) -> str:
    """pytest on the scratch copy in a forked child of this process, which has imported pytest and the heavy
    libraries but never Clemency: the child imports the mutated module fresh, at a fraction of a new
    interpreter's start-up."""
    import duckdb  # noqa: F401, PLC0415 - imported once here, inherited by every child
    import pyarrow  # noqa: F401, PLC0415
    import pytest  # noqa: PLC0415
    pid = os.fork()
    if pid == 0:     # the child
        try:
            sys.path.insert(0, str(work))
            os.chdir(work)
            sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115
            code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", "--no-header", "--tb=no", "-o", "addopts=",
                                *args])
            os._exit(int(code))
        except BaseException:  # noqa: BLE001
            os._exit(3)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            return "passed" if code == 0 else ("failed" if code == 1 else f"error {code}")
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            return "timeout"
        time.sleep(0.2)


def mutmut_recheck(project: Path, results: Path, tests: list[str], timeout: int) -> None:
    """Run each mutant that survived a mutmut run in `project` again, against today's tests (`tests`), in a
    fresh scratch copy of today's tree: the mutated function replaces today's function, so tests added after
    the run are counted. A mutant whose function has changed since the run is left as it was ("changed")."""
    import libcst as cst  # noqa: PLC0415 - mutmut's own dependency
    rows = json.loads(results.read_text())
    todo = [r for r in rows if r["status"] in ("survived", "no tests") and "verdict" not in r
            and r.get("recheck") not in ("killed", "survived")]
    here = Path.cwd()
    work = scratch_copy()
    try:
        os.chdir(project)
        from mutmut.mutation.diff_apply import (  # noqa: PLC0415
            find_top_level_function_or_method,
            read_functions_from_index,
        )
        from mutmut.utils.format_utils import orig_function_and_class_names_from_key  # noqa: PLC0415
        for n, r in enumerate(todo, 1):
            os.chdir(project)
            pair = read_functions_from_index(r["mutant"], r["file"])
            os.chdir(here)
            if pair is None:
                continue
            original, mutant = pair
            target = work / r["file"]
            source = target.read_text(encoding="utf-8")
            module = cst.parse_module(source)
            name = orig_function_and_class_names_from_key(r["mutant"])[0].rpartition(".")[-1]
            today = find_top_level_function_or_method(module, name)
            if today is None or cst.Module([today]).code.strip() != cst.Module([original]).code.strip():
                r["recheck"] = "changed"
                continue
            target.write_text(module.deep_replace(today, mutant.with_changes(name=cst.Name(name))).code,
                              encoding="utf-8")
            try:
                outcome = _forked_pytest(work, tests or RECHECK_TESTS.get(r["file"], []), timeout)
            finally:
                target.write_text(source, encoding="utf-8")
            r["recheck"] = "killed" if outcome != "passed" else "survived"
            print(f"[{n}/{len(todo)}] {r['recheck']:8} {r['mutant']}", flush=True)
            results.write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    finally:
        os.chdir(here)
        shutil.rmtree(work, ignore_errors=True)


# the tests over 100 s in the stats run (on the loaded machine), left out of the per-mutant runs
MUTMUT_SLOW = {"tests/test_engines.py::test_bounds_vectorised_agrees_with_sql_over_every_reading[az-2025]",
               "tests/test_oracle.py::test_every_article_of_the_table[reference]"}


def mutmut_run(project: Path, sample: int, seed: int) -> None:
    """`mutmut run` in the scratch copy `project` (made from the working tree if missing), with the
    [tool.mutmut] section of pyproject.toml and three changes for a small shared machine: the clean-test run
    is replaced by a collection (the stats run has just run every test clean, and stops if one fails), test
    files added to the selection later are collected incrementally instead of resetting every result, and
    the tests in MUTMUT_SLOW are left out of the per-mutant runs. With `sample`, a random sample of the
    mutants not yet run (seed `seed`), once the mutants exist (after a first run)."""
    if not project.exists():
        tmp = scratch_copy()
        shutil.move(str(tmp), str(project))
    os.chdir(project)
    from mutmut import __main__ as mm  # noqa: PLC0415
    from mutmut.state import state  # noqa: PLC0415
    from mutmut.workers import isolation  # noqa: PLC0415

    def collect_only(self, tests):
        self.test_runner.list_all_tests()     # imports every test module in the parent: forks start warm
        return 0

    load = mm.collect_or_load_stats

    def load_and_drop_slow(*args, **kwargs):
        load(*args, **kwargs)
        for tests in state().tests_by_mangled_function_name.values():
            tests -= MUTMUT_SLOW

    isolation.ForkRunner.run_clean_tests = collect_only
    mm._apply_config_change_invalidation = lambda *args, **kwargs: False
    mm.collect_or_load_stats = load_and_drop_slow
    names: list[str] = []
    if sample:
        for meta in sorted(Path("mutants").rglob("*.py.meta")):
            names += [k for k, v in json.loads(meta.read_text())["exit_code_by_key"].items() if v is None]
        random.Random(seed).shuffle(names)
        names = names[:sample]
    sys.argv = ["mutmut", "run", *names]
    mm.cli()


def _score_line(counts: dict[str, int], rows: list[dict]) -> str:
    """Killed = killed by the suite of the run, timed out (counted as caught, listed apart), or killed on
    --recheck by a test written after the run."""
    rechecked = sum(r.get("recheck") == "killed" and "verdict" not in r for r in rows)
    killed = counts.get("killed", 0) + counts.get("timeout", 0) + rechecked
    equivalent = sum("verdict" in r for r in rows)
    checked = sum(v for k, v in counts.items() if k != "not checked")
    score = 100 * killed / (checked - equivalent) if checked > equivalent else 0.0
    parts = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    return (f"{parts}; killed on recheck {rechecked}; equivalent {equivalent}; "
            f"score {score:.1f}% of {checked - equivalent} non-equivalent run")


CAUGHT = ("killed", "timeout", "segfault")   # a mutant that made a test fail, hang or crash is caught


def mutmut_combine(files: list[Path]) -> str:
    """The mutation score of the whole core from per-module runs (each file a `--mutmut-report` of some
    modules; a later file's module replaces an earlier one's). Each module's score is measured on the mutants
    run (all, or a random sample); the core's score is their average weighted by each module's number of
    mutants (a stratified estimate), with a 95% interval from the sampling (normal approximation with the
    finite-population correction). Returns the markdown table."""
    import math
    modules: dict[str, list[dict]] = {}
    for f in files:
        rows = json.loads(Path(f).read_text())
        for name in {r["file"] for r in rows}:
            modules[name] = [r for r in rows if r["file"] == name]
    out = ["| module | mutants | run | caught as run | killed by tests added after the run | equivalent | "
           "still surviving | score |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    total = sum(len(rs) for rs in modules.values())
    est = var = 0.0
    for name in sorted(modules):
        rs = modules[name]
        # a mutant mutmut did not reach but that was run against the tests written after the run counts as run
        run = [r for r in rs if r["status"] != "not checked" or r.get("new_tests_alone") == "killed"]
        eq = [r for r in run if "verdict" in r]
        caught = [r for r in run if r["status"] in CAUGHT and "verdict" not in r]
        later = [r for r in run if r["status"] not in CAUGHT and "verdict" not in r
                 and "killed" in (r.get("recheck"), r.get("new_tests_alone"))]
        alive = len(run) - len(eq) - len(caught) - len(later)
        n = len(run) - len(eq)
        p = (len(caught) + len(later)) / n if n else float("nan")
        out.append(f"| {name} | {len(rs):,} | {len(run):,} | {len(caught):,} | {len(later):,} | {len(eq):,} | "
                   f"{alive:,} | {100 * p:.1f}% |" if n else f"| {name} | {len(rs):,} | 0 | | | | | not run |")
        if n:
            w = len(rs) / total
            est += w * p
            fpc = max(0.0, (len(rs) - len(run)) / max(1, len(rs) - 1))
            var += w * w * p * (1 - p) / n * fpc
    half = 1.96 * math.sqrt(var)
    runs = sum(1 for rs in modules.values() for r in rs
               if r["status"] != "not checked" or r.get("new_tests_alone") == "killed")
    out.append(f"| **the core (weighted by mutants)** | {total:,} | {runs:,} "
               f"| | | | | **{100 * est:.1f}%** (95% interval {100 * max(0, est - half):.1f}-{100 * min(1, est + half):.1f}%) |")
    return "\n".join(out)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", action="store_true", help="mutate the shipped act files")
    p.add_argument("--code", action="store_true", help="mutate the decision core")
    p.add_argument("--acts", nargs="*", default=ACTS)
    p.add_argument("--files", nargs="*", default=CORE)
    p.add_argument("--sample", type=int, default=0, help="run a random sample of this many code mutants")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--timeout", type=int, default=900, help="seconds per test stage")
    p.add_argument("--list", action="store_true", help="list the mutants without running them")
    p.add_argument("--pytest-stages", action="store_true",
                   help="code mutants: run per-module pytest stages (slower) instead of the in-process worker")
    p.add_argument("--bottom-up", action="store_true",
                   help="data mutants from the end of each act file first (the exclusions and their bindings)")
    p.add_argument("--skip-done", action="store_true", help="skip mutants already in the results file")
    p.add_argument("--results", default=str(ROOT / "bench" / "mutation-results.json"))
    p.add_argument("--mutmut-report", metavar="DIR",
                   help="summarise a mutmut run in the scratch copy DIR into --results (default "
                        "bench/mutation-results-mutmut.json)")
    p.add_argument("--recheck", nargs="*", metavar="TEST",
                   help="with --mutmut-report: run the survivors again against these test files (today's tree; "
                        "none given: the tests written for each module, RECHECK_TESTS)")
    p.add_argument("--mutmut-combine", nargs="+", metavar="FILE",
                   help="the core's score from per-module --mutmut-report files (a markdown table)")
    p.add_argument("--mutmut-run", metavar="DIR",
                   help="run mutmut 3 on the core in the scratch copy DIR (made if missing; see MUTMUT_SLOW); "
                        "with --sample, a sample of the mutants not yet run")
    a = p.parse_args(argv)
    if a.mutmut_combine:
        print(mutmut_combine([Path(f) for f in a.mutmut_combine]))
        return
    if a.mutmut_run:
        mutmut_run(Path(a.mutmut_run).resolve(), a.sample, a.seed)
        return
    if a.mutmut_report and a.recheck is not None:
        out = a.results if a.results != str(ROOT / "bench" / "mutation-results.json") else \
            str(ROOT / "bench" / "mutation-results-mutmut.json")
        mutmut_recheck(Path(a.mutmut_report).resolve(), Path(out), a.recheck, a.timeout)
        return
    if a.mutmut_report:
        out = a.results if a.results != str(ROOT / "bench" / "mutation-results.json") else \
            str(ROOT / "bench" / "mutation-results-mutmut.json")
        mutmut_report(Path(a.mutmut_report).resolve(), Path(out))
        return
    mutants: list[Mutant] = []
    if a.data:
        for act in a.acts:
            ms = data_mutants(act)
            mutants += sorted(ms, key=lambda m: -m.line) if a.bottom_up else ms
    if a.code:
        code = [m for f in a.files for m in code_mutants(f)]
        if a.sample:
            code = random.Random(a.seed).sample(code, min(a.sample, len(code)))
        mutants += code
    if a.skip_done and Path(a.results).exists():
        done = {(o["kind"], o["file"], o["line"], o["what"]) for o in json.loads(Path(a.results).read_text())}
        mutants = [m for m in mutants if (m.kind, m.file, m.line, m.what) not in done]
    if a.list:
        for m in mutants:
            print(f"{m.kind} {m.file}:{m.line} {m.what}")
        print(f"{len(mutants)} mutants")
        return
    run(mutants, a.timeout, Path(a.results), a.pytest_stages)


if __name__ == "__main__":
    main()
