"""Plan periods: a plan past its deadline shows final results (dashboard, API, closing evaluation); a new plan
period comes from one document (YAML file, API, admin) with no code change.

The plans here are written by the tests with test figures: no figure of a real plan after 2025 is known.
"""

import datetime as dt
import io

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from programs.models import Policy
from reporting.models import MetricSnapshot, ReportRun, Target
from reporting.services import reports
from reporting.services.snapshots import ensure_deadline_snapshots, snapshot_day
from tiers.services import lifecycle

TODAY = timezone.localdate()
FIRST = TODAY - dt.timedelta(days=300)
LAST = TODAY + dt.timedelta(days=29)  # the plan's last day, a month away


def plan_document(code="test-plan", value=5, shares=None):
    return {
        "policy": {
            "code": code,
            "name": "测试专项行动计划",
            "name_en": "Test action plan",
            "issuer": "测试发文机关",
            "document_date": FIRST.isoformat(),
            "jurisdiction": "500000",
            "effective_from": FIRST.isoformat(),
            "effective_until": (LAST + dt.timedelta(days=1)).isoformat(),
            "period_note": "测试期",
        },
        "targets": [
            {
                "metric": "little_giants",
                "value": value,
                "source": "测试目标",
                "shares": shares if shares is not None else {"500112": 3, "500105": 2},
            },
            {"metric": "digital_workshops", "value": 40, "source": "测试目标(无分解)"},
        ],
    }


@pytest.fixture
def later(monkeypatch):
    """Move the clock: timezone.localdate() answers the given day from then on."""

    def move(day):
        monkeypatch.setattr(timezone, "localdate", lambda *_args, **_kwargs: day)

    return move


def certify(ref, users, make_enterprise, district, valid_from):
    lifecycle.certification_import(
        actor=users.superuser,
        enterprise=make_enterprise(district),
        tier=ref.tiers["little_giant"],
        valid_from=valid_from,
    )


def pdf_text(run):
    with run.pdf.open("rb") as fh:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(fh.read())).pages)


