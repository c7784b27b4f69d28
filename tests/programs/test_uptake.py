"""What the matching gives staff and officials: the uptake of each measure against its budget (API, page, .xlsx),
the list of benefits to claim with its one-click application, the enterprise page's 可享政策."""

import io
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from programs.models import BenefitApplication
from programs.selectors import measure_uptake
from programs.services.benefits import benefit_application_submit, benefit_application_transition
from programs.services.matching import benefit_matching_run
from tests.programs.conftest import ON_BOARD

pytestmark = pytest.mark.django_db


@pytest.fixture
def uptake(users, certified, measure):
    """Six firms on the SRDI board (five in Haidian, one in Chaoyang) under 六.1, one-time ≤ 300,000, budget
    1,000,000: a applied (pending), b approved, c paid, d rejected, e and f have not applied."""
    today = timezone.localdate()
    since = today - timedelta(days=30)
    board = measure("六.1")
    board.budget = Decimal("1000000")
    board.save()
    a, b, c, d, e = (certified(valid_from=since, **ON_BOARD) for _ in range(5))
    f = certified(district="110105", valid_from=since, **ON_BOARD)

    def apply(firm):
        return benefit_application_submit(actor=users.staff_bj, enterprise=firm, measure=board, inputs={})

    def move(app, action, **kw):
        benefit_application_transition(actor=users.official_bj, application_id=app.pk, action=action, **kw)

    apply(a)
    move(apply(b), "approve")
    app_c = apply(c)
    move(app_c, "approve")
    move(app_c, "pay")
    move(apply(d), "reject", reason="测试")
    benefit_matching_run(today)
    return SimpleNamespace(board=board, a=a, b=b, c=c, d=d, e=e, f=f)


def by_clause(rows):
    return {(u.measure.clause, u.district.code if u.district else None): u for u in rows}


def test_uptake_per_measure_against_the_budget(users, uptake):
    rows = by_clause(measure_uptake(users.official_bj))
    board = rows[("六.1", None)]
    # b and c were granted the one-time award: they no longer qualify; a (pending), d (rejected), e, f do.
    assert (board.qualifying, board.claimed, board.unclaimed) == (4, 1, 3)
    assert (board.applied, board.approved, board.paid) == (4, 2, 1)
    assert board.pending_amount == Decimal("300000.00") and board.committed_amount == Decimal("600000.00")
    assert board.paid_amount == Decimal("300000.00") and board.budget_left == Decimal("400000.00")
    assert (board.potential, board.estimable, board.not_estimable) == (Decimal("900000.00"), 3, 0)
    assert board.projected == Decimal("1800000.00") and board.over_budget
    cloud = rows[("五.3", None)]  # 30% of a contract value nobody knows yet: every firm counted apart
    assert (cloud.qualifying, cloud.potential, cloud.not_estimable, cloud.budget) == (6, 0, 6, None)
    assert rows[("六.2", None)].qualifying == 0  # for the equity market: listed, nobody qualifies
    assert len(rows) == 9


def test_uptake_per_district_and_in_each_scope(users, uptake):
    rows = by_clause(measure_uptake(users.official_bj, by_district=True))
    haidian, chaoyang = rows[("六.1", "110108")], rows[("六.1", "110105")]
    assert (haidian.qualifying, haidian.unclaimed, haidian.applied, haidian.approved, haidian.paid) == (3, 2, 4, 2, 1)
    assert (chaoyang.qualifying, chaoyang.unclaimed, chaoyang.applied) == (1, 1, 0)
    assert haidian.budget is None and not haidian.over_budget  # the budget is the measure's, not a district's
    own = by_clause(measure_uptake(users.staff_bj))
    assert own[("六.1", None)].qualifying == 3  # staff see their district's figures only
    assert measure_uptake(users.official) == []  # Chongqing: no Beijing figures, and no measure of its own in force
    assert measure_uptake(users.norole) == []


def test_the_uptake_api_and_its_errors(api, users, uptake):
    rows = api(users.official_bj).get(reverse("benefitmatch-uptake")).json()
    board = next(r for r in rows if r["measure"]["clause"] == "六.1")
    assert board["projected"] == "1800000.00" and board["over_budget"] and board["budget"] == "1000000.00"
    districts = api(users.official_bj).get(reverse("benefitmatch-uptake"), {"by": "district"}).json()
    assert {r["district"] for r in districts} == {"110108", "110105"}
    bad = api(users.official_bj).get(reverse("benefitmatch-uptake"), {"by": "year"})
    assert bad.status_code == 400 and bad.json()["errors"]["by"]
    assert api(users.official).get(reverse("benefitmatch-uptake")).json() == []


