"""One walk over every write endpoint of the API, as every role, with foreign keys pointing out of scope.

tests/test_scoping.py walks the reads; this walks the writes (issue 12, item 5): every create, update,
partial update and delete and every POST/PUT/PATCH action of the router.  Each is sent by users outside
district A (Yubei, Chongqing) — staff of another Chongqing district, staff, official and program admin
of Beijing, the auditor, a user without a role and an anonymous client — twice where the route allows:
against district A's own objects, and against the caller's own objects with a body whose foreign keys
point out of the caller's scope (district A's enterprise, visit and district, Chongqing's jurisdiction,
measures, units and targets; Beijing's for the Chongqing staff).  Every such request is refused with a
4xx, and afterwards nothing of Chongqing, of the national reference data or of the callers' own objects
has changed (a fingerprint of every row of every scoped table).

Each route also has a control: the same kind of request by someone in scope succeeds and changes the
fingerprint, which shows that the payloads are well-formed and that the fingerprint sees writes.
`test_every_write_endpoint_is_walked` fails when a write endpoint is added without a case here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from enterprises.rules import credit_code
from enterprises.services import importing
from programs.models import Measure, SubsidyRule
from reporting.models import Target
from servicedesk import services as servicedesk
from tests.test_scoping import district_a  # noqa: F401 - the data set the writes aim at
from zjtx.api_urls import router

NEW_CODE = credit_code.make("91500112000000777")
OUTSIDERS = ["staff_b", "staff_bj", "official_bj", "progadmin_bj", "auditor", "norole", None]
REFUSED = {400, 401, 403, 404, 405}
# Apps whose rows the fingerprint covers; logins, sessions and tokens are not data of the domain.
DATA_APPS = ("accounts", "reference", "enterprises", "tiers", "programs", "servicedesk", "reporting")
# Rows a refused request may still leave: the audit log (refusals of logins are recorded), login locks,
# and the runs an accepted upload creates in the uploader's own scope (their rows are checked by the job).
NOT_FINGERPRINTED = {
    "accounts.AuditEntry", "accounts.LoginLock", "accounts.TOTPDevice", "enterprises.ImportRun", "tiers.TierListImport",
}  # fmt: skip
# Uploads are accepted (202) into the uploader's own scope and checked row by row by their jobs.
UPLOADS = {("enterprise", "import-file"), ("tierlistimport", "create")}


@dataclass
class Request:
    method: str
    url: str
    body: Any = None
    multipart: bool = False


def today(days: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# --- the scene: district A's objects, and objects of the outsiders' own ------------------------------


@pytest.fixture
def scene(users, ref, make_enterprise, district_a):  # noqa: F811
    """District A (from the read suite), a Jiangbei and a Haidian enterprise with a specialist and a demand
    of their own, and fresh rows the controls may change."""
    own = {}
    for who, code in (("staff_b", "500105"), ("staff_bj", "110108")):
        user = getattr(users, who)
        ent = make_enterprise(code)
        own[who] = SimpleNamespace(
            enterprise=ent,
            assignment=servicedesk.specialist_assign(actor=user, enterprise=ent, specialist=user),
            demand=servicedesk.demand_create(
                actor=user, enterprise=ent, category="land", description="用地", due_on=timezone.localdate()
            ),
        )
    bj_target = Target.objects.get(metric__code="srdi_parks", jurisdiction__code="110000", district=None)
    bj_rule = SubsidyRule.objects.get(code="bj-equity-market-financing-award")
    own["official_bj"] = SimpleNamespace(target=bj_target, demand=own["staff_bj"].demand)
    own["progadmin_bj"] = SimpleNamespace(target=bj_target, rule=bj_rule)
    a = district_a.lookups
    demand = servicedesk.demand_create(
        actor=users.staff_a,
        enterprise=district_a.enterprise,
        category="land",
        description="渝北用地",
        due_on=timezone.localdate() + timedelta(days=3),
    )
    return SimpleNamespace(
        users=users,
        a=a,
        a_enterprise=district_a.enterprise,
        a_fresh=make_enterprise("500112"),
        a_demand=demand,
        a_visit=a["visit"],
        a_city_target=Target.objects.get(pk=a["target"]).parent_id,
        cq_spare_target=Target.objects.create(
            metric=Target.objects.get(pk=a["target"]).metric,
            jurisdiction=ref.jurisdictions["500000"],
            value=5,
            start=date(2030, 1, 1),
            deadline=date(2031, 6, 30),
            source="测试",
        ),
        cq_measure=Measure.objects.get(policy__code="cq-2022-2025-action-plan", clause="28"),
        bj_measure=Measure.objects.filter(policy__code="bj-2023-ten-actions").order_by("pk").first(),
        cq_rule=SubsidyRule.objects.get(code="cq-test-smart-upgrade"),
        own=own,
    )


def far(scene: Any, who: str | None) -> SimpleNamespace:
    """Foreign keys out of the caller's scope: Beijing's for the Chongqing staff, Chongqing's for everyone else."""
    if who == "staff_b":
        return SimpleNamespace(
            jurisdiction="110000", district="110108", measure=scene.bj_measure.pk, unit="bj-districts"
        )
    return SimpleNamespace(jurisdiction="500000", district="500112", measure=scene.cq_measure.pk, unit="cq-districts")


