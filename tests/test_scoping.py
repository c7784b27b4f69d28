"""One scoping suite: every API endpoint and admin page, walked as users outside the data's district.

District A (Yubei, 500112) holds an enterprise with facts, an application, a
certification, an import run, audit entries, and the service desk's specialist
assignment, visit, demand and daily check.  Staff of another district, staff
and officials of another jurisdiction, users without a role and anonymous
users must get nothing of it; staff of A must get all of it (the control that
shows the test can fail).  Adding an endpoint without adding it here fails
test_every_endpoint_is_covered.
"""

import io
import json
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from enterprises.models import Enterprise
from enterprises.services.importing import enterprises_import
from programs.models import Measure, SubsidyRule
from programs.services.benefits import benefit_application_submit
from reporting.models import ManualValue, Metric, MetricSnapshot, ReportRun, Target
from reporting.services.snapshots import snapshot_day
from reporting.services.targets import target_split
from servicedesk import services as servicedesk
from servicedesk.models import ServiceDeskDailyCheck
from tiers.models import EligibilityAssessment, TierListImport
from tiers.services import eligibility, lifecycle
from zjtx.api_urls import router

REFERENCE = {
    "jurisdiction", "district", "industry", "tier", "metric",
    "policy", "measure", "subsidyrule", "responsibleunit",
    "plan",  # plan periods are policies, listed to whoever sees some of their targets
}  # fmt: skip
# Records of the system's own jobs: for office roles only, never for district staff.
SYSTEM = {"jobrun"}
CITY_WIDE = {"tierlistimport"}
# Detail actions whose URL takes more than the object's key.
EXTRA_ARGS = {"download": ["pdf"]}


