"""List versions, differences with exit reasons, charges over time, privacy, evidence, past acts."""

import hashlib
from datetime import date
from pathlib import Path

import pytest

from clemency.errors import ClemencyError, InputError
from clemency.monitor.evidence import (
    OfficialTotal,
    load_events,
    load_official_totals,
    release_status,
    totals_against_names,
)
from clemency.monitor.lists import (
    UNKNOWN_EXIT,
    WITHHELD,
    article_covers,
    charge_alerts,
    charge_history,
    diff,
    keep_matched,
    load_list,
    name_hash,
    normalise_exit_reason,
    withhold_names,
)
from clemency.monitor.past_acts import comparison_table, load_past_acts, write_comparison

FIX = Path(__file__).parent / "fixtures" / "monitor"


@pytest.fixture
def versions():
    old = load_list(FIX / "list_2025-10-07.csv", "2025-10-07", "Union For Freedom of Political Prisoners",
                    "2025-10-09")
    new = load_list(FIX / "list_2026-01-15.csv", "2026-01-15", "Union For Freedom of Political Prisoners")
    return old, new


def test_version_metadata_and_unique_persons(versions):
    old, new = versions
    assert old.list_date == date(2025, 10, 7) and old.recorded_on == date(2025, 10, 9)
    assert new.recorded_on == new.list_date
    c = old.count()
    assert c["rows"] == 8 and c["persons"] == 7  # pp005 has two prosecutions
    assert c["persons:activists"] == 1


def test_sex_from_patronymic(versions):
    old, _ = versions
    sexes = {r["id"]: r["sex"] for r in old.rows}
    assert sexes["pp002"] == "F" and sexes["pp001"] == "M"


def test_diff_exit_reasons(versions):
    old, new = versions
    events = load_events(FIX / "release_events.csv")
    d = diff(old, new, events)
    assert d.entered == ["pp008"]
    reasons = {e.person: e.reason for e in d.exits}
    assert reasons == {"pp003": "amnesty", "pp006": "amnesty", "pp007": "end_of_term"}
    assert "confirmed" in next(e.evidence for e in d.exits if e.person == "pp003")
    assert "reported" in next(e.evidence for e in d.exits if e.person == "pp006")
    d2 = diff(old, new)
    assert {e.person: e.reason for e in d2.exits}["pp003"] == UNKNOWN_EXIT
    assert d2.exit_counts()[UNKNOWN_EXIT] == 2


def test_exit_reason_vocabulary():
    assert normalise_exit_reason("Died in custody") == "died_in_custody"
    assert normalise_exit_reason("quashed") == "conviction_quashed"
    assert normalise_exit_reason("") is None
    with pytest.raises(InputError):
        normalise_exit_reason("escaped")


def test_article_segments():
    assert article_covers("206.3", "206.3.2")
    assert article_covers("244-1", "244-1.1")
    assert not article_covers("193", "193-1.3")
    assert not article_covers("234.1", "234.1-1")


def test_charge_history_and_alerts(versions):
    old, new = versions
    hist = charge_history([new, old])
    assert [s.list_date for s in hist["pp001"]] == [old.list_date, new.list_date]
    alerts = charge_alerts([old, new], excluded_articles=["214"])
    assert [a.person for a in alerts] == ["pp001"]
    a = alerts[0]
    assert a.after_adoption and a.now_excluded == ["art. 214"] and "214.2.3" in a.words()
    # a charge already excluded before gives no new alert
    assert charge_alerts([old, new], excluded_articles=["206.3"]) == []
    # categories through a lookup supplied by the caller
    cat = {"214.2.3": "grave"}.get
    alerts = charge_alerts([old, new], excluded_categories=["grave"], category_of=cat)
    assert alerts and alerts[0].now_excluded == ["category grave"]
    early = charge_alerts([old, new], excluded_articles=["214"], adopted=date(2026, 2, 1))
    assert not early[0].after_adoption


def test_withhold_names(versions):
    old, _ = versions
    pub = withhold_names(old.rows, released=["pp003"])
    by = {r["id"]: r for r in pub}
    assert by["pp003"]["full_name"] == WITHHELD
    assert by["pp002"]["full_name"].startswith("Qas")
    assert all(r["full_name"] == WITHHELD for r in withhold_names(old.rows))
    assert old.rows[2]["full_name"] != WITHHELD  # input untouched


