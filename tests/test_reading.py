"""Reading messy registry files: line endings, encodings, malformed lines, NUL bytes, damaged files, XLSX bombs.

Every row is decided or reported; a line that cannot be read is a finding for that line, and a file that
cannot be read at all is refused in plain words that never quote its contents or its absolute path."""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb
import pytest

from clemency.errors import InputError, UsageError
from clemency.registry import load_registry, write_findings_csv

HEADER = "person_id,case_id,full_name,sex,birth_date,status,articles,punishment,term_months,sentence_start,sentence_end"
SECRET = "Məmmədova Xədicə"   # a name: must never appear in a message


def line(i: int, name: str = "Əliyev Rəşad", sex: str = "M") -> str:
    return f"P{i},C{i},{name},{sex},1980-05-01,convicted,177.2,imprisonment,24,2024-06-01,2026-06-01"


def load_bytes(tmp_path: Path, data: bytes, name: str = "r.csv", **kw):
    p = tmp_path / name
    p.write_bytes(data)
    con = duckdb.connect()
    res = load_registry(p, con, **kw)
    findings = con.execute("SELECT row, field, value, expected FROM findings ORDER BY row, field").fetchall()
    return con, res, findings


def names(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT full_name FROM registry ORDER BY _row").fetchall()]


def test_mixed_line_endings_read_fine(tmp_path):
    # two exports concatenated: one with \r\n, one with \n
    text = HEADER + "\r\n" + line(1) + "\r\n" + line(2) + "\r\n" + line(3) + "\n" + line(4) + "\n"
    con, res, findings = load_bytes(tmp_path, text.encode())
    assert findings == [] and (res.rows_in, res.rows_ok) == (4, 4)
    assert con.execute("SELECT list(case_id ORDER BY _row) FROM registry").fetchone()[0] == ["C1", "C2", "C3", "C4"]
    # nothing of a \r survives in the last column
    assert con.execute("SELECT count(*) FROM registry WHERE sentence_end IS NULL").fetchone()[0] == 0


def test_windows_line_endings_with_a_multiline_cell(tmp_path):
    text = HEADER + ",notes\r\n" + line(1) + ',"a\r\nb"\r\n' + line(2) + ",x\r\n"
    con, res, findings = load_bytes(tmp_path, text.encode())
    assert findings == [] and res.rows_ok == 2
    assert con.execute("SELECT notes, sentence_end FROM registry ORDER BY _row").fetchall()[1][0] == "x"


def test_old_mac_line_endings(tmp_path):
    text = "\r".join([HEADER, line(1), line(2)]) + "\r"
    _, res, findings = load_bytes(tmp_path, text.encode())
    assert findings == [] and res.rows_ok == 2


@pytest.mark.parametrize("encoding, bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
                                           ("utf-16-be", b"\xfe\xff")])
def test_unicode_encodings_are_detected(tmp_path, encoding, bom):
    text = "\n".join([HEADER, line(1, "Əliyev Rəşad"), line(2, "Иванов Иван")]) + "\n"
    con, res, findings = load_bytes(tmp_path, bom + text.encode(encoding))
    assert findings == [] and res.rows_ok == 2
    assert names(con) == ["Əliyev Rəşad", "Иванов Иван"]
    assert con.execute("SELECT person_id FROM registry ORDER BY _row LIMIT 1").fetchone()[0] == "P1"  # no BOM left


def test_utf16_without_bom_is_detected(tmp_path):
    text = "\n".join([HEADER, line(1, "Иванов Иван")]) + "\n"
    con, _, findings = load_bytes(tmp_path, text.encode("utf-16-le"))
    assert findings == [] and names(con) == ["Иванов Иван"]


def test_windows_1251_is_detected(tmp_path):
    rows = [line(i, n) for i, n in enumerate(["Иванов Иван Петрович", "Мамедова Хадиджа Алиевна",
                                              "Гасанов Руслан Эльдар оглы"], 1)]
    con, res, findings = load_bytes(tmp_path, ("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1251"))
    assert findings == [] and res.rows_ok == 3 and res.encoding == "cp1251"
    assert names(con) == ["Иванов Иван Петрович", "Мамедова Хадиджа Алиевна", "Гасанов Руслан Эльдар оглы"]


