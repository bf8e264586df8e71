"""Names across scripts: Azerbaijani Latin, Azerbaijani Cyrillic, Russian Cyrillic and English renderings.

Two levels of normalisation (see docs/monitor.md):

* ``romanise(text)`` gives a readable lowercase ASCII skeleton in English-like spelling
  (Həsənov -> hasanov, Гасанов -> gasanov, Vaqifqızı -> vagifgizi).
* ``phonetic_key(word)`` maps a romanised word onto classes of letters that correspond across
  the scripts (Azerbaijani q ~ Russian г/к ~ English g; h ~ x ~ kh; c ~ j ~ dzh; ə ~ a ~ e; ...),
  with the word-initial g/h merged (Russian writes initial h as г: Гасанов for Həsənov).

``parse_name`` splits a full name into given name, patronymic and surname in either order and
separates the surname suffix (-ov/-yev/-li/-zadə ...) from its stem, so that Həsənov and Həsənli
share a stem but differ in suffix type. The tables were not checked by a fluent speaker.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

# --- letter tables --------------------------------------------------------------------------------

#: Azerbaijani Latin (and Turkish/other diacritics) to English-like ASCII.
LATIN = {
    "ə": "a", "ä": "a", "ı": "i", "i̇": "i", "ğ": "g", "q": "g", "ş": "sh", "ç": "ch", "ö": "o",
    "ü": "u", "x": "kh", "c": "j", "ǝ": "a", "é": "e", "è": "e", "â": "a", "î": "i", "û": "u", "ñ": "n",
}

#: Russian and Azerbaijani Cyrillic to the same ASCII. е/ё/ю/я get a y- glide where Russian has one.
CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Azerbaijani Cyrillic (before 1991)
    "ә": "a", "ғ": "g", "һ": "h", "ҹ": "j", "ө": "o", "ү": "u", "ј": "y", "ҝ": "g", "ы̆": "i",
    # Ukrainian and Belarusian letters, in lists typed on those keyboards
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "v",
}
_CYR_VOWELS = set("аеёиоуыэюяәөүіїє")

#: Phonetic classes used by ``phonetic_key`` (multi-letter sequences are tried first).
KEY_SEQUENCES = [("shch", "X"), ("dzh", "J"), ("dj", "J"), ("zh", "J"), ("kh", "H"), ("gh", "G"),
                 ("sh", "X"), ("ch", "C"), ("ts", "S"), ("ph", "F")]
KEY_LETTERS = {
    "a": "A", "e": "E", "i": "I", "o": "O", "u": "U", "b": "B", "p": "P", "d": "D", "t": "T",
    "v": "V", "w": "V", "f": "F", "g": "G", "q": "G", "k": "G", "h": "H", "x": "H", "j": "J",
    "c": "J", "s": "S", "z": "Z", "l": "L", "m": "M", "n": "N", "r": "R", "y": "y",
}
_KEY_VOWELS = set("AEIOU")
#: E (a written e) is A for every comparison but one: a Russian е may stand for ё (ö), as in Гезель for
#: Гёзель; ``fold_e`` gives the key in which E and A are one class.
_FOLD_E = str.maketrans("E", "A")


def fold_e(key: str) -> str:
    """The key with E read as A (Мамедов = Məmmədov)."""
    return key.translate(_FOLD_E)

#: Patronymic markers (romanised): son of / daughter of.
#: Every spelling the renderings give: o + g/gh + l + u/y/i/ou (oğlu, оглы, ogly, oghlu, oglou), and
#: g/gh/k/kh + i/y + z + i/y (qızı, кызы, гызы, gizi, kyzy, qyzy, kizy); q is already g once romanised.
MALE_MARKERS = tuple(f"o{g}l{v}" for g in ("gh", "g") for v in ("u", "y", "i", "ou")) + ("ogul",)
FEMALE_MARKERS = tuple(f"{k}{a}z{b}" for k in ("gh", "kh", "g", "k") for a in "iy" for b in "iy")
#: Russified patronymics (Vugarovich, Vagifovna).
#: Алиевич romanises as aliyevich: the y- glide of е goes with the ending.
RUSSIAN_PATRONYMIC = (("yevich", "M"), ("ovich", "M"), ("evich", "M"), ("yevna", "F"), ("ovna", "F"), ("evna", "F"),
                      ("ich", "M"))

#: Surname suffixes: (romanised ending, suffix type, sex, minimum stem length); longest first.
SURNAME_SUFFIXES = [
    ("zadeh", "zade", None, 2), ("zada", "zade", None, 2), ("zade", "zade", None, 2),
    ("yeva", "ov", "F", 2), ("eva", "ov", "F", 2), ("ova", "ov", "F", 2),
    ("yev", "ov", "M", 2), ("ev", "ov", "M", 2), ("ov", "ov", "M", 2),
    ("li", "li", None, 4), ("ly", "li", None, 4), ("lu", "li", None, 4),
]
#: Suffix types; "oglu"/"qizi" are surnames made from the patronymic (allowed since 1993).
SUFFIX_TYPES = ("ov", "li", "zade", "oglu", "qizi")
PATRONYMIC_SURNAMES = ("oglu", "qizi")


#: Letters that look the same in Latin and Cyrillic. A word typed mostly in one script with a few
#: look-alike letters from the other keyboard ("Гаcанов" with a Latin c, "Hаsanov" with a Cyrillic а)
#: is read in its main script.
_LOOK_ALIKE = ("AaBCcEeHIiJjKkMOoPpTXxYyhƏə", "АаВСсЕеНІіЈјКкМОоРрТХхУуһӘә")
_TO_CYRILLIC = str.maketrans(*_LOOK_ALIKE)
_TO_LATIN = str.maketrans(_LOOK_ALIKE[1], _LOOK_ALIKE[0])
#: Apostrophes inside a word are dropped (Mə'sumə = Məsumə, as in spellings before the 1992 reform).
APOSTROPHES = frozenset("'’‘ʼʻ`´′ʹ")


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u052f"


def _unmix(word: str) -> str:
    """A word with letters from both Latin and Cyrillic, look-alikes put into the word's main script."""
    cyr = [ch for ch in word if ch.isalpha() and _is_cyrillic(ch)]
    lat = [ch for ch in word if ch.isalpha() and not _is_cyrillic(ch)]
    if not cyr or not lat:
        return word
    alike = set(_LOOK_ALIKE[0] + _LOOK_ALIKE[1])
    own_cyr = sum(ch not in alike for ch in cyr)
    own_lat = sum(ch not in alike for ch in lat)
    if (own_cyr, len(cyr)) > (own_lat, len(lat)):
        return word.translate(_TO_CYRILLIC)
    if (own_lat, len(lat)) > (own_cyr, len(cyr)):
        return word.translate(_TO_LATIN)
    return word