def test_a_plan_moved_past_its_deadline_shows_its_final_results(
    api, client, users, ref, make_enterprise, later, django_capture_on_commit_callbacks
):
    load = api(users.progadmin).post(reverse("plan-list"), plan_document(), format="json")
    assert load.status_code == 201, load.json()
    # Yubei reaches its share of 3 before the deadline, Jiangbei has 1 of 2; one more Jiangbei firm comes later.
    for district, n in (("500112", 3), ("500105", 1)):
        for _ in range(n):
            certify(ref, users, make_enterprise, district, FIRST + dt.timedelta(days=10))
    certify(ref, users, make_enterprise, "500105", LAST + dt.timedelta(days=10))
    snapshot_day(TODAY)

    # While the plan runs: a running target with pace and projection, no final result, no closing evaluation.
    running = api(users.official).get(reverse("progress"), {"plan": "test-plan", "metric": "little_giants"}).json()
    assert {r["closed"] for r in running} == {False} and {r["final"] for r in running} == {None}
    assert api(users.official).get(reverse("plan-detail", args=["test-plan"])).json()["state"] == "running"
    early = api(users.official).post(reverse("plan-closing-report", args=["test-plan"]))
    assert early.status_code == 400 and early.json()["code"] == "plan_running"

    # Forty days on: the deadline has passed. The nightly job takes the day's snapshot and the missed deadline day.
    after = LAST + dt.timedelta(days=40)
    later(after)
    snapshot_day(after)
    assert LAST in ensure_deadline_snapshots(after)  # with the 2022–2025 plan's deadline days
    assert ensure_deadline_snapshots(after) == []  # taken once
    assert MetricSnapshot.objects.filter(day=LAST, metric__code="little_giants", district=None).get().value == 4

    # The API: closed, frozen at the deadline, final rank, met or missed by how much, the value today.
    rows = api(users.official).get(reverse("progress"), {"plan": "test-plan", "metric": "little_giants"}).json()
    by_place = {r["district"]: r for r in rows}
    assert all(r["closed"] and r["off_track"] is False for r in rows)
    city, yubei, jiangbei = by_place[None], by_place["500112"], by_place["500105"]
    assert city["final"]["value_at_deadline"] == 4 and city["final"]["value_today"] == 5
    assert city["final"]["met"] is False and city["final"]["difference"] == -1
    assert city["final"]["change_since_deadline"] == 1 and city["as_of"] == LAST.isoformat()
    assert yubei["final"] | {"met": True, "difference": 0, "final_rank": 1, "share_of_city": "75.0"} == yubei["final"]
    assert jiangbei["final"]["met"] is False and jiangbei["final"]["difference"] == -1
    assert jiangbei["rank"] == 2 and jiangbei["final"]["value_today"] == 2
    assert api(users.official).get(reverse("progress"), {"off_track": "true", "plan": "test-plan"}).json() == []
    # Scoped like the rest: Yubei's staff see Yubei's row, without the city's figures; Beijing sees nothing.
    mine = api(users.staff_a).get(reverse("progress"), {"plan": "test-plan"}).json()
    assert [(r["district"], r["final"]["final_rank"], r["final"]["share_of_city"]) for r in mine] == [
        ("500112", 1, None)
    ]
    assert api(users.staff_bj).get(reverse("progress"), {"plan": "test-plan"}).json() == []
    assert api(users.staff_bj).get(reverse("plan-detail", args=["test-plan"])).status_code == 404
    assert api(users.official).get(reverse("plan-detail", args=["test-plan"])).json()["state"] == "closed"

    # The dashboard: no running target of the plan, its final results, the final ranking, nothing "off track".
    client.force_login(users.official)
    page = client.get(reverse("reporting:dashboard"), {"metric": "little_giants"})
    html = page.content.decode()
    assert [r.target.policy.code for r in page.context["city_rows"]] == []
    (final,) = [f for f in page.context["finals"] if f.plan and f.plan.code == "test-plan"]
    assert final.last_day == LAST and final.can_request and final.report is None
    assert [(r.target.metric.code, r.final.at_deadline, r.final.today) for r in final.rows] == [
        ("little_giants", 4, 5),
        ("digital_workshops", 0, 0),
    ]
    assert page.context["chosen_closed"] and page.context["off_track_count"] == 0
    assert page.context["missed_count"] == 1
    assert [(r.target.district.code, r.rank) for r in page.context["ranking"]] == [("500112", 1), ("500105", 2)]
    assert "终期结果" in html and "未完成，差 1" in html and "off-track" not in html  # pages are Chinese

    # The closing evaluation, through the report job: PDF and workbook with the same figures.
    with django_capture_on_commit_callbacks(execute=False):
        asked = api(users.official, "zh-hans").post(reverse("plan-closing-report", args=["test-plan"]))
    assert asked.status_code == 202 and asked.json()["kind"] == "closing"
    run = reports.report_generate(asked.json()["id"])
    assert run.status == "done" and run.plan.code == "test-plan" and run.period == f"{LAST:%Y-%m}"
    assert ReportRun.objects.filter(kind="closing").count() == 1
    with run.xlsx.open("rb") as fh:
        book = load_workbook(io.BytesIO(fh.read()))
    giants = "国家专精特新“小巨人”企业"
    (line,) = [r for r in book.worksheets[1].iter_rows(min_row=2, values_only=True) if r[0] == giants]
    assert line[2:12] == (5, 4, 80.0, "否", -1, "未完成，差 1", None, None, 5, 1)  # the city has no rank or share
    districts = {(r[0], r[3]): r for r in book.worksheets[2].iter_rows(min_row=2, values_only=True)}
    yubei_row = districts[(giants, "500112")]
    assert yubei_row[4:14] == (3, 3, 100.0, "是", 0, "完成", "1/2", 75.0, 3, 0)
    wuxi = districts[(giants, "500238")]  # no share: values only
    assert wuxi[4:14] == (None, 0, None, None, None, "—", None, 0.0, 0, 0)
    text = pdf_text(run)
    assert "测试专项行动计划" in text and "终期评估" in text and "未完成，差 1" in text
    assert "服务专员工作" in text and "渝北区" in text
    # Asked again, it is regenerated in place.
    assert reports.closing_report_request(actor=users.official, plan_code="test-plan").pk == run.pk
    assert ReportRun.objects.filter(kind="closing").count() == 1
    # District staff and auditors do not order the city's evaluation; another city cannot see the plan.
    assert api(users.staff_a).post(reverse("plan-closing-report", args=["test-plan"])).status_code == 400
    assert api(users.official_bj).post(reverse("plan-closing-report", args=["test-plan"])).status_code == 404


