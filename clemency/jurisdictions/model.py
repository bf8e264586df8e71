"""A jurisdiction as data: the country's reliefs and their words, registry profile, Criminal Code tables,
implementing bodies and lanes, holidays and official-figure columns. Built by `clemency.jurisdictions.load`;
nothing here knows any particular country."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import holidays as hol

from clemency.errors import ClemencyError, InputError
from clemency.law.code import CriminalCode

LANGUAGES = ("en", "az", "ru")


@dataclass(frozen=True)
class Relief:
    """A relief an act of the jurisdiction may give; a lower rank is more favourable."""

    id: str
    rank: int
    releases: bool = False          # the person leaves custody or punishment altogether
    reduces_term: bool = False      # the sentence is shortened by the clause's reduction_months
    words: dict = field(default_factory=dict)     # language -> words in a sentence ("release from ...")
    label: dict = field(default_factory=dict)     # language -> a label for tables ("released from prison")
    short: dict = field(default_factory=dict)     # language -> a compact label for chart legends
    figures: tuple[str, ...] = ()                 # official-report columns that count it


@dataclass(frozen=True)
class Flag:
    """A registry field the jurisdiction adds to the core format (a status an act may name)."""

    name: str
    type: str = "bool"
    default: object = False
    values: tuple[str, ...] = ()
    meaning: str = ""
    core: bool = False      # a core registry field listed for its place in the column order, not the country's


@dataclass(frozen=True)
class RegistryProfile:
    flags: tuple[Flag, ...] = ()
    crime_categories: tuple[str, ...] = ()
    article_syntax: str = ""
    minimum_age: int | None = None
    minimum_age_listed_crimes: int | None = None

    @property
    def flag_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.flags)

    @property
    def own_flags(self) -> tuple[str, ...]:
        """The fields that are the country's own (not core fields listed for their place)."""
        return tuple(f.name for f in self.flags if not f.core)


@dataclass(frozen=True)
class CodeTable:
    table: str
    version: str
    path: Path
    says: str = ""

    @property
    def ref(self) -> str:
        return f"{self.table}@{self.version}"


@dataclass(frozen=True)
class BodySpec:
    """An implementing body; its start is relative to the entry into force of the act it applies."""

    name: str
    label: str
    start_after_days: int = 0
    capacity: int = 1
    ramp_days: int = 0
    lead_days: int = 0
    spill: bool = True
    note: str = ""
    sources: str = ""


@dataclass(frozen=True)
class Lane:
    """A queue of one body for (part of) one relief. Routing: `punishments` (a list, `unknown` = not
    recorded), else `share` (a share of the rows by a stable hash), else the rest of the relief's rows."""

    lane: str
    relief: str
    body: str
    share_of_body: float = 1.0
    share: float | None = None
    punishments: tuple[str, ...] = ()