@pytest.fixture
def district_a(users, ref, make_enterprise):
    ent = make_enterprise("500112", name="渝北保密测试有限公司", contact_phone="13911112222")
    from enterprises.services.registry import enterprise_update, year_fact_upsert

    enterprise_update(actor=users.staff_a, enterprise=ent, main_product="渝北保密产品")
    year_fact_upsert(actor=users.staff_a, enterprise=ent, year=2024, revenue=1000)
    cert = lifecycle.certification_import(
        actor=users.superuser, enterprise=ent, tier=ref.tiers["innovative_sme"], valid_from=timezone.localdate()
    )
    other = make_enterprise("500112", name="渝北申报测试有限公司")
    app = lifecycle.application_submit(
        actor=users.staff_a, enterprise=other, tier=ref.tiers["innovative_sme"], batch_year=2026
    )
    run = enterprises_import(
        actor=users.staff_a,
        stream=io.BytesIO("统一社会信用代码,企业名称,所属区县,行业门类\n".encode()),
        file_name="渝北空文件.csv",
    )
    list_run = TierListImport.objects.create(
        file_name="渝北保密名单.csv", tier=ref.tiers["innovative_sme"], kind="certification",
        jurisdiction=ent.district.jurisdiction, actor=users.official,
    )  # fmt: skip
    entry = AuditEntry.objects.filter(object_id=str(ent.pk)).first()
    city_target = Target.objects.create(  # a running target (test figures): the pipeline shows running ones only
        metric=Metric.objects.get(code="srdi_smes"), jurisdiction=ent.district.jurisdiction, value=2500,
        start=timezone.localdate() - timedelta(days=30), deadline=timezone.localdate() + timedelta(days=400),
    )  # fmt: skip
    (district_target,) = target_split(actor=users.progadmin, target_id=city_target.pk, shares={"500112": 2500})
    snapshot_day(timezone.localdate())
    snapshot = MetricSnapshot.objects.filter(district__code="500112").first()
    manual = ManualValue.objects.create(
        metric=Metric.objects.get(code="digital_workshops"), jurisdiction=ent.district.jurisdiction,
        district=ent.district, as_of=timezone.localdate(), value=3, note="渝北保密填报", entered_by=users.official,
    )  # fmt: skip
    report = ReportRun.objects.create(
        kind="district", jurisdiction=ent.district.jurisdiction, district=ent.district, period="2026-01"
    )
    beneficiary = make_enterprise("500112", name="渝北补贴测试有限公司")
    lifecycle.certification_import(
        actor=users.superuser, enterprise=beneficiary, tier=ref.tiers["srdi_sme"], valid_from=date(2024, 1, 1)
    )
    task_28 = Measure.objects.get(policy__code="cq-2022-2025-action-plan", clause="28")
    SubsidyRule.objects.create(
        code="cq-test-smart-upgrade",
        measure=task_28,
        name="测试规则",
        kind="fixed_cap",
        params={"cap": "500000"},
        effective_from=date(2022, 1, 1),
        effective_until=date(2026, 1, 1),
        clause="重庆 28",
    )
    benefit = benefit_application_submit(
        actor=users.staff_a, enterprise=beneficiary, measure=task_28, inputs={}, basis_date=date(2025, 6, 1)
    )
    assignment = servicedesk.specialist_assign(
        actor=users.staff_a,
        enterprise=ent,
        specialist=users.staff_a,
        policy_measures=[task_28],
        policy_notes="渝北保密政策包",
    )
    today = timezone.localdate()
    visit = servicedesk.visit_log(
        actor=users.staff_a,
        enterprise=ent,
        visited_on=today,
        mode="on_site",
        met_with="渝北保密联系人",
        notes="渝北保密走访记录",
        demands=[{"category": "land", "description": "渝北保密诉求", "due_on": today}],
    )
    demand = visit.demands.get()
    servicedesk.daily_check_run(day=today - timedelta(days=1))  # due yesterday → overdue in the check's details
    servicedesk.daily_check_run(day=today + timedelta(days=1))
    check = ServiceDeskDailyCheck.objects.get(day=today + timedelta(days=1), district__code="500112")
    assert check.overdue_demands == 1
    eligibility.assess_all(timezone.localdate())
    assessment = EligibilityAssessment.objects.get(enterprise=ent)
    return SimpleNamespace(
        enterprise=ent,
        names=[
            "渝北保密测试有限公司",
            "渝北申报测试有限公司",
            ent.credit_code,
            other.credit_code,
            "渝北空文件",
            "渝北保密名单",
            "渝北保密填报",
            '"500112"',
            "渝北补贴测试有限公司",
            beneficiary.credit_code,
            "渝北保密政策包",
            "渝北保密联系人",
            "渝北保密走访记录",
            "渝北保密诉求",
        ],
        lookups={
            "enterprise": ent.credit_code,
            "application": app.pk,
            "certification": cert.pk,
            "importrun": run.pk,
            "tierlistimport": list_run.pk,
            "auditentry": entry.pk,
            "target": district_target.pk,
            "snapshot": snapshot.pk,
            "manualvalue": manual.pk,
            "reportrun": report.pk,
            "benefitapplication": benefit.pk,
            "serviceassignment": assignment.pk,
            "visit": visit.pk,
            "demand": demand.pk,
            "servicedeskdailycheck": check.pk,
            "eligibilityassessment": assessment.pk,
        },
    )


def outsiders(users):
    return [users.staff_b, users.staff_bj, users.official_bj, users.norole]


def _detail_routes(basename, lookup):
    viewset = dict((b, v) for _p, v, b in router.registry)[basename]
    yield "get", reverse(f"{basename}-detail", args=[lookup]), None
    yield "put", reverse(f"{basename}-detail", args=[lookup]), {}
    yield "patch", reverse(f"{basename}-detail", args=[lookup]), {}
    for extra in viewset.get_extra_actions():
        if not extra.detail:
            continue
        for method in extra.mapping:
            args = [lookup, *EXTRA_ARGS.get(extra.url_name, [])]
            yield method, reverse(f"{basename}-{extra.url_name}", args=args), {"action": "recommend", "year": 2024}


def test_every_endpoint_is_covered(district_a):
    registered = {basename for _p, _v, basename in router.registry}
    assert registered == REFERENCE | SYSTEM | set(district_a.lookups)


def test_job_runs_are_for_office_roles_only(api, users, district_a):
    for user in (users.staff_a, users.staff_b, users.norole):
        response = api(user).get(reverse("jobrun-list"))
        assert response.status_code == 403 or response.json()["count"] == 0, user.username
    assert api(users.auditor).get(reverse("jobrun-list")).json()["count"] >= 1
    assert api(None).get(reverse("jobrun-list")).status_code in (401, 403)


def test_outsiders_list_nothing_of_district_a(api, users, district_a):
    for user in outsiders(users):
        client = api(user)
        for basename in district_a.lookups:
            response = client.get(reverse(f"{basename}-list"))
            assert response.status_code in (200, 403), (user, basename)
            text = response.content.decode()
            for secret in district_a.names:
                assert secret not in text, (user.username, basename, secret)


