"""Attacks on the running server that the rest of the suite did not try (fifth session), each first seen to
succeed, then fixed: a registry without a header (its first record quoted in the run's error), control
characters in registry cells (every XLSX export a 500, the person's name in the server log), tracebacks in the
server log (exception messages quoting values, paths), a client hanging up counted as an internal error, list
uploads that hold far more rows than their size suggests (minutes of CPU and gigabytes before the row limit),
and messages whose links to the application's own pages were cut as if they were machine paths."""

from __future__ import annotations

import csv
import io
import logging
import random
import socket
import time
import zipfile

import openpyxl
import pytest

from clemency.monitor.intake import MAX_ROWS
from tests.security.helpers import MARKER, server_log, signed_in, upload_run

FIELDS = ["person_id", "case_id", "full_name", "sex", "birth_date", "status", "articles", "punishment", "term_months",
          "sentence_start", "sentence_end", "institution"]
BIRTH = "1975-03-04"          # a person's date: no more to be repeated in a message than their name


def record(i: int, **change) -> list[str]:
    row = {"person_id": f"P{i}", "case_id": f"C{i}", "full_name": f"Name {i}", "sex": "M", "birth_date": "1980-01-01",
           "status": "convicted", "articles": "177.2", "punishment": "imprisonment", "term_months": "36",
           "sentence_start": "2024-01-10", "sentence_end": "2027-01-10", "institution": "Institution 1"} | change
    return [row[f] for f in FIELDS]


def csv_bytes(rows: list[list[str]], header: bool = True) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    if header:
        w.writerow(FIELDS)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def operator(site):
    return signed_in(site["server"], "operator", address="10.11.0.1")


@pytest.fixture(scope="module")
def viewer(site):
    return signed_in(site["server"], "viewer", address="10.11.0.2")[0]


# --- a registry without a header: its first line is a person's record ---------------------------------------

def test_a_registry_without_a_header_fails_without_quoting_its_first_record(site, operator, viewer):
    client, token = operator
    rows = [record(1, full_name=MARKER + " Tofiq oğlu", birth_date=BIRTH)] + [record(i) for i in range(2, 6)]
    run_id, status = upload_run(client, token, "noheader.csv", csv_bytes(rows, header=False))
    assert status["state"] == "failed"
    error = status["error"]
    assert MARKER not in error and BIRTH not in error, error
    assert "none of the columns is a registry field" in error      # still says what is wrong
    page = viewer.get(f"/runs/{run_id}")
    assert page.status_code == 200 and MARKER not in page.text and BIRTH not in page.text


def test_a_first_record_with_a_repeated_value_is_not_quoted_either(site, operator):
    client, token = operator
    rows = [record(1, full_name=MARKER, case_id=MARKER, birth_date=BIRTH)] + [record(i) for i in range(2, 4)]
    _, status = upload_run(client, token, "noheader2.csv", csv_bytes(rows, header=False))
    assert status["state"] == "failed"
    assert MARKER not in status["error"] and "the header names a column twice" in status["error"], status["error"]


def test_a_registry_missing_fields_is_told_which_it_has_and_where_the_format_is(site, operator):
    client, token = operator
    content = f"person_id,full_name,colour\nP1,{MARKER},blue\n".encode()
    _, status = upload_run(client, token, "partial.csv", content)
    error = status["error"]
    assert status["state"] == "failed" and MARKER not in error
    assert "registry fields present: person_id, full_name (and 1 other column(s))" in error, error
    assert "docs/registry-format.md" in error, error       # a relative path is not a machine path


def test_messages_keep_the_applications_own_addresses(site, viewer):
    r = viewer.get("/runs/20990101-000000-abcdef", headers={"accept": "application/json"})
    assert r.status_code == 404 and r.json()["details"] == ["the runs are listed at /runs"], r.text
    anon = site["server"].client()
    r = anon.get("/api/runs/20990101-000000-abcdef/status")
    assert r.status_code == 403 and r.json()["details"] == ["sign in at /login"], r.text
    r = anon.get(f"/reports/{site['run']}x/report.html", headers={"accept": "application/json"})
    assert r.json()["details"] == ["published reports are listed at /reports"], r.text