def own(scene: Any, who: str | None, name: str, default: Any) -> Any:
    return getattr(scene.own.get(who), name, default) if who in scene.own else default


def detail(basename: str, key: Any, action: str | None = None, *extra: Any) -> str:
    return reverse(f"{basename}-{action or 'detail'}", args=[key, *extra])


def listing(basename: str, action: str | None = None) -> str:
    return reverse(f"{basename}-{action or 'list'}")


def csv_upload(scene: Any) -> dict[str, Any]:
    code = scene.a_enterprise.credit_code
    text = f"统一社会信用代码,企业名称,所属区县,行业门类\n{code},越界改名有限公司,500112,C\n"
    return {"file": io.BytesIO(text.encode("utf-8-sig"))}


def enterprise_body(scene: Any, who: str | None) -> dict[str, Any]:
    return {
        "credit_code": scene.a_fresh.credit_code,
        "name": "越界改名有限公司",
        "district": far(scene, who).district,
        "industry": "C",
    }


def rule_body(code: str, measure: int) -> dict[str, Any]:
    return {
        "code": code,
        "measure": measure,
        "name": "越界规则",
        "kind": "fixed_cap",
        "params": {"cap": "1"},
        "effective_from": "2026-01-01",
        "effective_until": "2027-01-01",
        "clause": "越界",
    }


def target_body(who: str | None, scene: Any) -> dict[str, Any]:
    return {
        "metric": "little_giants",
        "jurisdiction": far(scene, who).jurisdiction,
        "value": 1,
        "start": "2030-01-01",
        "deadline": "2031-12-31",
    }


CQ_PLAN = "cq-2022-2025-action-plan"


def same_target(pk: int, **change: Any) -> dict[str, Any]:
    """A PUT body of the target as it is, with `change`."""
    t = Target.objects.select_related("metric", "jurisdiction").get(pk=pk)
    body = {"metric": t.metric.code, "jurisdiction": t.jurisdiction.code, "value": t.value,
            "start": t.start.isoformat(), "deadline": t.deadline.isoformat(), "source": t.source}  # fmt: skip
    return {**body, **change}


def plan_body() -> dict[str, Any]:
    """Chongqing's plan with a changed target and district share (the document a plan YAML file holds)."""
    target = {"metric": "little_giants", "value": 1, "start": "2022-01-01", "deadline": "2025-12-31",
              "source": "越界", "shares": {"500112": 1}}  # fmt: skip
    return {"policy": CQ_PLAN, "targets": [target]}


def moved_target(scene: Any, who: str | None) -> list[Request]:
    """PUT/PATCH bodies that would move the caller's target (or district A's) out of its place."""
    key = getattr(own(scene, who, "target", None), "pk", scene.a["target"])
    body = {**target_body(who, scene), "district": far(scene, who).district, "parent": scene.a_city_target}
    return [Request("patch", detail("target", key), body), Request("put", detail("target", key), body)]


