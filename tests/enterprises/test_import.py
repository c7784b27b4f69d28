"""Bulk import: good rows in, bad rows reported by number and reason, re-import is a no-op, bad files write nothing."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from accounts.models import AuditEntry
from enterprises.models import Enterprise, EnterpriseYearFact
from enterprises.models.registry import ImportStatus
from enterprises.rules import credit_code
from enterprises.services.importing import enterprises_import

HEADERS = [
    "统一社会信用代码", "企业名称", "所属区县", "行业门类", "成立日期", "企业规模", "上市情况", "上市日期",
    "联系人", "联系电话", "年度", "营业收入(万元)", "主营业务收入(万元)", "研发费用(万元)", "从业人员", "研发人员",
]  # fmt: skip


def code(n, division="500112"):
    return credit_code.make(f"91{division}{n:09d}")


def good_row(n, **over):
    row = {
        "统一社会信用代码": code(n), "企业名称": f"重庆渝北测试{n}有限公司", "所属区县": "渝北区", "行业门类": "C",
        "成立日期": "2015-03-01", "企业规模": "小型", "上市情况": "未上市", "上市日期": "", "联系人": "王先生",
        "联系电话": "13800000000", "年度": "2024", "营业收入(万元)": "5000", "主营业务收入(万元)": "4500",
        "研发费用(万元)": "300", "从业人员": "120", "研发人员": "30",
    }  # fmt: skip
    row.update(over)
    return [row[h] for h in HEADERS]


def csv_bytes(rows, headers=HEADERS, encoding="utf-8"):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows, headers=HEADERS):
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(user, data, name="企业名单.csv"):
    return enterprises_import(actor=user, stream=io.BytesIO(data), file_name=name)


@pytest.fixture(autouse=True, params=["copy", "orm"])
def writer(request, monkeypatch, settings):
    """Every promise holds for both writers: COPY and set-based SQL (PostgreSQL), bulk ORM writes (SQLite)."""
    from enterprises.services import importing

    if request.param == "copy":
        if not settings.USES_POSTGRES:
            pytest.skip("the COPY writer needs PostgreSQL")
    else:
        monkeypatch.setattr(importing, "uses_copy", lambda: False)
    return request.param


MIXED = [
    good_row(1),
    good_row(2, **{"统一社会信用代码": "91500112000000002X"}),  # wrong check character
    good_row(3, **{"所属区县": "火星区"}),
    good_row(4, **{"主营业务收入(万元)": "6000"}),  # more than revenue
    good_row(5, **{"成立日期": "2015-13-01"}),
    good_row(6),
    good_row(1),  # duplicate of the first row for the same year
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_good_rows_go_in_and_bad_rows_are_reported(users, ref, fmt):
    data = csv_bytes(MIXED) if fmt == "csv" else xlsx_bytes(MIXED)
    result = run(users.staff_a, data, f"list.{fmt}")

    assert result.status == ImportStatus.DONE
    assert (result.rows_total, result.rows_created, result.rows_rejected) == (7, 2, 5)
    by_row = {e["row"]: " ".join(e["reasons"]) for e in result.errors}
    assert sorted(by_row) == [3, 4, 5, 6, 8]  # header is row 1
    assert "统一社会信用代码" in by_row[3] and "expected" in by_row[3]
    assert "火星区" in by_row[4]
    assert "主营业务收入" in by_row[5]
    assert "成立日期" in by_row[6]
    assert "row 2" in by_row[8]
    ent = Enterprise.objects.get(credit_code=code(1))
    assert ent.district == ref.districts["500112"] and ent.size_class == "small"
    fact = EnterpriseYearFact.objects.get(enterprise=ent, year=2024)
    assert fact.revenue == Decimal("50000000.00")  # 5000 万元
    assert fact.rd_expense == Decimal("3000000.00")


def test_reimport_of_the_same_file_changes_nothing(users, ref):
    data = csv_bytes(MIXED)
    run(users.staff_a, data)
    before = list(Enterprise.objects.order_by("id").values_list("id", "updated_at"))
    audit_before = AuditEntry.objects.count()

    again = run(users.staff_a, data)
    assert (again.rows_created, again.rows_updated, again.rows_unchanged, again.facts_written) == (0, 0, 2, 0)
    assert list(Enterprise.objects.order_by("id").values_list("id", "updated_at")) == before
    assert AuditEntry.objects.count() == audit_before


def test_changed_row_updates_only_that_enterprise_and_is_audited(users, ref):
    run(users.staff_a, csv_bytes([good_row(1), good_row(2)]))
    result = run(users.staff_a, csv_bytes([good_row(1, 企业名称="新名字有限公司"), good_row(2)]))
    assert (result.rows_updated, result.rows_unchanged) == (1, 1)
    entry = AuditEntry.objects.filter(object_id=str(Enterprise.objects.get(credit_code=code(1)).pk)).first()
    assert entry.changes["name"] == ["重庆渝北测试1有限公司", "新名字有限公司"]
    assert entry.actor == users.staff_a


def test_gbk_csv_from_excel_is_read(users, ref):
    result = run(users.staff_a, csv_bytes([good_row(1)], encoding="gb18030"))
    assert result.rows_created == 1
    assert Enterprise.objects.get(credit_code=code(1)).name == "重庆渝北测试1有限公司"


def test_one_row_per_year_of_the_same_enterprise(users, ref):
    rows = [good_row(1, 年度="2023"), good_row(1, 年度="2024")]
    result = run(users.staff_a, csv_bytes(rows))
    assert (result.rows_created, result.facts_written, result.rows_rejected) == (1, 2, 0)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\x00\x01not a zip", "x.xlsx", "not a readable .xlsx"),
        (csv_bytes([good_row(1)], headers=["名称", *HEADERS[1:]]), "x.csv", "统一社会信用代码"),
        ("统一社会信用代码,企业名称,所属区县,行业门类\n".encode() + b"\xff\xfe\xfa bad bytes", "x.csv", None),
        (b"", "x.csv", "no header row"),
        (b"hello", "x.pdf", "Unsupported file type"),
    ],
)
def test_unreadable_file_writes_nothing(users, ref, data, name, message):
    result = run(users.staff_a, data, name)
    assert result.status == ImportStatus.FAILED
    if message:
        assert message in result.message
    assert Enterprise.objects.count() == 0 and EnterpriseYearFact.objects.count() == 0


def test_decoding_error_late_in_the_file_rolls_everything_back(users, ref):
    good = csv_bytes([good_row(n) for n in range(1, 3001)])
    result = run(users.staff_a, good + b"\n\xff\xfe broken tail")
    assert result.status == ImportStatus.FAILED and "near byte" in result.message
    assert Enterprise.objects.count() == 0


def test_district_staff_cannot_import_into_another_district(users, ref, make_enterprise):
    foreign = make_enterprise("500105")
    rows = [
        good_row(1, 所属区县="江北区"),
        good_row(2, 统一社会信用代码=foreign.credit_code),
        good_row(3),
    ]
    result = run(users.staff_a, csv_bytes(rows))
    assert result.rows_created == 1
    reasons = {e["row"]: " ".join(e["reasons"]) for e in result.errors}
    assert "outside your district" in reasons[2] and "outside your district" in reasons[3]
    foreign.refresh_from_db()
    assert foreign.name.startswith("测试企业")


def test_officials_do_not_import(users, ref):
    from zjtx.errors import DomainError

    with pytest.raises(DomainError):
        run(users.official, csv_bytes([good_row(1)]))


def test_a_huge_figure_rejects_its_row_not_the_file(users, ref):
    """Regression (hypothesis): "1e30" made quantize() raise and failed the whole import with no reason."""
    result = run(users.staff_a, csv_bytes([good_row(1, **{"营业收入(万元)": "1e30"}), good_row(2)]))
    assert result.status == ImportStatus.DONE
    assert (result.rows_created, result.rows_rejected) == (1, 1)
    assert "implausibly large" in " ".join(result.errors[0]["reasons"])


def _entries(model_name):
    return {
        e.object_repr: (e.changes, e.district_id, e.actor_id, e.source)
        for e in AuditEntry.objects.filter(content_type__model=model_name, action="import")
    }


def test_audit_entries_say_what_each_row_wrote(users, ref):
    """The same entries from both writers: every field of a new row, only the changed fields of an updated one."""
    rows = [good_row(1), good_row(2, 年度="2023")]
    first = run(users.staff_a, csv_bytes(rows))
    assert (first.rows_created, first.facts_written) == (2, 2)
    ent = Enterprise.objects.get(credit_code=code(1))
    yubei = ref.districts["500112"].pk
    created = _entries("enterprise")[str(ent)]
    assert created == (
        {
            "credit_code": [None, code(1)], "name": [None, "重庆渝北测试1有限公司"], "district_id": [None, yubei],
            "industry_id": [None, ref.industries["C"].pk], "founded_on": [None, "2015-03-01"],
            "size_class": [None, "small"], "listing_status": [None, "unlisted"], "listed_on": [None, None],
            "contact_name": [None, "王先生"], "contact_phone": [None, "13800000000"],
        },
        yubei, users.staff_a.pk, "import",
    )  # fmt: skip
    fact = EnterpriseYearFact.objects.get(enterprise=ent, year=2024)
    assert _entries("enterpriseyearfact")[str(fact)][0] == {
        "revenue": [None, "50000000.00"], "main_business_revenue": [None, "45000000.00"],
        "rd_expense": [None, "3000000.00"], "employees": [None, 120], "rd_staff": [None, 30],
    }  # fmt: skip
    before = AuditEntry.objects.count()
    again = run(
        users.staff_a, csv_bytes([good_row(1, 联系人="李女士", **{"营业收入(万元)": "6000"}), good_row(2, 年度="2023")])
    )
    assert (again.rows_updated, again.rows_unchanged, again.facts_written) == (1, 1, 1)
    assert AuditEntry.objects.count() == before + 2
    latest = AuditEntry.objects.filter(action="import").order_by("-id")[:2]
    changes = {e.content_type.model: e.changes for e in latest}
    assert changes == {
        "enterprise": {"contact_name": ["王先生", "李女士"]},
        "enterpriseyearfact": {"revenue": ["50000000.00", "60000000.00"]},
    }
    ent.refresh_from_db()
    assert ent.contact_name == "李女士"
    assert EnterpriseYearFact.objects.get(enterprise=ent, year=2024).revenue == Decimal("60000000.00")


def test_rows_over_several_chunks_and_repeated_codes(users, ref, monkeypatch):
    """Chunks end anywhere: a code seen again in a later chunk (another year) is unchanged, not new."""
    from enterprises.services import importing

    monkeypatch.setattr(importing, "CHUNK", 3)
    monkeypatch.setattr(importing, "COPY_CHUNK", 3)
    rows = [good_row(n, 年度=str(year)) for year in (2022, 2023) for n in range(1, 5)]
    result = run(users.staff_a, csv_bytes(rows))
    assert (result.rows_created, result.rows_unchanged, result.facts_written, result.rows_rejected) == (4, 4, 8, 0)
    assert EnterpriseYearFact.objects.count() == 8


def test_a_listed_firm_and_empty_optional_columns(users, ref):
    headers = ["统一社会信用代码", "企业名称", "所属区县", "行业门类", "上市情况", "上市日期"]
    result = run(users.staff_a, csv_bytes([[code(1), "上市公司", "500112", "C", "科创板", "2023-05-06"]], headers))
    ent = Enterprise.objects.get(credit_code=code(1))
    assert result.rows_created == 1
    assert (ent.listing_status, ent.listed_on.isoformat(), ent.size_class, ent.main_product) == (
        "star", "2023-05-06", "small", ""
    )  # fmt: skip


CRITERIA_HEADERS = [
    "统一社会信用代码", "企业名称", "所属区县", "行业门类", "年度", "Ⅰ类知识产权", "专精特新发展评价得分",
    "细分市场全国排名", "从事细分市场年限", "六基或产业链关键环节产品",
]  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_facts_of_the_2026_criteria_are_imported_checked_and_audited(users, ref, fmt):
    rows = [
        [code(1), "甲公司", "500112", "C", "2025", "4", "61.5", "2", "6", "是"],
        [code(2), "乙公司", "500112", "C", "2025", "", "", "", "", "否"],
        [code(3), "丙公司", "500112", "C", "2025", "1", "120", "0", "x", "也许"],
        [code(4), "丁公司", "500112", "C", "2025", "1", "50.125", "1", "3", ""],
    ]
    data = csv_bytes(rows, CRITERIA_HEADERS) if fmt == "csv" else xlsx_bytes(rows, CRITERIA_HEADERS)
    result = run(users.staff_a, data, f"list.{fmt}")
    assert (result.rows_created, result.rows_rejected) == (2, 2)
    first = EnterpriseYearFact.objects.get(enterprise__credit_code=code(1), year=2025)
    assert (first.class_i_ip, first.development_score, first.national_market_rank, first.niche_years) == (
        4, Decimal("61.5"), 2, 6
    )  # fmt: skip
    assert first.chain_product is True
    second = EnterpriseYearFact.objects.get(enterprise__credit_code=code(2), year=2025)
    assert (second.development_score, second.national_market_rank, second.chain_product) == (None, None, False)
    by_row = {e["row"]: " ".join(e["reasons"]) for e in result.errors}
    assert {"专精特新发展评价得分", "细分市场全国排名", "从事细分市场年限", "六基或产业链关键环节产品"} <= {
        label for label in CRITERIA_HEADERS if label in by_row[4]
    }
    assert "专精特新发展评价得分" in by_row[5] and "two decimals" in by_row[5]
    assert _entries("enterpriseyearfact")[str(first)][0] == {
        "class_i_ip": [None, 4], "development_score": [None, "61.50"], "national_market_rank": [None, 2],
        "niche_years": [None, 6], "chain_product": [None, True],
    }  # fmt: skip