# --- control characters in registry cells --------------------------------------------------------------------

def test_control_characters_in_cells_leave_every_xlsx_export_whole(site, operator):
    client, token = operator
    rows = [record(1, full_name=MARKER + "\x01\x0b", institution="Inst\x02=1+1", person_id="P\x0c1"),
            record(2, full_name="\x1f=HYPERLINK(\"http://evil.example\")")] + [record(i) for i in range(3, 6)]
    run_id, status = upload_run(client, token, "control.csv", csv_bytes(rows))
    assert status["state"] == "done", status
    for path in (f"/runs/{run_id}/view.xlsx", f"/runs/{run_id}/view.xlsx?q={MARKER}",
                 f"/runs/{run_id}/files/decisions.xlsx", f"/runs/{run_id}/files/figures.xlsx"):
        r = client.get(path)
        assert r.status_code == 200 and r.content[:2] == b"PK", (path, r.status_code, r.text[:200])
        wb = openpyxl.load_workbook(io.BytesIO(r.content))
        values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        assert not [v for v in values if isinstance(v, str) and v.startswith(("=", "+", "-", "@", "\t", "\r"))]
        if "view" in path:
            assert MARKER + "\ufffd\ufffd" in values            # shown, the characters a workbook cannot hold marked
        if path.endswith("/view.xlsx"):
            assert [v for v in values if isinstance(v, str) and "HYPERLINK" in v]    # there, and inert (above)
    assert MARKER not in server_log(site["server"])


# --- list uploads that hold far more rows than their size suggests -------------------------------------------

def workbook(rows: int, varied: bool = True) -> bytes:
    """A minimal XLSX workbook whose one sheet holds `rows` rows (id, full_name) under a header."""
    ns = 'xmlns="http://schemas.openxmlformats.org/package/2006/'
    parts = {
        "[Content_Types].xml": f'<?xml version="1.0"?><Types {ns}content-types"><Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0"?><Relationships {ns}relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="s" '
        'sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0"?><Relationships {ns}relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'}
    buf = io.BytesIO()
    rnd = random.Random(5)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w") as fh:
            fh.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                     b'main"><sheetData><row><c t="inlineStr"><is><t>id</t></is></c><c t="inlineStr"><is><t>full_name'
                     b'</t></is></c></row>')
            for i in range(rows):
                name = rnd.randrange(10 ** 9) if varied else 1
                fh.write(f'<row><c><v>{i if varied else 1}</v></c><c t="inlineStr"><is><t>{name}</t></is></c>'
                         f'</row>'.encode())
            fh.write(b"</sheetData></worksheet>")
    return buf.getvalue()


@pytest.mark.parametrize("kind", ["workbook of many small rows", "compressed workbook", "CSV of short lines",
                                  "CSV of many columns"])
def test_list_uploads_of_too_many_rows_are_refused_before_they_are_read(site, operator, kind):
    client, token = operator
    if kind == "workbook of many small rows":
        content, name, status = workbook(MAX_ROWS + 500), "l.xlsx", 413       # compresses about 8 times: not a bomb
    elif kind == "compressed workbook":
        content, name, status = workbook(400_000, varied=False), "l.xlsx", 400   # compresses hundreds of times
    elif kind == "CSV of short lines":
        content, name, status = b"id,full_name\n" + b"1,a\n" * 450_000, "l.csv", 413
    else:
        content, name, status = b"id,full_name" + b",x" * 300_000 + b"\n1,a" + b",1" * 300_000 + b"\n", "l.csv", 413
    t0 = time.time()
    r = client.post("/monitor/lists", data={"csrf": token, "list": "bombs", "date": "2025-03-03"},
                    files={"file": (name, content, "application/octet-stream")}, headers={"accept": "application/json"})
    took = time.time() - t0
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert took < 15, took          # reading them whole took minutes (and gigabytes for a 1 MB workbook)
    assert not list((site["data"] / "monitor" / "incoming").glob("*")), "an upload was left behind"
    assert not (site["data"] / "monitor" / "lists" / "bombs").exists()


