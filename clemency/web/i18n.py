"""UI strings of the web app, translated with gettext (catalogues in clemency/locale, managed with Babel).

English is the source: `EN` maps each key a template uses to its English text, which is the gettext message id.
The Azerbaijani and Russian catalogues are machine translations that no fluent speaker has checked, and every
page in those languages says so. Besides `t(key)` for the page frame, `gettext_for(lang)` translates any
English message (explanations, clause texts, field and flag names) and `number`/`date` format for the locale."""

from __future__ import annotations

from clemency.errors import ClemencyError
from clemency.locale import N_, catalogue, date, gettext_for, number
from clemency.locale.words import COLUMNS, VALUES
from clemency.report.stamp import act_title, readings_phrase, readings_words
from clemency.web.messages import FIELD_MARKS, localise

LANGUAGES = {"en": "English", "az": "Azərbaycanca", "ru": "Русский"}
UNCHECKED = {"az", "ru"}

__all__ = ["EN", "LANGUAGES", "N_", "UNCHECKED", "catalogue", "date", "gettext_for", "number", "pick_language",
           "translator"]

EN = {
    "app": N_("Clemency"), "tagline": N_("Amnesty acts as data, applied to registries, explained person by person."),
    "nav.check": N_("Check a person"), "nav.runs": N_("Run an act"), "nav.acts": N_("The act"), "nav.timeline": N_("Implementation"),
    "nav.monitor": N_("Monitor"), "nav.api": N_("API"), "nav.signin": N_("Sign in"), "nav.signout": N_("Sign out"),
    "mt.notice": N_("Machine translation, not checked by a fluent speaker."),
    "check.title": N_("Check a person"), "check.intro": N_("Fill in what the registry says about the person. "
    "Leave a field empty when it is not known."), "check.submit": N_("Decide"),
    "check.act": N_("Act"), "check.on": N_("Decision date (empty: the entry into force)"), "check.readings": N_("Readings"),
    "check.flags": N_("Status flags"),
    "field.birth_date": N_("Birth date"), "field.articles": N_("Articles (e.g. 206.3.2;193-1.3.1)"),
    "field.crime_category": N_("Crime category (empty: from the articles)"), "field.negligent": N_("By negligence"),
    "field.offense_date": N_("Offence date"), "field.term_months": N_("Term (months)"),
    "field.sentence_start": N_("Sentence start"), "field.sentence_end": N_("Sentence end (day of release)"),
    "field.disability_percent": N_("Disability (%)"),
    "field.recidivism": N_("Recidivism"),
    "decision.title": N_("Decision"), "decision.relief": N_("Relief"), "decision.clause": N_("Clause"),
    "decision.basis": N_("Basis"), "decision.explanation": N_("In plain words"), "decision.reasons": N_("Clause by clause"),
    "decision.alternatives": N_("Under other readings of the act"),
    "decision.no_alternatives": N_("No single alternative reading changes the relief or the clause."),
    "decision.status": N_("Status"), "decision.sources": N_("Sources"), "decision.result": N_("Result"),
    "decision.conditions": N_("Conditions"), "decision.values": N_("Values used"),
    "runs.title": N_("Run an act on a registry"), "runs.upload": N_("Upload a registry (CSV, XLSX or Parquet)"),
    "runs.start": N_("Start"), "runs.signin_needed": N_("Sign in as an operator to upload a registry."),
    "runs.none": N_("No runs yet."), "runs.status": N_("Status"), "runs.decisions": N_("Decisions"),
    "runs.filter": N_("Filter"), "runs.download": N_("Download"), "runs.report": N_("Published report"),
    "runs.previous": N_("Previous"), "runs.next": N_("Next"), "runs.person": N_("Person"),
    "acts.title": N_("Acts"), "act.clauses": N_("Clauses"), "act.readings": N_("Readings"), "act.parameters": N_("Parameters"),
    "act.definitions": N_("Definitions"), "act.sources": N_("Sources"), "act.default": N_("default"),
    "timeline.title": N_("Implementation"), "timeline.unavailable": N_("The implementation timeline is not available yet."),
    "monitor.title": N_("Monitor"), "monitor.lists": N_("Lists and their versions"), "monitor.review": N_("Matches to review"),
    "monitor.keys": N_("Keys: j/k move, s same, d different, u unsure."), "monitor.why": N_("Why each person is still in"),
    "monitor.past": N_("Past amnesties and pardons"), "monitor.none": N_("Nothing here yet."),
    "monitor.why_unavailable": N_("Not available yet."),
    "login.title": N_("Sign in"), "login.username": N_("User name"), "login.password": N_("Password"), "login.submit": N_("Sign in"),
    "login.failed": N_("Wrong user name or password, or the account is disabled."),
    "decision.reduction": N_("Reduction (months)"), "decision.new_end": N_("New day of release"),
    "decision.eligible": N_("Relief holds"), "decision.upcoming": N_("Later in the window"),
    "decision.excluded_by": N_("Excluded by"), "decision.reading": N_("Reading"), "decision.value": N_("Value"),
    "decision.from": N_("from"), "decision.none": N_("none"),
    "result.held": N_("held"), "result.failed": N_("failed"), "result.unknown": N_("unknown"),
    "result.not decided (content unknown)": N_("not decided (content unknown)"),
    "status.reported": N_("reported"), "status.inferred": N_("inferred"), "status.unknown": N_("unknown"),
    "kind.relief": N_("relief"), "kind.exclusion": N_("exclusion"), "kind.provision": N_("provision"),
    "value.true": N_("yes"), "value.false": N_("no"), "value.unknown": N_("unknown"),
    "field.on": N_("Decision date"), "field.eif": N_("Entry into force"), "field.window_end": N_("End of the window"),
    "field.age": N_("Age"),
    "common.synthetic": N_("Synthetic data"), "common.asof": N_("As of"), "common.readings": N_("readings"),
    # registry values (sex, status, punishment, crime category, recidivism): one list, in clemency.locale.words
    **{f"value.{k}": v for k, v in VALUES.items()},
    # registry fields named as the run browser names its columns: one list, in clemency.locale.words
    **{f"field.{k}": COLUMNS[k] for k in ("person_id", "case_id", "sex", "status", "punishment", "institution")},
}

