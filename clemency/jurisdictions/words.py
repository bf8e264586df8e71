"""The relief vocabulary for code that has a relief but no act at hand (explanations, monitor reports):
words and the set of releasing reliefs over every jurisdiction read in this process, the default one first.
Where an act is at hand, ask its jurisdiction (`jurisdiction_of(act)`) instead."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Set

from clemency.jurisdictions.load import loaded


def _owner(relief: str):
    for j in loaded().values():
        if relief in j.reliefs or relief in j.outcomes:
            return j
    return None


class ReliefWords(Mapping):
    """relief -> its words in one language (`RELIEF_WORDS["term_reduction"]`)."""

    def __init__(self, lang: str = "en", form: str = "words"):
        self.lang, self.form = lang, form      # form: words (in sentences), label (tables), short (legends)

    def __getitem__(self, relief: str) -> str:
        j = _owner(relief)
        if j is None:
            raise KeyError(relief)
        return getattr(j, self.form)(relief, self.lang)

    def __iter__(self) -> Iterator[str]:
        seen: dict[str, None] = {}
        for j in loaded().values():
            seen.update(dict.fromkeys([*j.reliefs, *j.outcomes]))
        return iter(seen)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class Releasing(Set):
    """The reliefs that release the person altogether (from prison, punishment or liability)."""

    def __contains__(self, relief) -> bool:
        j = _owner(str(relief))
        return bool(j and relief in j.reliefs and j.reliefs[relief].releases)

    def __iter__(self) -> Iterator[str]:
        seen: dict[str, None] = {}
        for j in loaded().values():
            seen.update(dict.fromkeys(j.releasing))
        return iter(seen)

    def __len__(self) -> int:
        return sum(1 for _ in self)


RELIEF_WORDS = ReliefWords("en")
RELIEF_LABELS = ReliefWords("en", "label")
RELIEF_SHORT = ReliefWords("en", "short")
RELEASES = Releasing()