def test_named_encoding_wins(tmp_path):
    data = ("\n".join([HEADER, line(1, "Müller Jürgen"), line(2, "Gómez Ñandú")]) + "\n").encode("cp1252")
    con, _, findings = load_bytes(tmp_path, data, encoding="cp1252")
    assert findings == [] and names(con) == ["Müller Jürgen", "Gómez Ñandú"]


def test_unknown_encoding_name_is_bad_usage(tmp_path):
    with pytest.raises(UsageError, match="unknown text encoding"):
        load_bytes(tmp_path, (HEADER + "\n" + line(1) + "\n").encode(), encoding="klingon-8")


def test_undetectable_encoding_is_refused_in_plain_words(tmp_path):
    # Latin-1 with many accented letters: neither UTF-8 nor plausibly Windows-1251
    rows = [line(i, SECRET.replace("ə", "é").replace("Ə", "É") + " çàèìòù") for i in range(1, 6)]
    data = ("\n".join([HEADER, *rows]) + "\n").encode("latin-1", errors="replace")
    with pytest.raises(InputError) as e:
        load_bytes(tmp_path, data)
    msg = str(e.value)
    assert "cannot tell the text encoding" in msg and "--encoding" in msg and "line 2" in msg
    assert "Xéd" not in msg and str(tmp_path) not in msg


def test_one_undecodable_byte_is_a_finding_for_its_row(tmp_path):
    data = ("\n".join([HEADER, line(1, "Əliyev Rəşad"), line(2, "Hüseynov X")]) + "\n").encode()
    data = data.replace("Hüseynov X".encode(), b"H\xfcseynov X")   # one Latin-1 byte in a UTF-8 file
    data += (line(3, "Quliyeva Ülviyyə") + "\n").encode()
    con, res, findings = load_bytes(tmp_path, data)
    assert [(f[0], f[1]) for f in findings] == [(2, "full_name")]
    assert "cannot be decoded" in findings[0][3]
    assert (res.rows_in, res.rows_ok, res.rows_rejected) == (3, 2, 1)
    assert names(con) == ["Əliyev Rəşad", "Quliyeva Ülviyyə"]


def test_malformed_lines_are_findings_and_the_rest_is_read(tmp_path):
    rows = [line(1), line(2) + ",extra", line(3), 'P4,C4,"Aliyev" Ali,M,1980-05-01,convicted,177.2,imprisonment,24,'
            '2024-06-01,2026-06-01', line(5).rsplit(",", 2)[0], line(6)]
    con, res, findings = load_bytes(tmp_path, ("\n".join([HEADER, *rows]) + "\n").encode())
    assert [f[0] for f in findings] == [2, 4, 5]
    assert all(f[1] == "(whole row)" for f in findings)
    assert "12 fields" in findings[0][3] and "line 3 of the file" in findings[0][3]
    assert "quote" in findings[1][3] and "line 5 of the file" in findings[1][3]
    assert "9 fields" in findings[2][3]
    assert findings[0][2].endswith(",extra")          # the raw line is in the findings file, for the clerk
    assert (res.rows_in, res.rows_ok, res.rows_rejected) == (6, 3, 3)
    assert con.execute("SELECT list(_row ORDER BY _row) FROM registry").fetchone()[0] == [1, 3, 6]


def test_an_unclosed_quote_does_not_swallow_the_following_lines(tmp_path):
    rows = [line(1), 'P2,C2,"Aliyev Ali,M,1980-05-01,convicted,177.2,imprisonment,24,2024-06-01,2026-06-01',
            line(3), line(4)]
    con, res, findings = load_bytes(tmp_path, ("\n".join([HEADER, *rows]) + "\n").encode())
    assert [f[0] for f in findings] == [2]
    assert (res.rows_in, res.rows_ok) == (4, 3)
    assert con.execute("SELECT list(case_id ORDER BY _row) FROM registry").fetchone()[0] == ["C1", "C3", "C4"]