def pick_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    for cand in (query, cookie):
        if cand in LANGUAGES:
            return cand
    for part in (accept or "").split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in LANGUAGES:
            return code
    return "en"


def translator(lang: str):
    """`t(key)`: the string for a UI key in `lang`, falling back to English (then to the key itself)."""
    g = gettext_for(lang)

    def t(key: str) -> str:
        src = EN.get(key)
        return g(src) if src else key
    return t


def _flag_meanings() -> dict:
    """Status flag -> what it means (English), from every loaded jurisdiction."""
    from clemency.jurisdictions import loaded
    out = {}
    for jur in loaded().values():
        for f in jur.registry.flags:
            if f.meaning:
                out.setdefault(f.name, f.meaning)
    return out


def helpers(lang: str) -> dict:
    """Functions the templates use to show data in `lang`: `_` (any English message), `fd` (a date), `fn` (a
    number), `fname` (a field or status flag), `fval` (a value used), `rw` (a relief in words), `msg` (a library
    message: an error, the expected text of a finding; clemency.web.messages)."""
    g, t = gettext_for(lang), translator(lang)
    flags = _flag_meanings()

    def tr(message):
        return g(message) if isinstance(message, str) and message else message

    def fname(name: str) -> str:
        if f"field.{name}" in EN:
            return t(f"field.{name}")
        if name in flags:
            return g(flags[name])
        if name in FIELD_MARKS:
            return g(name)
        return name

    def fval(value) -> str:
        if isinstance(value, bool) or value in ("True", "False", "true", "false"):
            return t("value.true") if str(value).lower() == "true" else t("value.false")
        if value is None:
            return t("value.unknown")
        if isinstance(value, str) and f"value.{value}" in EN:
            return t(f"value.{value}")
        if isinstance(value, str) and len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
            return date(value, lang)
        return str(value)

    def rw(relief, act=None) -> str:
        if not relief:
            return "—"
        return relief_words(relief, act, lang)

    def reading_about(act, name) -> str:
        """What a reading of the act is about (its `says`), in `lang`."""
        found = [r.about for r in readings_words({"act": act, "readings": {name: ""}}, lang)]
        return found[0] if found else name

    return {"_": tr, "fd": lambda v: date(v, lang) if v else "—", "fn": lambda v: number(v, lang),
            "fname": fname, "fval": fval, "rw": rw, "act_words": lambda act: act_title(act, lang),
            "readings_words": lambda act, readings: readings_phrase({"act": act, "readings": readings}, lang),
            "reading_about": reading_about, "msg": lambda text: localise(text, lang)}


def relief_words(relief: str, act=None, lang: str = "en") -> str:
    """A relief (or none / indeterminate) in the words of the act's jurisdiction (an act id or an Act), in
    `lang`; the default jurisdiction's words when the act does not load."""
    from clemency.jurisdictions import jurisdiction_of
    try:
        if isinstance(act, str):
            from clemency.act.load import load_act
            act = load_act(act)
        jur = jurisdiction_of(act)
    except ClemencyError:
        jur = jurisdiction_of(None)
    return jur.words(relief, lang)


def localise_decision(d: dict, ctx, lang: str) -> dict:
    """The decision with its plain-words explanation in `lang` (English: unchanged)."""
    if lang == "en" or lang not in LANGUAGES:
        return d
    from clemency.explain import plain_words
    return {**d, "explanation": plain_words(ctx, d, lang), "relief_words": relief_words(d["relief"], ctx.act, lang)}
