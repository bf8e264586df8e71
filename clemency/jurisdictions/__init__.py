"""Jurisdictions as data: one folder per country (`az/jurisdiction.yaml`) with its reliefs and their words
in English, Azerbaijani and Russian, its registry fields, Criminal Code tables by version, implementing
bodies and lanes, holidays and official-figure columns. The core receives a `Jurisdiction`; it names no
country itself."""

from __future__ import annotations

from clemency.jurisdictions.load import default_jurisdiction, load_jurisdiction, loaded, shipped
from clemency.jurisdictions.model import (
    BodySpec,
    CodeTable,
    Flag,
    Jurisdiction,
    Lane,
    RegistryProfile,
    Relief,
)
from clemency.jurisdictions.words import RELEASES, RELIEF_LABELS, RELIEF_SHORT, RELIEF_WORDS, ReliefWords


def jurisdiction_of(act) -> Jurisdiction:
    """The jurisdiction of an act (an `Act` as loaded; an act without one belongs to the default)."""
    ref = getattr(act, "jurisdiction", None) or (getattr(act, "meta", None) or {}).get("jurisdiction")
    return load_jurisdiction(ref, near=getattr(act, "path", None))


def code_for(act, overrides=None):
    """The Criminal Code table an act names (its jurisdiction's default when it names none)."""
    ref = getattr(act, "code_table", None) or (None, None)
    return jurisdiction_of(act).criminal_code(ref[0], ref[1], overrides)


__all__ = ["RELEASES", "RELIEF_LABELS", "RELIEF_SHORT", "RELIEF_WORDS", "BodySpec", "CodeTable", "Flag", "Jurisdiction", "Lane",
           "RegistryProfile", "Relief", "ReliefWords", "code_for", "default_jurisdiction", "jurisdiction_of",
           "load_jurisdiction", "loaded", "shipped"]
