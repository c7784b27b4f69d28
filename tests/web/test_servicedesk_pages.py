"""Service-desk pages: log a visit, raise a demand, move it to closure; errors next to the fields."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from servicedesk.models import Demand, Visit


def test_log_a_visit_with_a_demand_and_see_it_on_the_enterprise_page(client, users, ref, make_enterprise):
    ent = make_enterprise("500112")
    client.force_login(users.staff_a)
    today = timezone.localdate()
    response = client.post(
        reverse("servicedesk:visit-new", args=[ent.credit_code]),
        {
            "visited_on": today.isoformat(), "mode": "on_site", "met_with": "王总", "notes": "了解用工缺口",
            "follow_up_on": (today + dt.timedelta(days=14)).isoformat(), "raise_demand": "on",
            "demand-category": "labour", "demand-description": "招聘数控技工20名",
            "demand-due_on": (today + dt.timedelta(days=30)).isoformat(),
        },
    )  # fmt: skip
    assert response.status_code == 302
    visit = Visit.objects.get(enterprise=ent)
    assert visit.visitor == users.staff_a and visit.demands.get().category == "labour"
    page = client.get(reverse("enterprises:detail", args=[ent.credit_code])).content.decode()
    assert "了解用工缺口" in page and "招聘数控技工20名" in page


def test_field_errors_are_shown_next_to_the_field(client, users, ref, make_enterprise):
    ent = make_enterprise("500112")
    client.force_login(users.staff_a)
    today = timezone.localdate()
    response = client.post(
        reverse("servicedesk:visit-new", args=[ent.credit_code]),
        {
            "visited_on": today.isoformat(),
            "mode": "teleport",
            "follow_up_on": (today - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="field-mode"' in html and html.index("field-error") > html.index('id="field-mode"')
    assert "回访日期不能早于走访日期" in html
    assert not Visit.objects.exists()
    future = client.post(
        reverse("servicedesk:visit-new", args=[ent.credit_code]),
        {"visited_on": (today + dt.timedelta(days=3)).isoformat(), "mode": "phone"},
    )
    assert future.status_code == 400 and not Visit.objects.exists()


def test_demand_lifecycle_through_the_pages(client, users, ref, make_enterprise):
    ent = make_enterprise("500112")
    unit = Demand._meta.get_field("unit").related_model.objects.filter(jurisdiction__code="500000").first()
    client.force_login(users.staff_a)
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    created = client.post(
        reverse("servicedesk:demand-new", args=[ent.credit_code]),
        {"category": "energy", "description": "扩产用电增容", "due_on": due, "unit": unit.pk},
    )
    assert created.status_code == 302
    demand = Demand.objects.get()
    assert demand.status == "assigned"
    url = reverse("servicedesk:demand", args=[demand.pk])
    assert client.post(url, {"action": "start"}).status_code == 302
    no_note = client.post(url, {"action": "resolve"})
    assert no_note.status_code == 400 and "须填写原因" in no_note.content.decode()
    assert client.post(url, {"action": "resolve", "note": "已协调供电公司"}).status_code == 302
    no_score = client.post(url, {"action": "close"})
    assert no_score.status_code == 400
    assert client.post(url, {"action": "close", "satisfaction": "satisfied"}).status_code == 302
    demand.refresh_from_db()
    assert demand.status == "closed" and demand.satisfaction == "satisfied"
    history = client.get(url).content.decode()
    assert "已协调供电公司" in history


def test_other_districts_cannot_log_visits_or_open_demands(client, users, ref, make_enterprise):
    ent = make_enterprise("500112")
    client.force_login(users.staff_b)
    assert client.get(reverse("servicedesk:visit-new", args=[ent.credit_code])).status_code == 404
    assert client.post(reverse("servicedesk:demand-new", args=[ent.credit_code]), {}).status_code == 404
    client.force_login(users.official)  # officials read the enterprise but do not log its visits
    assert client.get(reverse("servicedesk:visit-new", args=[ent.credit_code])).status_code == 404


def test_visit_form_needs_a_deliberate_entry_and_marks_demand_fields_required_only_when_raised(
    client, users, ref, make_enterprise
):
    ent = make_enterprise("500112")
    client.force_login(users.staff_a)
    url = reverse("servicedesk:visit-new", args=[ent.credit_code])
    page = client.get(url).content.decode()
    # Nothing pre-filled: no date of today, no mode chosen.
    assert timezone.localdate().isoformat() not in page and 'value="on_site" selected' not in page
    demand_part = page[page.index('id="demand-fields"') :]
    assert " *</label>" not in demand_part  # no demand field is marked required while none is raised
    assert 'type="date"' not in page and 'placeholder="年-月-日"' in page  # year first, whatever the browser
    untouched = client.post(url, {})
    assert untouched.status_code == 400 and not Visit.objects.exists()
    html = untouched.content.decode()
    assert html.count("该字段是必填项") >= 2  # the day and the mode
    # Ticking the box makes the demand's fields required.
    raised = client.post(url, {"visited_on": timezone.localdate().isoformat(), "mode": "phone", "raise_demand": "on"})
    assert raised.status_code == 400 and 'id="field-demand-description"' in raised.content.decode()


def test_dates_in_chinese_order_are_read_and_a_saved_visit_says_so(client, users, ref, make_enterprise):
    ent = make_enterprise("500112")
    client.force_login(users.staff_a)
    day = timezone.localdate() - dt.timedelta(days=3)
    response = client.post(
        reverse("servicedesk:visit-new", args=[ent.credit_code]),
        {"visited_on": f"{day.year}年{day.month:02d}月{day.day:02d}日", "mode": "on_site"},
        follow=True,
    )
    assert response.status_code == 200 and Visit.objects.get(enterprise=ent).visited_on == day
    assert "走访记录已保存" in response.content.decode()
