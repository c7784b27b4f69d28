"""Numbers with separators and units, one date style, charts' data and the PDF chart's axis."""

import datetime as dt
from decimal import Decimal

from django.template import Context, Template
from django.utils import timezone, translation

from reporting.reports.pdf import completion_axis_max
from tiers.services import lifecycle
from zjtx.templatetags.zjtx_tags import firms, num, with_unit, yuan


def test_numbers_have_thousands_separators_and_units():
    assert num(1234567) == "1,234,567" and num(Decimal("12345.50")) == "12,345.50" and num(None) == ""
    assert with_unit(25000, "家") == "25,000 家" and with_unit(None, "个") == "—"
    with translation.override("zh-hans"):
        assert firms(2500) == "2,500 家企业"
        assert yuan(Decimal("3000000")) == "300 万元" and yuan(Decimal("12345")) == "1.23 万元"
        assert yuan(Decimal("300000.00")) == "30 万元"
    with translation.override("en"):
        assert yuan(Decimal("3000000")) == "3,000,000 yuan"


def test_dates_read_one_way_in_chinese():
    with translation.override("zh-hans"):
        rendered = Template("{{ d }} · {{ d|date }} · {{ t|date:'DATETIME_FORMAT' }}").render(
            Context({"d": dt.date(2026, 11, 26), "t": dt.datetime(2026, 11, 26, 9, 5)})
        )
    assert rendered == "2026年11月26日 · 2026年11月26日 · 2026年11月26日 09:05"


def test_pdf_completion_axis_never_cuts_a_bar():
    assert completion_axis_max(80) == 100 and completion_axis_max(100) == 100
    assert completion_axis_max(150) == 150 and completion_axis_max(200) == 200 and completion_axis_max(201) == 250


def test_district_page_lists_figures_with_units_and_the_most_urgent_expiry_first(client, users, ref, make_enterprise):
    today = timezone.localdate()
    for days_left, name in ((70, "渝北七十天有限公司"), (10, "渝北十天有限公司"), (40, "渝北四十天有限公司")):
        lifecycle.certification_import(
            actor=users.superuser,
            enterprise=make_enterprise("500112", name=name),
            tier=ref.tiers["innovative_sme"],
            valid_from=today + dt.timedelta(days=days_left) - dt.timedelta(days=3 * 365),
        )
    client.force_login(users.staff_a)
    html = client.get("/districts/500112/").content.decode()
    order = [html.index(n) for n in ("渝北十天有限公司", "渝北四十天有限公司", "渝北七十天有限公司")]
    assert order == sorted(order)
    assert "年" in html and "月" in html and "日" in html
    assert 'id="trend-targets"' in html and 'id="chart-words"' in html
