"""District and city reports: the PDF's text layer and the workbook carry the same figures; requests are scoped."""

import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import AuditEntry
from reporting.models import ReportRun
from reporting.services import reports
from reporting.services.snapshots import ensure_deadline_snapshots, snapshot_day
from reporting.services.targets import target_split


def period_now():
    return f"{timezone.localdate():%Y-%m}"


def setup_figures(users, ref, target):
    target_split(actor=users.progadmin, target_id=target.pk, shares={"500112": 2000, "500105": 500})
    snapshot_day(timezone.localdate() - dt.timedelta(days=10))
    snapshot_day(timezone.localdate())
    ensure_deadline_snapshots(timezone.localdate())  # the 2022–2025 plan's final results


def pdf_text(run):
    with run.pdf.open("rb") as fh:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(fh.read())).pages)


def make_run(kind, ref, district=None, language="zh-hans"):
    return ReportRun.objects.create(
        kind=kind,
        jurisdiction=ref.jurisdictions["500000"],
        district=ref.districts[district] if district else None,
        period=period_now(),
        language=language,
    )


def raise_demands(users, ref, make_enterprise):
    """Two demands in Yubei: one past its due date, one not."""
    from servicedesk.services import demand_create

    today = timezone.localdate()
    for days in (-3, 10):
        demand_create(
            actor=users.staff_a, enterprise=make_enterprise("500112"), category="land",
            description="用地", due_on=today + dt.timedelta(days=days), raised_on=today - dt.timedelta(days=20),
        )  # fmt: skip


def test_district_pdf_text_has_the_chinese_name_and_figures(users, ref, holders, running_target, make_enterprise):
    setup_figures(users, ref, running_target)
    raise_demands(users, ref, make_enterprise)
    run = reports.report_generate(make_run("district", ref, "500112").pk)
    assert run.status == "done" and run.as_of == timezone.localdate()
    text = pdf_text(run)
    assert "重庆市渝北区" in text
    assert "市级专精特新中小企业" in text
    assert "2,000" in text  # Yubei's share of the 2,500 target, with a thousands separator
    assert "0.1%" in text  # 2 of 2,000
    assert "进展报告" in text  # Chinese headings
    assert "服务专员：企业诉求" in text
    assert run_demands(run) == (2, 1)


def run_demands(run):
    """(open, overdue) as written in the workbook's service-desk sheet."""
    with run.xlsx.open("rb") as fh:
        sheet = load_workbook(io.BytesIO(fh.read()))["服务专员"]
    head = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True))
    row = next(sheet.iter_rows(min_row=2, values_only=True))
    with translation.override("zh-hans"):
        return row[head.index(_("Not yet closed"))], row[head.index(_("Past due"))]


def test_workbook_has_the_same_figures(users, ref, holders, running_target):
    setup_figures(users, ref, running_target)
    run = reports.report_generate(make_run("district", ref, "500112").pk)
    with run.xlsx.open("rb") as fh:
        book = load_workbook(io.BytesIO(fh.read()))
    sheet = book.worksheets[1]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    line = rows["市级专精特新中小企业"]
    assert (line[1], line[2], line[3]) == (2000, 2, 0.1)


def test_city_report_lists_every_district(users, ref, holders, running_target, make_enterprise):
    setup_figures(users, ref, running_target)
    raise_demands(users, ref, make_enterprise)
    run = reports.report_generate(make_run("city", ref).pk)
    text = pdf_text(run)
    for name in ("万州区", "渝北区", "江北区", "彭水苗族土家族自治县", "城口县"):
        assert name in text
    assert "25,000" in text and "2,500" in text
    assert "服务专员：企业诉求" in text


def test_regenerating_replaces_in_place(users, ref, holders, running_target):
    setup_figures(users, ref, running_target)
    run = make_run("district", ref, "500112")
    reports.report_generate(run.pk)
    first = run.__class__.objects.get(pk=run.pk).pdf.name
    reports.report_generate(run.pk)
    again = ReportRun.objects.get(pk=run.pk)
    assert ReportRun.objects.count() == 1 and again.attempts == 2 and again.pdf.name == first


