"""Query budgets of the whole API: no endpoint's number of SQL queries grows with the number of rows (no N+1).

One test walks every endpoint of zjtx.api_urls.router (lists, details and their GET actions) and the
API views outside it, first with two rows of everything, then with twenty and with more children
(transitions, events, facts, measures) under the objects whose details are read.  A new endpoint is
covered on its own; one whose object it cannot find fails `test_every_router_endpoint_has_an_object`
until it is added to `_lookups`.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from enterprises.services.importing import enterprises_import
from enterprises.services.registry import year_fact_upsert
from programs.models import Measure, ResponsibleUnit, SubsidyRule
from programs.services.benefits import benefit_application_submit
from reference.models import JobRun
from reporting.models import ManualValue, Metric, MetricSnapshot, ReportRun, Target
from reporting.services.snapshots import snapshot_day
from reporting.services.targets import target_split
from servicedesk import services as servicedesk
from servicedesk.models import ServiceDeskDailyCheck
from tiers.models import EligibilityAssessment, TierListImport
from tiers.services import eligibility, lifecycle
from zjtx.api_urls import router

CQ_PLAN = "cq-2022-2025-action-plan"
# GET actions whose URL or query needs more than the object's key.
DETAIL_ARGS = {"download": ["pdf"]}
# List actions' query parameters; None stands for the credit code of the first enterprise.
LIST_PARAMS: dict[str, dict[str, Any]] = {
    "serviceassignment-history": {"enterprise": None},
    "tierlistimport-export": {"tier": "innovative_sme"},
}
OTHER_VIEWS = ("me", "progress", "candidates", "candidate-pipeline")


class World:
    """Rows of every kind in district 500112 (Yubei), added `grow(n)` at a time."""

    def __init__(self, users: Any, ref: Any, make_enterprise: Any) -> None:
        self.users, self.ref, self.make_enterprise = users, ref, make_enterprise
        self.today = timezone.localdate()
        self.days = 0
        self.task_28 = Measure.objects.get(policy__code=CQ_PLAN, clause="28")
        self.measures = list(Measure.objects.filter(policy__code=CQ_PLAN).order_by("sort_order")[:4])
        self.unit = ResponsibleUnit.objects.get(code="cq-districts")
        SubsidyRule.objects.create(
            code="cq-test-smart-upgrade", measure=self.task_28, name="测试规则", kind="fixed_cap",
            params={"cap": "500000"}, effective_from=date(2022, 1, 1), effective_until=date(2026, 1, 1),
            clause="重庆 28",
        )  # fmt: skip
        self.first: SimpleNamespace | None = None
        self.split: set[str] = set()

    def grow(self, n: int) -> None:
        staff, root = self.users.staff_a, self.users.superuser
        tiers = self.ref.tiers
        for _ in range(n):
            ent = self.make_enterprise("500112")
            year_fact_upsert(actor=staff, enterprise=ent, year=2024, revenue=1000)
            cert = lifecycle.certification_import(
                actor=root, enterprise=ent, tier=tiers["innovative_sme"], valid_from=self.today
            )
            applicant = self.make_enterprise("500112")
            app = lifecycle.application_submit(
                actor=staff, enterprise=applicant, tier=tiers["innovative_sme"], batch_year=2026
            )
            run = enterprises_import(
                actor=staff,
                stream=io.BytesIO("统一社会信用代码,企业名称,所属区县,行业门类\n".encode()),
                file_name="空.csv",
            )
            list_run = TierListImport.objects.create(
                file_name="名单.csv", tier=tiers["innovative_sme"], kind="certification",
                jurisdiction=ent.district.jurisdiction, actor=self.users.official,
                rows=[{"row": 2, "credit_code": "", "name": "", "outcome": "conflict", "new_enterprise": False,
                       "valid_from": None, "valid_until": None, "reasons": ["x"]}],
            )  # fmt: skip
            beneficiary = self.make_enterprise("500112")
            lifecycle.certification_import(
                actor=root, enterprise=beneficiary, tier=tiers["srdi_sme"], valid_from=date(2024, 1, 1)
            )
            benefit = benefit_application_submit(
                actor=staff, enterprise=beneficiary, measure=self.task_28, inputs={}, basis_date=date(2025, 6, 1)
            )
            assignment = servicedesk.specialist_assign(
                actor=staff, enterprise=ent, specialist=staff, policy_measures=[self.task_28]
            )
            visit = servicedesk.visit_log(
                actor=staff, enterprise=ent, visited_on=self.today, mode="on_site",
                demands=[{"category": "land", "description": "诉求", "due_on": self.today, "unit": self.unit}],
            )  # fmt: skip
            day = self.today - timedelta(days=self.days)
            self.days += 1
            snapshot_day(day)
            servicedesk.daily_check_run(day=day)
            manual = ManualValue.objects.create(
                metric=Metric.objects.get(code="digital_workshops"), jurisdiction=ent.district.jurisdiction,
                district=ent.district, as_of=day, value=3, entered_by=self.users.official,
            )  # fmt: skip
            report = ReportRun.objects.create(
                kind="district", jurisdiction=ent.district.jurisdiction, district=ent.district,
                period=f"{2000 + self.days:04d}-01",
            )  # fmt: skip
            if self.first is None:
                self.first = SimpleNamespace(
                    enterprise=ent, cert=cert, app=app, run=run, list_run=list_run, benefit=benefit,
                    assignment=assignment, visit=visit, demand=visit.demands.get(), manual=manual, report=report,
                )  # fmt: skip
        for metric in ("srdi_smes", "innovative_smes", "little_giants")[: 1 if n < 5 else 3]:
            if metric not in self.split:
                self.split.add(metric)
                city = Target.objects.get(metric__code=metric, district=None, deadline="2025-12-31")
                target_split(actor=self.users.progadmin, target_id=city.pk, shares={"500112": city.value})
        eligibility.assess_all(self.today)

    def grow_children(self) -> None:
        """More children under the objects whose details are read (their lists must not be fetched per row)."""
        assert self.first is not None
        f, staff, official = self.first, self.users.staff_a, self.users.official
        lifecycle.application_transition(actor=staff, application_id=f.app.pk, action="recommend")
        lifecycle.application_transition(actor=official, application_id=f.app.pk, action="start_review")
        lifecycle.certification_transition(actor=official, certification_id=f.cert.pk, action="start_re_review")
        lifecycle.certification_transition(actor=official, certification_id=f.cert.pk, action="confirm")
        servicedesk.demand_transition(actor=staff, demand_id=f.demand.pk, action="start")
        servicedesk.demand_transition(actor=staff, demand_id=f.demand.pk, action="resolve", note="已解决")
        servicedesk.policy_package_update(actor=staff, assignment_id=f.assignment.pk, policy_measures=self.measures)
        for year in (2021, 2022, 2023):
            year_fact_upsert(actor=staff, enterprise=f.enterprise, year=year, revenue=year)


def _first_pk(model: Any, **filters: Any) -> int:
    return model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True)[0]


def _lookups(world: World) -> dict[str, Any]:
    """The key of one object of every router endpoint, as its detail URL takes it."""
    f = world.first
    assert f is not None
    return {
        "jurisdiction": "500000",
        "district": "500112",
        "industry": "C",
        "tier": "srdi_sme",
        "metric": "srdi_smes",
        "policy": CQ_PLAN,
        "plan": CQ_PLAN,
        "measure": world.task_28.pk,
        "subsidyrule": "cq-test-smart-upgrade",
        "responsibleunit": "cq-districts",
        "enterprise": f.enterprise.credit_code,
        "importrun": f.run.pk,
        "tierlistimport": f.list_run.pk,
        "application": f.app.pk,
        "certification": f.cert.pk,
        "serviceassignment": f.assignment.pk,
        "visit": f.visit.pk,
        "demand": f.demand.pk,
        "servicedeskdailycheck": _first_pk(ServiceDeskDailyCheck, district__code="500112"),
        "eligibilityassessment": _first_pk(EligibilityAssessment, enterprise=f.enterprise),
        "auditentry": _first_pk(AuditEntry, object_id=str(f.enterprise.pk)),
        "target": _first_pk(Target, district__code="500112"),
        "snapshot": _first_pk(MetricSnapshot, district__code="500112"),
        "manualvalue": f.manual.pk,
        "reportrun": f.report.pk,
        "jobrun": _first_pk(JobRun),
        "benefitapplication": f.benefit.pk,
    }


def _urls(lookups: dict[str, Any], enterprise_code: str) -> list[tuple[str, dict[str, Any]]]:
    """Every GET of the API: (url, query), for each router endpoint and the views beside the router."""
    urls: list[tuple[str, dict[str, Any]]] = []
    for _prefix, viewset, basename in router.registry:
        lookup = lookups[basename]
        if hasattr(viewset, "list"):
            urls.append((reverse(f"{basename}-list"), {"page_size": 500}))
        if hasattr(viewset, "retrieve"):
            urls.append((reverse(f"{basename}-detail", args=[lookup]), {}))
        for extra in viewset.get_extra_actions():
            if "get" not in extra.mapping:
                continue
            name = f"{basename}-{extra.url_name}"
            if extra.detail:
                urls.append((reverse(name, args=[lookup, *DETAIL_ARGS.get(extra.url_name, [])]), {}))
            else:
                params = dict(LIST_PARAMS.get(name, {}))
                params = {k: (enterprise_code if v is None else v) for k, v in params.items()}
                urls.append((reverse(name), {"page_size": 500, **params}))
    urls += [(reverse(name), {"page_size": 500}) for name in OTHER_VIEWS]
    return urls


def _count(client: Any, urls: list[tuple[str, dict[str, Any]]]) -> dict[str, tuple[int, int]]:
    counts = {}
    for url, params in urls:
        client.get(url, params)  # warm caches (content types, sessions) alike for both sizes
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code < 500, (url, response.status_code)
        counts[url] = (len(queries), response.status_code)
    return counts


@pytest.fixture
def world(users, ref, make_enterprise):
    return World(users, ref, make_enterprise)


def test_every_router_endpoint_has_an_object(world):
    world.grow(1)
    assert {basename for _p, _v, basename in router.registry} <= set(_lookups(world))


def test_no_endpoint_queries_more_with_more_rows(api, users, world):
    world.grow(2)
    lookups = _lookups(world)
    urls = _urls(lookups, world.first.enterprise.credit_code)
    clients = {"superuser": api(users.superuser), "district staff": api(users.staff_a), "official": api(users.official)}
    small = {who: _count(client, urls) for who, client in clients.items()}
    world.grow(18)
    world.grow_children()
    for who, client in clients.items():
        large = _count(client, urls)
        grown = {url: (small[who][url][0], n) for url, (n, _status) in large.items() if n > small[who][url][0]}
        assert not grown, f"queries grew with the rows for {who}: {grown}"
        assert {u: s for u, (_n, s) in large.items()} == {u: s for u, (_n, s) in small[who].items()}, who
    # The control: the lists did grow.
    listing = clients["superuser"].get(reverse("demand-list"), {"page_size": 500}).json()
    assert listing["count"] == 20