# Route → (the outsiders' requests, the control: who in scope sends what, and whether it writes).
def cases(scene: Any, who: str | None) -> dict[tuple[str, str], list[Request]]:
    f, a = far(scene, who), scene.a
    ent = own(scene, who, "enterprise", scene.a_enterprise)
    assignment = getattr(own(scene, who, "assignment", None), "pk", a["serviceassignment"])
    city_target = getattr(own(scene, who, "target", None), "pk", scene.a_city_target)
    return {
        ("tier", "create"): [
            Request(
                "post",
                listing("tier"),
                {
                    "code": "x-tier",
                    "name": "越界",
                    "level": 2,
                    "certifying_level": "provincial",
                    "jurisdiction": f.jurisdiction,
                    "effective_from": "2026-01-01",
                },
            )
        ],
        ("tier", "update"): [
            Request(
                "put",
                detail("tier", "srdi_sme"),
                {
                    "code": "srdi_sme",
                    "name": "越界",
                    "level": 2,
                    "certifying_level": "provincial",
                    "effective_from": "2022-01-01",
                },
            )
        ],
        ("tier", "partial_update"): [Request("patch", detail("tier", "srdi_sme"), {"validity_years": 1})],
        ("enterprise", "create"): [
            Request("post", listing("enterprise"), {**enterprise_body(scene, who), "credit_code": NEW_CODE})
        ],
        ("enterprise", "update"): [
            Request(
                "put",
                detail("enterprise", ent.credit_code),
                {**enterprise_body(scene, who), "credit_code": ent.credit_code},
            ),
            Request("put", detail("enterprise", scene.a_enterprise.credit_code), enterprise_body(scene, "staff_b")),
        ],
        ("enterprise", "partial_update"): [
            Request("patch", detail("enterprise", ent.credit_code), {"district": f.district}),
            Request("patch", detail("enterprise", scene.a_enterprise.credit_code), {"name": "越界改名有限公司"}),
        ],
        ("enterprise", "facts"): [
            Request("put", detail("enterprise", scene.a_enterprise.credit_code, "facts"), {"year": 2024, "revenue": 1})
        ],
        ("enterprise", "profile"): [
            Request(m, detail("enterprise", scene.a_enterprise.credit_code, "profile"), {"high_tech": True})
            for m in ("put", "patch")
        ],
        ("enterprise", "import-file"): [Request("post", listing("enterprise", "import-file"), csv_upload(scene), True)],
        ("application", "create"): [
            Request(
                "post",
                listing("application"),
                {"enterprise": scene.a_fresh.credit_code, "tier": "innovative_sme", "batch_year": 2026},
            )
        ],
        ("application", "transition"): [
            Request("post", detail("application", a["application"], "transition"), {"action": "recommend"})
        ],
        ("certification", "transition"): [
            Request(
                "post",
                detail("certification", a["certification"], "transition"),
                {"action": "revoke", "reason": "越界"},
            )
        ],
        ("serviceassignment", "create"): [
            Request(
                "post",
                listing("serviceassignment"),
                {
                    "enterprise": ent.credit_code,
                    "specialist": "staff_a",
                    "policy_measures": [f.measure],
                    "reason": "越界",
                },
            ),
            Request(
                "post",
                listing("serviceassignment"),
                {"enterprise": scene.a_fresh.credit_code, "specialist": who or "staff_b"},
            ),
        ],
        ("serviceassignment", "partial_update"): [
            Request("patch", detail("serviceassignment", assignment), {"policy_measures": [f.measure]}),
            Request("patch", detail("serviceassignment", a["serviceassignment"]), {"policy_measures": []}),
        ],
        ("serviceassignment", "end"): [
            Request("post", detail("serviceassignment", a["serviceassignment"], "end"), {"reason": "越界"})
        ],
        ("visit", "create"): [
            Request(
                "post",
                listing("visit"),
                {
                    "enterprise": scene.a_enterprise.credit_code,
                    "visited_on": today(),
                    "mode": "on_site",
                    "notes": "越界",
                    "demands": [{"category": "land", "description": "越界", "due_on": today(5)}],
                },
            )
        ],
        ("demand", "create"): [
            Request(
                "post",
                listing("demand"),
                {
                    "enterprise": ent.credit_code,
                    "visit": scene.a_visit,
                    "category": "land",
                    "description": "越界",
                    "due_on": today(5),
                },
            ),
            Request(
                "post",
                listing("demand"),
                {
                    "enterprise": ent.credit_code,
                    "unit": f.unit,
                    "category": "land",
                    "description": "越界",
                    "due_on": today(5),
                },
            ),
            Request(
                "post",
                listing("demand"),
                {
                    "enterprise": scene.a_enterprise.credit_code,
                    "category": "land",
                    "description": "越界",
                    "due_on": today(5),
                },
            ),
        ],
        ("demand", "partial_update"): [
            Request("patch", detail("demand", scene.a_demand.pk), {"description": "越界", "due_on": today(60)})
        ],
        ("demand", "transition"): [
            Request(
                "post",
                detail("demand", own(scene, who, "demand", scene.a_demand).pk, "transition"),
                {"action": "assign", "unit": f.unit},
            ),
            Request(
                "post", detail("demand", scene.a_demand.pk, "transition"), {"action": "assign", "unit": "cq-districts"}
            ),
        ],
        ("target", "create"): [Request("post", listing("target"), target_body(who, scene))],
        ("target", "update"): moved_target(scene, who)[1:],
        ("target", "partial_update"): [
            *moved_target(scene, who)[:1],
            Request("patch", detail("target", a["target"]), {"value": 1}),
            Request("patch", detail("target", scene.a_city_target), {"source": "越界"}),
        ],
        ("target", "destroy"): [
            Request("delete", detail("target", key))
            for key in (a["target"], scene.a_city_target, scene.cq_spare_target.pk)
        ],
        ("target", "split"): [
            Request("post", detail("target", city_target, "split"), {"shares": {"500112": 10}}),
            Request("post", detail("target", scene.a_city_target, "split"), {"shares": {"500112": 2500}}),
        ],
        ("manualvalue", "create"): [
            Request(
                "post",
                listing("manualvalue"),
                {"metric": "digital_workshops", "district": "500112", "as_of": today(), "value": 1},
            ),
            Request(
                "post",
                listing("manualvalue"),
                {"metric": "digital_workshops", "jurisdiction": f.jurisdiction, "as_of": today(), "value": 1},
            ),
        ],
        ("reportrun", "create"): [
            Request(
                "post",
                listing("reportrun"),
                {"kind": "district", "district": "500112", "period": f"{timezone.localdate():%Y-%m}"},
            ),
            Request(
                "post",
                listing("reportrun"),
                {"kind": "city", "jurisdiction": "500000", "period": f"{timezone.localdate():%Y-%m}"},
            ),
        ],
        ("measure", "quote"): [
            Request(
                "post",
                detail("measure", scene.cq_measure.pk, "quote"),
                {"enterprise": scene.a_enterprise.credit_code, "inputs": {}, "on": "2025-06-01"},
            )
        ],
        ("subsidyrule", "create"): [Request("post", listing("subsidyrule"), rule_body("x-rule", f.measure))],
        ("subsidyrule", "update"): [
            Request("put", detail("subsidyrule", rule.code), rule_body(rule.code, f.measure))
            for rule in {own(scene, who, "rule", scene.cq_rule), scene.cq_rule}
        ],
        ("subsidyrule", "partial_update"): [
            Request(
                "patch", detail("subsidyrule", own(scene, who, "rule", scene.cq_rule).code), {"measure": f.measure}
            ),
            Request("patch", detail("subsidyrule", scene.cq_rule.code), {"params": {"cap": "1"}}),
        ],
        ("subsidyrule", "quote"): [
            Request(
                "post",
                detail("subsidyrule", scene.cq_rule.code, "quote"),
                {"enterprise": scene.a_enterprise.credit_code, "inputs": {}, "on": "2025-06-01"},
            )
        ],
        ("benefitapplication", "create"): [
            Request(
                "post",
                listing("benefitapplication"),
                {"enterprise": scene.a_enterprise.credit_code, "measure": scene.cq_measure.pk, "inputs": {}},
            ),
            Request(
                "post",
                listing("benefitapplication"),
                {"enterprise": ent.credit_code, "measure": f.measure, "inputs": {}},
            ),
        ],
        ("plan", "create"): [Request("post", listing("plan"), plan_body())],
        ("plan", "closing-report"): [Request("post", detail("plan", CQ_PLAN, "closing-report"))],
        ("tierlistimport", "create"): [
            Request(
                "post",
                listing("tierlistimport"),
                {**csv_upload(scene), "tier": "innovative_sme", "kind": "certification"},
                True,
            )
        ],
        ("tierlistimport", "confirm"): [
            Request("post", detail("tierlistimport", a["tierlistimport"], "confirm"), {"accept_exceptions": True})
        ],
        ("tierlistimport", "cancel"): [Request("post", detail("tierlistimport", a["tierlistimport"], "cancel"))],
        ("benefitapplication", "transition"): [
            Request("post", detail("benefitapplication", a["benefitapplication"], "transition"), {"action": "approve"})
        ],
    }


