"""Exports never hand a spreadsheet a formula, and contact numbers are checked on every way in (issue 12, item 9).

A cell that starts with =, +, -, @, a tab or a carriage return is run as a formula by Excel and
LibreOffice (CSV injection): every such cell of the enterprise CSV and of the report workbooks is
prefixed with an apostrophe; the importer takes the apostrophe off again, so an export imports unchanged.
"""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from enterprises.models import Enterprise
from enterprises.services.importing import enterprises_import
from reporting.models import Metric
from reporting.services import reports
from tests.reporting.conftest import holders, running_target  # noqa: F401 - what a report counts
from tests.reporting.test_reports import make_run, setup_figures

DANGEROUS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx=1", "\r=1"]


def export_rows(api, user):
    response = api(user).get(reverse("enterprise-export"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")

    return list(csv.reader(io.StringIO(text)))


def test_every_cell_that_starts_like_a_formula_is_neutralised(api, users, make_enterprise):
    for n, value in enumerate(DANGEROUS):
        # Stored directly: rows written before the phone check, or by the importer's own checks.
        make_enterprise("500112", name=f"{value}公司{n}", main_product=value, contact_name=value, contact_phone=value)
    rows = export_rows(api, users.staff_a)[1:]
    assert len(rows) == len(DANGEROUS)
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    phones = sorted(row[10] for row in rows)
    assert phones == sorted("'" + v for v in DANGEROUS)


def test_an_export_imports_unchanged(api, users, make_enterprise):
    make_enterprise("500112", name="=危险公司", contact_phone="+86 138 1234 5678", main_product="-负号产品")
    make_enterprise("500112", contact_phone="023-6789 1234")
    rows = export_rows(api, users.staff_a)

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    run = enterprises_import(actor=users.staff_a, stream=io.BytesIO(out.getvalue().encode()), file_name="export.csv")
    assert (run.rows_total, run.rows_unchanged, run.rows_rejected) == (2, 2, 0), run.errors
    assert Enterprise.objects.filter(name="=危险公司", contact_phone="+86 138 1234 5678").exists()


@pytest.mark.parametrize("phone", ["=1+1", "@SUM(A1)", "电话13812345678", "1234", "+" + "1" * 30])
def test_the_api_refuses_what_the_importer_refuses_as_a_phone_number(api, users, make_enterprise, phone):
    ent = make_enterprise("500112")
    client = api(users.staff_a)
    response = client.patch(
        reverse("enterprise-detail", args=[ent.credit_code]), {"contact_phone": phone}, format="json"
    )
    assert response.status_code == 400 and "contact_phone" in response.json()["errors"], response.json()
    ent.refresh_from_db()
    assert ent.contact_phone == "13812345678"


@pytest.mark.parametrize("phone", ["+86 138 1234 5678", "023-67891234", "(023) 6789 1234", "13812345678", ""])
def test_the_api_takes_the_phone_numbers_the_importer_takes(api, users, make_enterprise, phone):
    ent = make_enterprise("500112")
    response = api(users.staff_a).patch(
        reverse("enterprise-detail", args=[ent.credit_code]), {"contact_phone": phone}, format="json"
    )
    assert response.status_code == 200, response.json()


def test_report_workbooks_hold_no_formula(users, ref, holders, running_target):  # noqa: F811
    setup_figures(users, ref, running_target)
    Metric.objects.filter(code="srdi_smes").update(name='=HYPERLINK("http://x","点击")')
    run = reports.report_generate(make_run("district", ref, "500112").pk)
    with run.xlsx.open("rb") as fh:
        book = load_workbook(io.BytesIO(fh.read()))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == '\'=HYPERLINK("http://x","点击")' for c in cells)


def test_the_admin_refuses_a_bad_phone_number_with_a_message(client, users, make_enterprise):
    ent = make_enterprise("500112")
    client.force_login(users.staff_a)
    url = reverse("admin:enterprises_enterprise_change", args=[ent.pk])
    form = client.get(url).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name in form.fields}
    data.update({"contact_phone": "=1+1", "district": ent.district_id, "industry": ent.industry_id})
    for prefix in ("year_facts", "profile"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "phone" in " ".join(str(m) for m in response.context["messages"])
    ent.refresh_from_db()
    assert ent.contact_phone == "13812345678"
