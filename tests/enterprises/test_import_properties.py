"""Properties of the import parser (hypothesis, no database): no crash, and no wrong acceptance.

Any cell a spreadsheet can hold (text, numbers, dates, booleans, nothing) in any
column gives either a parsed row or reasons; an accepted row always satisfies
the rules the importer promises (valid credit code, known district and
industry, dates and figures in range).  Any bytes as a file give rows or an
ImportFileError, never another exception.
"""

import datetime as dt
import io
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from enterprises.rules import credit_code
from enterprises.services.import_files import ImportFileError, read_rows
from enterprises.services.import_rows import (
    MAX_MONEY,
    MONEY_FIELDS,
    Lookups,
    map_headers,
    normalise_header,
    parse_row,
)

HEADERS = [
    "统一社会信用代码", "企业名称", "所属区县", "行业门类", "成立日期", "企业规模", "上市情况", "上市日期",
    "主导产品", "联系人", "联系电话", "年度", "营业收入(万元)", "主营业务收入", "研发费用(元)", "资产总额",
    "净利润", "股权融资", "从业人员", "研发人员", "发明专利", "一类知识产权",
]  # fmt: skip
COLUMNS, _problems = map_headers(HEADERS)
LOOKUPS = Lookups(
    districts={"500112": 1, "渝北区": 1, "渝北": 1, "500105": 2, "江北区": 2},
    industries={"C": 3, "制造业": 3, "I": 9},
    this_year=2026,
)
VALID_CODE = credit_code.make("91500112000000001")

texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from([
        VALID_CODE, VALID_CODE.lower(), "91500112000000001X", "渝北区", "500112", "江北", "C", "c", "制造业", "Z",
        "2015-03-01", "2015/3/1", "2015年3月1日", "20150301", "1899-12-31", "2099-01-01", "2015-13-01",
        "小型", "微型企业", "科创板", "未上市", "1e30", "-1e30", "1e-30", "NaN", "Infinity", "-0", "1,234.5",
        "12，345", "0.005", "99999999999999.99", "2024", "1949", "3000000000", "13800000000", "+86 (23) 6789",
        "", " ", "\ufeff",
    ]),
)  # fmt: skip
cells = st.one_of(
    st.none(),
    texts,
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.times(),
)
rows = st.lists(cells, min_size=0, max_size=len(HEADERS) + 2)


def check_accepted(row):
    """What an accepted row must be, whatever its cells were."""
    ent = row.enterprise
    assert credit_code.is_valid(row.code) and ent["credit_code"] == row.code
    assert 0 < len(ent["name"]) <= 200
    assert ent["district_id"] in LOOKUPS.districts.values()
    assert ent["industry_id"] in LOOKUPS.industries.values()
    for fname in ("founded_on", "listed_on"):
        day = ent.get(fname)
        assert day is None or (isinstance(day, dt.date) and 1900 <= day.year <= LOOKUPS.this_year)
    if ent.get("listing_status", "unlisted") != "unlisted":
        assert ent.get("listed_on")
    for fname, limit in (("main_product", 200), ("contact_name", 50), ("contact_phone", 30)):
        assert len(ent.get(fname, "")) <= limit
    if row.year is not None:
        assert 1949 <= row.year <= LOOKUPS.this_year
        for fname, value in row.facts.items():
            if value is None:
                continue
            if fname in MONEY_FIELDS:
                assert (
                    isinstance(value, Decimal) and abs(value) <= MAX_MONEY and value == value.quantize(Decimal("0.01"))
                )
                assert value >= 0 or fname == "net_profit"
            else:
                assert isinstance(value, int) and 0 <= value <= 2_000_000_000
        f = row.facts
        if f.get("main_business_revenue") is not None and f.get("revenue") is not None:
            assert f["main_business_revenue"] <= f["revenue"]
        if f.get("rd_staff") is not None and f.get("employees") is not None:
            assert f["rd_staff"] <= f["employees"]
    else:
        assert not row.facts


@settings(max_examples=500)
@given(rows)
@example([VALID_CODE, "某公司", "渝北区", "C", "", "", "", "", "", "", "", "2024", "1e30"])
@example([VALID_CODE, "某公司", "渝北区", "C", "", "", "", "", "", "", "", "2024", "", "", "1e-30"])
def test_any_row_is_parsed_or_rejected_with_reasons(cells):
    row = parse_row(7, cells, COLUMNS, LOOKUPS)
    if row.ok:
        check_accepted(row)
    else:
        assert all(isinstance(reason, str) and reason for reason in row.errors)


@settings(max_examples=300)
@given(st.lists(cells, min_size=len(HEADERS), max_size=len(HEADERS)), st.data())
def test_rows_with_valid_keys_and_any_other_cells(cells, data):
    """The required cells valid, everything else arbitrary: the row stands or falls by the other cells alone."""
    cells[:4] = [VALID_CODE, "重庆某某科技有限公司", data.draw(st.sampled_from(["渝北区", "500105"])), "C"]
    row = parse_row(2, cells, COLUMNS, LOOKUPS)
    if row.ok:
        check_accepted(row)
    else:
        assert not any(r.startswith(("统一社会信用代码", "企业名称", "所属区县", "行业门类")) for r in row.errors)


@given(st.lists(st.one_of(st.none(), st.sampled_from(HEADERS), st.text(max_size=12), st.integers()), max_size=30))
def test_any_header_row_is_mapped_or_refused_with_reasons(headers):
    columns, problems = map_headers(headers)
    if columns is None:
        assert problems and all(problems)
        return
    assert {"credit_code", "name", "district", "industry"} <= set(columns.index)
    assert len(set(columns.index.values())) == len(columns.index)
    assert all(normalise_header(headers[i]) for i in columns.index.values())


@settings(max_examples=200)
@given(st.binary(max_size=2000), st.sampled_from(["x.csv", "x.xlsx", "x.CSV", "x.txt", "x"]))
@example(b"a,b\x00,c\n", "x.csv")
@example(b"PK\x03\x04" + b"\x00" * 60, "x.xlsx")
def test_any_bytes_give_rows_or_a_file_error(data, name):
    try:
        for number, row in read_rows(io.BytesIO(data), name):
            assert number >= 1 and isinstance(row, tuple)
    except ImportFileError as exc:
        assert str(exc)