def test_outsiders_get_404_or_403_on_every_detail_route(api, users, district_a):
    for user in outsiders(users):
        client = api(user)
        for basename, lookup in district_a.lookups.items():
            for method, url, body in _detail_routes(basename, lookup):
                response = getattr(client, method)(url, body or {}, format="json")
                assert response.status_code in (403, 404, 405), (user.username, method, url, response.status_code)
                assert "渝北保密" not in response.content.decode()


def test_staff_of_district_a_see_everything_control(api, users, district_a):
    client = api(users.staff_a)
    for basename, lookup in district_a.lookups.items():
        # City-wide records of the municipal steps (list imports): the city's officials see them, staff do not.
        reader = api(users.official) if basename in CITY_WIDE else client
        assert reader.get(reverse(f"{basename}-detail", args=[lookup])).status_code == 200, basename
    listing = client.get(reverse("enterprise-list")).content.decode()
    assert "渝北保密测试有限公司" in listing


def test_official_of_the_jurisdiction_reads_but_cannot_edit(api, users, district_a):
    client = api(users.official)
    url = reverse("enterprise-detail", args=[district_a.enterprise.credit_code])
    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["contact_phone"] == "139****2222"  # masked for officials
    assert client.patch(url, {"name": "x"}, format="json").status_code == 403
    assert api(users.staff_a).get(url).json()["contact_phone"] == "13911112222"


def test_anonymous_gets_nothing_anywhere(api, district_a):
    client = api(None)
    for basename in REFERENCE | set(district_a.lookups):
        assert client.get(reverse(f"{basename}-list")).status_code in (401, 403), basename
    for basename, lookup in district_a.lookups.items():
        for method, url, body in _detail_routes(basename, lookup):
            assert getattr(client, method)(url, body or {}, format="json").status_code in (401, 403), url
    assert client.get(reverse("schema")).status_code in (401, 403)


def test_staff_cannot_write_reference_data_or_raise_their_role(api, users, ref):
    client = api(users.staff_b)
    assert (
        client.patch(reverse("tier-detail", args=["srdi_sme"]), {"validity_years": 9}, format="json").status_code == 403
    )
    me = client.get(reverse("me"))
    assert me.json()["role"] == "district_staff"
    assert client.patch(reverse("me"), {"role": "municipal_official"}, format="json").status_code == 405
    users.staff_b.refresh_from_db()
    assert users.staff_b.role == "district_staff"
    assert (
        api(users.progadmin)
        .patch(reverse("tier-detail", args=["srdi_sme"]), {"validity_years": 4}, format="json")
        .status_code
        == 200
    )