#: UTF-8 shown in a one-byte code page ("MÉ™mmÉ™dov" for Məmmədov, "ÐœÐ°Ð¼ÐµÐ´Ð¾Ð²" or "РњР°РјРµРґРѕРІ" for
#: Мамедов): each code page's characters for the bytes 0x80-0xFF (a byte the code page lacks shown as the
#: control character of the same number, as Windows does), and the characters of the UTF-8 continuation
#: bytes 0x80-0xBF, one of which every such word holds.
def _code_page(name: str) -> tuple[dict[str, int], frozenset[str]]:
    table: dict[str, int] = {}
    for b in range(0x80, 0x100):
        try:
            table[bytes([b]).decode(name)] = b
        except UnicodeDecodeError:
            table[chr(b)] = b
    if name == "cp1252":  # Latin-1 too: its characters for 0x80-0x9F are the control characters
        table.update({chr(b): b for b in range(0x80, 0xA0)})
    return table, frozenset(ch for ch, b in table.items() if b < 0xC0)


_CODE_PAGES = (_code_page("cp1252"), _code_page("cp1251"))


def _reencoded(word: str, table: dict[str, int]) -> str:
    raw = bytearray()
    for ch in word:
        o = ord(ch)
        if o < 0x80:
            raw.append(o)
        elif ch in table:
            raw.append(table[ch])
        else:
            return word
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return word


