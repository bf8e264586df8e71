"""The act as data: an act, its parameters, readings, definitions and clauses.

These are plain values produced by `clemency.act.load`; nothing here knows any particular act.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

STATUSES = ("reported", "inferred", "unknown")          # strongest first
RELIEFS = ("release_from_imprisonment", "release_from_criminal_liability", "release_from_punishment",
           "term_reduction")
# The most favourable relief wins: release (from prison or from liability), then from a non-custodial
# punishment, then a term reduction (contracts §3).
RELIEF_RANK = {"release_from_imprisonment": 1, "release_from_criminal_liability": 1,
               "release_from_punishment": 2, "term_reduction": 3}


def weakest(statuses) -> str | None:
    """The weakest of several statuses (reported > inferred > unknown); None for none."""
    found = [s for s in statuses if s]
    return max(found, key=STATUSES.index) if found else None


@dataclass(frozen=True)
class Condition:
    """One condition of a clause: the expression, its text, and optionally its own status."""

    source: str
    tree: object
    says: str | None = None
    status: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str                  # date or int
    value: object
    status: str = "reported"
    says: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reading:
    """An open point of the act with named alternative readings (or a parameter a reading may set)."""

    name: str
    default: str
    values: dict                # value -> what it means in plain words ('' key for "any date")
    says: str = ""
    parameter: str | None = None  # a reading that sets a date parameter (e.g. eif)

    @property
    def is_date(self) -> bool:
        return self.parameter is not None


@dataclass(frozen=True)
class AppliesTo:
    clauses: tuple[str, ...]
    when: Condition | None = None


@dataclass(frozen=True)
class Clause:
    id: str
    kind: str                                  # relief or exclusion
    text: str
    status: str
    sources: tuple[str, ...] = ()
    relief: str | None = None
    reduction_months: int | None = None
    when: tuple[Condition, ...] = ()
    applies_to: tuple[AppliesTo, ...] = ()
    says: str = ""
    notes: str = ""
    line: int | None = None

    @property
    def decides(self) -> bool:
        """A clause whose content is unknown is listed but never decides anyone."""
        return self.status != "unknown"


@dataclass(frozen=True)
class ExtraField:
    name: str
    type: str
    default: object = None
    values: tuple[str, ...] = ()


@dataclass
class Act:
    id: str
    title: str
    path: str
    sha256: str
    meta: dict = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    readings: dict[str, Reading] = field(default_factory=dict)
    fields: tuple[ExtraField, ...] = ()
    definitions: dict[str, Condition] = field(default_factory=dict)
    clauses: tuple[Clause, ...] = ()
    sources: dict = field(default_factory=dict)

    def clause(self, clause_id: str) -> Clause:
        for c in self.clauses:
            if c.id == clause_id:
                return c
        raise KeyError(clause_id)

    @property
    def entry_into_force(self) -> dt.date:
        return self.parameters["eif"].value

    def default_readings(self) -> dict[str, str]:
        return {name: r.default for name, r in self.readings.items()}
