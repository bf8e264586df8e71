"""Registry values, the run browser's columns and a run's states in words for the pages (`less_serious` ->
"less serious", `new_sentence_end` -> "New day of release"), in the page's language through the gettext
catalogues (the English words are the message ids, marked for extraction)."""

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
    "none": N_("none"), "repeat": N_("repeat"), "dangerous": N_("dangerous"),
    "especially_dangerous": N_("especially dangerous"),
    "(none)": N_("(none)"),
}

# the run browser's columns and the findings' columns (clemency.web.browse.COLUMNS, findings.csv)
COLUMNS = {
    "person_id": N_("Person id"), "case_id": N_("Case id"), "full_name": N_("Name"), "sex": N_("Sex"),
    "status": N_("Status"), "punishment": N_("Punishment"), "crime_category": N_("Crime category"),
    "institution": N_("Institution"), "relief": N_("Relief"), "clause": N_("Clause"), "basis": N_("Basis"),
    "reduction_months": N_("Reduction (months)"), "new_sentence_end": N_("New day of release"),
    "eligible_from": N_("Relief holds from"), "upcoming_relief": N_("Relief later in the window"),
    "upcoming_from": N_("Later relief from"), "excluded_by": N_("Excluded by"),
    "row": N_("Row"), "field": N_("Field"), "value": N_("Value"), "expected": N_("Expected"),
}
DATE_COLUMNS = ("new_sentence_end", "eligible_from", "upcoming_from")
WORD_COLUMNS = ("sex", "status", "punishment", "crime_category", "basis")

NONE_WORDS = N_("no relief")
SYNTHETIC = N_("This registry is synthetic. Its proportions are assumptions calibrated to the published "
               "figures, so any agreement with the published totals follows from that calibration, "
               "not from observation.")

# a run's states: messages of their own (a run that "failed" is not a condition that failed)
RUN_STATES = {
    "done": N_("finished"), "failed": N_("stopped with an error"), "queued": N_("waiting for a free slot"),
    "running": N_("running"),
    # the steps of a running run (clemency.web.jobs.STEPS)
    "reading the registry": N_("reading the registry"), "resolving articles": N_("resolving articles"),
    "deciding (duckdb)": N_("deciding"), "writing outputs": N_("writing outputs"),
}


def _in(lang: str, table: dict) -> dict:
    g = gettext_for(lang)
    return {k: g(v) for k, v in table.items()}


def value_words(lang: str) -> dict:
    """value -> its words in `lang` (a value not listed is shown as it is)."""
    return _in(lang, VALUES)


def column_words(lang: str) -> dict:
    """column -> its heading in `lang`."""
    return _in(lang, COLUMNS)


def state_words(lang: str) -> dict:
    """a run's state -> its words in `lang`."""
    return _in(lang, RUN_STATES)