def _repair(word: str) -> str:
    """``word`` read again as UTF-8 when it is UTF-8 shown in Windows-1252, Latin-1 or Windows-1251 (twice at
    most: a file converted twice).

    Only a word whose bytes make valid UTF-8 is changed: a name really written in accented Latin or in
    Cyrillic letters (Çingiz, Ülvi, Рамиз) never does, because its letters are not followed by UTF-8
    continuation bytes."""
    for _ in range(2):
        fixed = word
        for table, continuations in _CODE_PAGES:
            if not continuations.isdisjoint(word):
                fixed = _reencoded(word, table)
                if fixed != word:
                    break
        if fixed == word:
            break
        word = fixed
    return word


def _fold(text: str) -> str:
    """Lowercase with Azerbaijani/Turkish dotted and dotless i kept apart before NFC."""
    text = _unmix(unicodedata.normalize("NFC", text)).replace("İ", "i").replace("I", "i")
    return text.lower().replace("i̇", "i")


def romanise(text: str) -> str:
    """Any script to lowercase English-like ASCII; spaces kept, other punctuation dropped."""
    return " ".join(r for r in map(_romanise_word, text.split()) if r)


@lru_cache(maxsize=500_000)
def _romanise_word(text: str) -> str:
    if not text.isascii():
        text = _repair(text)
    text = _fold(text)
    out: list[str] = []
    prev = " "
    for k, ch in enumerate(text):
        if ch == "c" and text[k + 1: k + 2] == "h":  # English ch stays ch (Elchin); a bare c is Az c = j
            rep = "c"
        elif ch in CYRILLIC:
            rep = CYRILLIC[ch]
            if ch == "е" and (prev in _CYR_VOWELS or not prev.isalpha()):
                rep = "ye"
        elif ch in LATIN:
            rep = LATIN[ch]
        elif "a" <= ch <= "z":
            rep = ch
        elif ch in APOSTROPHES:
            rep = ""
        elif ch.isspace() or unicodedata.category(ch)[0] in "PSZ":  # punctuation, dashes, symbols
            rep = " "
        else:  # a letter with a mark the tables lack (ӧ, ó), a combining mark, an invisible format character
            base = unicodedata.normalize("NFKD", ch)[0]
            rep = base if "a" <= base <= "z" else CYRILLIC.get(base, LATIN.get(base, ""))
        out.append(rep)
        prev = ch
    return " ".join("".join(out).split())


@lru_cache(maxsize=500_000)
def phonetic_key(word: str) -> str:
    """A romanised word as a string of correspondence classes (see KEY_LETTERS), doubles collapsed."""
    word = romanise(word).replace(" ", "")
    # a final -h or -x (kh) after a vowel is often dropped or written either way: Taleh = Tale = Талех,
    # Fərrux = Farrukh = Farruh, Abdullah = Abdulla, Mehralizadeh
    for end in ("kh", "h"):
        if word.endswith(end) and len(word) > len(end) + 2 and word[-len(end) - 1] in "aeiouy":
            word = word[: -len(end)]
            break
    classes: list[str] = []
    i = 0
    while i < len(word):
        for seq, cls in KEY_SEQUENCES:
            if word.startswith(seq, i):
                classes.append(cls)
                i += len(seq)
                break
        else:
            cls = KEY_LETTERS.get(word[i])
            if cls:
                classes.append(cls)
            i += 1
    # y before a vowel is a glide, dropped (Aliyev = Aliev, Yaşar = Яшар, İsmayıl = Ismail); y after a vowel
    # closes a diphthong, Y, as does an i straight after a vowel (Hüseyn = Гусейн = Husein, Leyla = Leila,
    # so that Leyla stays apart from Lalə); y between consonants is a vowel, I
    classes = [c for j, c in enumerate(classes) if c != "y" or not j or classes[j - 1] != "y"]  # yy: Ülviyyə
    out: list[str] = []
    for j, c in enumerate(classes):
        if c == "y":
            before = classes[j - 1] if j else ""
            after = classes[j + 1] if j + 1 < len(classes) else ""
            if after in _KEY_VOWELS:
                continue
            c = "Y" if before in _KEY_VOWELS else "I"
        elif c == "I" and out and out[-1] in ("A", "E", "O", "U"):
            c = "Y"
        out.append(c)
    if out and out[0] == "H":  # Russian г for initial h: Гасанов = Həsənov = Hasanov
        out[0] = "G"
    collapsed: list[str] = []
    for c in out:  # E next to A is a double too (Ağaəliyev typed Agaeliyev)
        if not collapsed or collapsed[-1] != c and {collapsed[-1], c} != {"A", "E"}:
            collapsed.append(c)
    return "".join(collapsed)