# Who in scope sends which request of the route (its first unless told), and whether it changes data.
CONTROLS: dict[tuple[str, str], tuple[str, Any, bool]] = {
    ("tier", "create"): (
        "progadmin",
        lambda _s: Request(
            "post",
            listing("tier"),
            {
                "code": "x-tier",
                "name": "新梯度",
                "level": 2,
                "certifying_level": "provincial",
                "effective_from": "2026-01-01",
            },
        ),
        True,
    ),
    ("tier", "update"): ("progadmin", 0, True),
    ("tier", "partial_update"): ("progadmin", 0, True),
    ("enterprise", "create"): (
        "staff_a",
        lambda s: Request("post", listing("enterprise"), {**enterprise_body(s, None), "credit_code": NEW_CODE}),
        True,
    ),
    ("enterprise", "update"): (
        "staff_a",
        lambda s: Request(
            "put",
            detail("enterprise", s.a_enterprise.credit_code),
            {**enterprise_body(s, None), "credit_code": s.a_enterprise.credit_code},
        ),
        True,
    ),
    ("enterprise", "partial_update"): ("staff_a", 1, True),
    ("enterprise", "facts"): ("staff_a", 0, True),
    ("enterprise", "profile"): ("staff_a", 0, True),
    ("enterprise", "import-file"): ("staff_a", 0, True),
    ("application", "create"): ("staff_a", 0, True),
    ("application", "transition"): ("staff_a", 0, True),
    ("certification", "transition"): ("official", 0, True),
    ("serviceassignment", "create"): (
        "staff_a",
        lambda s: Request(
            "post",
            listing("serviceassignment"),
            {"enterprise": s.a_fresh.credit_code, "specialist": "staff_a", "policy_measures": [s.cq_measure.pk]},
        ),
        True,
    ),
    ("serviceassignment", "partial_update"): ("staff_a", 1, True),
    ("serviceassignment", "end"): ("staff_a", 0, True),
    ("visit", "create"): ("staff_a", 0, True),
    ("demand", "create"): ("staff_a", 2, True),
    ("demand", "partial_update"): ("staff_a", 0, True),
    ("demand", "transition"): ("official", 1, True),
    ("target", "create"): ("official", lambda s: Request("post", listing("target"), target_body("official", s)), True),
    ("target", "update"): (
        "official",
        lambda s: Request(
            "put",
            detail("target", s.a_city_target),
            same_target(s.a_city_target, source="改"),
        ),
        True,
    ),
    ("target", "partial_update"): ("progadmin_cq", 2, True),
    ("target", "destroy"): ("official", 2, True),
    ("target", "split"): ("official", 1, True),
    ("manualvalue", "create"): ("official", 0, True),
    ("reportrun", "create"): ("official", 0, True),
    ("measure", "quote"): ("staff_a", 0, False),
    ("subsidyrule", "create"): (
        "progadmin_cq",
        lambda s: Request("post", listing("subsidyrule"), rule_body("x-rule", s.cq_measure.pk)),
        True,
    ),
    ("subsidyrule", "update"): (
        "progadmin_cq",
        lambda s: Request("put", detail("subsidyrule", s.cq_rule.code), rule_body(s.cq_rule.code, s.cq_measure.pk)),
        True,
    ),
    ("subsidyrule", "partial_update"): ("progadmin_cq", 1, True),
    ("subsidyrule", "quote"): ("staff_a", 0, False),
    ("benefitapplication", "create"): (
        "staff_a",
        lambda s: Request(
            "post",
            listing("benefitapplication"),
            {"enterprise": s.a_fresh.credit_code, "measure": s.cq_measure.pk, "inputs": {}},
        ),
        None,
    ),
    ("benefitapplication", "transition"): ("official", 0, True),
    ("plan", "create"): ("progadmin_cq", 0, True),
    ("plan", "closing-report"): ("official", 0, True),
    ("tierlistimport", "create"): ("official", 0, False),
    ("tierlistimport", "confirm"): ("official", 0, None),
    ("tierlistimport", "cancel"): ("official", 0, False),
}


