"""Political-prisoner lists as dated versions: import, unique persons, differences
between versions with exit reasons, charges over time with alerts, and privacy for publication."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path

from clemency.errors import InputError
from clemency.monitor.files import read_table
from clemency.monitor.names import name_hash_basis, sex_from_patronymic

LIST_COLUMNS = ("id", "full_name", "patronymic", "sex", "birth_date", "birth_year", "group", "articles",
                "status", "punishment", "term_months", "arrest_date", "sentence_start", "sentence_end", "notes")
REQUIRED = ("id", "full_name")

#: Exit reasons for a person who leaves a list.
EXIT_REASONS = ("amnesty", "pardon", "end_of_term", "parole", "conviction_quashed", "exchanged",
                "died_in_custody", "removed")
UNKNOWN_EXIT = "removed (reason not recorded)"
_EXIT_ALIASES = {"end of term": "end_of_term", "served": "end_of_term", "served term": "end_of_term",
                 "quashed": "conviction_quashed", "conviction quashed": "conviction_quashed",
                 "died": "died_in_custody", "died in custody": "died_in_custody", "death": "died_in_custody",
                 "exchange": "exchanged", "released on parole": "parole"}

AMNESTY_ADOPTED = date(2025, 12, 19)
WITHHELD = "(withheld)"


def _d(value: str | date | None, what: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what} {value!r} is not a date", hint="YYYY-MM-DD") from exc


def normalise_exit_reason(value: str | None) -> str | None:
    """An exit reason as one of EXIT_REASONS, or None when blank. Unknown words raise InputError."""
    if not value or not str(value).strip():
        return None
    v = str(value).strip().lower().replace("-", " ")
    v = _EXIT_ALIASES.get(v, v.replace(" ", "_"))
    if v not in EXIT_REASONS:
        raise InputError(f"exit reason {value!r}", hint=f"one of {', '.join(EXIT_REASONS)}")
    return v


@dataclass(slots=True)
class ListVersion:
    """One dated version of a list: rows (one per prosecution) with list date, source and recording date."""

    list_date: date
    source: str
    recorded_on: date
    rows: list[dict[str, str]]
    name: str = ""

    def person_key(self, row: dict) -> str:
        """A person: `person_id` when the list has it, else `id` (rows sharing an id are one person)."""
        return str(row.get("person_id") or row.get("id"))

    def persons(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for r in self.rows:
            out.setdefault(self.person_key(r), []).append(r)
        return out

    def count(self) -> dict[str, int]:
        """Rows (prosecutions) and unique persons, overall and per group."""
        res = {"rows": len(self.rows), "persons": len(self.persons())}
        groups: dict[str, set[str]] = {}
        for r in self.rows:
            groups.setdefault(r.get("group") or "(no group)", set()).add(self.person_key(r))
        res.update({f"persons:{g}": len(s) for g, s in sorted(groups.items())})
        return res


def load_list(path: str | Path, list_date: str | date, source: str, recorded_on: str | date | None = None,
              name: str = "") -> ListVersion:
    """Import a CSV/XLSX list version; a missing `sex` is taken from the patronymic marker."""
    rows = read_table(path, required=REQUIRED)
    for n, r in enumerate(rows, 1):
        if not r.get("id"):
            raise InputError("empty id", where=f"{path}: row {n}")
        if not r.get("sex"):
            sex = sex_from_patronymic(r.get("patronymic") or "") or sex_from_patronymic(r.get("full_name", ""))
            if sex:
                r["sex"] = sex
                r.setdefault("sex_source", "patronymic")
    ld = _d(list_date, "list date")
    return ListVersion(ld, source, _d(recorded_on or ld, "recorded on"), rows, name or Path(path).stem)


# --- differences between versions -----------------------------------------------------------------

@dataclass(slots=True)
class Exit:
    person: str
    full_name: str
    reason: str
    evidence: str = ""  # where the reason comes from


@dataclass(slots=True)
class ListDiff:
    old: ListVersion
    new: ListVersion
    entered: list[str] = field(default_factory=list)
    exits: list[Exit] = field(default_factory=list)
    stayed: list[str] = field(default_factory=list)

    def exit_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in self.exits:
            out[e.reason] = out.get(e.reason, 0) + 1
        return out


def diff(old: ListVersion, new: ListVersion, events: Iterable = (), identities: dict[str, str] | None = None) -> ListDiff:
    """Who entered, who left (with an exit reason) and who stayed between two versions.

    The reason comes from release evidence (``events``: objects with ``person``, ``date``, ``kind``,
    ``source_document``, ``confidence``; the latest one up to the new list date wins), else from an
    `exit_reason` column of the person's row in either version, else UNKNOWN_EXIT.

    ``identities`` (``Ledger.identities()``) keeps one person whose id changed between the versions, judged
    the same by a reviewer, as one person who stayed (named by the old version's id), not as one who left
    and one who entered.
    """
    po, pn = old.persons(), new.persons()
    if identities:
        old_of = {identities[k]: k for k in po if k in identities}
        pn = {old_of.get(identities.get(k, k), k): v for k, v in pn.items()}
        events = [dataclasses.replace(ev, person=old_of[identities[ev.person]])
                  if ev.person in identities and identities[ev.person] in old_of else ev for ev in events]
    res = ListDiff(old, new)
    res.entered = sorted(set(pn) - set(po))
    res.stayed = sorted(set(pn) & set(po))
    latest: dict[str, object] = {}
    for ev in events:
        if ev.date is not None and ev.date > new.list_date:
            continue
        cur = latest.get(ev.person)
        if cur is None or (ev.date or date.min) >= (cur.date or date.min):
            latest[ev.person] = ev
    for pid in sorted(set(po) - set(pn)):
        rows = po[pid]
        ev = latest.get(pid)
        if ev is not None:
            reason = normalise_exit_reason(ev.kind) or UNKNOWN_EXIT
            where = f"{ev.confidence}: {ev.source_document} ({ev.date})"
        else:
            col = next((r.get("exit_reason") for r in rows if r.get("exit_reason")), None)
            reason = normalise_exit_reason(col) or UNKNOWN_EXIT
            where = f"exit_reason column of {old.name}" if col else ""
        res.exits.append(Exit(pid, rows[0].get("full_name", ""), reason, where))
    return res


# --- charges over time ----------------------------------------------------------------------------

def article_covers(ref: str, article: str) -> bool:
    """Dotted-segment matching: 206.3 covers 206.3.2; 193-1 is not 193."""
    r, a = ref.strip().split("."), article.strip().split(".")
    return len(r) <= len(a) and a[: len(r)] == r


def split_articles(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").replace(",", ";").split(";") if p.strip()]


@dataclass(slots=True)
class ChargeStage:
    list_date: date
    status: str
    articles: tuple[str, ...]


@dataclass(slots=True)
class ChargeAlert:
    person: str
    full_name: str
    before: ChargeStage
    after: ChargeStage
    now_excluded: list[str]  # the excluded refs or categories the new charges fall into
    after_adoption: bool

    def words(self) -> str:
        when = " after the act's adoption" if self.after_adoption else ""
        return (f"{self.full_name or self.person}: charges changed{when} from {', '.join(self.before.articles)}"
                f" ({self.before.list_date}) to {', '.join(self.after.articles)} ({self.after.list_date}),"
                f" now falling under excluded {', '.join(self.now_excluded)}")


def charge_history(versions: Iterable[ListVersion]) -> dict[str, list[ChargeStage]]:
    """Articles per person at each list date (stage = the row's status), in date order."""
    hist: dict[str, list[ChargeStage]] = {}
    for v in sorted(versions, key=lambda v: v.list_date):
        for pid, rows in v.persons().items():
            arts = tuple(sorted({a for r in rows for a in split_articles(r.get("articles"))}))
            status = ";".join(sorted({r.get("status") or "" for r in rows} - {""}))
            hist.setdefault(pid, []).append(ChargeStage(v.list_date, status, arts))
    return hist


def charge_alerts(versions: Iterable[ListVersion], excluded_articles: Iterable[str] = (),
                  excluded_categories: Iterable[str] = (),
                  category_of: Callable[[str], str | None] | None = None,
                  adopted: date = AMNESTY_ADOPTED) -> list[ChargeAlert]:
    """Alert where a person's charges change into an excluded article or category.

    ``excluded_articles`` are article refs (a ref covers its parts); ``excluded_categories`` are
    matched with ``category_of(article)`` (e.g. the Criminal Code table's category). Alerts whose
    change shows on a list dated after ``adopted`` are flagged ``after_adoption``.
    """
    ex_refs = list(excluded_articles)
    ex_cats = set(excluded_categories)
    versions = list(versions)
    names = {v.person_key(r): r.get("full_name", "") for v in versions for r in v.rows}

    def hits(arts: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for a in arts:
            out.update(f"art. {ref}" for ref in ex_refs if article_covers(ref, a))
            cat = category_of(a) if category_of and ex_cats else None
            if cat in ex_cats:
                out.add(f"category {cat}")
        return out

    alerts: list[ChargeAlert] = []
    for pid, stages in charge_history(versions).items():
        for before, after in pairwise(stages):
            if before.articles == after.articles:
                continue
            new = hits(after.articles) - hits(before.articles)
            if new:
                alerts.append(ChargeAlert(pid, names.get(pid, ""), before, after, sorted(new),
                                          after.list_date > adopted))
    alerts.sort(key=lambda a: (not a.after_adoption, a.after.list_date, a.person))
    return alerts


# --- privacy --------------------------------------------------------------------------------------

NAME_FIELDS = ("full_name", "patronymic")


def withhold_names(rows: Iterable[dict], released: Iterable[str] | None = None, key: str = "id") -> list[dict]:
    """Rows for publication with the names of released people withheld (all names when ``released`` is None)."""
    rel = None if released is None else set(map(str, released))
    out = []
    for r in rows:
        r = dict(r)
        if rel is None or str(r.get(key)) in rel:
            for f in NAME_FIELDS:
                if f in r:
                    r[f] = WITHHELD
        out.append(r)
    return out


def name_hash(full_name: str, salt: str, birth_year: int | str | None = None) -> str:
    """Salted sha256 of the normalised name (script-independent) and birth year."""
    if not salt:
        raise InputError("a salt is needed to hash names", hint="keep the salt secret and stable")
    by = int(birth_year) if birth_year not in (None, "") else None
    return hashlib.sha256((salt + "|" + name_hash_basis(full_name, by)).encode()).hexdigest()


def keep_matched(release_rows: Iterable[dict], matched_ids: Iterable[str], salt: str,
                 key: str = "id") -> tuple[list[dict], list[str]]:
    """From a release list: the rows matched to the monitor's list kept whole, the rest reduced to hashes."""
    ids = set(map(str, matched_ids))
    kept, hashes = [], []
    for r in release_rows:
        if str(r.get(key)) in ids:
            kept.append(dict(r))
        else:
            by = r.get("birth_year") or (r.get("birth_date") or "")[:4] or None
            hashes.append(name_hash(r.get("full_name", ""), salt, by))
    return kept, hashes
