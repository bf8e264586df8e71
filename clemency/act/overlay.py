"""Reforms as overlays: a YAML file that patches a base act without copying it.

    overlay: az-2025                 # the base: a shipped act id, or a path (relative to this file)
    id: az-2025-no-f2
    title: The 2025 act without the named-article exclusion
    parameters: {window_months: {value: 6}}         # change a parameter (merged field by field)
    readings: {f3: {default: none}}                 # change a reading's default (or add a reading)
    definitions: {...}                              # add or replace definitions
    fields: [...]                                   # extra registry fields, appended
    sources: {...}                                  # more sources, merged
    remove: [F2]                                    # remove clauses (and every reference to them)
    neutralise: [F3]                                # keep clauses, but they never decide or exclude
    change:                                         # replace fields of a clause (when, text, status, ...)
      B3: {when: [...]}
    add:                                            # add clauses; `after:` / `before:` place them
      - {id: A12, after: A11, kind: relief, ...}

`clemency.act.load.load_act` calls `apply_overlay(doc, path, loader)` when a document has a top-level
`overlay` key; the merged document then goes through every normal check. Problems of the overlay itself
(an unknown key, a clause id that is not in the base) are reported with the overlay file, line and clause.

A neutralised exclusion becomes a provision (it is still evaluated and reported in the reasons, and blocks
nothing); a neutralised relief gets the extra condition `false` (it is listed, held by no one).
`neutralised(act, ids)` does the same to a loaded `Act` (used by exclusion attribution).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml

from clemency.act.lang import FALSE
from clemency.act.model import AppliesTo, Condition
from clemency.act.refs import ACTS_DIR, OVERLAYS_DIR, expand_refs
from clemency.act.vocabulary import did_you_mean
from clemency.errors import ActError, Problem

OVERLAY_KEYS = {"overlay", "id", "title", "titles", "jurisdiction", "instrument", "adopted", "summary",
                "status_note", "notes", "sources", "parameters", "readings", "definitions", "fields",
                "remove", "neutralise", "neutralize", "change", "add"}
CHANGE_KEYS = {"kind", "relief", "reduction_months", "text", "texts", "status", "sources", "when", "applies_to",
               "says", "notes", "group"}
PLACE_KEYS = ("after", "before")
NEUTRAL_SAYS = "neutralised by an overlay: this clause never decides anyone"


def _line(obj, key=None):
    lines = getattr(obj, "lines", None)
    if isinstance(obj, dict) and isinstance(lines, dict):
        return lines.get(key, getattr(obj, "line", None)) if key is not None else getattr(obj, "line", None)
    if isinstance(obj, list) and isinstance(lines, list):
        return lines[key] if isinstance(key, int) and key < len(lines) else getattr(obj, "line", None)
    return getattr(obj, "line", None)


def _copy_map(src, drop=()):
    """A copy of a line-numbered mapping, without the keys in `drop`."""
    out = type(src)()
    out.line = getattr(src, "line", 0)
    out.lines = {}
    for k, v in src.items():
        if k in drop:
            continue
        out[k] = v
        if hasattr(src, "lines"):
            out.lines[k] = src.lines.get(k, out.line)
    return out


def _seq(template, items, lines):
    out = type(template)(items)
    out.line, out.lines = getattr(template, "line", 0), list(lines)
    return out


def resolve_base(ref: str, overlay_path: Path) -> Path:
    """The base act of an overlay: a shipped act id, a shipped overlay, or a path relative to the overlay."""
    for candidate in (ACTS_DIR / f"{ref}.yaml", OVERLAYS_DIR / f"{ref}.yaml", overlay_path.parent / ref, Path(ref)):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(ref)


def _base_of(doc, path: Path, loader, problem, problems: list[Problem]):
    """The overlay's base act as a document (itself merged when it is an overlay); ActError when unusable."""
    ref = str(doc.get("overlay") or "")
    try:
        base_path = resolve_base(ref, path)
    except FileNotFoundError:
        problem(_line(doc, "overlay"), None, "overlay", f"the base act {ref!r} is neither a shipped act nor a file")
        raise ActError(problems) from None
    if base_path.resolve() == path.resolve():
        problem(_line(doc, "overlay"), None, "overlay", "an overlay cannot be its own base")
        raise ActError(problems)
    try:
        base = yaml.load(base_path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (SafeLoader)
    except yaml.YAMLError as exc:
        problem(_line(doc, "overlay"), None, "overlay", f"the base act {base_path} is not readable YAML: {exc}")
        raise ActError(problems) from None
    if isinstance(base, dict) and "overlay" in base:  # an overlay of an overlay
        base = apply_overlay(base, base_path, loader)
    if not isinstance(base, dict) or not isinstance(base.get("clauses"), list):
        problem(_line(doc, "overlay"), None, "overlay", f"the base {base_path} is not an act file")
        raise ActError(problems)

    return base


def _merge_mappings(doc, base, merged, problem) -> None:
    """sources, parameters, readings and definitions merged entry by entry; fields appended."""
    for section in ("sources", "parameters", "readings", "definitions"):
        patch = doc.get(section)
        if patch is None:
            continue
        if not isinstance(patch, dict):
            problem(_line(doc, section), None, section, "expected a mapping")
            continue
        target = _copy_map(base.get(section) or type(base)())
        for name, spec in patch.items():
            old = target.get(name)
            if section in ("parameters", "readings") and isinstance(old, dict) and isinstance(spec, dict):
                new = _copy_map(old)
                for k, v in spec.items():
                    new[k] = v
                    new.lines[k] = _line(spec, k)
                target[name] = new
            else:
                target[name] = spec
            target.lines[name] = _line(patch, name)
        merged[section] = target
    if "fields" in doc:
        old = list(base.get("fields") or [])
        extra = doc.get("fields") or []
        if not isinstance(extra, list):
            problem(_line(doc, "fields"), None, "fields", "expected a list of fields")
        else:
            merged["fields"] = _seq(extra, old + list(extra), [0] * len(old) + list(getattr(extra, "lines", [])))


def _apply_changes(changes, clauses: list, ids: list, base_id: str, path: Path, problem) -> None:
    """change: replace fields of named clauses (in place in `clauses`)."""
    for cid, spec in changes.items():
        if str(cid) not in ids:
            problem(_line(changes, cid), str(cid), "change", f"the base act {base_id} has no clause {cid!r}",
                    did_you_mean(str(cid), [i for i in ids if i]) or f"its clauses: {', '.join(i for i in ids if i)}")
            continue
        if not isinstance(spec, dict):
            problem(_line(changes, cid), str(cid), "change", "expected the clause fields to replace")
            continue
        for k in spec:
            if k not in CHANGE_KEYS:
                problem(_line(spec, k), str(cid), f"change.{k}", "not a clause field that can be changed",
                        f"expected one of {', '.join(sorted(CHANGE_KEYS))}")
        i = ids.index(str(cid))
        new = _copy_map(clauses[i])
        for k, v in spec.items():
            if k in CHANGE_KEYS:
                new[k] = v
                new.lines[k] = _line(spec, k)
        new["notes"] = (str(new.get("notes") or "") + f" [changed by overlay {path.name}: "
                        f"{', '.join(str(k) for k in spec)}]").strip()
        clauses[i] = new


def _add_clauses(adds: list, out_clauses: list, out_lines: list, path: Path, problem) -> None:
    """add: new clauses, at the end or after / before a named clause (in place)."""
    for j, spec in enumerate(adds):
        if not isinstance(spec, dict):
            problem(_line(adds, j), None, f"add[{j + 1}]", "expected a clause (a mapping)")
            continue
        cid = str(spec.get("id") or f"add[{j + 1}]")
        current = [str(c.get("id")) for c in out_clauses if isinstance(c, dict)]
        if cid in current:
            problem(_line(spec, "id"), cid, "id", f"the base act already has a clause {cid}; use change: to alter it")
            continue
        place = [k for k in PLACE_KEYS if k in spec]
        pos = len(out_clauses)
        if len(place) > 1:
            problem(_line(spec), cid, "after", "give either after: or before:, not both")
        elif place:
            anchor = str(spec[place[0]])
            if anchor not in current:
                problem(_line(spec, place[0]), cid, place[0], f"no clause {anchor!r} to place this clause {place[0]}",
                        did_you_mean(anchor, current))
            else:
                pos = current.index(anchor) + (1 if place[0] == "after" else 0)
        clause = _copy_map(spec, drop=PLACE_KEYS)
        clause["notes"] = (str(clause.get("notes") or "") + f" [added by overlay {path.name}]").strip()
        out_clauses.insert(pos, clause)
        out_lines.insert(pos, _line(adds, j))


def _remove_clauses(doc, base, clauses: list, ids: list, removed: list, problem) -> tuple[list, list]:
    """remove: the clause, and every reference to it by id in applies_to; the clauses left and their lines."""
    keep_ids = [i for i in ids if i not in removed]
    out_clauses, out_lines = [], []
    base_lines = list(getattr(base["clauses"], "lines", [0] * len(clauses)))
    for c, line in zip(clauses, base_lines):
        if isinstance(c, dict) and str(c.get("id")) in removed:
            continue
        if isinstance(c, dict) and removed and isinstance(c.get("applies_to"), list):
            c = _strip_refs(c, removed, keep_ids)
            if not c.get("applies_to"):
                problem(_line(doc, "remove"), str(c.get("id")), "remove",
                        "removing these clauses leaves this exclusion applying to nothing; remove or neutralise it too")
        out_clauses.append(c)
        out_lines.append(line)
    return out_clauses, out_lines


def apply_overlay(doc, path, loader):
    """Merge the overlay `doc` (read from `path`) onto its base; returns the merged document."""
    path = Path(path)
    file = str(path)
    problems: list[Problem] = []

    def problem(line, clause, fld, message, hint=None):
        problems.append(Problem(file, line, clause, fld, message, hint))

    for key in doc:
        if key not in OVERLAY_KEYS:
            problem(_line(doc, key), None, str(key), "unknown field in an overlay",
                    did_you_mean(str(key), OVERLAY_KEYS) or f"expected one of {', '.join(sorted(OVERLAY_KEYS))}")
    base = _base_of(doc, path, loader, problem, problems)
    merged = _copy_map(base, drop=("overlay",))
    base_id = str(base.get("id"))
    merged["id"] = doc.get("id") or f"{base_id}+{path.stem}"
    for key in ("title", "titles", "jurisdiction", "instrument", "adopted", "summary"):
        if key in doc:
            merged[key] = doc[key]
            merged.lines[key] = _line(doc, key)

    _merge_mappings(doc, base, merged, problem)

    # -- clauses ---------------------------------------------------------------------------------------
    clauses = list(base["clauses"])
    ids = [str(c.get("id")) if isinstance(c, dict) else None for c in clauses]

    def listed(key):
        items = doc.get(key) or []
        if isinstance(items, str):
            items = [items]
        out = []
        for j, cid in enumerate(items):
            if str(cid) not in ids:
                problem(_line(items, j) or _line(doc, key), str(cid), key,
                        f"the base act {base_id} has no clause {cid!r}",
                        did_you_mean(str(cid), [i for i in ids if i]) or f"its clauses: {', '.join(i for i in ids if i)}")
            else:
                out.append(str(cid))
        return out

    removed = listed("remove")
    neutral = listed("neutralise") + listed("neutralize")
    changes = doc.get("change") or {}
    if not isinstance(changes, dict):
        problem(_line(doc, "change"), None, "change", "expected a mapping of clause id to the fields to replace")
        changes = {}
    _apply_changes(changes, clauses, ids, base_id, path, problem)

    for cid in neutral:
        if cid in removed:
            problem(_line(doc, "neutralise"), cid, "neutralise", "the clause is both removed and neutralised")
            continue
        i = ids.index(cid)
        clauses[i] = _neutralise_spec(clauses[i], path.name)

    out_clauses, out_lines = _remove_clauses(doc, base, clauses, ids, removed, problem)

    adds = doc.get("add") or []
    if not isinstance(adds, list):
        problem(_line(doc, "add"), None, "add", "expected a list of clauses")
        adds = []
    _add_clauses(adds, out_clauses, out_lines, path, problem)

    if problems:
        raise ActError(problems)
    merged["clauses"] = _seq(base["clauses"], out_clauses, out_lines)
    what = []
    for label, items in (("removes", removed), ("neutralises", neutral), ("changes", [str(k) for k in changes]),
                         ("adds", [str(s.get("id")) for s in adds if isinstance(s, dict)])):
        if items:
            what.append(f"{label} {', '.join(items)}")
    note = f"An overlay ({path.name}) of {base_id}" + (f": {'; '.join(what)}." if what else ".")
    merged["status_note"] = (str(doc.get("status_note") or "") + " " + note + " "
                             + str(base.get("status_note") or "")).strip()
    if "notes" in doc:
        merged["notes"] = doc["notes"]
    return merged


def _neutralise_spec(clause, overlay_name):
    new = _copy_map(clause)
    kind = clause.get("kind")
    if kind == "exclusion":
        new["kind"] = "provision"
        new.pop("applies_to", None)
    elif kind == "relief" and clause.get("status") != "unknown":
        when = list(clause.get("when") or [])
        new["when"] = _seq(clause.get("when") or [], when + [{"test": "false", "says": NEUTRAL_SAYS}],
                           list(getattr(clause.get("when"), "lines", [])) + [_line(clause)])
    new["notes"] = (str(clause.get("notes") or "") + f" [neutralised by overlay {overlay_name}]").strip()
    return new


def _strip_refs(clause, removed, keep_ids):
    new = _copy_map(clause)
    entries = []
    for entry in clause["applies_to"]:
        if isinstance(entry, str):
            if entry not in removed and expand_refs((entry,), keep_ids):
                entries.append(entry)
        elif isinstance(entry, dict):
            refs = [r for r in (entry.get("clauses") or []) if r not in removed and expand_refs((r,), keep_ids)]
            if refs:
                e = _copy_map(entry)
                e["clauses"] = refs
                entries.append(e)
    new["applies_to"] = entries
    return new


def neutralised(act, ids):
    """A loaded Act with the clauses `ids` neutralised (exclusions become provisions; reliefs never hold)."""
    ids = set(ids)
    unknown = ids - {c.id for c in act.clauses}
    if unknown:
        raise KeyError(f"no clause {', '.join(sorted(unknown))} in {act.id}")
    out = []
    for c in act.clauses:
        if c.id in ids:
            if c.kind == "exclusion":
                c = dataclasses.replace(c, kind="provision", applies_to=(), notes=c.notes + " [neutralised]")
            elif c.kind == "relief":
                c = dataclasses.replace(c, when=c.when + (Condition("false", FALSE, NEUTRAL_SAYS),),
                                        notes=c.notes + " [neutralised]")
        out.append(c)
    suffix = "-without-" + "-".join(sorted(ids))
    return dataclasses.replace(act, id=act.id + suffix, clauses=tuple(out))


def removed(act, ids):
    """A loaded Act without the clauses `ids` (references to them in applies_to dropped)."""
    ids = set(ids)
    keep = [c.id for c in act.clauses if c.id not in ids]
    out = []
    for c in act.clauses:
        if c.id in ids:
            continue
        if c.applies_to:
            entries = []
            for a in c.applies_to:
                refs = tuple(r for r in a.clauses if r not in ids and expand_refs((r,), keep))
                if refs:
                    entries.append(AppliesTo(refs, a.when))
            c = dataclasses.replace(c, applies_to=tuple(entries))
        out.append(c)
    return dataclasses.replace(act, id=act.id + "-minus-" + "-".join(sorted(ids)), clauses=tuple(out))