def test_staff_cannot_create_an_enterprise_in_another_district(api, users, ref):
    from enterprises.rules import credit_code

    response = api(users.staff_b).post(
        reverse("enterprise-list"),
        {
            "credit_code": credit_code.make("91500112000000777"),
            "name": "越界企业",
            "district": "500112",
            "industry": "C",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["district"]


def test_admin_pages_are_scoped(client, users, district_a):
    client.force_login(users.staff_b)
    for model, _model_admin in admin.site._registry.items():
        if getattr(model, "access_policy", None) != "district":
            continue
        opts = model._meta
        page = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert page.status_code in (200, 403), opts.label
        for secret in district_a.names:
            assert secret not in page.content.decode(), (opts.label, secret)
    change = client.get(reverse("admin:enterprises_enterprise_change", args=[district_a.enterprise.pk]))
    assert change.status_code in (302, 403, 404)
    assert "渝北保密" not in change.content.decode()


def test_pages_respect_scope(client, users, district_a):
    code = district_a.enterprise.credit_code
    client.force_login(users.staff_b)
    listing = client.get(reverse("enterprises:list"))
    assert listing.status_code == 200 and "渝北保密" not in listing.content.decode()
    assert listing.context["paginator"].count == 0
    assert client.get(reverse("enterprises:detail", args=[code])).status_code == 404
    assert client.get(reverse("reporting:district", args=["500112"])).status_code == 404
    assert client.get(reverse("enterprises:list"), {"district": "500112"}).context["paginator"].count == 0
    client.force_login(users.official_bj)
    assert client.get(reverse("reporting:district", args=["500112"])).status_code == 404
    assert "渝北保密" not in client.get(reverse("reporting:dashboard")).content.decode()
    client.force_login(users.staff_a)
    assert client.get(reverse("enterprises:list")).context["paginator"].count == 3
    assert client.get(reverse("enterprises:detail", args=[code])).status_code == 200


def test_progress_shows_outsiders_nothing_of_district_a(api, users, district_a):
    for user in outsiders(users):
        response = api(user).get(reverse("progress"))
        assert response.status_code in (200, 403)
        assert '"500112"' not in response.content.decode(), user.username
    assert '"500112"' in api(users.staff_a).get(reverse("progress")).content.decode()


def test_audit_log_shows_each_user_only_their_scope(api, users, district_a):
    entries = api(users.staff_b).get(reverse("auditentry-list")).json()["results"]
    assert all("渝北" not in json.dumps(e, ensure_ascii=False) for e in entries)
    all_entries = api(users.auditor).get(reverse("auditentry-list"), {"page_size": 500}).json()["results"]
    assert any(e["object_id"] == str(district_a.enterprise.pk) for e in all_entries)


def test_candidates_and_pipeline_show_outsiders_nothing_of_district_a(api, users, district_a):
    for user in outsiders(users):
        client = api(user)
        for name, params in (
            ("candidates", {"with_missing_data": "true"}),
            ("candidates", {"district": "500112", "with_missing_data": "true"}),
            ("candidate-pipeline", {}),
            ("eligibilityassessment-summary", {}),
        ):
            response = client.get(reverse(name), params)
            assert response.status_code in (200, 403), (user.username, name)
            text = response.content.decode()
            for secret in district_a.names:
                assert secret not in text, (user.username, name, secret)
    own = api(users.staff_a)
    assert "渝北保密测试有限公司" in own.get(reverse("candidates"), {"with_missing_data": "true"}).content.decode()
    assert '"500112"' in own.get(reverse("candidate-pipeline")).content.decode()
    assert '"500112"' in own.get(reverse("eligibilityassessment-summary")).content.decode()


# --- added with the reliability issue: list-level detail routes, admin change pages, exports, counts ----


def _collection_routes():
    """Every list-level extra action of the router (exports, counts, history, unassigned...)."""
    for _prefix, viewset, basename in router.registry:
        for extra in viewset.get_extra_actions():
            if not extra.detail and "get" in extra.mapping:
                yield basename, reverse(f"{basename}-{extra.url_name}")


def test_outsiders_read_nothing_of_district_a_in_collection_actions(api, users, district_a):
    code = district_a.enterprise.credit_code
    routes = list(_collection_routes())
    assert {url for _b, url in routes} >= {reverse("enterprise-export"), reverse("demand-counts")}
    for user in outsiders(users):
        client = api(user)
        for basename, url in routes:
            response = client.get(url, {"enterprise": code})
            assert response.status_code in (200, 400, 403, 404), (user.username, url, response.status_code)
            text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
            assert '"500112"' not in text and "渝北保密" not in text and code not in text, (user.username, basename)
    for _basename, url in routes:
        assert api(None).get(url).status_code in (401, 403), url


def test_export_respects_scope_masks_numbers_and_is_audited(api, users, district_a):
    def export(user, **params):
        response = api(user).get(reverse("enterprise-export"), params)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        return b"".join(response.streaming_content).decode("utf-8-sig")

    own = export(users.staff_a)
    assert own.splitlines()[0].startswith("统一社会信用代码,企业名称,所属区县,行业门类")
    assert len(own.splitlines()) == 1 + 3 and "13911112222" in own
    official = export(users.official, district="500112")
    assert "渝北保密测试有限公司" in official and "139****2222" in official and "13911112222" not in official
    for user in outsiders(users)[:3]:
        rows = export(user).splitlines()
        assert all("500112" not in row for row in rows[1:]), user.username
    entry = AuditEntry.objects.filter(action="export", actor=users.official).get()
    assert entry.changes["rows"] == 3 and entry.changes["filters"] == {"district": "500112"}
    assert entry.remote_addr == "127.0.0.1" and entry.source == "api"
    assert api(users.norole).get(reverse("enterprise-export")).status_code == 403


def test_counts_respect_scope(api, users, district_a):
    for user in outsiders(users)[:3]:
        counts = api(user).get(reverse("demand-counts")).json()
        assert all(row["district"] != "500112" for row in counts), user.username
    counts = {row["district"]: row for row in api(users.staff_a).get(reverse("demand-counts")).json()}
    assert set(counts) == {"500112"} and counts["500112"]["open"] == 1


def _district_objects(district_a):
    """(model, pk) of district A's objects that have an admin page."""
    viewsets = {basename: viewset for _p, viewset, basename in router.registry}
    for basename, lookup in district_a.lookups.items():
        model = viewsets[basename].queryset.model
        pk = district_a.enterprise.pk if basename == "enterprise" else lookup
        if model in admin.site._registry:
            yield model, pk


def test_admin_change_pages_of_district_a_are_closed_to_outsiders(client, users, district_a):
    objects = list(_district_objects(district_a))
    assert len(objects) >= 10
    for user in (users.staff_b, users.staff_bj, users.official_bj, users.norole):
        client.force_login(user)
        for model, pk in objects:
            opts = model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
            page = client.get(url)
            assert page.status_code in (302, 403, 404), (user.username, opts.label, page.status_code)
            assert "渝北保密" not in page.content.decode()
            posted = client.post(url, {"name": "越界修改"})
            assert posted.status_code in (302, 403, 404), (user.username, opts.label)
    client.force_login(users.staff_a)
    opts = Enterprise._meta
    own = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[district_a.enterprise.pk]))
    assert own.status_code == 200  # the control
    district_a.enterprise.refresh_from_db()
    assert district_a.enterprise.name == "渝北保密测试有限公司"