# --- parsing --------------------------------------------------------------------------------------

#: Given names whose traditional Russian or English rendering departs from the transcription rules (the
#: published Azerbaijani-Russian practical transcription notes that some names keep their traditional form,
#: e.g. Füzuli - Физули): phonetic keys of the variants -> the key of the Azerbaijani form.
GIVEN_EQUIVALENTS = {
    "MAGOMAD": "MAHAMAD", "MUHAMAD": "MAHAMAD", "MOHAMAD": "MAHAMAD", "MAGAMAD": "MAHAMAD",  # Məhəmməd
    "FIZULI": "FUZULI",                                                                      # Füzuli
    "USUF": "USIF",                                                                          # Yusif
}


@lru_cache(maxsize=200_000)
def name_key(word: str) -> str:
    """The phonetic key of a given name or patronymic, with traditional renderings folded together."""
    k = phonetic_key(word)
    return GIVEN_EQUIVALENTS.get(fold_e(k), k)


#: An initial: one letter, or the letters one Cyrillic or Azerbaijani letter romanises to (Ş. -> sh, Дж. -> dzh).
_INITIALS = frozenset("abcdefghijklmnopqrstuvwxyz") | {
    "sh", "ch", "kh", "zh", "gh", "dzh", "dj", "ya", "yu", "yo", "ye", "ts", "shch"}
#: Ends the key of a name known only by its initial ("T." for Tofiq): the initial's letter class, then this.
INITIAL = "."


@lru_cache(maxsize=200_000)
def part_key(token: str) -> str:
    """The key of a romanised given name or patronymic: ``name_key``, or for an initial its letter class
    followed by ``INITIAL`` (a Latin Y. is kept as Y: the key of Yaşar drops its y-glide)."""
    if token in _INITIALS:
        return ("Y" if token == "y" else phonetic_key(token)) + INITIAL
    return name_key(token)


def is_initial(key: str) -> bool:
    return key.endswith(INITIAL)


class ParsedName(NamedTuple):
    """A full name split into parts; keys are phonetic keys, ``surname_stem_key`` has no suffix.

    A named tuple rather than a dataclass: a registry builds a million of these, and a tuple is built
    several times faster than a frozen dataclass."""

    raw: str
    surname: str | None
    given: str | None
    patronymic: str | None
    surname_stem_key: str
    surname_suffix: str | None  # one of SUFFIX_TYPES or None
    given_key: str
    patronymic_key: str
    sex: str | None  # "M", "F" or None
    sex_source: str | None  # "patronymic marker", "surname ending", ...

    @property
    def skeleton(self) -> str:
        """Readable canonical form: surname given patronymic, romanised."""
        return " ".join(p for p in (self.surname, self.given, self.patronymic) if p)


_DIGRAPHS = re.compile("shch|dzh|sh|ch|kh|gh|zh|ts|dj")