def test_the_closing_evaluation_counts_the_service_desks_work_over_the_period(users, ref, make_enterprise):
    from reporting.reports.closing import desk_work
    from servicedesk import services as servicedesk

    ent = make_enterprise("500112")
    in_period = FIRST + dt.timedelta(days=5)
    servicedesk.visit_log(
        actor=users.staff_a, enterprise=ent, visited_on=in_period, mode="on_site", met_with="总经理", notes="走访",
        demands=[{"category": "land", "description": "用地", "due_on": in_period + dt.timedelta(days=10)}],
    )  # fmt: skip
    servicedesk.visit_log(actor=users.staff_a, enterprise=ent, visited_on=TODAY, mode="phone", met_with="", notes="")
    plan = Policy.objects.get(code="cq-2022-2025-action-plan")
    work = desk_work(plan, FIRST, TODAY)
    assert (work["500112"].visits, work["500112"].raised, work["500112"].closed) == (2, 1, 0)
    assert work["500112"].overdue_at_end == 1  # due long before the end, still open
    earlier = desk_work(plan, FIRST, FIRST + dt.timedelta(days=30))
    assert (earlier["500112"].visits, earlier["500112"].raised) == (1, 1)


def test_chongqing_2022_2025_targets_are_final_results_not_off_track(api, users, ref, holders):
    snapshot_day(TODAY)
    ensure_deadline_snapshots(TODAY)
    rows = api(users.official).get(reverse("progress"), {"plan": "cq-2022-2025-action-plan"}).json()
    assert rows and all(r["closed"] and r["off_track"] is False for r in rows)
    assert {r["final"]["value_at_deadline"] for r in rows if r["metric"] == "srdi_smes"} == {0}
    assert {r["final"]["value_today"] for r in rows if r["metric"] == "srdi_smes"} == {3}
    # Snapshots go on for the closed targets' metrics: the value today is still read.
    assert MetricSnapshot.objects.filter(day=TODAY, metric__code="srdi_smes").count() == 39
    # Beijing's measures run to the end of 2028: a running target.
    (parks,) = api(users.official_bj).get(reverse("progress")).json()
    assert parks["metric"] == "srdi_parks" and parks["closed"] is False and parks["plan"] == "bj-2023-ten-actions"


def test_a_new_plan_period_from_a_yaml_file_runs_split_by_district(api, client, users, ref, tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan_document(code="cq-test-next-plan"), allow_unicode=True), encoding="utf-8")
    out = io.StringIO()
    call_command("load_plan", str(path), "--user", "progadmin", stdout=out)
    assert "2 targets created" in out.getvalue() and "district shares set for 1" in out.getvalue()
    plan = Policy.objects.get(code="cq-test-next-plan")
    city = Target.objects.get(policy=plan, metric__code="little_giants", district=None)
    assert city.deadline == LAST and city.start == FIRST and city.value == 5
    assert dict(city.parts.values_list("district__code", "value")) == {"500112": 3, "500105": 2}
    assert set(city.parts.values_list("policy__code", flat=True)) == {"cq-test-next-plan"}
    # Loading the same file again changes nothing.
    again = io.StringIO()
    call_command("load_plan", str(path), stdout=again)
    assert "0 targets created, 0 updated, 2 unchanged" in again.getvalue()
    snapshot_day(TODAY)
    rows = api(users.official).get(reverse("progress"), {"plan": "cq-test-next-plan", "closed": "false"}).json()
    assert {(r["district"], r["target_value"], r["rank_of"]) for r in rows} == {
        (None, 5, None), (None, 40, None), ("500112", 3, 2), ("500105", 2, 2),
    }  # fmt: skip
    assert all(not r["closed"] and r["days_left"] == 29 for r in rows)
    client.force_login(users.official)
    page = client.get(reverse("reporting:dashboard"), {"metric": "little_giants"})
    assert {r.target.policy.code for r in page.context["city_rows"]} == {"cq-test-next-plan"}
    assert page.context["chosen"] == city and not page.context["chosen_closed"]
    # A changed file: new shares replace the old ones.
    changed = plan_document(code="cq-test-next-plan", value=6, shares={"500112": 6})
    path.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    call_command("load_plan", str(path), stdout=io.StringIO())
    assert dict(Target.objects.get(pk=city.pk).parts.values_list("district__code", "value")) == {"500112": 6}


