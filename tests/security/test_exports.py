"""Formula cells in every export the web writes: a registry whose cells are spreadsheet formulas gives
CSV and XLSX files in which no cell would be evaluated, and values stay readable (one leading apostrophe)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tests.security.helpers import DANGEROUS, FORMULAS, signed_in


def csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def xlsx_cells(content: bytes) -> list:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                out.append(cell.value)
    return out


@pytest.fixture(scope="module")
def operator(site):
    return signed_in(site["server"], "operator", address="10.6.0.1")[0]


@pytest.mark.parametrize("name", ["decisions.csv", "figures.csv"])
def test_csv_exports_are_inert(site, operator, name):
    r = operator.get(f"/runs/{site['run']}/files/{name}")
    assert r.status_code == 200
    cells = csv_cells(r.text)
    bad = [c for c in cells if c.startswith(DANGEROUS)]
    assert not bad, bad[:5]
    if name == "decisions.csv":
        assert "'" + FORMULAS[0] in cells       # readable: the value behind one apostrophe


def test_findings_csv_is_inert(site, operator):
    r = operator.get(f"/runs/{site['run']}/findings.csv")
    assert r.status_code == 200
    cells = csv_cells(r.text)
    assert not [c for c in cells if c.startswith(DANGEROUS)]
    assert "'=2+2" in cells


@pytest.mark.parametrize("name", ["decisions.xlsx", "figures.xlsx"])
def test_xlsx_exports_hold_no_formula(site, operator, name):
    r = operator.get(f"/runs/{site['run']}/files/{name}")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    values = xlsx_cells(r.content)
    bad = [v for v in values if isinstance(v, str) and v.startswith(DANGEROUS)]
    assert not bad, bad[:5]
    if name == "decisions.xlsx":
        assert "'" + FORMULAS[0] in values


def test_published_figures_are_inert_too(site):
    c = site["server"].client()
    r = c.get(f"/reports/{site['run']}/figures.csv")
    assert r.status_code == 200 and not [x for x in csv_cells(r.text) if x.startswith(DANGEROUS)]
    r = c.get(f"/reports/{site['run']}/figures.xlsx")
    assert r.status_code == 200
    xlsx_cells(r.content)


def test_concurrent_downloads_are_never_partial(site, operator):
    """Files are written under a temporary name and renamed: every download is whole."""
    import concurrent.futures

    from clemency.web.jobs import Jobs  # noqa: F401 - the run folder layout
    exports = site["data"] / "runs" / site["run"] / "exports"
    for p in exports.glob("*.xlsx"):
        p.unlink()

    def get(_):
        r = operator.get(f"/runs/{site['run']}/files/decisions.xlsx")
        return r.status_code, len(r.content), r.content[:2]
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        results = list(pool.map(get, range(12)))
    sizes = {s for _, s, _ in results}
    assert all(code == 200 and head == b"PK" for code, _, head in results) and len(sizes) == 1
    assert not list(exports.glob("*.tmp"))
