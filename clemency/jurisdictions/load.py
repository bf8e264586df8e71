"""Find and read a jurisdiction (`<dir>/jurisdiction.yaml`), checking every part and reporting all problems
at once.

Where a jurisdiction is looked for, in order: beside the act file that names it (the act's folder and the
folders above it, as `<dir>/jurisdiction.yaml` with that id or `<dir>/jurisdictions/<id>/`), the folders in
the setting CLEMENCY_JURISDICTIONS (separated like PATH), and the jurisdictions shipped with Clemency. An act
may name its jurisdiction by id (`az`) or by one of its names (`Azerbaijan`); an act that names none belongs
to the default jurisdiction.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path

import yaml

from clemency.errors import ClemencyError
from clemency.jurisdictions.model import (
    LANGUAGES,
    BodySpec,
    CodeTable,
    Flag,
    Jurisdiction,
    Lane,
    RegistryProfile,
    Relief,
)
from clemency.law.articles import CATEGORIES

SHIPPED_DIR = Path(str(resources.files("clemency") / "jurisdictions"))
DEFAULT = "az"
FILE = "jurisdiction.yaml"
NAME = re.compile(r"^[a-z0-9_]+$")
LANE_NAME = re.compile(r"^[a-z0-9_]+(:[a-z0-9_]+)?$")
TOP_KEYS = {"id", "name", "names", "languages", "reliefs", "outcomes", "registry", "criminal_code", "bodies",
            "lanes", "figures", "holidays_country", "holidays_override"}
FLAG_TYPES = ("bool", "int", "number", "string", "date")

_LOADED: dict[str, Jurisdiction] = {}      # id -> jurisdiction, every one read in this process
_BY_DIR: dict[Path, Jurisdiction] = {}
_FOUND: dict[tuple, Jurisdiction] = {}     # (ref, near) -> jurisdiction, for repeated look-ups
_DEFAULT: list[Jurisdiction] = []


def loaded() -> dict[str, Jurisdiction]:
    """Every jurisdiction read so far, by id (the default one always among them)."""
    default_jurisdiction()
    return dict(_LOADED)


def default_jurisdiction() -> Jurisdiction:
    if not _DEFAULT:
        _DEFAULT.append(_read(SHIPPED_DIR / DEFAULT))
    return _DEFAULT[0]


def shipped() -> list[str]:
    return sorted(p.parent.name for p in SHIPPED_DIR.glob(f"*/{FILE}"))


def load_jurisdiction(ref: str | None = None, near: str | Path | None = None) -> Jurisdiction:
    """The jurisdiction with id or name `ref` (None: the default), looked for beside the file `near` first."""
    if ref is None or str(ref).strip() == "":
        return default_jurisdiction()
    ref = str(ref).strip()
    key = (ref, str(near) if near is not None else None)
    if key not in _FOUND:
        _FOUND[key] = _find(ref, near)
    return _FOUND[key]


def _find(ref: str, near) -> Jurisdiction:
    for d in _candidates(ref, near):
        j = _read(d)
        if _names_it(j, ref):
            return j
    for d in sorted(p.parent for p in SHIPPED_DIR.glob(f"*/{FILE}")):   # by name (e.g. "Azerbaijan")
        j = _read(d)
        if _names_it(j, ref):
            return j
    raise ClemencyError(f"no jurisdiction {ref!r}",
                        hint="a jurisdiction is a folder with a jurisdiction.yaml, beside the act or in "
                             f"CLEMENCY_JURISDICTIONS; shipped: {', '.join(shipped())}")


def _names_it(j: Jurisdiction, ref: str) -> bool:
    return ref == j.id or ref.casefold() in (n.casefold() for n in (j.name, *j.names))


def _candidates(ref: str, near) -> list[Path]:
    out: list[Path] = []
    if near is not None:
        d = Path(near).resolve().parent
        for _ in range(4):
            out += [d, d / "jurisdictions" / ref]
            d = d.parent
    for base in filter(None, os.environ.get("CLEMENCY_JURISDICTIONS", "").split(os.pathsep)):
        out += [Path(base), Path(base) / ref]
    if NAME.match(ref):
        out.append(SHIPPED_DIR / ref)
    return [d for d in out if (d / FILE).is_file()]


def _read(directory: Path) -> Jurisdiction:
    directory = directory.resolve()
    if directory in _BY_DIR:
        return _BY_DIR[directory]
    path = directory / FILE
    where = f"{directory.name}/{FILE}"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ClemencyError(f"cannot read the jurisdiction: {getattr(exc, 'problem', None) or type(exc).__name__}",
                            where=where) from None
    j = _Builder(directory, where).build(doc)
    _BY_DIR[directory] = j
    _LOADED.setdefault(j.id, j)
    return j


class _Builder:
    def __init__(self, directory: Path, where: str):
        self.dir, self.where = directory, where
        self.problems: list[str] = []

    def problem(self, part: str, message: str) -> None:
        self.problems.append(f"{part}: {message}")

    def build(self, doc) -> Jurisdiction:
        if not isinstance(doc, dict):
            raise ClemencyError("expected a mapping", where=self.where)
        for k in set(doc) - TOP_KEYS:
            self.problem(str(k), "unknown field")
        jid = str(doc.get("id") or "")
        if not NAME.match(jid):
            self.problem("id", "needs lower-case letters, digits or _")
        languages = self.languages(doc.get("languages") or {})
        reliefs = self.reliefs(doc.get("reliefs") or {})
        registry = self.registry(doc.get("registry") or {})
        tables, default = self.code(doc.get("criminal_code") or {})
        bodies = self.bodies(doc.get("bodies") or [])
        lanes = self.lanes(doc.get("lanes") or [], reliefs, bodies)
        override = doc.get("holidays_override")
        if self.problems:
            raise ClemencyError(f"{len(self.problems)} problem(s) in the jurisdiction:\n  "
                                + "\n  ".join(self.problems), where=self.where)
        return Jurisdiction(
            id=jid, name=str(doc.get("name") or jid), directory=self.dir,
            names=tuple(str(n) for n in doc.get("names") or ()), languages=languages,
            reliefs=reliefs, outcomes={k: dict(v) for k, v in (doc.get("outcomes") or {}).items()},
            registry=registry, code_tables=tables, default_code=default, bodies=bodies, lanes=lanes,
            figures=dict(doc.get("figures") or {}), holidays_country=doc.get("holidays_country"),
            holidays_override=(self.dir / str(override)) if override else None)

    def languages(self, section) -> dict[str, dict]:
        """{code: {name, checked, note}}: the languages the pages are written in; `checked` false marks a
        translation no fluent speaker has checked, and `note` says so on the pages."""
        out: dict[str, dict] = {}
        if not isinstance(section, dict):
            self.problem("languages", "needs a mapping of language codes")
            return out
        for code, spec in section.items():
            where = f"languages.{code}"
            if not isinstance(spec, dict):
                self.problem(where, "needs a mapping (name, checked, note)")
                continue
            for k in set(spec) - {"name", "checked", "note"}:
                self.problem(where, f"unknown key {str(k)!r} (a note with a comma must be quoted)")
            if not isinstance(spec.get("name"), str) or not spec["name"].strip():
                self.problem(f"{where}.name", "needs the language's own name")
            if not isinstance(spec.get("checked", False), bool):
                self.problem(f"{where}.checked", "needs true or false")
            if "note" in spec and not isinstance(spec["note"], str):
                self.problem(f"{where}.note", "needs a text")
            out[str(code)] = dict(spec)
        return out

    def reliefs(self, section) -> dict[str, Relief]:
        out = {}
        for rid, spec in section.items():
            if not NAME.match(str(rid)):
                self.problem(f"reliefs.{rid}", "a relief id needs lower-case letters, digits or _")
            spec = spec or {}
            if not isinstance(spec.get("rank"), int) or spec["rank"] < 1:
                self.problem(f"reliefs.{rid}.rank", "needs a whole number from 1 (1 is the most favourable)")
                continue
            words = dict(spec.get("words") or {})
            if "en" not in words:
                self.problem(f"reliefs.{rid}.words", "needs words in English (en)")
            for lang in words:
                if lang not in LANGUAGES:
                    self.problem(f"reliefs.{rid}.words.{lang}", f"unknown language; one of {', '.join(LANGUAGES)}")
            out[str(rid)] = Relief(str(rid), spec["rank"], bool(spec.get("releases")),
                                   bool(spec.get("reduces_term")), words, dict(spec.get("label") or {}),
                                   dict(spec.get("short") or {}),
                                   tuple(spec.get("figures") or ()))
        if not out:
            self.problem("reliefs", "a jurisdiction needs at least one relief")
        return out

    def registry(self, section) -> RegistryProfile:
        flags = []
        for i, spec in enumerate(section.get("flags") or ()):
            name, typ = str(spec.get("name") or ""), spec.get("type", "bool")
            if not NAME.match(name):
                self.problem(f"registry.flags[{i}].name", "needs lower-case letters, digits or _")
            if typ not in FLAG_TYPES:
                self.problem(f"registry.flags[{i}].type", f"one of {', '.join(FLAG_TYPES)}")
            default = spec.get("default", False if typ == "bool" else None)
            flags.append(Flag(name, typ, default, tuple(spec.get("values") or ()), str(spec.get("meaning") or ""),
                              bool(spec.get("core"))))
        syntax = str(section.get("article_syntax") or "")
        try:
            re.compile(syntax)
        except re.error:
            self.problem("registry.article_syntax", "not a valid pattern")
        categories = tuple(section.get("crime_categories") or ())
        for c in categories:
            if c not in CATEGORIES:
                self.problem("registry.crime_categories", f"{c!r} is not a category the engines know "
                             f"({', '.join(CATEGORIES)})")
        return RegistryProfile(tuple(flags), categories, syntax,
                               section.get("minimum_age"), section.get("minimum_age_listed_crimes"))

    def code(self, section) -> tuple[tuple[CodeTable, ...], tuple[str, str] | None]:
        tables = []
        for i, spec in enumerate(section.get("tables") or ()):
            path = (self.dir / str(spec.get("file") or "")).resolve()
            if not path.is_file():
                self.problem(f"criminal_code.tables[{i}].file", "no such file")
            tables.append(CodeTable(str(spec.get("table")), str(spec.get("version")), path, str(spec.get("says") or "")))
        d = section.get("default")
        default = (str(d["table"]), str(d["version"])) if isinstance(d, dict) else None
        if default and not any((t.table, t.version) == default for t in tables):
            self.problem("criminal_code.default", "names no table listed under tables")
        return tuple(tables), default

    def bodies(self, section) -> dict[str, BodySpec]:
        out = {}
        for i, spec in enumerate(section):
            name = str(spec.get("name") or "")
            if not NAME.match(name):
                self.problem(f"bodies[{i}].name", "needs lower-case letters, digits or _")
            nums = {k: spec.get(k, d) for k, d in (("start_after_days", 0), ("capacity", 1), ("ramp_days", 0),
                                                    ("lead_days", 0))}
            for k, v in nums.items():
                if not isinstance(v, int) or v < 0:
                    self.problem(f"bodies[{i}].{k}", "needs a whole number, 0 or more")
            out[name] = BodySpec(name, str(spec.get("label") or name), spill=bool(spec.get("spill", True)),
                                 note=str(spec.get("note") or ""), sources=str(spec.get("sources") or ""), **nums)
        return out

    def lanes(self, section, reliefs, bodies) -> tuple[Lane, ...]:
        out = []
        for i, spec in enumerate(section):
            lane, relief, body = str(spec.get("lane") or ""), str(spec.get("relief")), str(spec.get("body"))
            if not LANE_NAME.match(lane):
                self.problem(f"lanes[{i}].lane", "needs lower-case letters, digits, _ and at most one ':'")
            if relief not in reliefs:
                self.problem(f"lanes[{i}].relief", f"{relief!r} is not a relief of the jurisdiction")
            if body not in bodies:
                self.problem(f"lanes[{i}].body", f"{body!r} is not a body of the jurisdiction")
            punishments = tuple(str(p) for p in spec.get("punishments") or ())
            if any(not NAME.match(p) for p in punishments):
                self.problem(f"lanes[{i}].punishments", "needs lower-case letters, digits or _")
            share = spec.get("share")
            if share is not None and not (isinstance(share, (int, float)) and 0 <= share <= 1):
                self.problem(f"lanes[{i}].share", "needs a number from 0 to 1")
            out.append(Lane(lane, relief, body, float(spec.get("share_of_body", 1.0)),
                            None if share is None else float(share), punishments))
        return tuple(out)