def test_a_bad_plan_file_names_every_mistake_and_changes_nothing(ref, tmp_path):
    document = plan_document(code="cq-test-bad")
    document["targets"][0]["shares"] = {"500112": 3, "110108": 2}
    document["targets"][1]["metric"] = "no_such_metric"
    document["targets"].append({"metric": "srdi_smes", "value": 10, "deadline": "2040-01-01", "deadine": 1})
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("load_plan", str(path))
    message = str(exc.value)
    for where in ("targets[0].shares", "targets[1].metric", "targets[2].deadline", "targets[2].deadine"):
        assert where in message
    assert "110108" in message
    assert not Policy.objects.filter(code="cq-test-bad").exists()
    path.write_text("policy: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match="not a YAML file"):
        call_command("load_plan", str(path))


def test_plans_over_the_api_are_for_program_admins(api, users, ref):
    url = reverse("plan-list")
    assert api(users.official).post(url, plan_document(), format="json").status_code == 403
    assert api(users.staff_a).post(url, plan_document(), format="json").status_code == 403
    bad = api(users.progadmin).post(url, {"policy": "no-such-plan", "targets": []}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"policy"}
    empty = api(users.progadmin).post(url, {**plan_document(), "targets": []}, format="json")
    assert empty.status_code == 400 and set(empty.json()["errors"]) == {"targets"}
    assert api(users.progadmin).post(url, ["x"], format="json").status_code == 400
    clash = plan_document(code="cq-test-clash")
    clash["targets"][0].update(deadline="2025-12-31")  # outside the plan, and Chongqing's plan has one
    assert api(users.progadmin).post(url, clash, format="json").status_code == 400
    listed = {p["code"]: p for p in api(users.official).get(url).json()}
    assert listed["cq-2022-2025-action-plan"]["state"] == "closed"
    assert listed["cq-2022-2025-action-plan"]["last_day"] == "2025-12-31"
    assert "bj-2023-ten-actions" not in listed  # no Beijing target is in Chongqing's scope
    assert api(users.staff_a).get(url).json() == []  # no target of the plan is Yubei's own
    assert api(users.official_bj).get(url).json()[0]["state"] == "running"


def test_targets_are_added_to_a_plan_over_the_api_within_its_period(api, users, ref):
    url = reverse("target-list")
    body = {"metric": "srdi_parks", "jurisdiction": "110000", "plan": "bj-2023-ten-actions", "value": 3,
            "start": "2027-01-01", "deadline": "2030-12-31"}  # fmt: skip
    outside = api(users.progadmin).post(url, body, format="json")
    assert outside.status_code == 400 and "deadline" in outside.json()["errors"]
    other_city = api(users.progadmin).post(url, {**body, "jurisdiction": "500000"}, format="json")
    assert other_city.status_code == 400 and "policy" in other_city.json()["errors"]
    ok = api(users.progadmin).post(url, {**body, "deadline": "2027-12-31"}, format="json")
    assert ok.status_code == 201, ok.json()
    assert Target.objects.get(pk=ok.json()["id"]).policy.code == "bj-2023-ten-actions"


def test_plans_dropped_in_the_fixtures_folder_load_with_the_reference_data(ref, tmp_path, monkeypatch):
    from reporting import reference_data

    (tmp_path / "next.yaml").write_text(
        yaml.safe_dump(plan_document(code="cq-test-fixture-plan"), allow_unicode=True), encoding="utf-8"
    )
    monkeypatch.setattr(reference_data, "PLANS_DIR", tmp_path)
    call_command("load_reference_data", stdout=io.StringIO())
    assert Target.objects.filter(policy__code="cq-test-fixture-plan", district=None).count() == 2


def test_a_plan_file_uploaded_in_the_admin(client, users, ref):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(users.progadmin)
    url = reverse("admin:reporting_target_load_plan")
    assert 'id="load-plan"' in client.get(reverse("admin:reporting_target_changelist")).content.decode()
    content = yaml.safe_dump(plan_document(code="cq-test-admin-plan"), allow_unicode=True).encode()
    response = client.post(url, {"file": SimpleUploadedFile("plan.yaml", content)})
    assert response.status_code == 302
    assert Target.objects.filter(policy__code="cq-test-admin-plan").count() == 4
    bad = client.post(url, {"file": SimpleUploadedFile("plan.yaml", b"targets: 3")})
    assert bad.status_code == 200 and "policy" in bad.content.decode()
    client.force_login(users.official)
    assert client.get(url).status_code == 403