def _units(stem: str) -> int:
    """Letters of a romanised stem, a digraph counted once: the same for Ağa, Agha and Aga, Şah and Shah."""
    return len(_DIGRAPHS.sub("_", stem)) if len(stem) > 2 else len(stem)


@lru_cache(maxsize=200_000)
def split_surname(surname: str) -> tuple[str, str | None, str | None]:
    """Romanised surname -> (stem, suffix type, sex from the ending)."""
    word = romanise(surname).replace(" ", "")
    for ending, kind, sex, min_stem in SURNAME_SUFFIXES:
        if word.endswith(ending) and _units(word[: -len(ending)]) >= min_stem:
            return word[: -len(ending)], kind, sex
    return word, None, None


@lru_cache(maxsize=200_000)
def _marker(token: str) -> tuple[str | None, str | None]:
    """(sex, rest) when ``token`` ends in a patronymic marker; rest is '' for a standalone marker."""
    for markers, sex in ((MALE_MARKERS, "M"), (FEMALE_MARKERS, "F")):
        for m in markers:
            if token.endswith(m) and (len(token) == len(m) or len(token) - len(m) >= 3):
                return sex, token[: -len(m)]
    return None, None


@lru_cache(maxsize=200_000)
def _russian_patronymic(token: str) -> tuple[str | None, str | None]:
    for ending, sex in RUSSIAN_PATRONYMIC:
        if token.endswith(ending) and len(token) - len(ending) >= 3:
            return sex, token[: -len(ending)]
    return None, None


_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
#: "Багир-заде", "Bagir-zade": the -zadə suffix written apart
_DASHES = "-‐‑‒–—―−"
_ZADE = re.compile(rf"\s*[{_DASHES}]\s*(zad[əeaа]h?|заде)\b", re.IGNORECASE)
_HAS_DASH = re.compile(f"[{_DASHES}]").search
_DASH_SPLIT = re.compile(f"[{_DASHES}]").split


@lru_cache(maxsize=100_000)
def _join_hyphenated(word: str) -> str:
    """A double given name written with a hyphen is one name: Əli-Əkbər = Əliəkbər, Мир-Гасан = Миргасан.

    So is a surname with a prefix written apart (Mir-Həsənov). Kept apart: a patronymic marker (Əli-oğlu)
    and a double surname (Məmmədov-Əliyev: a surname ending before the last part)."""
    parts = _DASH_SPLIT(word)
    if len(parts) < 2 or not all(parts):
        return word
    for k, part in enumerate(parts):
        toks = _romanise_word(part).split()
        if len(toks) != 1 or _marker(toks[0])[0] is not None or \
                (k < len(parts) - 1 and _looks_like_surname(toks[0])):
            return word
    return "".join(parts)
_SPECIAL = re.compile(f"[{_DASHES}(\\[,]").search
_new_parsed = tuple.__new__


#: Forms of address that are not part of the name (xanım, bəy; romanised).
HONORIFICS = frozenset({"khanim", "khanum", "hanim", "khanym", "bey", "bay", "bek"})


_WORDS: dict[str, tuple[tuple[str, ...], tuple]] = {}


def _word(word: str) -> tuple[tuple[str, ...], tuple]:
    """(romanised tokens, their ``_token_class``) of one whitespace-separated word; forms of address
    are dropped. Cached: a registry has a few thousand distinct words."""
    got = _WORDS.get(word)
    if got is None:
        toks = tuple(t for t in _romanise_word(word).split() if t not in HONORIFICS)
        got = (toks, tuple(_class_code(t) for t in toks))
        if len(_WORDS) < 1_000_000:
            _WORDS[word] = got
    return got


def _tokens(text: str) -> list[str]:
    return [t for w in text.split() for t in _word(w)[0]]