def test_keep_matched_hashes_the_rest():
    rows = [{"id": "1", "full_name": "Məmmədov Tural Nadir oğlu", "birth_year": "1989"},
            {"id": "2", "full_name": "Someone Else", "birth_year": "1970"}]
    kept, hashes = keep_matched(rows, ["1"], salt="s3cret")
    assert kept == [rows[0]]
    assert len(hashes) == 1 and len(hashes[0]) == 64 and "Someone" not in hashes[0]
    # script-independent and salted
    assert name_hash("Мамедов Турал Надир оглы", "s3cret", 1989) == name_hash("Məmmədov Tural Nadir oğlu",
                                                                              "s3cret", "1989")
    assert name_hash("Məmmədov Tural", "a") != name_hash("Məmmədov Tural", "b")
    assert hashes[0] != hashlib.sha256(b"Someone Else").hexdigest()
    with pytest.raises(ClemencyError):
        name_hash("x", "")


def test_load_list_errors(tmp_path):
    p = tmp_path / "l.csv"
    p.write_text("id,name\n1,x\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_list(p, "2025-01-01", "s")
    assert "full_name" in str(e.value)
    with pytest.raises(InputError):
        load_list(FIX / "list_2025-10-07.csv", "07.10.2025", "s")


def test_load_list_xlsx(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "full_name", "birth_date", "articles"])
    ws.append(["a1", "Гасанов Али Вугар оглы", date(1985, 4, 2), "206.3.2"])
    wb.save(tmp_path / "l.xlsx")
    v = load_list(tmp_path / "l.xlsx", date(2025, 2, 12), "src")
    assert v.rows[0]["birth_date"] == "1985-04-02" and v.rows[0]["sex"] == "M"


def test_release_status_and_totals():
    events = load_events(FIX / "release_events.csv")
    st = release_status(events)
    assert st["pp003"]["status"] == "confirmed" and st["pp006"]["status"] == "reported"
    totals = [OfficialTotal("moj-2026-01-07", date(2026, 1, 7), "released_from_imprisonment", 1799, "report.az"),
              OfficialTotal("early", date(2026, 1, 1), "released_from_imprisonment", 900, "x")]
    rows = totals_against_names(totals, events)
    assert rows[0]["report"] == "early" and rows[0]["named_confirmed"] == 1 and rows[0]["named_reported_only"] == 0
    assert rows[1]["named_confirmed"] == 1 and rows[1]["named_reported_only"] == 1 and rows[1]["unnamed"] == 1797


def test_official_figures_file_loads():
    from importlib import resources
    path = Path(str(resources.files("clemency") / "data" / "figures" / "az-2025.csv"))
    totals = load_official_totals(path)
    assert any(t.report == "moj-2026-01-07" and t.category == "released_from_imprisonment" and t.total == 1799
               for t in totals)


def test_events_need_source_and_confidence(tmp_path):
    p = tmp_path / "e.csv"
    p.write_text("person,date,kind,source_document,confidence\npp1,2026-01-01,amnesty,doc,rumour\n",
                 encoding="utf-8")
    with pytest.raises(InputError):
        load_events(p)


def test_past_acts_keep_instruments_apart_and_conflicts(tmp_path):
    acts = load_past_acts()
    table = comparison_table(acts)
    assert set(table) == {"amnesty act", "pardon decree"}
    assert all(r["instrument"] == "amnesty act" for r in table["amnesty act"])
    assert all(r["instrument"] == "pardon decree" for r in table["pardon decree"])
    covered_2021 = next(r for r in table["amnesty act"] if r["year"] == 2021 and r["measure"] == "covered")
    assert covered_2021["conflict"] and "17267" in covered_2021["figures"] and "16,000" in covered_2021["figures"]
    assert "unconfirmed" in covered_2021["figures"]
    pardons_2021 = [r for r in table["pardon decree"] if r["year"] == 2021]
    assert pardons_2021 and all("17267" not in r["figures"] for r in pardons_2021)
    assert any(r["year"] == 2024 and r["conflict"] for r in table["pardon decree"])
    out = tmp_path / "cmp.csv"
    write_comparison(acts, out)
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith("instrument,year")


def test_diff_keeps_one_identity_when_the_id_changes(tmp_path):
    from clemency.monitor.ledger import Ledger
    old_p = tmp_path / "old.csv"
    old_p.write_text("id,full_name\nA1,Həsənov Əli Vüqar oğlu\nA2,Məmmədov Elnur Zakir oğlu\n", encoding="utf-8")
    new_p = tmp_path / "new.csv"
    new_p.write_text("id,full_name\nB7,Həsənov Əli Vüqar oğlu\n", encoding="utf-8")
    old, new = load_list(old_p, "2025-10-07", "s"), load_list(new_p, "2026-01-15", "s")
    plain = diff(old, new)
    assert plain.entered == ["B7"] and {e.person for e in plain.exits} == {"A1", "A2"}
    led = Ledger(tmp_path / "l.jsonl")
    led.record("A1", "B7", "same", "reviewer-a", note="the new list renumbered its entries")
    kept = diff(old, new, identities=led.identities())
    assert kept.entered == [] and kept.stayed == ["A1"] and [e.person for e in kept.exits] == ["A2"]
