"""The act as data: an act, its parameters, readings, definitions and clauses.

These are plain values produced by `clemency.act.load`; nothing here knows any particular act.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

STATUSES = ("reported", "inferred", "unknown")          # strongest first
# The reliefs an act may give, their ranks and words are its jurisdiction's (clemency.jurisdictions): the
# loader copies the ranks into `Act.relief_ranks`.


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
    # Where only part of a condition is uncertain (an inferred boundary such as "exactly 60 months"): the
    # condition's status counts only for records on which this holds; otherwise it is as strong as its clause.
    status_when: object | None = None
    status_when_source: str | None = None


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
    jurisdiction: str = ""                        # the jurisdiction's id (clemency.jurisdictions)
    code_table: tuple[str, str] | None = None     # (table, version) of the Criminal Code it names
    relief_ranks: dict[str, int] = field(default_factory=dict)   # relief -> rank (1 most favourable)

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
