"""The importer against spreadsheets as people and programs really write them, and as attackers do.

Numbers where codes belong (a code typed into a number cell has lost its last digits), full-width
characters, thousands separators, scientific notation, a NUL in a cell; and files built to exhaust a
worker (decompression bombs, entity expansion, one endless line), which must be refused with a reason
before they are parsed.
"""

import csv
import io
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from accounts.models import AuditEntry
from enterprises.models import Enterprise, EnterpriseYearFact
from enterprises.models.registry import ImportStatus
from enterprises.rules import credit_code
from enterprises.services import import_files
from enterprises.services.importing import enterprises_import
from tests.enterprises import workbooks
from tests.enterprises.test_import import HEADERS, code, csv_bytes, good_row, xlsx_bytes

# An all-digit credit code with a valid check character, as many are (the check of 91500103200000007 is 2).
DIGITS_CODE = "915001032000000072"


def run(user, data, name):
    return enterprises_import(actor=user, stream=io.BytesIO(data), file_name=name)


def reasons(result):
    return {e["row"]: " ".join(e["reasons"]) for e in result.errors}


@pytest.fixture(params=["copy", "orm"])
def writer(request, monkeypatch, settings):
    from enterprises.services import importing

    if request.param == "copy":
        if not settings.USES_POSTGRES:
            pytest.skip("the COPY writer needs PostgreSQL")
    else:
        monkeypatch.setattr(importing, "uses_copy", lambda: False)
    return request.param


# --- numbers where codes belong -------------------------------------------------------------


def test_numeric_code_and_phone_cells_are_refused_never_converted(users, ref, writer):
    """openpyxl stores Python ints as number cells, as Excel does for a code typed without a leading '."""
    assert credit_code.is_valid(DIGITS_CODE)
    rows = [
        good_row(1, 统一社会信用代码=int(DIGITS_CODE)),
        good_row(2, 联系电话=13800000000),
        good_row(3),
    ]
    result = run(users.staff_a, xlsx_bytes(rows), "numbers.xlsx")
    assert (result.rows_created, result.rows_rejected) == (1, 2)
    by_row = reasons(result)
    assert "lost its precision" in by_row[2] and "format this column as text" in by_row[2]
    assert "统一社会信用代码 “9.15001032E+17”" in by_row[2]  # the raw cell, as the program shows it
    assert "联系电话 “13800000000”" in by_row[3] and "is a number" in by_row[3]
    assert result.errors[0]["credit_code"] == "9.15001032E+17"
    assert not Enterprise.objects.filter(credit_code__startswith="91500103").exists()


def test_scientific_notation_in_a_csv_code_is_refused(users, ref, writer):
    rows = [good_row(1, 统一社会信用代码="9.15001E+17"), good_row(2, 联系电话="1.38E+10"), good_row(3)]
    result = run(users.staff_a, csv_bytes(rows), "sci.csv")
    by_row = reasons(result)
    assert (result.rows_created, result.rows_rejected) == (1, 2)
    assert "scientific notation" in by_row[2] and "“9.15001E+17”" in by_row[2]
    assert "scientific notation" in by_row[3]


def test_full_width_codes_are_normalised(users, ref, writer):
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code(1))  # ９１５００１１２…
    row = good_row(1, 统一社会信用代码=full_width, 联系电话="１３８００００００００")
    result = run(users.staff_a, csv_bytes([row]), "fw.csv")
    assert (result.rows_created, result.rows_rejected) == (1, 0), result.errors
    ent = Enterprise.objects.get()
    assert (ent.credit_code, ent.contact_phone) == (code(1), "13800000000")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1,234,567.89", Decimal("12345678900.00")),
        ("１，２３４", Decimal("12340000.00")),  # full-width digits and comma
        ("1234", Decimal("12340000.00")),
        (1234.5, Decimal("12345000.00")),  # a number cell
    ],
)
def test_thousands_separators_in_correct_groups(users, ref, cell, expected):
    row = good_row(1, **{"营业收入(万元)": cell, "主营业务收入(万元)": ""})
    result = run(users.staff_a, xlsx_bytes([row]), "m.xlsx")
    assert result.rows_rejected == 0, result.errors
    assert EnterpriseYearFact.objects.get().revenue == expected


@pytest.mark.parametrize("cell", ["1,5", "12,34", "1,2345", ",123", "1,234,56"])
def test_misplaced_thousands_separators_are_refused(users, ref, cell):
    result = run(users.staff_a, csv_bytes([good_row(1, **{"营业收入(万元)": cell})]), "m.csv")
    assert result.rows_rejected == 1
    assert f"营业收入(万元) “{cell}”: thousands separators must group three digits" in reasons(result)[2]


