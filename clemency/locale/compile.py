"""Compile the .po catalogues to .mo: `python -m clemency.locale.compile`.

`pybabel compile` refuses messages whose English text has a percent sign before a letter ("61-100%
impairment") and a translation that writes it otherwise: those are act texts, not format strings, so this
compiles without that check."""

from __future__ import annotations

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from clemency.locale import LANGS, LOCALE_DIR


def compile_all() -> list[str]:
    done = []
    for lang in LANGS:
        po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            continue
        with open(po, "rb") as f:
            catalog = read_po(f, locale=lang)
        with open(po.with_suffix(".mo"), "wb") as f:
            write_mo(f, catalog)
        done.append(lang)
    return done


if __name__ == "__main__":
    print("compiled:", ", ".join(compile_all()))
