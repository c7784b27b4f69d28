"""Server-rendered pages through Django's test client: role homes, forms with field errors, errors in words."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reporting.services.snapshots import snapshot_day
from tests.enterprises.test_import import csv_bytes, good_row
from tiers.services import lifecycle


@pytest.mark.parametrize(
    ("who", "target"),
    [
        ("official", "/dashboard/"),
        ("progadmin", "/programs/"),
        ("auditor", "/dashboard/"),
        ("staff_a", "/work/"),
    ],
)
def test_home_depends_on_the_role(client, users, who, target):
    client.force_login(getattr(users, who))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == target


def test_user_without_role_is_told_why(client, users):
    client.force_login(users.norole)
    page = client.get("/")
    assert page.status_code == 403 and "尚未分配角色" in page.content.decode()


def test_pages_are_chinese_by_default_even_for_an_english_browser(client, users):
    client.force_login(users.official)
    page = client.get(reverse("reporting:dashboard"), HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert "目标与进展" in page.content.decode()
    client.cookies["django_language"] = "en"
    assert "Targets and progress" in client.get(reverse("reporting:dashboard")).content.decode()


def test_dashboard_ranking_sorts_by_completion(client, users, ref, make_enterprise):
    from reporting.models import Metric, Target
    from reporting.services.targets import target_split

    for district, n in (("500112", 1), ("500105", 3)):
        for _ in range(n):
            lifecycle.certification_import(
                actor=users.superuser,
                enterprise=make_enterprise(district),
                tier=ref.tiers["srdi_sme"],
                valid_from=timezone.localdate() - dt.timedelta(days=5),
            )
    target = Target.objects.create(  # a running target (test figures): the 2022–2025 plan's are closed
        metric=Metric.objects.get(code="srdi_smes"), jurisdiction=ref.jurisdictions["500000"], value=2500,
        start=timezone.localdate() - dt.timedelta(days=30), deadline=timezone.localdate() + dt.timedelta(days=400),
    )  # fmt: skip
    target_split(actor=users.progadmin, target_id=target.pk, shares={"500112": 1250, "500105": 1250})
    snapshot_day(timezone.localdate())
    client.force_login(users.official)
    page = client.get(reverse("reporting:dashboard"), {"metric": "srdi_smes", "sort": "percent", "dir": "desc"})
    ranking = page.context["ranking"]
    assert [r.target.district.code for r in ranking] == ["500105", "500112"]
    ascending = client.get(reverse("reporting:dashboard"), {"metric": "srdi_smes", "sort": "percent"}).context[
        "ranking"
    ]
    assert [r.target.district.code for r in ascending] == ["500112", "500105"]
    fragment = client.get(
        reverse("reporting:dashboard"), {"part": "ranking", "metric": "srdi_smes"}, HTTP_HX_REQUEST="true"
    )
    assert fragment.content.decode().lstrip().startswith('<div id="ranking">')
    assert page.context["off_track_count"] == 2


def test_import_form_shows_field_errors_and_reports_rows(client, users, ref, django_capture_on_commit_callbacks):
    client.force_login(users.staff_a)
    bad = client.post(reverse("enterprises:import"), {"file": SimpleUploadedFile("名单.pdf", b"%PDF")})
    assert bad.status_code == 400 and "不支持的文件类型" in bad.content.decode()
    missing = client.post(reverse("enterprises:import"), {})
    assert missing.status_code == 400 and "errorlist" in missing.content.decode()

    upload = SimpleUploadedFile("名单.csv", csv_bytes([good_row(1), good_row(2, 所属区县="火星区")]))
    from zjtx.celery import app

    app.conf.task_always_eager = True  # the real worker path is covered in tests/test_celery_worker.py
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("enterprises:import"), {"file": upload})
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 302
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "新增企业 1 家" in text and "拒收 1 行" in text and "火星区" in text


def test_enterprise_page_shows_history_and_masks_phone_for_officials(client, users, ref, make_enterprise):
    ent = make_enterprise(contact_phone="13912345678")
    lifecycle.certification_import(
        actor=users.superuser,
        enterprise=ent,
        tier=ref.tiers["innovative_sme"],
        valid_from=timezone.localdate() - dt.timedelta(days=1050),
    )
    client.force_login(users.official)
    page = client.get(reverse("enterprises:detail", args=[ent.credit_code])).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    assert "有认定将在 90 天内到期" in page and "创新型中小企业" in page
    client.force_login(users.staff_a)
    assert "13912345678" in client.get(reverse("enterprises:detail", args=[ent.credit_code])).content.decode()


def test_not_found_page_is_in_words(client, users):
    client.force_login(users.staff_a)
    page = client.get(reverse("enterprises:detail", args=["91500105000000000X"]))
    assert page.status_code == 404
    assert "不在您的账户可查看的范围内" in page.content.decode()


def test_report_request_form(client, users, ref):
    client.force_login(users.staff_a)
    response = client.post(
        reverse("reporting:reports"), {"kind": "district", "district": "500112", "period": "2026-01"}, follow=True
    )
    assert "正在生成报告" in response.content.decode()
    refused = client.post(
        reverse("reporting:reports"), {"kind": "district", "district": "500105", "period": "2026-01"}, follow=True
    )
    assert "没有该区县" in refused.content.decode()


def test_audit_history_masks_contact_numbers_outside_the_district(client, api, users, ref, make_enterprise):
    from django.urls import reverse as r

    ent = make_enterprise(contact_phone="13912345678")
    api(users.staff_a).patch(
        r("enterprise-detail", args=[ent.credit_code]), {"contact_phone": "13700001111"}, format="json"
    )
    for user in (users.official, users.auditor):
        history = api(user).get(r("enterprise-history", args=[ent.credit_code])).content.decode()
        audit = api(user).get(r("auditentry-list"), {"page_size": 500}).content.decode()
        assert "13700001111" not in history + audit and "137****1111" in history
        client.force_login(user)
        for url in (
            r("enterprises:detail", args=[ent.credit_code]),
            r("admin:enterprises_enterprise_change", args=[ent.pk]),
        ):
            assert "13700001111" not in client.get(url).content.decode()
    assert "13700001111" in api(users.staff_a).get(r("enterprise-history", args=[ent.credit_code])).content.decode()


def test_program_overview_lists_each_policy_with_its_measures(client, users, ref):
    client.force_login(users.progadmin)
    listing = client.get(reverse("programs:list")).content.decode()
    assert "十大强企" in listing and "专项行动计划" in listing
    assert "25000" in listing  # the city-wide targets are listed too
    text = client.get(reverse("programs:detail", args=["bj-2023-ten-actions"])).content.decode()
    for action in ("创新领航", "数智转型", "挂牌倍增", "服务聚合"):
        assert action in text
    assert "五.3" in text
    client.force_login(users.staff_bj)
    assert client.get(reverse("programs:detail", args=["cq-2022-2025-action-plan"])).status_code == 200


def test_district_page_lists_candidates_and_what_they_lack(client, users, eligibility_firms):
    from tiers.services import eligibility

    eligibility.assess_all(timezone.localdate())
    client.force_login(users.staff_a)
    page = client.get(reverse("reporting:district", args=["500112"]))
    table = page.content.decode().split('id="candidate-table"')[1]
    # Eligible first, then those one indicator short, each saying what it lacks (in Chinese), under 2号.
    assert table.index("渝北合格企业") < min(table.index("渝北差细分市场年限企业"), table.index("渝北差分企业"))
    assert "截至上年末从事特定细分市场时间" in table and "本年度专精特新发展评价得分" in table
    assert "工信部企业〔2026〕2号" in page.content.decode().split('id="documents-in-force"')[1]
    client.force_login(users.official)
    dashboard = client.get(reverse("reporting:dashboard")).content.decode()
    assert 'id="pipeline-table"' in dashboard


def test_each_role_is_shown_only_what_it_can_do(client, users):
    client.force_login(users.auditor)
    reports_page = client.get(reverse("reporting:reports")).content.decode()
    assert 'id="report-request"' not in reports_page  # auditors read reports, request none
    assert client.get(reverse("enterprises:import")).status_code == 403
    assert 'href="/enterprises/import/"' not in reports_page and 'id="work-link"' not in reports_page
    client.force_login(users.official)
    page = client.get(reverse("reporting:reports")).content.decode()
    assert 'id="report-request"' in page and 'href="/enterprises/import/"' not in page
    assert client.get(reverse("enterprises:import")).status_code == 403  # only district staff import
    assert 'id="work-link"' in page
    client.force_login(users.staff_a)
    page = client.get(reverse("reporting:reports")).content.decode()
    assert 'href="/enterprises/import/"' in page and 'href="/tier-lists/"' not in page