def test_quoted_multiline_cells_and_blank_lines_are_fine(tmp_path):
    text = HEADER + ",notes\n" + line(1) + ',"two\nlines"\n\n' + line(2) + ",\n"
    con, res, findings = load_bytes(tmp_path, text.encode())
    assert findings == [] and res.rows_ok == 2
    assert con.execute("SELECT notes FROM registry ORDER BY _row").fetchall() == [("two\nlines",), (None,)]


def test_nul_bytes_are_findings_and_never_reach_outputs(tmp_path):
    text = HEADER + ",notes\n" + line(1) + ",ok\n" + line(2, "Ali\0yev") + ",ok\n" + line(3) + ",bad\0note\n"
    con, res, findings = load_bytes(tmp_path, text.encode())
    assert [(f[0], f[1]) for f in findings] == [(2, "full_name"), (3, "notes")]
    assert all("NUL" in f[3] for f in findings)
    assert findings[0][2] == "Ali\u2400yev"
    out = tmp_path / "findings.csv"
    write_findings_csv(con, out)
    assert b"\0" not in out.read_bytes()
    assert res.rows_ok == 1


def test_nan_and_inf_are_findings(tmp_path):
    text = (HEADER + ",score\n" + line(1) + ",1\n" + line(2).replace(",24,", ",inf,") + ",1\n"
            + line(3).replace(",24,", ",NaN,") + ",1\n" + line(4, "nan") + ",1\n" + line(5) + ",-Infinity\n")
    _, res, findings = load_bytes(tmp_path, text.encode())
    assert [(f[0], f[1]) for f in findings] == [(2, "term_months"), (3, "term_months"), (4, "full_name"), (5, "score")]
    assert "NaN or infinity" in findings[2][3] and "NaN or infinity" in findings[3][3]
    assert (res.rows_in, res.rows_ok) == (5, 1)