@dataclass
class Jurisdiction:
    id: str
    name: str
    directory: Path
    names: tuple[str, ...] = ()
    languages: dict = field(default_factory=dict)
    reliefs: dict[str, Relief] = field(default_factory=dict)       # in report order
    outcomes: dict[str, dict] = field(default_factory=dict)        # none / indeterminate -> {words, label}
    registry: RegistryProfile = field(default_factory=RegistryProfile)
    code_tables: tuple[CodeTable, ...] = ()
    default_code: tuple[str, str] | None = None                    # (table, version)
    bodies: dict[str, BodySpec] = field(default_factory=dict)
    lanes: tuple[Lane, ...] = ()
    figures: dict = field(default_factory=dict)
    holidays_country: str | None = None
    holidays_override: Path | None = None

    # ---- reliefs -----------------------------------------------------------------------------------

    def rank(self, relief: str | None) -> int | None:
        r = self.reliefs.get(relief or "")
        return r.rank if r else None

    def words(self, relief: str, lang: str = "en") -> str:
        """The relief (or outcome) in words, in `lang` (English when the language has no words)."""
        r = self.reliefs.get(relief)
        table = r.words if r else self.outcomes.get(relief, {}).get("words", {})
        return table.get(lang) or table.get("en") or relief.replace("_", " ")

    def label(self, relief: str, lang: str = "en") -> str:
        """A label for tables; the words when the relief has none."""
        r = self.reliefs.get(relief)
        table = r.label if r else self.outcomes.get(relief, {}).get("label", {})
        return table.get(lang) or table.get("en") or self.words(relief, lang)

    def short(self, relief: str, lang: str = "en") -> str:
        """A compact label for chart legends; the label when the relief has none."""
        r = self.reliefs.get(relief)
        table = r.short if r else {}
        return table.get(lang) or table.get("en") or self.label(relief, lang)

    @property
    def releasing(self) -> tuple[str, ...]:
        return tuple(k for k, r in self.reliefs.items() if r.releases)

    @property
    def relief_columns(self) -> dict[str, list[str]]:
        """relief -> the official-report columns that count it."""
        return {k: list(r.figures) for k, r in self.reliefs.items()}

    def machine_translated(self, lang: str) -> bool:
        return not (self.languages.get(lang) or {}).get("checked", lang == "en")

    # ---- the Criminal Code ---------------------------------------------------------------------------

    def code_table(self, table: str | None = None, version: str | None = None) -> CodeTable:
        """The table an act names (table and version; the jurisdiction's default for what it leaves out)."""
        d_table, d_version = self.default_code or (None, None)
        table = table or d_table
        matches = [t for t in self.code_tables if t.table == table]
        if version is None:
            version = d_version if table == d_table else (matches[-1].version if matches else None)
        for t in matches:
            if t.version == str(version):
                return t
        known = ", ".join(t.ref for t in self.code_tables) or "none"
        raise ClemencyError(f"{self.name} has no Criminal Code table {table}@{version}",
                            hint=f"tables of {self.name}: {known}")

    def criminal_code(self, table: str | None = None, version: str | None = None, overrides=None):
        """The Criminal Code table as a `CriminalCode` (loaded once per table and version)."""
        t = self.code_table(table, version)
        if overrides:
            return CriminalCode.load(t.path, overrides)
        return _load_code(t.path)

    # ---- the calendar --------------------------------------------------------------------------------

    def holidays(self, first: dt.date, last: dt.date) -> frozenset[dt.date]:
        """Public holidays (with the days carried over) from `first` to `last`, both included: the `holidays`
        package's calendar for the country, corrected by the jurisdiction's override file."""
        years = list(range(first.year, last.year + 1))
        days: set[dt.date] = set()
        if self.holidays_country:
            try:
                days = set(hol.country_holidays(self.holidays_country, years=years))
            except NotImplementedError:
                raise ClemencyError(f"the holidays package has no calendar for {self.holidays_country!r}",
                                    where=f"jurisdiction {self.id}") from None
        for day, action in self.holiday_overrides():
            (days.add if action == "add" else days.discard)(day)
        return frozenset(d for d in days if first <= d <= last)

    def holiday_overrides(self) -> list[tuple[dt.date, str]]:
        if self.holidays_override is None or not self.holidays_override.exists():
            return []
        where = f"{self.id}/{self.holidays_override.name}"
        out = []
        with open(self.holidays_override, newline="", encoding="utf-8") as f:
            for i, row in enumerate(csv.DictReader(f), 1):
                try:
                    day = dt.date.fromisoformat((row.get("date") or "").strip())
                except ValueError:
                    raise InputError(f"row {i}: bad date", where=where, hint="YYYY-MM-DD") from None
                action = (row.get("action") or "add").strip() or "add"
                if action not in ("add", "remove"):
                    raise InputError(f"row {i}: action must be add or remove", where=where)
                out.append((day, action))
        return out

    # ---- bodies and lanes ----------------------------------------------------------------------------

    def lanes_of(self, relief: str) -> tuple[Lane, ...]:
        return tuple(ln for ln in self.lanes if ln.relief == relief)

    def body_of_lane(self, lane: str) -> str | None:
        return next((ln.body for ln in self.lanes if ln.lane == lane), None)


@lru_cache(maxsize=8)
def _load_code(path: Path) -> CriminalCode:
    return CriminalCode.load(path)