def test_anonymous_users_get_the_login_page_for_every_admin_page(client, district_a):
    for model in admin.site._registry:
        opts = model._meta
        for url in (
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            reverse(f"admin:{opts.app_label}_{opts.model_name}_add"),
        ):
            page = client.get(url)
            assert page.status_code == 302 and page["Location"].startswith(reverse("admin:login")), url
    for url in (reverse("enterprises:list"), reverse("reporting:dashboard"), reverse("reporting:reports")):
        page = client.get(url)
        assert page.status_code == 302 and page["Location"].startswith(reverse("login")), url


def test_staff_cannot_raise_their_own_role_in_the_admin(client, users):
    client.force_login(users.staff_b)
    url = reverse("admin:accounts_user_change", args=[users.staff_b.pk])
    assert client.get(url).status_code == 403
    body = {"username": "staff_b", "role": "municipal_official", "is_superuser": "on", "is_staff": "on"}
    assert client.post(url, body).status_code == 403
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    users.staff_b.refresh_from_db()
    assert (users.staff_b.role, users.staff_b.is_superuser) == ("district_staff", False)


def test_only_the_auditor_reads_the_whole_audit_log(api, users, district_a, client):
    client.post(reverse("login"), {"username": "staff_b", "password": "wrong"})  # a failed login
    for user in (users.staff_a, users.official, users.progadmin, users.official_bj):
        entries = api(user).get(reverse("auditentry-list"), {"page_size": 500}).json()["results"]
        assert entries == [] or all(e["action"] not in ("login_failed", "login") for e in entries), user.username
        assert all(e["model"] != "programs.subsidyrule" for e in entries), user.username
    full = api(users.auditor).get(reverse("auditentry-list"), {"page_size": 500, "action": "login_failed"}).json()
    assert full["count"] == 1


def test_auditor_changes_nothing_and_is_never_a_superuser(api, users, district_a):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    client = api(users.auditor)
    code = district_a.enterprise.credit_code
    writes = [
        ("patch", reverse("enterprise-detail", args=[code]), {"name": "x"}),
        ("post", reverse("application-transition", args=[district_a.lookups["application"]]), {"action": "recommend"}),
        ("patch", reverse("tier-detail", args=["srdi_sme"]), {"validity_years": 9}),
        ("post", reverse("reportrun-list"), {"kind": "district", "district": "500112", "period": "2025-01"}),
        ("delete", reverse("target-detail", args=[district_a.lookups["target"]]), None),
    ]
    for method, url, body in writes:
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code in (400, 403, 404), (url, response.status_code)
        assert response.json()["detail"]
    users.auditor.is_superuser = True
    with pytest.raises(ValidationError):
        users.auditor.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        users.auditor.save()
