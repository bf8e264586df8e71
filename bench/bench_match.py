"""Benchmark of `clemency match` (prints numbers; not a test).

1. re-matching 400 names against 20,000 (target: under 2 s);
2. 20,000 names against 1,000,000 (target: under 30 s, issue 14).

Wall and CPU time are both printed: on a shared machine the CPU time is the better measure.

Right-hand lists are synthetic Azerbaijani names in Azerbaijani Latin ("Surname Given Patronymic
oğlu/qızı"); left-hand names are drawn from the right list and rewritten in Russian Cyrillic or in
English order ("Given Surname"), or are fresh names. Phases: parse (names to parts and keys, one
``Person`` per row), index (the right list as columns and sorted blocks), match (candidate pairs by a
sort-merge join of block codes, scores column-wise). ``--pairwise`` times the pair-by-pair reference
matcher instead, for comparison.

    .venv/bin/python bench/bench_match.py [--big N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clemency.monitor.match import Index, Person, gc_paused, match_people, match_people_pairwise
from clemency.monitor.names import parse_name


def _words(text: str) -> list[str]:
    return text.split()


STEMS = _words("Həsən Əli Məmməd Hüseyn Qasım Kərim Hacı Xəlil Quli İsmayıl Şükür Cəfər Əhməd Nəsir Zeynal Rüstəm "
         "Bağır Süleyman Abbas Nəbi Hümbət Vəli İbrahim Oruc Mustafa Tağı Səfər Əsəd Mirzə Hidayət Qurban "
         "Əfəndi Sadıq Kazım Həbib Məlik Nağı Rza Cəbrayıl Ələkbər Yusif Paşa Novruz Qənbər Bayram Şirin "
         "Rəhim Abdulla Mehdi Eyvaz Baba Ağa Allahverdi Cavad Fərhad İsa Musa Yaqub Tahir Rəsul Əkbər "
         "Sultan Məhərrəm Səməd Əziz Xudu Qafar Nadir Vahid Salman Murad Dadaş Qədir Şahin Heydər Kamal "
         "Nəcəf Əmir Rəşid Hətəm Ağayar Zamin Bəşir Camal Fəttah Tofiq Sabir Vaqif Rauf Şamil Ramiz Qabil")
GIVEN_M = _words("Əli Rəşad Elçin Tofiq Elnur Bəxtiyar İlqar Ramil Fuad Vüsal Anar Tural Orxan Kamran Elvin "
           "Əkrəm Ceyhun Emin Sərxan Vidadi Nicat Elməddin Samir Ayxan Rövşən Polad Ruslan Azər Seymur Araz "
           "Toğrul Hikmət Eldəniz Tərlan İlkin Nurlan Xəyyam Aqil Elşən Vüqar Rauf Cəlil Yaşar Namiq Zaur "
           "Kənan Fərid Murad Rəvan Əsgər Pərviz Taleh Vaqif Nadir Sabir Kamil Şahin Rafiq Arif Natiq Qabil "
           "Nazim Əmir Ramiz Elxan Fikrət Sənan Elşad Bəhruz Nizami Elman Ehtiram Habil Cavid Vahid Hafiz")
GIVEN_F = _words("Gülər Ülviyyə Səbinə Nərgiz Aynur Ləman Səidə Könül Gülnar Fidan Lalə Aytac Aytən Leyla Sevinc "
           "Aygün Günel Nigar Şəbnəm Xədicə Zəhra Sevda Nərmin Aysel Gülnarə Ülkər Vüsalə Kəmalə Nurlanə")
MALE_SUF, FEMALE_SUF = ("ov", "ov", "ov", "li", "zadə"), ("ova", "ova", "ova", "li", "zadə")

RU = {"ə": "а", "a": "а", "b": "б", "c": "дж", "ç": "ч", "d": "д", "e": "е", "f": "ф", "g": "г", "ğ": "г",
      "h": "х", "x": "х", "ı": "ы", "i": "и", "j": "ж", "k": "к", "q": "г", "l": "л", "m": "м", "n": "н",
      "o": "о", "ö": "ё", "p": "п", "r": "р", "s": "с", "ş": "ш", "t": "т", "u": "у", "ü": "ю", "v": "в",
      "y": "й", "z": "з", "а": "а"}


def to_russian(word: str) -> str:
    w = word.lower().replace("i̇", "i").replace("İ".lower(), "i")
    out = []
    for k, ch in enumerate(w):
        r = RU.get(ch, ch)
        if k == 0 and ch == "h":
            r = "г"
        if k == 0 and ch == "e":
            r = "э"
        out.append(r)
    s = "".join(out).replace("ыйев", "ыев").replace("ийев", "иев").replace("айев", "аев")
    s = s.replace("оглу", "оглы").replace("гызы", "кызы")
    return s[:1].upper() + s[1:]


def make_people(n: int, rng: random.Random) -> list[tuple[str, str, int]]:
    out = []
    for i in range(n):
        female = rng.random() < 0.15
        given = rng.choice(GIVEN_F if female else GIVEN_M)
        surname = rng.choice(STEMS) + rng.choice(FEMALE_SUF if female else MALE_SUF)
        pat = rng.choice(GIVEN_M) + (" qızı" if female else " oğlu")
        out.append((f"R{i}", f"{surname} {given} {pat}", rng.randint(1950, 2005)))
    return out


def rendered(full: str, rng: random.Random) -> str:
    parts = full.split()
    r = rng.random()
    if r < 0.5:
        return " ".join(to_russian(p) for p in parts)
    if r < 0.8:
        return f"{parts[1]} {parts[0]}"
    return full


def persons(rows, parse=parse_name) -> list[Person]:
    """One Person per row, as ``people_from_rows`` builds them (the collector paused)."""
    with gc_paused():
        return [Person(i, parse(n), by) for i, n, by in rows]


def run(n_left: int, n_right: int, rng: random.Random, pairwise: bool = False) -> dict:
    right_rows = make_people(n_right, rng)
    left_rows = []
    for j in range(n_left):
        if rng.random() < 0.8:
            _, full, by = rng.choice(right_rows)
            left_rows.append((f"L{j}", rendered(full, rng), by if rng.random() < 0.7 else None))
        else:
            _, full, by = make_people(1, rng)[0]
            left_rows.append((f"L{j}", full, by))
    parse_name.cache_clear()
    c0 = time.process_time()
    t0 = time.perf_counter()
    right = persons(right_rows)
    left = persons(left_rows)
    t1, c1 = time.perf_counter(), time.process_time()
    index = Index(right)
    t2, c2 = time.perf_counter(), time.process_time()
    pairs = list(match_people_pairwise(left, right) if pairwise else match_people(left, index))
    t3 = time.perf_counter()
    cpu = time.process_time() - c0
    cpu_phases = (c1 - c0, c2 - c1, c0 + cpu - c2)
    bands = {"match": 0, "review": 0}
    for c in pairs:
        bands[c.band] += 1
    return {"left": n_left, "right": n_right, "parse_s": t1 - t0, "index_s": t2 - t1, "match_s": t3 - t2,
            "total_s": t3 - t0, "cpu_s": cpu, "cpu_phases": cpu_phases, "pairs": len(pairs), **bands,
            "blocks": len(index.block_codes), "largest_block": index.largest_block}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--big", type=int, default=1_000_000, help="size of the large right-hand list")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--left", type=int, default=20_000, help="size of the left list matched against --big")
    ap.add_argument("--pairwise", action="store_true", help="time the pair-by-pair reference matcher")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    for n_left, n_right, target in ((400, 20_000, 2.0), (args.left, args.big, 30.0)):
        r = run(n_left, n_right, rng, args.pairwise)
        ok = "OK" if r["total_s"] < target else "SLOW"
        print(f"{n_left:>6} vs {n_right:>9}: total {r['total_s']:.2f}s wall, {r['cpu_s']:.2f}s CPU "
              f"(target < {target:.0f}s, {ok}); "
              f"parse {r['parse_s']:.2f}s, index {r['index_s']:.2f}s, match {r['match_s']:.2f}s wall "
              f"({'/'.join(f'{x:.2f}' for x in r['cpu_phases'])}s CPU); "
              f"pairs {r['pairs']} (match {r['match']}, review {r['review']}); "
              f"{r['blocks']} blocks, largest {r['largest_block']}; "
              f"{(n_left + n_right) / r['total_s']:,.0f} rows/s wall, {(n_left + n_right) / r['cpu_s']:,.0f} rows/s CPU")


if __name__ == "__main__":
    main()