def test_the_matches_api_lists_reasons_and_filters(api, users, uptake):
    client = api(users.staff_bj)
    unclaimed = client.get(reverse("benefitmatch-list"), {"verdict": "qualifies", "claimed": "false"}).json()
    pairs = {(r["enterprise"]["credit_code"], r["measure"]["clause"]) for r in unclaimed["results"]}
    assert (uptake.e.credit_code, "六.1") in pairs and (uptake.a.credit_code, "六.1") not in pairs
    used = client.get(reverse("benefitmatch-list"), {"enterprise": uptake.b.credit_code, "verdict": "does_not"})
    reasons = {r["measure"]["clause"]: r["reasons"] for r in used.json()["results"]}
    assert reasons["六.1"][0]["kind"] == "one_time_used" and "one-time" in reasons["六.1"][0]["text"]
    assert reasons["六.2"][0]["text"].startswith("The money of this measure goes to")
    one = client.get(reverse("benefitmatch-detail", args=[unclaimed["results"][0]["id"]])).json()
    assert one["verdict"] == "qualifies" and one["since"] == timezone.localdate().isoformat()
    assert client.get(reverse("benefitmatch-list"), {"verdict": "maybe"}).status_code == 400
    assert api(users.staff_a).get(reverse("benefitmatch-list")).json()["count"] == 0  # Yubei sees none of it


def test_the_uptake_page_and_its_xlsx_export(client, users, uptake):
    client.force_login(users.official_bj)
    page = client.get(reverse("programs:uptake"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-clause="六.1"' in html and "1800000.00" in html
    export = client.get(reverse("programs:uptake-export"))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(export.content))
    by_measure, by_district = book.worksheets[0], book.worksheets[1]
    head = [c.value for c in by_measure[1]]
    board = next(r for r in by_measure.iter_rows(min_row=2, values_only=True) if r[1] == "六.1")
    row = dict(zip(head, board, strict=True))
    # Pages and exports are in Chinese unless the user picks English.
    assert row["符合条件企业数"] == 4 and row["已拨付企业数"] == 1 and row["预算（元）"] == 1000000
    assert row["符合条件企业全部申领（元）"] == 1800000 and row["金额无法估算的未申领企业数"] == 0
    districts = [r for r in by_district.iter_rows(min_row=2, values_only=True) if r[1] == "六.1"]
    assert sorted(r[4] for r in districts) == [1, 3]
    client.force_login(users.staff_bj)
    assert client.get(reverse("programs:uptake")).status_code == 403  # the officials' view
    assert client.get(reverse("programs:uptake-export")).status_code == 403


def test_one_click_from_a_match_to_an_application(client, users, uptake):
    client.force_login(users.staff_bj)
    listing = client.get(reverse("programs:matches"), {"measure": uptake.board.pk})
    url = reverse("programs:benefit-new", args=[uptake.e.credit_code, uptake.board.pk])
    assert url in listing.content.decode()
    assert reverse("programs:benefit-new", args=[uptake.a.credit_code, uptake.board.pk]) not in listing.content.decode()
    form = client.get(url)
    assert form.status_code == 200 and form.context["form"]["basis_date"].value() == timezone.localdate()
    done = client.post(url, {"basis_date": timezone.localdate().isoformat(), "input_requested_amount": ""})
    assert done.status_code == 302 and done["Location"].endswith("#benefits")
    app = BenefitApplication.objects.get(enterprise=uptake.e, measure=uptake.board)
    assert app.amount == Decimal("300000.00") and app.status == "submitted"
    assert url not in client.get(reverse("programs:matches")).content.decode()  # claimed now
    refused = client.post(
        reverse("programs:benefit-new", args=[uptake.b.credit_code, uptake.board.pk]),
        {"basis_date": timezone.localdate().isoformat()},
    )
    assert refused.status_code == 400 and "该奖励为一次性奖励" in refused.content.decode()  # pages are in Chinese
    client.force_login(users.staff_b)  # another district: the enterprise does not exist for them
    assert client.get(url).status_code == 404


def test_the_enterprise_page_shows_what_it_qualifies_for(client, users, uptake):
    client.force_login(users.staff_bj)
    page = client.get(reverse("enterprises:detail", args=[uptake.e.credit_code]))
    html = page.content.decode()
    assert 'id="matches"' in html and html.index('id="matches"') < html.index('id="benefits"')
    assert reverse("programs:benefit-new", args=[uptake.e.credit_code, uptake.board.pk]) in html
    used = client.get(reverse("enterprises:detail", args=[uptake.b.credit_code])).content.decode()
    assert "企业已获得过" in used
    client.force_login(users.official_bj)  # officials read it, without the button
    html = client.get(reverse("enterprises:detail", args=[uptake.e.credit_code])).content.decode()
    assert (
        'id="matches"' in html
        and reverse("programs:benefit-new", args=[uptake.e.credit_code, uptake.board.pk]) not in html
    )


def test_the_work_queue_lists_unclaimed_matches_with_their_application(client, users, uptake):
    client.force_login(users.staff_bj)
    html = client.get(reverse("servicedesk:work")).content.decode()
    # e is in Haidian and has not applied; a has (pending), f is in Chaoyang (another district).
    assert reverse("programs:benefit-new", args=[uptake.e.credit_code, uptake.board.pk]) in html
    assert reverse("programs:benefit-new", args=[uptake.a.credit_code, uptake.board.pk]) not in html
    assert reverse("programs:benefit-new", args=[uptake.f.credit_code, uptake.board.pk]) not in html
    client.force_login(users.official_bj)  # officials do not claim benefits for firms
    assert (
        reverse("programs:benefit-new", args=[uptake.e.credit_code, uptake.board.pk])
        not in client.get(reverse("servicedesk:work")).content.decode()
    )
