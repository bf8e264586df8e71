"""`clemency compare` reports a change anywhere in the act's window, not only on the decision day: the README's
client (234.1, release 19 July 2026) gets no relief on the entry into force under either reading of B3, but
under `b3=application` he is released from 2026-01-19."""

from __future__ import annotations

import csv
import json

from click.testing import CliRunner

from clemency.cli import main
from clemency.compare import compare

CLIENT = {"person_id": "P1", "case_id": "C1", "sex": "M", "birth_date": "1990-03-02", "status": "convicted",
          "articles": "234.1", "offense_date": "2024-05-01", "punishment": "imprisonment", "term_months": "24",
          "sentence_start": "2024-07-19", "sentence_end": "2026-07-19"}
# served out long before the act: no relief under either reading, on any day
OTHER = {**CLIENT, "person_id": "P2", "case_id": "C2", "articles": "177.2", "term_months": "12",
         "sentence_start": "2024-01-01", "sentence_end": "2025-01-01"}


def _registry(tmp_path):
    path = tmp_path / "client.csv"
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(CLIENT))
        w.writeheader()
        w.writerows([CLIENT, OTHER])
    return path


def test_compare_cli_shows_the_later_release_under_the_other_reading(tmp_path):
    reg, out = _registry(tmp_path), tmp_path / "cmp"
    r = CliRunner().invoke(main, ["compare", "--registry", str(reg), "--base", "az-2025", "--alt", "az-2025",
                                  "--alt-reading", "b3=application", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "1 rows flip (1 persons), of which 1 only later in the window" in " ".join(r.output.split())
    with open(out / "flips.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [x["person_id"] for x in rows] == ["P1"]
    row = rows[0]
    assert row["base_relief"] == row["alt_relief"] == "none"          # nothing changes on the decision day
    assert row["alt_upcoming_relief"] == "release_from_imprisonment"
    assert row["alt_upcoming_clause"] == "B3" and row["alt_upcoming_from"] == "2026-01-19"
    assert row["base_upcoming_relief"] == "" and row["flip_when"] == "later in the window"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["flips_later_in_window"] == {"rows": 1, "persons": 1}


def test_the_same_reading_on_both_sides_flips_nothing_in_the_window(tmp_path):
    reg = _registry(tmp_path)
    res = compare(reg, "az-2025", "az-2025", tmp_path / "o", {"b3": "application"}, {"b3": "application"},
                  html=False)
    assert res.summary["flips"]["rows"] == 0


def test_on_the_release_day_the_flip_is_on_the_day(tmp_path):
    reg = _registry(tmp_path)
    res = compare(reg, "az-2025", "az-2025", tmp_path / "o", None, {"b3": "application"}, on="2026-01-19",
                  html=False)
    assert res.summary["flips"]["rows"] == 1 and res.summary["flips_later_in_window"]["rows"] == 0
    with open(tmp_path / "o" / "flips.csv", newline="") as f:
        row = next(csv.DictReader(f))
    assert row["alt_relief"] == "release_from_imprisonment" and row["flip_when"] == "on the day"