def test_a_list_within_the_limits_is_still_taken(site, operator):
    client, token = operator
    content = b"id,full_name,articles\n" + b"".join(f"{i},Name {i},177.2\n".encode() for i in range(1, 50))
    r = client.post("/monitor/lists", data={"csrf": token, "list": "fine", "date": "2025-03-03"},
                    files={"file": ("l.csv", content, "text/csv")})
    assert r.status_code == 200, r.text[:300]
    assert (site["data"] / "monitor" / "lists" / "fine" / "2025-03-03.csv").is_file()


# --- the server log --------------------------------------------------------------------------------------------

def test_a_client_that_hangs_up_is_no_internal_error(site):
    before = server_log(site["server"])
    with socket.create_connection(("127.0.0.1", site["server"].port), timeout=10) as s:
        s.sendall(b"POST /api/check?act=az-2025 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 1000\r\n\r\n{\"person_id\": \"" + MARKER.encode())
        time.sleep(0.3)
    time.sleep(1.0)
    added = server_log(site["server"])[len(before):]
    assert "internal error" not in added and "Traceback" not in added, added[-2000:]
    assert site["server"].client().get("/check").status_code == 200


def test_no_traceback_reaches_the_log():
    """The filter on uvicorn's error log: the line and the kind of error stay, the traceback (whose message may
    quote a record or a path) goes."""
    from clemency.web.server import NoTraceback
    try:
        raise ValueError(f"invalid literal: '{MARKER}' in /srv/data/runs/x/input.parquet")
    except ValueError:
        import sys
        rec = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI application\n",
                                (), sys.exc_info())
    assert NoTraceback().filter(rec)
    text = logging.Formatter("%(levelname)s: %(message)s").format(rec)
    assert text == "ERROR: Exception in ASGI application (ValueError)", text


def test_the_log_holds_no_traceback_and_no_record(site):
    """Last of this module: after every attack above, the server log names no person, no date of a person, and
    holds no traceback."""
    text = server_log(site["server"])
    assert "Traceback" not in text, text[-3000:]
    assert MARKER not in text and BIRTH not in text


# --- work amplification: one small anonymous request, minutes of CPU -------------------------------------------

def test_a_batch_of_records_that_each_need_the_exact_way_is_bounded(site):
    """Each record with an extra field (or an unusual spelling) is decided the exact way, a DuckDB query of
    about a second; a 7 KB batch of 100 of them kept a server busy for minutes. Only MAX_EXACT of a batch are
    decided that way, the others get an error in their place; records in canonical form are all decided."""
    from clemency.web.api_runs import MAX_EXACT
    base = dict(zip(FIELDS, record(0)), term_months=36)
    slow = [base | {"person_id": f"S{i}", "case_id": f"S{i}", f"extra{i}": "1"} for i in range(60)]
    fast = [base | {"person_id": f"F{i}", "case_id": f"F{i}"} for i in range(40)]
    client = site["server"].client()
    t0 = time.time()
    r = client.post("/api/check/batch?act=az-2025", json=slow + fast)
    took = time.time() - t0
    assert r.status_code == 200, r.text[:300]
    out = r.json()["decisions"]
    decided = [d for d in out if "relief" in d]
    refused = [d for d in out if "error" in d]
    assert len(out) == 100 and len(decided) == MAX_EXACT + 40 and len(refused) == 60 - MAX_EXACT, (len(decided), took)
    assert {d["index"] for d in refused} == set(range(MAX_EXACT, 60))
    assert all("exact" in d["error"] for d in refused)
    assert {d["person_id"] for d in decided} >= {f"F{i}" for i in range(40)}


# --- the audit log ----------------------------------------------------------------------------------------------

