"""Read an act file (YAML) into an `Act`, reporting every problem at once with file, line, clause and field.

Shipped acts are referred to by id (`az-2025`); anything else is a path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import yaml

from clemency.act.lang import ParseError, parse
from clemency.act.model import (
    STATUSES,
    Act,
    AppliesTo,
    Clause,
    Condition,
    ExtraField,
    Parameter,
    Reading,
)
from clemency.act.overlay import apply_overlay
from clemency.act.refs import ACTS_DIR, expand_refs
from clemency.act.vocabulary import (
    CATEGORIES,
    TypeProblem,
    VarType,
    Vocabulary,
    did_you_mean,
    registry_variables,
    type_of,
)
from clemency.errors import ActError, ClemencyError, Problem
from clemency.jurisdictions import Jurisdiction, default_jurisdiction, load_jurisdiction

TOP_KEYS = {"id", "title", "titles", "jurisdiction", "instrument", "adopted", "summary", "status_note",
            "sources", "parameters", "readings", "fields", "definitions", "clauses", "notes", "overlay",
            "criminal_code"}
CLAUSE_KEYS = {"id", "kind", "relief", "reduction_months", "text", "texts", "status", "sources", "when",
               "applies_to", "says", "notes", "group"}
CONDITION_KEYS = {"test", "says", "status", "status_when"}
PARAMETER_KEYS = {"type", "value", "status", "says", "sources"}
READING_KEYS = {"default", "values", "says", "parameter"}
FIELD_KEYS = {"name", "type", "default", "values"}
TYPES = ("bool", "int", "number", "string", "date")
# relief: gives a relief; exclusion: blocks the reliefs it applies to; provision: evaluated and reported,
# decides nothing (e.g. "persons convicted abroad are covered on the same terms").
KINDS = ("relief", "exclusion", "provision")


# ---- YAML with line numbers ------------------------------------------------------------------------------

class _Map(dict):
    line: int = 0
    lines: dict


class _Seq(list):
    line: int = 0
    lines: list | tuple = ()   # a list made in code (a single `when` wrapped) has no marks


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present: same marks, 5x faster
    pass


def _construct_map(loader, node):
    out = _Map()
    out.line, out.lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _construct_seq(loader, node):
    out = _Seq(loader.construct_object(n, deep=True) for n in node.value)
    out.line, out.lines = node.start_mark.line + 1, [n.start_mark.line + 1 for n in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def _line(obj, key=None):
    if isinstance(obj, _Map):
        return obj.lines.get(key, obj.line) if key is not None else obj.line
    if isinstance(obj, _Seq):
        return obj.lines[key] if isinstance(key, int) and key < len(obj.lines) else obj.line
    return None


_TYPE_WORDS = {"int": "a whole number", "number": "a number", "string": "text", "date": "a date"}


def _plain_kind(obj) -> str:
    """What a YAML value is, in plain words (never a Python class name)."""
    if isinstance(obj, bool):
        return "yes/no"
    if isinstance(obj, (int, float)):
        return "a number"
    if isinstance(obj, str):
        return "text"
    if isinstance(obj, list):
        return "a list"
    if isinstance(obj, dt.date):
        return "a date"
    return "nothing" if obj is None else "a value of another kind"


CLAUSE_ID_MAX = 40


def _clause_id(value) -> bool:
    """A clause id names columns of the decision query and appears in every output: a short plain name."""
    text = str(value) if _whole(value) else value
    return (isinstance(text, str) and 0 < len(text) <= CLAUSE_ID_MAX and text.isascii()
            and text.replace("_", "").isalnum())


def _whole(value) -> bool:
    """A whole number as YAML gives it (true and false are no numbers, 4.0 is no whole number)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(value) -> str:
    """A value of the act file as a message quotes it: text in quotes, a date as YYYY-MM-DD, a number as
    written, anything else in plain words (never a Python representation)."""
    if value is None:
        return "(missing)"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, (int, float)):
        return str(value)
    return _plain_kind(value)


# ---- locating and reading -------------------------------------------------------------------------------

def shipped_acts() -> list[str]:
    return sorted(p.stem for p in ACTS_DIR.glob("*.yaml") if not p.stem.endswith(".scenarios"))