def test_request_and_download_over_the_api(api, users, ref, holders, django_capture_on_commit_callbacks):
    client = api(users.staff_a)
    response = client.post(
        reverse("reportrun-list"), {"kind": "district", "period": period_now(), "district": "500112"}, format="json"
    )
    assert response.status_code == 202, response.json()
    run_id = response.json()["id"]
    assert response.json()["status"] == "pending" and response.json()["pdf_url"] is None
    reports.report_generate(run_id)  # what the worker does (see test_jobs_on_worker for the real worker)
    detail = client.get(reverse("reportrun-detail", args=[run_id])).json()
    assert detail["status"] == "done"
    download = client.get(detail["pdf_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="download", object_id=str(run_id), actor=users.staff_a).exists()
    # Other districts see nothing of it.
    assert api(users.staff_b).get(reverse("reportrun-detail", args=[run_id])).status_code == 404
    assert api(users.staff_b).get(detail["pdf_url"]).status_code == 404


def test_bad_report_requests_are_4xx(api, users, ref):
    client = api(users.staff_a)
    url = reverse("reportrun-list")
    assert (
        client.post(url, {"kind": "district", "period": "2026-13", "district": "500112"}, format="json").status_code
        == 400
    )
    assert (
        client.post(url, {"kind": "district", "period": "2999-01", "district": "500112"}, format="json").status_code
        == 400
    )
    assert (
        client.post(url, {"kind": "district", "period": period_now(), "district": "500105"}, format="json").status_code
        == 404
    )
    assert client.post(url, {"kind": "city", "period": period_now()}, format="json").status_code == 400
    assert client.post(url, {"kind": "weekly", "period": period_now()}, format="json").status_code == 400
    assert api(users.auditor).post(url, {"kind": "city", "period": period_now()}, format="json").status_code == 400
    assert api(users.official).post(url, {"kind": "city", "period": period_now()}, format="json").status_code == 202


def _dated_demand(actor, enterprise, *, raised, due, closed_at=None):
    """A demand raised on a past day; closed (through the services) and its events dated as they happened."""
    import datetime as dt

    from django.utils import timezone

    from servicedesk import services as desk
    from servicedesk.models import Demand, DemandEvent

    unit = Demand._meta.get_field("unit").related_model.objects.filter(jurisdiction__code="500000").first()
    demand = desk.demand_create(
        actor=actor,
        enterprise=enterprise,
        category="land",
        description="用地",
        due_on=due + dt.timedelta(days=400),
        unit=unit,
    )
    if closed_at is not None:
        for action, extra in (("start", {}), ("resolve", {"note": "已解决"}), ("close", {"satisfaction": "satisfied"})):
            desk.demand_transition(actor=actor, demand_id=demand.pk, action=action, **extra)
    at = timezone.make_aware(dt.datetime.combine(raised, dt.time(10)))
    Demand.objects.filter(pk=demand.pk).update(raised_on=raised, due_on=due, created_at=at)
    DemandEvent.objects.filter(demand=demand).update(at=at)
    if closed_at is not None:
        DemandEvent.objects.filter(demand=demand, to_status__in=["resolved", "closed"]).update(
            at=timezone.make_aware(dt.datetime.combine(closed_at, dt.time(16)))
        )
    return demand


def test_district_report_counts_demands_raised_closed_and_overdue_in_its_period(users, ref, make_enterprise):
    import datetime as dt

    from reporting.reports.data import district_report

    firm = make_enterprise("500112")
    d = dt.date
    _dated_demand(users.staff_a, firm, raised=d(2026, 10, 3), due=d(2026, 10, 20))  # raised in October, overdue on 31st
    _dated_demand(users.staff_a, firm, raised=d(2026, 10, 8), due=d(2026, 11, 30))  # raised, not yet due
    _dated_demand(
        users.staff_a, firm, raised=d(2026, 9, 10), due=d(2026, 10, 1), closed_at=d(2026, 10, 12)
    )  # closed in October
    _dated_demand(
        users.staff_a, firm, raised=d(2026, 10, 15), due=d(2026, 10, 25), closed_at=d(2026, 11, 2)
    )  # closed later
    _dated_demand(users.staff_a, firm, raised=d(2026, 11, 5), due=d(2026, 11, 10))  # after the period: not in it
    _dated_demand(users.staff_b, make_enterprise("500105"), raised=d(2026, 10, 3), due=d(2026, 10, 5))  # 江北
    c = district_report(ref.districts["500112"], "2026-10").demands
    assert (c.raised_in_period, c.closed_in_period) == (3, 1)
    # On 31 October: four demands existed; one closed; of the three still open, two were past due.
    assert (c.open, c.overdue, c.closed) == (3, 2, 1)