def test_a_password_typed_as_the_user_name_does_not_reach_the_audit(site):
    """A user who types a password into the name field: the failed sign-in is audited, but a name that is no
    user's is not written down (it is often a password)."""
    from clemency.store import open_store
    from tests.security.helpers import csrf_of
    typed = "Correct-Horse-Battery-7"
    c = site["server"].client(headers={"x-forwarded-for": "10.11.0.9"})
    r = c.post("/login", data={"csrf": csrf_of(c), "username": typed, "password": "x"})
    assert r.status_code == 401
    r = c.post("/login", data={"csrf": csrf_of(c), "username": "viewer", "password": "not-the-password"})
    assert r.status_code == 401
    entries = [e for e in open_store(site["data"]).audit.entries() if e["address"] == "10.11.0.9"]
    assert [e["action"] for e in entries] == ["sign_in_failed", "sign_in_failed"]
    assert typed not in repr(entries)
    assert entries[1]["object"] == "user:viewer"        # a real user's name is kept


# --- sessions: what a stolen or stale cookie or token can still do ----------------------------------------------

def test_sessions_end_on_sign_out_roles_bind_at_once_and_tokens_belong_to_their_session(site):
    """Regressions (these held already): a cookie kept after signing out is refused; a CSRF token of another
    session is refused; a role taken away binds the very next request."""
    from clemency.store import open_store
    server = site["server"]
    st = open_store(site["data"])
    st.users.add("s5-operator", "operator", "s5-operator-password")
    a, token_a = signed_in(server, "viewer", address="10.11.1.1")
    b, token_b = server.client(headers={"x-forwarded-for": "10.11.1.2"}), None
    from tests.security.helpers import csrf_of
    r = b.post("/login", data={"csrf": csrf_of(b), "username": "s5-operator", "password": "s5-operator-password"})
    assert r.status_code == 303
    token_b = csrf_of(b, "/check")
    r = b.post(f"/runs/{site['run']}/publish", data={"csrf": token_a, "published": "1"})   # a's token, b's session
    assert r.status_code == 403 and "CSRF" in r.text
    st.users.set_role("s5-operator", "viewer")                       # demoted: the next request is a viewer's
    r = b.post(f"/runs/{site['run']}/publish", data={"csrf": token_b, "published": "1"})
    assert r.status_code == 403 and "signing in as" in r.text
    kept = dict(a.cookies)
    r = a.post("/logout", data={"csrf": token_a})
    assert r.status_code == 303 and "clemency_session=" in r.headers.get("set-cookie", "")
    c = server.client(headers={"x-forwarded-for": "10.11.1.3"})
    c.cookies.update(kept)                                            # the cookie as it was before signing out
    r = c.get("/runs")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


# --- a registry of a great many columns --------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_a_registry_of_a_great_many_columns_fails_at_once(site, operator, tmp_path, kind):
    """A 1.7 MB CSV of 180,000 columns held a run for minutes and took a gigabyte; a registry has about forty
    fields, and more than MAX_COLUMNS columns are refused before the run reads the file."""
    from clemency.web.uploads import MAX_COLUMNS
    client, token = operator
    extra = [f"x{i}" for i in range(MAX_COLUMNS + 500)]
    rows = [record(i) + ["1"] * len(extra) for i in range(3)]
    if kind == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=";")
        w.writerow(FIELDS + extra)
        w.writerows(rows)
        content, name = buf.getvalue().encode("utf-16"), "wide.csv"
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq
        cols = FIELDS + extra
        pq.write_table(pa.table({c: [r[j] for r in rows] for j, c in enumerate(cols)}), tmp_path / "wide.parquet")
        content, name = (tmp_path / "wide.parquet").read_bytes(), "wide.parquet"
    t0 = time.time()
    _, status = upload_run(client, token, name, content)
    assert status["state"] == "failed" and f"more than the {MAX_COLUMNS:,} allowed" in status["error"], status
    assert time.time() - t0 < 30


def test_a_registry_whose_first_line_never_ends_fails_at_once(site, operator):
    client, token = operator
    _, status = upload_run(client, token, "oneline.csv", b"person_id" + b"x" * 1_100_000)
    assert status["state"] == "failed" and "longer than" in status["error"], status