def test_negative_zero_is_zero(users, ref, writer):
    headers = [*HEADERS, "净利润"]
    rows = [[*good_row(1), "-0"], [*good_row(2), "-0.001"]]
    result = run(users.staff_a, csv_bytes(rows, headers), "zero.csv")
    assert result.rows_created == 2, result.errors
    for fact in EnterpriseYearFact.objects.all():
        assert str(fact.net_profit) == "0.00"
    logged = [e.changes["net_profit"][1] for e in AuditEntry.objects.filter(content_type__model="enterpriseyearfact")]
    assert logged == ["0.00", "0.00"]


def test_rejected_cells_are_echoed_raw(users, ref):
    rows = [good_row(1, 统一社会信用代码="91500112000000001Y", 所属区县="火星区", 成立日期="2015-13-01")]
    result = run(users.staff_a, csv_bytes(rows), "echo.csv")
    entry = result.errors[0]
    assert entry["credit_code"] == "91500112000000001Y"
    text = " ".join(entry["reasons"])
    assert "“91500112000000001Y”" in text and "“火星区”" in text and "“2015-13-01”" in text


# --- NUL ------------------------------------------------------------------------------------


def test_a_nul_in_one_cell_rejects_that_row_only(users, ref, writer):
    rows = [good_row(1), good_row(2, 企业名称="坏\x00名字有限公司"), good_row(3, 联系人="王\x00"), good_row(4)]
    result = run(users.staff_a, csv_bytes(rows), "nul.csv")
    assert result.status == ImportStatus.DONE
    assert (result.rows_created, result.rows_rejected) == (2, 2)
    by_row = reasons(result)
    assert "NUL character" in by_row[3] and "NUL character" in by_row[4]
    assert "\x00" not in str(result.errors)


# --- LibreOffice writes the file ------------------------------------------------------------


def _soffice(source: Path, target: str, out: Path, profile: Path, infilter: str | None = None) -> Path:
    command = [shutil.which("soffice") or "soffice", f"-env:UserInstallation=file://{profile}", "--headless"]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", target, "--outdir", str(out), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    return out / f"{source.stem}.{target.split(':')[0]}"


@pytest.mark.libreoffice
def test_workbook_and_csv_written_by_libreoffice(users, ref, tmp_path):
    """LibreOffice reads a CSV as a person's spreadsheet would (digits become numbers), saves it as .xlsx,
    and exports that again as .csv (numbers of 18 digits in scientific notation)."""
    source = tmp_path / "名单.csv"
    with source.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_MINIMAL)
        w.writerow(["统一社会信用代码", "企业名称", "所属区县", "行业门类", "联系电话", "年度", "营业收入(万元)"])
        w.writerow([DIGITS_CODE, "数字代码有限公司", "渝北区", "C", "", "2024", "1,234.5"])
        w.writerow([code(2), "文本代码有限公司", "渝北区", "C", "023-67891234", "2024", "1,234.5"])
        w.writerow([code(3), "数字电话有限公司", "渝北区", "C", "13800000000", "2024", "5000"])
    profile = tmp_path / "lo-profile"
    xlsx = _soffice(source, "xlsx", tmp_path / "xlsx", profile, infilter="CSV:44,34,76,1")
    with zipfile.ZipFile(xlsx) as book:
        assert "xl/sharedStrings.xml" in book.namelist()  # written by LibreOffice, not openpyxl

    result = run(users.staff_a, xlsx.read_bytes(), "名单.xlsx")
    assert (result.rows_created, result.rows_rejected) == (1, 2), result.errors
    by_row = reasons(result)
    assert "lost its precision" in by_row[2]
    assert "联系电话" in by_row[4] and "is a number" in by_row[4]
    ent = Enterprise.objects.get()
    assert ent.credit_code == code(2) and ent.contact_phone == "023-67891234"
    assert EnterpriseYearFact.objects.get().revenue == Decimal("12345000.00")

    exported = _soffice(xlsx, "csv:Text - txt - csv (StarCalc):44,34,76,1", tmp_path / "csv", profile)
    text = exported.read_text(encoding="utf-8")
    assert "E+017" in text or "E+17" in text
    again = run(users.staff_a, exported.read_bytes(), "名单.csv")
    assert again.rows_rejected == 2
    assert "scientific notation" in reasons(again)[2]
    assert (again.rows_created, again.rows_unchanged) == (0, 1)


# --- files built to exhaust a worker --------------------------------------------------------


def _failed(result, words):
    assert result.status == ImportStatus.FAILED, result.errors
    assert words in result.message, result.message
    assert Enterprise.objects.count() == 0


def test_billion_laughs_and_external_entities_are_unreadable(users, ref):
    rows = [workbooks.text_row(1, HEADERS), workbooks.text_row(2, good_row(1))]
    for prolog in (workbooks.BILLION_LAUGHS, workbooks.EXTERNAL_ENTITY):
        _failed(run(users.staff_a, workbooks.workbook(rows, prolog=prolog), "x.xlsx"), "document type declaration")
        bomb = workbooks.workbook(rows, shared_prolog=prolog)
        _failed(run(users.staff_a, bomb, "x.xlsx"), "document type declaration")


