"""Registry values in words for the pages (`less_serious` -> "less serious"), in the page's language through
the gettext catalogues (the English words are the message ids, marked for extraction)."""

from __future__ import annotations

from clemency.locale import N_, gettext_for

VALUES = {
    "M": N_("male"), "F": N_("female"),
    "convicted": N_("convicted"), "suspect": N_("suspect"), "accused": N_("accused"),
    "imprisonment": N_("imprisonment"), "life_imprisonment": N_("life imprisonment"),
    "restriction_of_liberty": N_("restriction of liberty"), "conditional": N_("conditional sentence"),
    "corrective_work": N_("corrective work"), "public_works": N_("public works"), "fine": N_("fine"),
    "disciplinary_military_unit": N_("disciplinary military unit"), "other": N_("other punishment"),
    "not_great_danger": N_("not of great public danger"), "less_serious": N_("less serious"),
    "grave": N_("grave"), "especially_grave": N_("especially grave"),
    "reported": N_("reported"), "inferred": N_("inferred"), "unknown": N_("unknown"),
    "(none)": N_("(none)"),
}


def value_words(lang: str) -> dict:
    """value -> its words in `lang` (a value not listed is shown as it is)."""
    g = gettext_for(lang)
    return {k: g(v) for k, v in VALUES.items()}
