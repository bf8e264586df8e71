"""What a run was, in words: the act by its title, each reading by what it is about and the meaning of the
value chosen (both from the act file), the versions and the as-of date, in the reader's language.

Reports and pages show this instead of the raw manifest: never a machine path (`act_path`, `registry`),
never a command-line flag (`b3=eif`). Readings left at the act's default are summed up in one phrase; the
full list in words is `readings_words`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from clemency.act.load import load_act
from clemency.errors import ClemencyError
from clemency.locale import N_, date, gettext_for

HASH = 12          # characters of a SHA-256 shown to readers (enough to tell versions apart)


@dataclass(frozen=True)
class Reading:
    name: str
    about: str          # what the reading is about (the act's `says`)
    value: str
    meaning: str        # what the chosen value means (the act's `values`), or a date in words
    default: bool


@lru_cache(maxsize=32)
def _act(act_id: str):
    try:
        return load_act(act_id)
    except (ClemencyError, OSError, ValueError):
        return None


def act_title(act_id: str | None, lang: str = "en") -> str:
    """The act's title in `lang` (the act file's `titles`, else its title through the catalogue); the id
    when the act does not load."""
    act = _act(str(act_id)) if act_id else None
    if act is None:
        return str(act_id or "")
    titles = act.meta.get("titles") or {}
    return str(titles.get(lang) or gettext_for(lang)(act.title))


def readings_words(manifest: dict, lang: str = "en") -> list[Reading]:
    """Every reading of the run in words, in the act's order."""
    g = gettext_for(lang)
    chosen = manifest.get("readings") or {}
    act = _act(str(manifest.get("act"))) if manifest.get("act") else None
    out = []
    for name, value in chosen.items():
        r = act.readings.get(name) if act else None
        if r is None:
            out.append(Reading(name, name, str(value), str(value), False))
        elif r.is_date:
            default = str(act.parameters[r.parameter].value) if r.parameter in act.parameters else None
            out.append(Reading(name, g(r.says) if r.says else name, str(value), date(str(value), lang),
                               str(value) == default))
        else:
            meaning = r.values.get(value)
            out.append(Reading(name, g(r.says) if r.says else name, str(value),
                               g(meaning) if meaning else str(value), str(value) == r.default))
    return out


def readings_phrase(manifest: dict, lang: str = "en") -> str:
    """The readings as one phrase: those that differ from the act's default, each as "about: meaning"; the
    rest (or all) as the act's default readings."""
    g = gettext_for(lang)
    changed = [r for r in readings_words(manifest, lang) if not r.default]
    if not changed:
        return g(N_("the act's default readings"))
    listed = "; ".join(f"{r.about}: {r.meaning}" for r in changed)
    return g(N_("{readings}; otherwise the act's default readings")).format(readings=listed)


def stamp(manifest: dict, lang: str = "en") -> str:
    """One line a reader can trust a figure by: as-of date, act (title, id, version), readings in words,
    Criminal Code table, registry version, Clemency version."""
    g = gettext_for(lang)
    env = manifest.get("environment") or {}
    parts = [
        g(N_("As of {date}")).format(date=date(manifest.get("on"), lang)),
        g(N_("act: {title} ({id}, version {hash})")).format(
            title=act_title(manifest.get("act"), lang), id=manifest.get("act"),
            hash=str(manifest.get("act_hash") or "")[:HASH]),
        g(N_("readings: {readings}")).format(readings=readings_phrase(manifest, lang)),
        g(N_("Criminal Code table: {version}")).format(version=manifest.get("code_version")),
        g(N_("registry version {hash}")).format(hash=str(manifest.get("registry_hash") or "")[:HASH]),
    ]
    if env.get("clemency") or manifest.get("clemency_version"):
        parts.append(g(N_("Clemency {version}")).format(version=env.get("clemency")
                                                       or manifest.get("clemency_version")))
    return " · ".join(parts)


def run_words(summary: dict, manifest: dict, lang: str = "en") -> list[list]:
    """The run in words: counts, the act, the dates, every reading (what it is about: the value's meaning),
    the versions. Never a machine path or a command-line flag."""
    g = gettext_for(lang)
    rows = manifest.get("rows") or {}
    env = manifest.get("environment") or {}
    out = [[g(N_("rows in")), rows.get("in")], [g(N_("rows decided")), rows.get("decided")],
           [g(N_("rows set aside")), rows.get("rejected")], [g(N_("findings")), rows.get("findings")],
           [g(N_("persons")), summary.get("persons")],
           [g(N_("act")), f"{act_title(manifest.get('act'), lang)} ({manifest.get('act')})"],
           [g(N_("version of the act (SHA-256)")), str(manifest.get("act_hash") or "")[:16]],
           [g(N_("decision date")), date(manifest.get("on"), lang)],
           [g(N_("the act's window")), f"{date(manifest.get('entry_into_force'), lang)} – "
                                       f"{date(manifest.get('window_end'), lang)}"]]
    for r in readings_words(manifest, lang):
        out.append([r.about, r.meaning + ("" if not r.default else " (" + g(N_("the act's default")) + ")")])
    out += [[g(N_("Criminal Code table")), manifest.get("code_version")],
            [g(N_("version of the registry (SHA-256)")), str(manifest.get("registry_hash") or "")[:16]],
            [g(N_("engine")), manifest.get("engine")]]
    versions = ", ".join(f"{k} {env[k]}" for k in ("clemency", "python", "duckdb", "pyarrow") if env.get(k))
    if versions:
        out.append([g(N_("software versions")), versions])
    return out