def test_inf_and_nan_in_typed_parquet_do_not_abort(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    base = dict(zip(HEADER.split(","), line(1).split(","), strict=True))
    rows = [dict(base, case_id=f"C{i}", person_id=f"P{i}") for i in range(1, 5)]
    t = pa.table({k: [r[k] for r in rows] for k in base})
    t = t.set_column(t.schema.get_field_index("term_months"), "term_months",
                     pa.array([24.0, float("inf"), float("nan"), 1e300]))
    t = t.append_column("weight", pa.array([1.5, float("-inf"), 2.0, 3.0]))
    pq.write_table(t, tmp_path / "r.parquet")
    con = duckdb.connect()
    res = load_registry(tmp_path / "r.parquet", con)
    got = con.execute("SELECT row, field, value FROM findings ORDER BY row, field").fetchall()
    assert got == [(2, "term_months", "inf"), (2, "weight", "-inf"), (3, "term_months", "nan"),
                   (4, "term_months", "1e+300")]
    assert res.rows_ok == 1


@pytest.mark.parametrize("name, data, words", [
    ("r.csv", b"", "empty"),
    ("r.csv", b"\n\n", "empty"),
    ("r.parquet", b"PAR1" + SECRET.encode() + b"PAR1", "cannot read the file as Parquet"),
    ("r.xlsx", b"PK\x03\x04" + SECRET.encode(), "cannot read the file as XLSX"),
    ("r.csv", ("person_id,sex,sex\n" + SECRET + ",M,F\n").encode(), "twice"),
])
def test_unreadable_files_are_refused_without_contents_or_paths(tmp_path, name, data, words):
    with pytest.raises(InputError) as e:
        load_bytes(tmp_path, data, name=name)
    msg = str(e.value)
    assert words in msg and name in msg
    assert SECRET not in msg and str(tmp_path) not in msg and "strict_mode" not in msg and "DuckDB" not in msg


def _xlsx(tmp_path: Path) -> Path:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    ws.append(line(1).split(","))
    p = tmp_path / "r.xlsx"
    wb.save(p)
    return p


def _rezip(src: Path, dst: Path, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
        extra = change("(extra)", b"")
        if extra:
            zout.writestr("xl/media/padding.bin", extra)
    return dst


def test_xlsx_reads(tmp_path):
    con = duckdb.connect()
    res = load_registry(_xlsx(tmp_path), con)
    assert res.rows_ok == 1


def test_xlsx_decompression_bomb_is_refused_before_opening(tmp_path):
    bomb = _rezip(_xlsx(tmp_path), tmp_path / "bomb.xlsx",
                  lambda n, d: (b"\0" * (50 << 20)) if n == "(extra)" else d)
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(InputError, match="decompression bomb"):
        load_registry(bomb, duckdb.connect())


def test_xlsx_with_a_huge_declared_sheet_is_refused(tmp_path):
    def change(n, d):
        if n == "xl/worksheets/sheet1.xml":
            import re
            return re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', d)
        return None if n == "(extra)" else d
    big = _rezip(_xlsx(tmp_path), tmp_path / "big.xlsx", change)
    with pytest.raises(InputError, match="cells allowed"):
        load_registry(big, duckdb.connect())


def test_xlsx_with_an_entity_bomb_is_refused(tmp_path):
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
           b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>')

    def change(n, d):
        if n == "xl/worksheets/sheet1.xml":
            return lol + d.split(b"?>", 1)[1] if d.startswith(b"<?xml") else lol + d
        return None if n == "(extra)" else d
    bomb = _rezip(_xlsx(tmp_path), tmp_path / "lol.xlsx", change)
    with pytest.raises(InputError, match="entit"):
        load_registry(bomb, duckdb.connect())


def test_row_numbers_count_records_not_lines(tmp_path):
    text = HEADER + ",notes\n" + line(1) + ',"a\nb"\n' + line(2).replace("M,", "X,", 1) + ",\n"
    _, _, findings = load_bytes(tmp_path, text.encode())
    assert findings[0][:2] == (2, "sex")


def test_both_readers_of_malformed_files_agree(tmp_path):
    # the vectorised one (DuckDB setting bad lines aside) and the record-by-record one give the same rows
    from clemency.registry import read
    rows = [line(1), line(2) + ",extra", line(3), line(4).replace('Əliyev', '"Əliyev"x'), line(5)[:40], line(6),
            line(7), line(8) + ",a,b"]
    p = tmp_path / "r.csv"
    p.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode())
    cols = read._csv_header(p, "r.csv")
    got = []
    for reader in (read._csv_rejects, read._csv_slow):
        con = duckdb.connect()
        rejects = reader(p, con, "st", cols)
        assert rejects is not None
        staged = con.execute("SELECT _row, case_id FROM st ORDER BY _row").fetchall()
        got.append(([(r[0], r[2]) for r in rejects], [r[3].split(":")[-1] for r in rejects], staged))
    assert got[0][0] == got[1][0] and got[0][2] == got[1][2]
    assert [r for r, _ in got[0][0]] == [2, 4, 5, 8]
    assert got[0][2] == [(1, "C1"), (3, "C3"), (6, "C6"), (7, "C7")]
    assert got[0][1][0] == got[1][1][0] == " it has 12 fields)"


def test_blank_lines_and_a_malformed_line_keep_row_numbers(tmp_path):
    text = HEADER + "\n" + line(1) + "\n\n" + line(2) + ",extra\n" + line(3) + "\n"
    con, res, findings = load_bytes(tmp_path, text.encode())
    assert [f[0] for f in findings] == [2] and "line 4 of the file" in findings[0][3]
    assert con.execute("SELECT list(_row ORDER BY _row) FROM registry").fetchone()[0] == [1, 3]


def test_a_malformed_line_before_an_undecodable_byte(tmp_path):
    data = ("\n".join([HEADER, line(1), line(2) + ",extra", line(3, "Hüseynov X"), line(4)]) + "\n").encode()
    data = data.replace("Hüseynov X".encode(), b"H\xfcseynov X")
    con, res, findings = load_bytes(tmp_path, data)
    assert [(f[0], f[1]) for f in findings] == [(2, "(whole row)"), (3, "full_name")]
    assert (res.rows_in, res.rows_ok) == (4, 2)
