"""The registry format (docs/registry-format.md) as data: one `Field` per column, with its type and its rules.

Other code asks `FIELDS["sex"].type`, `FIELDS["punishment"].values`, `FIELDS["war_participant"].default`.
An act may declare extra fields of its own: `Field(name, type, default, values=None)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from clemency.jurisdictions import default_jurisdiction

TYPES = ("string", "date", "bool", "int", "number", "enum")

# SQL type of each field type in the typed `registry` table.
SQL_TYPES = {"string": "VARCHAR", "date": "DATE", "bool": "BOOLEAN", "int": "INTEGER", "number": "DOUBLE",
             "enum": "VARCHAR"}

# A part of `articles` cited from a foreign code (convicted_abroad true) is marked with this prefix in the
# typed registry, so that the article lookup (clemency/engines/lookup.py) never reads it as Azerbaijani.
FOREIGN_MARK = "abroad:"

ARTICLE_TOKEN = r"^[0-9]+(-[0-9]+)?(\.[0-9]+(-[0-9]+)?)*$"


@dataclass(frozen=True)
class Field:
    """One column of the registry.

    `default` is the value an empty cell takes (None: stays unknown). `required` is False, True, or a
    rule name: "convicted" (required when status is convicted), "custodial_end" (required when the
    punishment is imprisonment or restriction of liberty) or "abroad" (required when convicted_abroad is
    true: a foreign article number is never looked up in the Azerbaijani Criminal Code table).
    """

    name: str
    type: str
    default: object = None
    values: tuple[str, ...] | None = None
    required: bool | str = False
    minimum: float | None = None
    maximum: float | None = None
    meaning: str = ""

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"field {self.name!r}: unknown type {self.type!r}; expected one of {TYPES}")
        if self.type == "enum" and not self.values:
            raise ValueError(f"field {self.name!r}: an enum needs its values")

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    @property
    def expected(self) -> str:
        """What a valid value looks like, in words (used in findings)."""
        if self.type == "enum":
            return "one of " + ", ".join(self.values or ())
        if self.type == "date":
            return "a date YYYY-MM-DD"
        if self.type == "bool":
            return "true/false, 1/0, yes/no or unknown"
        if self.type == "int":
            lo = "" if self.minimum is None else f" >= {self.minimum:g}"
            if self.minimum is not None and self.maximum is not None:
                return f"an integer {self.minimum:g}-{self.maximum:g}"
            return "an integer" + lo
        if self.type == "number":
            return "a number" + ("" if self.minimum is None else f" >= {self.minimum:g}")
        return "a value"


SEX = ("M", "F")
STATUS = ("convicted", "suspect", "accused")
PUNISHMENTS = ("imprisonment", "life_imprisonment", "restriction_of_liberty", "conditional", "corrective_work",
               "public_works", "fine", "disciplinary_military_unit", "other")
CATEGORIES = ("not_great_danger", "less_serious", "grave", "especially_grave")
RECIDIVISM = ("none", "repeat", "dangerous", "especially_dangerous")
# Plausibility limits (clemency/registry/plausible.py). The minimum age of criminal responsibility is the
# default jurisdiction's (its registry profile): the lower of its general and its listed-crimes age.
_PROFILE = default_jurisdiction().registry
MIN_AGE_CRIMINAL_RESPONSIBILITY = min((a for a in (_PROFILE.minimum_age, _PROFILE.minimum_age_listed_crimes)
                                       if a is not None), default=0)
MAX_AGE = 110
CUSTODIAL_END = ("imprisonment", "restriction_of_liberty")  # punishments that need sentence_end

# Status flags are the default jurisdiction's registry profile (clemency/jurisdictions/<id>/jurisdiction.yaml),
# in its order; convicted_abroad (convicted by a foreign court) is core: any registry may hold such a sentence.
STATUS_FLAGS = _PROFILE.flag_names + (() if "convicted_abroad" in _PROFILE.flag_names else ("convicted_abroad",))

_FIELD_LIST: list[Field] = [
    Field("person_id", "string", required=True, meaning="one person"),
    Field("case_id", "string", meaning="unique per row; empty = person_id"),
    Field("full_name", "string", meaning="any script"),
    Field("sex", "enum", values=SEX, required=True),
    Field("birth_date", "date", meaning="empty: age unknown"),
    Field("status", "enum", values=STATUS, required=True, meaning="suspect and accused are pending cases"),
    Field("articles", "string", required=True, meaning="';'-separated Criminal Code article parts"),
    Field("crime_category", "enum", values=CATEGORIES, required="abroad",
          meaning="empty: derived from the articles; required when convicted_abroad is true"),
    Field("negligent", "bool", meaning="empty: derived from the articles"),
    Field("offense_date", "date"),
    Field("punishment", "enum", values=PUNISHMENTS, required="convicted"),
    Field("term_months", "number", minimum=0, meaning="the term imposed"),
    Field("sentence_start", "date"),
    Field("sentence_end", "date", required="custodial_end", meaning="scheduled day of release"),
    Field("institution", "string"),
    *[Field(name, "bool", default=False) for name in STATUS_FLAGS],
    Field("disability_percent", "int", default=0, minimum=0, maximum=100),
    Field("recidivism", "enum", default="none", values=RECIDIVISM),
]

FIELDS: dict[str, Field] = {f.name: f for f in _FIELD_LIST}
REQUIRED_COLUMNS = tuple(f.name for f in _FIELD_LIST if f.required is True)