def write_routes() -> set[tuple[str, str]]:
    """(basename, action) of every write the router serves: standard ones and every non-GET extra action."""
    found = set()
    for _prefix, viewset, basename in router.registry:
        allowed = set(viewset.http_method_names)
        for action, method in (
            ("create", "post"),
            ("update", "put"),
            ("partial_update", "patch"),
            ("destroy", "delete"),
        ):
            if hasattr(viewset, action) and method in allowed:
                found.add((basename, action))
        for extra in viewset.get_extra_actions():
            if set(extra.mapping) - {"get", "head", "options"}:
                found.add((basename, extra.url_name))
    return found


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """Every row (and every many-to-many link) of the domain's tables, in key order."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label
        if model._meta.app_label not in DATA_APPS or label in NOT_FINGERPRINTED:
            continue
        rows[label] = list(model._base_manager.order_by("pk").values_list())
    return rows


def changed_tables(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def send(client: APIClient, request: Request) -> Any:
    if request.multipart:
        body = {k: (io.BytesIO(v.getvalue()) if isinstance(v, io.BytesIO) else v) for k, v in request.body.items()}
        for value in body.values():
            if isinstance(value, io.BytesIO):
                value.name = "越界.csv"
        return client.post(request.url, body, format="multipart")
    return getattr(client, request.method)(request.url, request.body, format="json")


def run_accepted_imports(route: tuple[str, str], response: Any) -> None:
    """An enterprise file is accepted (202) and imported by a task; run it here so its rows meet the scope check.
    (A tier list's rows are checked against the official's jurisdiction by its own job: tests/tiers.)"""
    if route == ("enterprise", "import-file") and response.status_code == 202:
        importing.import_execute(response.json()["id"])


def test_every_write_endpoint_is_walked(scene):
    assert write_routes() == set(cases(scene, None)) == set(CONTROLS)


@pytest.mark.parametrize("who", OUTSIDERS, ids=[w or "anonymous" for w in OUTSIDERS])
def test_writes_out_of_scope_are_refused_and_change_nothing(scene, users, who):
    client = client_for(getattr(users, who) if who else None)
    before = fingerprint()
    problems = []
    for route, requests in cases(scene, who).items():
        for request in requests:
            response = send(client, request)
            run_accepted_imports(route, response)
            accepted_upload = route in UPLOADS and response.status_code == 202
            # A quote is a computation, not a write: the auditor reads every enterprise, so may quote for one.
            read_by_auditor = route[1] == "quote" and who == "auditor" and response.status_code == 200
            if response.status_code not in REFUSED and not (accepted_upload or read_by_auditor):
                problems.append(
                    f"{who} {route} {request.method} {request.url}: {response.status_code} {response.content[:200]!r}"
                )
            after = fingerprint()
            if changed := changed_tables(before, after):
                problems.append(f"{who} {route} {request.method} {request.url}: changed {changed}")
                before = after
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("route", sorted(CONTROLS), ids=["-".join(r) for r in sorted(CONTROLS)])
def test_the_same_writes_succeed_in_scope_control(scene, users, route):
    who, pick, writes = CONTROLS[route]
    request = pick(scene) if callable(pick) else cases(scene, who)[route][pick]
    before = fingerprint()
    with transaction.atomic():
        response = send(client_for(getattr(users, who)), request)
        run_accepted_imports(route, response)
        if writes is None:  # refused on the merits (eligibility, state), not on scope: answered and explained
            assert response.status_code not in (403, 404), (route, response.status_code, response.content[:300])
            assert response.status_code < 300 or response.json()["detail"], response.content
            transaction.set_rollback(True)
            return
        assert response.status_code in (200, 201, 202, 204), (who, route, response.status_code, response.content[:300])
        assert bool(changed_tables(before, fingerprint())) == writes, route
        transaction.set_rollback(True)