@lru_cache(maxsize=262_144)
def parse_name(full_name: str, patronymic: str | None = None) -> ParsedName:
    """Split ``full_name`` (any script, any usual order) into surname, given name and patronymic.

    Orders understood: "Surname Given Patronymic oğlu" (lists, decrees), "Given Surname" (news),
    "Given Patronymic oğlu Surname" (encyclopaedias), "Surname, Given Patronymic" (indexes), Russian
    "Given Patronymic-ovich Surname", and a surname made from a patronymic ("Vaqifqızı Sevinc",
    "İbadoğlu Qubad Mövlud oğlu"). Bracketed asides are ignored. ``patronymic`` (a separate list
    column) wins over one found in the full name.

    Which word plays which part depends only on what each word is (a patronymic marker, a Russian
    patronymic, a word with a surname ending) and on which words repeat: that layout is worked out
    once per pattern (``_layout``) and reused, so a million names cost a million dictionary look-ups.
    """
    text = full_name or ""
    comma_surname: int | None = None
    if _SPECIAL(text):  # brackets, dashes or a comma (most names have none)
        if "(" in text or "[" in text:
            text = _BRACKETS.sub(" ", text)
        if _HAS_DASH(text):
            text = " ".join(map(_join_hyphenated, _ZADE.sub(r"\1", text).split()))
        head, comma, tail = text.partition(",")
        if comma:
            htoks = _tokens(head)
            if len(htoks) == 1 and _tokens(tail):  # "Surname, Given Patronymic": the surname is token 0
                comma_surname = 0
            text = head + " " + tail
    tokens: list[str] = []
    shape: list = []
    for w in text.split():
        toks, classes = _WORDS.get(w) or _word(w)
        tokens += toks
        shape += classes
    col_pat: str | None = None
    col_sex: str | None = None
    if patronymic:
        col_pat, col_sex = _patronymic_column(patronymic)
    if len(set(tokens)) == len(tokens):
        canon: tuple[int, ...] | None = None  # no word repeats
    else:
        first: dict[str, int] = {}
        canon = tuple(first.setdefault(t, i) for i, t in enumerate(tokens))
    codes = tuple(shape)
    key = (canon, codes) if comma_surname is None and not patronymic else \
        (canon, codes, comma_surname, bool(patronymic), col_pat is not None, col_sex)
    layout = _LAYOUTS.get(key)
    if layout is None:
        layout = _layout(tuple(range(len(tokens))) if canon is None else canon,
                         tuple(_CLASSES[c] for c in codes), comma_surname, bool(patronymic), col_pat, col_sex)
        if len(_LAYOUTS) < 100_000:
            _LAYOUTS[key] = layout
    s_ref, g_ref, p_ref, sex, sex_source, surname_is_patronymic = layout
    surname = tokens[s_ref] if type(s_ref) is int else _resolve(s_ref, tokens, col_pat)
    given = tokens[g_ref] if type(g_ref) is int else _resolve(g_ref, tokens, col_pat)
    pat = tokens[p_ref] if type(p_ref) is int else _resolve(p_ref, tokens, col_pat)
    stem, suffix, ssex = split_surname(surname) if surname else ("", None, None)
    if surname_is_patronymic and surname:
        msex, mstem = _marker(surname)
        stem, suffix, ssex = mstem or surname, "oglu" if msex == "M" else "qizi", msex
    if sex is None and ssex is not None:
        sex, sex_source = ssex, "surname ending"
    return _new_parsed(ParsedName, (  # positional, in field order: the quickest way to build one
        full_name, surname, given, pat, phonetic_key(stem) if stem else "", suffix,
        part_key(given) if given else "", part_key(pat) if pat else "", sex, sex_source))


def _patronymic_column(patronymic: str) -> tuple[str | None, str | None]:
    """(patronymic, sex) from a separate patronymic column: markers and Russian endings taken off."""
    psex = None
    kept = []
    for tok in romanise(patronymic).split():
        msex, stem = _marker(tok)
        rsex, rstem = _russian_patronymic(tok)
        if msex is not None:
            psex = msex
            if stem:
                kept.append(stem)
        elif rsex is not None:  # a Russian-style patronymic column: Вугарович, Вагифовна
            psex = rsex
            kept.append(rstem)
        else:
            kept.append(tok)
    return (" ".join(kept) if kept else None), psex