def test_a_row_wider_than_the_limit_is_refused_before_parsing(users, ref):
    _failed(run(users.staff_a, workbooks.wide_row_bomb(5_000), "wide.xlsx"), "wider than 256 columns")
    far = workbooks.workbook(['<row r="1"><c r="XFD1"><v>1</v></c></row>'])
    _failed(run(users.staff_a, far, "far.xlsx"), "wider than 256 columns")
    _failed(run(users.staff_a, b",".join([b"a"] * 300), "wide.csv"), "more than 256 cells")


def test_rows_beyond_the_limit_are_refused(users, ref, settings):
    settings.ZJTX_IMPORT_MAX_ROWS = 20
    rows = [good_row(n) for n in range(1, 22)]
    _failed(run(users.staff_a, xlsx_bytes(rows), "rows.xlsx"), "more than 20 data rows")
    _failed(run(users.staff_a, csv_bytes(rows), "rows.csv"), "more than 20 data rows")
    far = workbooks.workbook([workbooks.text_row(1, HEADERS), '<row r="1000000"><c r="A1000000"><v>1</v></c></row>'])
    _failed(run(users.staff_a, far, "far.xlsx"), "more than 20 data rows")
    ok = run(users.staff_a, csv_bytes(rows[:20]), "rows.csv")
    assert ok.rows_created == 20


def test_parts_that_unpack_beyond_their_limit_are_refused(users, ref, settings):
    settings.ZJTX_IMPORT_MAX_SHARED_STRINGS_BYTES = 64 * 1024
    _failed(run(users.staff_a, workbooks.shared_string_bomb(1), "sst.xlsx"), "unpacks to more than")
    settings.ZJTX_IMPORT_MAX_SHEET_BYTES = 64 * 1024
    rows = [workbooks.text_row(n, good_row(n)) for n in range(1, 2000)]
    _failed(run(users.staff_a, workbooks.workbook(rows), "sheet.xlsx"), "unpacks to more than")


def test_a_zip_of_many_parts_is_refused(users, ref):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        for n in range(import_files.MAX_ZIP_ENTRIES):
            book.writestr(f"x/{n}.xml", b"")
    _failed(run(users.staff_a, out.getvalue(), "parts.xlsx"), "more than 10,000 parts")


def test_one_endless_csv_line_and_an_overlong_cell_are_refused(users, ref):
    _failed(run(users.staff_a, workbooks.single_line_csv(2), "line.csv"), "longer than 1,048,576 characters")
    long_cell = csv_bytes([good_row(1, 企业名称="长" * 40_000)])
    _failed(run(users.staff_a, long_cell, "cell.csv"), "longer than 32,767 characters")
    # The same cell in a workbook (spreadsheet programs cut cells at 32,767 characters; an attacker does not).
    rows = [workbooks.text_row(1, HEADERS), workbooks.text_row(2, good_row(1, 企业名称="长" * 40_000))]
    _failed(run(users.staff_a, workbooks.workbook(rows), "cell.xlsx"), "longer than 32,767 characters")


# --- the two .xlsx readers agree ------------------------------------------------------------


def test_the_fast_and_the_streaming_xlsx_readers_read_the_same_rows():
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "名称", "日期", "数", "空"])
    sheet.append([DIGITS_CODE, "甲", dt.date(2020, 1, 2), 1234.5, None])
    sheet.append([int(DIGITS_CODE), "乙", "2020-01-02", 7, ""])
    sheet.append([])
    sheet.append(["x", None, None, None, "末"])
    data = io.BytesIO()
    book.save(data)

    def day(value):
        return value.date() if isinstance(value, dt.datetime) else value

    def read(fast_cells):
        lim = import_files.Limits(100, 10, 100, 1 << 20, 1 << 20, 1 << 20, fast_cells)
        rows = list(import_files.read_rows(io.BytesIO(data.getvalue()), "x.xlsx", lim))
        return [(n, tuple(None if c == "" else c for c in cells)) for n, cells in rows if any(cells)]

    fast, streamed = read(10_000), read(0)
    assert [n for n, _c in fast] == [1, 2, 3, 5]
    for (n1, a), (n2, b) in zip(fast, streamed, strict=True):
        assert n1 == n2
        for x, y in zip(a, b, strict=False):
            if isinstance(x, (int, float)) and isinstance(y, (int, float)):
                assert float(x) == float(y)
            elif isinstance(x, dt.datetime) or isinstance(y, dt.datetime):
                assert day(x) == day(y)
            else:
                assert x == y
    assert isinstance(fast[2][1][0], float) and isinstance(fast[1][1][0], str)  # a number cell stays a number