def resolve_act_path(ref: str | Path) -> Path:
    """An act id shipped with Clemency (`az-2025`) or a path to an act file."""
    ref_s = str(ref)
    shipped = ACTS_DIR / f"{ref_s}.yaml"
    if shipped.exists():
        return shipped
    path = Path(ref_s)
    if path.exists():
        return path
    hint = did_you_mean(ref_s, shipped_acts()) or f"shipped acts: {', '.join(shipped_acts())}"
    raise ActError([Problem(ref_s, None, None, None, "no such act file or shipped act", hint)])


def load_shipped_act(act_id: str) -> Act:
    """A shipped act named by its id, never by a path (for ids taken from a web request)."""
    if not isinstance(act_id, str) or act_id not in shipped_acts():
        raise ActError([Problem("(act id)", None, None, None, "no such shipped act",
                                f"shipped acts: {', '.join(shipped_acts())}")])
    return load_act(ACTS_DIR / f"{act_id}.yaml")


def load_act(ref: str | Path, registry_fields: dict[str, VarType] | None = None) -> Act:
    """Load, check and return an act; raises ActError listing every problem found."""
    path = resolve_act_path(ref)
    raw = path.read_bytes()
    try:
        doc = yaml.load(raw.decode("utf-8"), Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ActError([Problem(str(path), mark.line + 1 if mark else None, None, None,
                                f"not a readable YAML file: {getattr(exc, 'problem', exc)}")]) from None
    if isinstance(doc, _Map) and "overlay" in doc:
        doc = apply_overlay(doc, path, _Loader)
    return _Builder(str(path), hashlib.sha256(raw).hexdigest(), registry_fields).build(doc)


class _Builder:
    def __init__(self, file: str, sha: str, registry_fields):
        self.file, self.sha = file, sha
        self.problems: list[Problem] = []
        if registry_fields is None:
            registry_fields = registry_variables()
        self.registry_fields = registry_fields

    def problem(self, line, clause, fld, message, hint=None):
        self.problems.append(Problem(self.file, line, clause, fld, message, hint))

    def keys(self, obj, allowed, clause, where):
        if not isinstance(obj, dict):
            self.problem(_line(obj), clause, where, f"expected a mapping, found {_plain_kind(obj)}")
            return False
        for key in obj:
            if key not in allowed:
                self.problem(_line(obj, key), clause, str(key), f"unknown field in {where}",
                             did_you_mean(str(key), allowed) or f"expected one of {', '.join(sorted(allowed))}")
        return True

    def build(self, doc) -> Act:
        if not self.keys(doc, TOP_KEYS, None, "the act"):
            raise ActError(self.problems)
        for req in ("id", "title", "parameters", "clauses"):
            if req not in doc:
                self.problem(_line(doc), None, req, "required field is missing")
        jur, code_table = self.jurisdiction(doc)
        parameters = self.parameters(doc.get("parameters") or _Map())
        readings = self.readings(doc.get("readings") or _Map(), parameters)
        fields = self.fields(doc.get("fields") or _Seq())
        fields = self.profile_fields(jur, fields)
        vocab = self.vocabulary(parameters, readings, fields)
        definitions = self.definitions(doc.get("definitions") or _Map(), vocab)
        vocab.definitions = {k: d.tree for k, d in definitions.items()}
        for name, cond in definitions.items():
            self.typecheck(cond, vocab, None, f"definitions.{name}")
        clauses = self.clauses(doc.get("clauses") or _Seq(), vocab, definitions)
        if self.problems:
            raise ActError(self.problems)
        meta = {k: doc.get(k) for k in ("titles", "jurisdiction", "instrument", "adopted", "summary",
                                          "status_note", "notes") if k in doc}
        return Act(id=str(doc["id"]), title=str(doc["title"]), path=self.file, sha256=self.sha, meta=meta,
                   parameters=parameters, readings=readings, fields=fields, definitions=definitions,
                   clauses=clauses, sources=dict(doc.get("sources") or {}), jurisdiction=jur.id,
                   code_table=code_table, relief_ranks={k: r.rank for k, r in jur.reliefs.items()})

    def jurisdiction(self, doc) -> tuple[Jurisdiction, tuple[str, str] | None]:
        """The act's jurisdiction (default when it names none) and the Criminal Code table it names."""
        try:
            jur = load_jurisdiction(doc.get("jurisdiction"), near=self.file)
        except ClemencyError as exc:
            self.problem(_line(doc, "jurisdiction"), None, "jurisdiction", exc.message, exc.hint)
            jur = default_jurisdiction()
        self.reliefs, self.jurisdiction_name = tuple(jur.reliefs), jur.name
        self.hidden = set(default_jurisdiction().registry.own_flags) - set(jur.registry.flag_names)
        spec = doc.get("criminal_code")
        if spec is None:
            return jur, None
        if isinstance(spec, str) and "@" in spec:
            spec = dict(zip(("table", "version"), spec.split("@", 1)))
        if not isinstance(spec, dict) or not spec.get("table"):
            self.problem(_line(doc, "criminal_code"), None, "criminal_code",
                         "expected {table: NAME, version: VERSION} or NAME@VERSION")
            return jur, None
        try:
            t = jur.code_table(str(spec["table"]), None if spec.get("version") is None else str(spec["version"]))
        except ClemencyError as exc:
            self.problem(_line(doc, "criminal_code"), None, "criminal_code", exc.message, exc.hint)
            return jur, None
        return jur, (t.table, t.version)

    def profile_fields(self, jur: Jurisdiction, fields) -> tuple[ExtraField, ...]:
        """The act's own fields, after the jurisdiction's registry fields the core schema does not have."""
        own = {f.name for f in fields}
        extra = [ExtraField(f.name, f.type, f.default, f.values) for f in jur.registry.flags
                 if f.name not in self.registry_fields and f.name not in own]
        return tuple(extra) + tuple(fields)

    # -- sections --

    def parameters(self, section) -> dict[str, Parameter]:
        out = {}
        if not isinstance(section, dict):
            self.problem(_line(section), None, "parameters", "expected a mapping of parameters")
            return out
        for name, spec in section.items():
            where = f"parameters.{name}"
            if not self.keys(spec, PARAMETER_KEYS, None, where):
                continue
            ptype, value = spec.get("type"), spec.get("value")
            if ptype not in ("date", "int"):
                self.problem(_line(spec, "type"), None, f"{where}.type", f"type {_shown(ptype)} is not date or int")
                continue
            if ptype == "date" and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
                self.problem(_line(spec, "value"), None, f"{where}.value",
                             f"{_shown(value)} is not a date (YYYY-MM-DD)")
                continue
            if ptype == "int" and not _whole(value):
                self.problem(_line(spec, "value"), None, f"{where}.value", f"{_shown(value)} is not a whole number")
                continue
            self.status(spec, None, where)
            out[name] = Parameter(name, ptype, value, spec.get("status", "reported"), spec.get("says", ""),
                                  tuple(spec.get("sources") or ()))
        for req in ("eif", "window_months"):
            # a parameter given but wrong is reported as wrong, not also as missing
            if req not in out and not any(p.field in (f"parameters.{req}", f"parameters.{req}.type",
                                                      f"parameters.{req}.value") for p in self.problems):
                self.problem(_line(section), None, f"parameters.{req}", "required parameter is missing")
        return out

    def readings(self, section, parameters) -> dict[str, Reading]:
        out = {}
        if not isinstance(section, dict):
            self.problem(_line(section), None, "readings", "expected a mapping of readings")
            return out
        for name, spec in section.items():
            where = f"readings.{name}"
            if not self.keys(spec, READING_KEYS, None, where):
                continue
            param = spec.get("parameter")
            if param is not None:
                if param not in parameters or parameters[param].type != "date":
                    self.problem(_line(spec, "parameter"), None, f"{where}.parameter",
                                 f"{_shown(param)} is not a date parameter of the act",
                                 did_you_mean(str(param), parameters))
                    continue
                out[name] = Reading(name, parameters[param].value.isoformat(), {"": "any date"},
                                    spec.get("says", ""), param)
                continue
            values = spec.get("values")
            if not isinstance(values, dict) or not values:
                self.problem(_line(spec, "values"), None, f"{where}.values",
                             "a reading needs its values, each with what it means")
                continue
            default = spec.get("default")
            if default not in values:
                self.problem(_line(spec, "default"), None, f"{where}.default",
                             f"default {_shown(default)} is not one of the values", did_you_mean(str(default), values))
                continue
            out[name] = Reading(name, str(default), {str(k): str(v) for k, v in values.items()},
                                spec.get("says", ""))
        return out

    def fields(self, section) -> tuple[ExtraField, ...]:
        out = []
        if not isinstance(section, list):
            self.problem(_line(section), None, "fields", "expected a list of fields")
            return ()
        for i, spec in enumerate(section):
            where = f"fields[{i}]"
            if not self.keys(spec, FIELD_KEYS, None, where):
                continue
            if spec.get("type") not in TYPES:
                self.problem(_line(spec, "type"), None, f"{where}.type",
                             f"type {_shown(spec.get('type'))} is not one of {', '.join(TYPES)}")
                continue
            out.append(ExtraField(str(spec.get("name")), spec["type"], spec.get("default"),
                                  tuple(spec.get("values") or ())))
        return tuple(out)

    def vocabulary(self, parameters, readings, fields) -> Vocabulary:
        variables = {k: v for k, v in self.registry_fields.items() if k not in self.hidden}
        variables["crime_category"] = VarType("string", CATEGORIES)
        for f in fields:
            variables[f.name] = VarType(f.type, f.values)
        for p in parameters.values():
            variables[p.name] = VarType(p.type)
        variables["on"] = VarType("date")
        variables["window_end"] = VarType("date")
        return Vocabulary(variables, {n: tuple(r.values) for n, r in readings.items()})

    def condition(self, spec, line, clause, where) -> Condition | None:
        if isinstance(spec, dict):
            if not self.keys(spec, CONDITION_KEYS, clause, where):
                return None
            source, says, status = spec.get("test"), spec.get("says"), spec.get("status")
            if status is not None and status not in STATUSES:
                self.problem(_line(spec, "status"), clause, f"{where}.status",
                             f"status {_shown(status)} is not one of {', '.join(STATUSES)}")
            line = _line(spec, "test")
        else:
            source, says, status = spec, None, None
        if not isinstance(source, str):
            self.problem(line, clause, where, f"a condition must be text, found {_shown(source)}")
            return None
        try:
            tree = parse(source)
        except ParseError as exc:
            self.problem(line, clause, where, f"malformed condition {source!r}: {exc.short}")
            return None
        when_source = spec.get("status_when") if isinstance(spec, dict) else None
        when_tree = None
        if when_source is not None:
            try:
                when_tree = parse(str(when_source))
            except ParseError as exc:
                self.problem(_line(spec, "status_when"), clause, f"{where}.status_when",
                             f"malformed condition {when_source!r}: {exc.short}")
        return Condition(source, tree, says, status, line, when_tree, None if when_source is None else str(when_source))

    def typecheck(self, cond: Condition | None, vocab, clause, where) -> None:
        if cond is None:
            return
        try:
            t = type_of(cond.tree, vocab)
        except TypeProblem as exc:
            self.problem(cond.line, clause, where, f"in {cond.source!r}: {exc.message}", exc.hint)
            return
        if t not in ("bool", "null"):
            self.problem(cond.line, clause, where,
                         f"{cond.source!r} is {_TYPE_WORDS.get(t, t)}, not a yes/no condition")

    def definitions(self, section, vocab) -> dict[str, Condition]:
        out = {}
        if not isinstance(section, dict):
            self.problem(_line(section), None, "definitions", "expected a mapping of definitions")
            return out
        for name, spec in section.items():
            cond = self.condition(spec, _line(section, name), None, f"definitions.{name}")
            if cond is not None:
                if name in vocab.variables:
                    self.problem(_line(section, name), None, f"definitions.{name}",
                                 "a definition may not reuse the name of a field or parameter")
                out[name] = cond
        return out

    def status(self, spec, clause, where) -> None:
        if spec.get("status") not in STATUSES:
            self.problem(_line(spec, "status"), clause, f"{where}.status" if where else "status",
                         f"status {_shown(spec.get('status'))} is not one of {', '.join(STATUSES)}")

    def clauses(self, section, vocab, definitions) -> tuple[Clause, ...]:
        out: list[Clause] = []
        seen: set[str] = set()
        if not isinstance(section, list):
            self.problem(_line(section), None, "clauses", "expected a list of clauses")
            return ()
        for i, spec in enumerate(section):
            raw = spec.get("id") if isinstance(spec, dict) else None
            cid = str(raw) if _clause_id(raw) else f"#{i + 1}"
            if not self.keys(spec, CLAUSE_KEYS, cid, f"clauses[{i}]"):
                continue
            if "id" not in spec:
                self.problem(_line(spec), cid, "id", "a clause needs an id")
            elif not _clause_id(raw):
                self.problem(_line(spec, "id"), cid, "id", f"id {_shown(raw)} is not a clause id: letters A-Z, "
                             f"digits and _ only, at most {CLAUSE_ID_MAX} characters (such as A1 or F2)")
            if cid in seen:
                self.problem(_line(spec, "id"), cid, "id", "duplicate clause id")
            seen.add(cid)
            kind = spec.get("kind")
            if kind not in KINDS:
                self.problem(_line(spec, "kind"), cid, "kind", f"kind {_shown(kind)} is not one of {', '.join(KINDS)}",
                             did_you_mean(str(kind), KINDS))
            self.status(spec, cid, "")
            relief, months = spec.get("relief"), spec.get("reduction_months")
            if kind == "relief":
                if relief not in self.reliefs:
                    self.problem(_line(spec, "relief"), cid, "relief",
                                 f"relief {_shown(relief)} is not known in {self.jurisdiction_name}",
                                 did_you_mean(str(relief), self.reliefs)
                                 or f"expected one of {', '.join(self.reliefs)}")
                if (relief == "term_reduction" and spec.get("status") != "unknown"
                        and not (_whole(months) and months > 0)):
                    self.problem(_line(spec, "reduction_months"), cid, "reduction_months",
                                 "a term reduction needs reduction_months, a positive whole number")
            when = []
            items = spec.get("when") or _Seq()
            if not isinstance(items, list):
                items = _Seq([items])
            for j, item in enumerate(items):
                cond = self.condition(item, _line(items, j) or _line(spec, "when"), cid, f"when[{j + 1}]")
                if cond is not None and cond.says is None and cond.source.strip() in definitions:
                    d = definitions[cond.source.strip()]
                    cond = Condition(cond.source, cond.tree, d.says, cond.status or d.status, cond.line,
                                     d.status_when, d.status_when_source)
                self.typecheck(cond, vocab, cid, f"when[{j + 1}]")
                if cond is not None and cond.status_when is not None:
                    self.typecheck(Condition(cond.status_when_source, cond.status_when, line=cond.line), vocab, cid,
                                   f"when[{j + 1}].status_when")
                if cond is not None:
                    when.append(cond)
            if not items and spec.get("status") != "unknown":
                self.problem(_line(spec), cid, "when", "a clause needs at least one condition "
                             "(a clause whose content is unknown has status: unknown)")
            applies = []
            for j, entry in enumerate(spec.get("applies_to") or ()):
                if isinstance(entry, str):
                    applies.append(AppliesTo((entry,)))
                elif isinstance(entry, dict) and set(entry) <= {"clauses", "when"}:
                    cond = self.condition(entry.get("when"), _line(entry, "when"), cid, f"applies_to[{j + 1}].when")
                    self.typecheck(cond, vocab, cid, f"applies_to[{j + 1}].when")
                    refs = entry.get("clauses")
                    if not isinstance(refs, list) and refs is not None:
                        # a text would be read letter by letter ("A1" as A and 1): refused, not guessed
                        self.problem(_line(entry, "clauses"), cid, f"applies_to[{j + 1}].clauses",
                                     "expected a list of clause ids or group letters, like [A1, B]")
                    elif not refs:
                        self.problem(_line(entry), cid, f"applies_to[{j + 1}].clauses",
                                     "a binding with a condition must name the clauses it applies to")
                    else:
                        applies.append(AppliesTo(tuple(str(r) for r in refs), cond))
                else:
                    self.problem(_line(spec, "applies_to"), cid, f"applies_to[{j + 1}]",
                                 "expected a clause id, a group letter, or {clauses: [...], when: ...}")
            if kind == "exclusion" and not applies:
                self.problem(_line(spec), cid, "applies_to", "an exclusion must say which clauses it applies to")
            out.append(Clause(id=cid, kind=str(kind), text=str(spec.get("text") or ""),
                              status=str(spec.get("status")), sources=tuple(spec.get("sources") or ()),
                              relief=relief if kind == "relief" else None,
                              reduction_months=months if relief == "term_reduction" else None,
                              when=tuple(when), applies_to=tuple(applies), says=str(spec.get("says") or ""),
                              notes=str(spec.get("notes") or ""), line=_line(spec)))
        ids = [c.id for c in out]
        kinds = {c.id: c.kind for c in out}
        for c in out:
            for a in c.applies_to:
                for ref in a.clauses:
                    named = expand_refs((ref,), ids)
                    if not named:
                        self.problem(c.line, c.id, "applies_to", f"{ref!r} names no clause of the act",
                                     did_you_mean(ref, ids))
                    for other in (x for x in named if kinds.get(x) == "exclusion" and x == ref):
                        self.problem(c.line, c.id, "applies_to",
                                     f"{other!r} is an exclusion: an exclusion applies to relief clauses")
        return tuple(out)