#: Distinct token classes; a name's pattern holds their positions in this list.
_CLASSES: list[tuple] = []
_CLASS_CODES: dict[tuple, int] = {}


def _class_code(tok: str) -> int:
    cls = _token_class(tok)
    code = _CLASS_CODES.get(cls)
    if code is None:
        code = _CLASS_CODES[cls] = len(_CLASSES)
        _CLASSES.append(cls)
    return code


def _token_class(tok: str) -> tuple[str | None, bool, str | None, bool]:
    """What a token is: (sex of a patronymic marker, marker attached to a name, sex of a Russian
    patronymic ending, has a surname ending)."""
    msex, stem = _marker(tok)
    rsex, _ = _russian_patronymic(tok)
    return msex, bool(stem), rsex, _surname_rank(tok)


#: Layouts by token pattern; see ``_layout``.
_LAYOUTS: dict[tuple, tuple] = {}

# A reference to a part of the name in a layout: a token position (int), the name before an attached
# marker ("m", i), the name before a Russian patronymic ending ("r", i), or the patronymic column ("col",).
_Ref = int | tuple | None


def _resolve(ref: _Ref, tokens: list[str], col_pat: str | None) -> str | None:
    if ref is None or isinstance(ref, int):
        return None if ref is None else tokens[ref]
    if ref[0] == "m":
        return _marker(tokens[ref[1]])[1]
    if ref[0] == "r":
        return _russian_patronymic(tokens[ref[1]])[1]
    return col_pat


def _layout(canon: tuple[int, ...], shape: tuple, comma_surname: int | None, has_column: bool,
            col_pat: str | None, col_sex: str | None) -> tuple:
    """Which token is the surname, the given name and the patronymic, for one token pattern.

    ``canon[i]`` is the position of the first token equal to token i (so repeated words compare equal),
    ``shape[i]`` is ``_token_class`` of token i. Returns references (see ``_resolve``), the sex, its
    source, and whether the surname is made from a patronymic.
    """
    def looks(t: int) -> int:
        return shape[t][3]

    pat: _Ref = None
    sex: str | None = None
    sex_source: str | None = None
    rest: list[int] = []
    pat_pos: int | None = None
    attached: int | None = None
    forced_surname: int | None = None  # an attached patronymic form followed by a real patronymic
    for tok in canon:
        msex, attached_stem, rsex, _ = shape[tok]
        if msex is not None:
            sex, sex_source = msex, "patronymic marker"
            if attached_stem:  # attached: Vaqifqızı
                if pat is None:
                    pat, pat_pos, attached = ("m", tok), len(rest), tok
                else:
                    rest.append(tok)
            elif rest and (pat is None or attached is not None):  # standalone: Vüqar oğlu
                if attached is not None:  # "İbadoğlu Qubad Mövlud oğlu": the attached form is the surname
                    forced_surname, attached = attached, None
                pat, pat_pos = rest.pop(), len(rest)
            continue
        if rsex is not None and pat is None and len(canon) >= 3:
            sex, sex_source, pat, pat_pos = rsex, "patronymic ending", ("r", tok), len(rest)
            continue
        rest.append(tok)
    if has_column:
        if col_pat is not None:
            pat = ("col",)
        if col_sex:
            sex, sex_source = col_sex, "patronymic marker"

    surname_is_patronymic = False
    surname: int | None
    given: int | None
    if forced_surname is not None:
        surname_is_patronymic = True
        surname, given = forced_surname, (rest[0] if rest else None)
    elif attached is not None and len(rest) <= 1 and not has_column:
        # "Vaqifqızı Aytən": since 1993 oğlu/qızı may be the surname itself
        surname_is_patronymic = True
        pat = None
        surname, given = attached, (rest[0] if rest else None)
    elif comma_surname is not None and comma_surname in rest:
        surname = comma_surname
        others = [t for t in rest if t != surname]
        given = others[0] if others else None
    elif pat_pos is not None and 0 < pat_pos < len(rest):
        surname, given = _around_patronymic(rest[:pat_pos], rest[pat_pos:], looks)
    else:
        surname, given = _order(rest, pat is not None and pat_pos is not None and pat_pos >= 1, looks)
    extra = [t for t in rest if t not in (surname, given)]
    if pat is None and extra:  # "Hasanov Ali Vugar" without a marker
        pat = extra[0]
    return surname, given, pat, sex, sex_source, surname_is_patronymic


def _around_patronymic(before: list[int], after: list[int], looks) -> tuple[int, int]:
    """(surname, given) when words stand on both sides of the patronymic.

    "Xədicə Rövşən qızı İsmayılova" (encyclopaedias): the given name before, the surname after. A word
    with a surname ending before the patronymic and none after ("Həsənov Əli Vüqar oğlu Bakı") keeps
    the list order.
    """
    marked_before = [t for t in before if looks(t)]
    marked_after = [t for t in after if looks(t)]
    if marked_before and not marked_after:
        surname = marked_before[0]
        others = [t for t in before if t != surname]
        return surname, (others[0] if others else after[0])
    surname = marked_after[0] if marked_after else after[0]
    return surname, before[-1]


def _surname_rank(tok: str) -> int:
    """How surely a word is a surname by its ending: 3 for -ov/-yev/-ova/-zadə, 2 for -li, 1 for -li after
    an a (Hüseynəli, Məmmədəli are given names as often as Babalı is a surname), 0 for none."""
    stem, kind, _ = split_surname(tok)
    if kind is None:
        return 0
    if kind == "li":
        return 1 if stem.endswith("a") else 2
    return 3


def _looks_like_surname(tok: str) -> bool:
    return split_surname(tok)[1] is not None


def _order(tokens: list[int], list_order: bool, looks) -> tuple[int | None, int | None]:
    """Pick (surname, given) among the non-patronymic tokens.

    A token with a surname ending wins (the surest ending, see ``_surname_rank``); otherwise lists write "Surname Given Patronymic oğlu"
    (``list_order``) and English news "Given Surname".
    """
    if not tokens:
        return None, None
    if len(tokens) == 1:
        return tokens[0], None
    marked = [i for i, t in enumerate(tokens) if looks(t)]
    if len(marked) > 1:  # the surest ending wins: Hüseynəli Məmmədov
        best = max(looks(tokens[i]) for i in marked)
        marked = [i for i in marked if looks(tokens[i]) == best]
    if len(marked) == 1:
        s = marked[0]
    elif marked:
        s = marked[0] if list_order or marked[0] == 0 else marked[-1]
    else:
        s = 0 if list_order else len(tokens) - 1
    surname = tokens[s]
    others = [t for i, t in enumerate(tokens) if i != s]
    return surname, others[0]


def sex_from_patronymic(text: str) -> str | None:
    """M for oğlu/оглы/oglu/ogly, F for qızı/кызы/gizi/kyzy; None when there is no marker."""
    for tok in romanise(text or "").split():
        msex, _ = _marker(tok)
        if msex:
            return msex
    return None


_WS = re.compile(r"\s+")


def _hash_key(key: str) -> str:
    """A key as the hashes have always been made of it: E as A, no diphthong Y, no initial's mark, doubles
    collapsed (so that hashes published before these distinctions still compare)."""
    k = fold_e(key).replace("Y", "").rstrip(INITIAL)
    return "".join(c for i, c in enumerate(k) if not i or k[i - 1] != c)


def name_hash_basis(full_name: str, birth_year: int | None = None) -> str:
    """The normalised string hashed for privacy: surname stem key, suffix, given and patronymic keys."""
    p = parse_name(_WS.sub(" ", full_name or "").strip())
    return "|".join([_hash_key(p.surname_stem_key), p.surname_suffix or "", _hash_key(p.given_key),
                     _hash_key(p.patronymic_key), str(birth_year or "")])
