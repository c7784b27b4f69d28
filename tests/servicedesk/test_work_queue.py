"""我的待办 (the work queue) and its notifications: site list, e-mail digest through a real SMTP server,
the group robot through a real HTTP server; once per item even when the job runs twice; opt-out."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from enterprises.models import ImportRun
from enterprises.models.registry import ImportStatus
from servicedesk import notifications, services
from servicedesk.models import Demand, Notification, VisitCadence
from servicedesk.web.work import queue_sections
from tiers.services import lifecycle

TODAY = timezone.localdate()


def _demand(user: Any, enterprise: Any, *, raised_days_ago: int, due_in: int) -> Demand:
    demand = services.demand_create(
        actor=user, enterprise=enterprise, category="land", description="扩产用地", due_on=TODAY + dt.timedelta(days=30)
    )
    raised = TODAY - dt.timedelta(days=raised_days_ago)
    Demand.objects.filter(pk=demand.pk).update(raised_on=raised, due_on=TODAY + dt.timedelta(days=due_in))
    return Demand.objects.get(pk=demand.pk)


def _sections(user: Any) -> dict[str, Any]:
    return {s.key: s for s in queue_sections(user)}


@pytest.fixture
def queue(users, ref, make_enterprise):
    """District 渝北 with one thing of every kind to do, and one of each in 江北 (which 渝北 must not see)."""
    mine = make_enterprise("500112", name="渝北逾期诉求有限公司")
    overdue = _demand(users.staff_a, mine, raised_days_ago=40, due_in=-10)
    soon = _demand(users.staff_a, make_enterprise("500112", name="渝北将到期有限公司"), raised_days_ago=2, due_in=3)
    later = _demand(users.staff_a, make_enterprise("500112"), raised_days_ago=2, due_in=20)
    _demand(users.staff_b, make_enterprise("500105", name="江北逾期有限公司"), raised_days_ago=40, due_in=-5)
    giant = make_enterprise("500112", name="渝北小巨人有限公司")
    lifecycle.certification_import(
        actor=users.superuser,
        enterprise=giant,
        tier=ref.tiers["little_giant"],
        valid_from=TODAY - dt.timedelta(days=400),
    )
    services.specialist_assign(actor=users.staff_a, enterprise=giant, specialist=users.staff_a)
    services.visit_log(actor=users.staff_a, enterprise=giant, visited_on=TODAY - dt.timedelta(days=70), mode="phone")
    ending = make_enterprise("500112", name="渝北即将到期有限公司")
    for days_left, firm in ((80, ending), (20, make_enterprise("500112", name="渝北最急有限公司"))):
        lifecycle.certification_import(
            actor=users.superuser,
            enterprise=firm,
            tier=ref.tiers["innovative_sme"],
            valid_from=TODAY + dt.timedelta(days=days_left) - dt.timedelta(days=3 * 365),
        )
    ImportRun.objects.create(file_name="坏文件.xlsx", status=ImportStatus.FAILED, district=ref.districts["500112"])
    return {"overdue": overdue, "soon": soon, "later": later, "giant": giant}


def test_staff_queue_has_each_kind_with_counts_most_urgent_first_and_only_their_district(client, users, queue):
    sections = _sections(users.staff_a)
    assert sections["overdue_demands"].count == 1
    assert [i.title for i in sections["overdue_demands"].items] == ["渝北逾期诉求有限公司"]
    assert (
        sections["demands_due_soon"].count == 1 and sections["demands_due_soon"].items[0].title == "渝北将到期有限公司"
    )
    # The little giant was visited 70 days ago; Chongqing's cadence for little giants is 60 days.
    assert [i.title for i in sections["visits_due"].items] == ["渝北小巨人有限公司"]
    ending = [i.title for i in sections["certifications_ending"].items]
    assert ending[:2] == ["渝北最急有限公司", "渝北即将到期有限公司"]  # the one ending first at the top
    assert sections["failed_imports"].count == 1
    assert sections["without_specialist"].count >= 5
    client.force_login(users.staff_a)
    page = client.get(reverse("servicedesk:work"))
    html = page.content.decode()
    assert page.status_code == 200 and "我的待办" in html and "江北逾期有限公司" not in html
    assert reverse("servicedesk:demand", args=[queue["overdue"].pk]) in html  # the next action, one click
    header_count = sum(s.count for s in sections.values())
    assert f'id="work-count">{header_count}<' in html


def test_visit_cadence_is_data_per_city(users, queue):
    assert "渝北小巨人有限公司" in [i.title for i in _sections(users.staff_a)["visits_due"].items]
    VisitCadence.objects.filter(jurisdiction__code="500000", tier__code="little_giant").update(days=90)
    assert _sections(users.staff_a)["visits_due"].count == 0


def test_a_moved_demand_leaves_the_queue(client, users, queue):
    client.force_login(users.staff_a)
    demand = queue["overdue"]
    url = reverse("servicedesk:demand", args=[demand.pk])
    unit = Demand._meta.get_field("unit").related_model.objects.filter(jurisdiction__code="500000").first()
    assert client.post(url, {"action": "assign", "unit": unit.pk}).status_code == 302
    assert client.post(url, {"action": "start"}).status_code == 302
    assert _sections(users.staff_a)["overdue_demands"].count == 1  # in progress, still overdue
    response = client.post(url, {"action": "resolve", "note": "已协调解决"})
    assert response.status_code == 302
    assert _sections(users.staff_a)["overdue_demands"].count == 0
    follow = client.get(response["Location"])
    assert "已保存" in follow.content.decode()  # the success message


def test_take_on_in_one_click_assigns_the_staff_member(client, users, queue, make_enterprise):
    firm = make_enterprise("500112", name="渝北无专员有限公司")
    client.force_login(users.staff_a)
    response = client.post(reverse("servicedesk:take-on", args=[firm.credit_code]), {"next": "/work/"})
    assert response.status_code == 302 and response["Location"] == "/work/"
    assert firm.service_assignments.get(ended_at__isnull=True).specialist == users.staff_a
    other = make_enterprise("500105")
    assert client.post(reverse("servicedesk:take-on", args=[other.credit_code])).status_code == 404


def test_officials_queue_has_their_kinds_and_staff_kinds_are_not_theirs(users, queue, ref, make_enterprise):
    application = lifecycle.application_submit(
        actor=users.staff_a, enterprise=make_enterprise("500112"), tier=ref.tiers["innovative_sme"], batch_year=2026
    )
    lifecycle.application_transition(actor=users.staff_a, application_id=application.pk, action="recommend")
    sections = _sections(users.official)
    assert set(sections) == {"applications_waiting", "benefits_to_approve", "districts_off_track", "lists_waiting"}
    assert sections["applications_waiting"].count == 1
    assert _sections(users.official_bj)["applications_waiting"].count == 0
    assert _sections(users.auditor) == {}


# --- notifications ---------------------------------------------------------------------------


class SMTPCapture:
    """A real SMTP server (aiosmtpd) on a free loopback port, keeping what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[Any] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                outer.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
                return "250 OK"

        with socket.socket() as probe:  # a free loopback port chosen now (aiosmtpd needs a number)
            probe.bind(("127.0.0.1", 0))
            self._port = int(probe.getsockname()[1])
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self._port)

    def __enter__(self) -> SMTPCapture:
        self.controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self._port


@pytest.fixture
def smtp(settings: Any) -> Any:
    with SMTPCapture() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        yield server


class RobotServer:
    """A local HTTP server standing in for the 企业微信 / 钉钉 group robot: it records each JSON POST."""

    def __init__(self, status: int = 200) -> None:
        bodies: list[dict[str, Any]] = []
        self.bodies = bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                bodies.append(json.loads(self.rfile.read(length).decode("utf-8")))
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b'{"errcode":0}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> RobotServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key=test"


def _subject(message: Any) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_daily_job_notifies_each_item_once_by_site_mail_and_robot_even_when_run_twice(
    client, users, queue, smtp, settings
):
    users.staff_a.email = "staff_a@example.org"
    users.staff_a.save()
    users.staff_b.email = "staff_b@example.org"
    users.staff_b.save()
    notifications.settings_update(actor=users.staff_b, email_digest=False)  # 江北 opted out
    with RobotServer() as robot:
        settings.ZJTX_ROBOT_WEBHOOK_URL = robot.url
        first = notifications.notifications_run()
        second = notifications.notifications_run()  # the same morning, again
    assert first.result["emails"] == 1 and second.result == {"notifications": 0, "emails": 0, "robot_items": 0}
    # E-mail: one digest to 渝北's staff, in Chinese, naming the overdue demand with its link; none to the opt-out.
    assert [rcpt for rcpt, _m in smtp.messages] == [["staff_a@example.org"]]
    message = smtp.messages[0][1]
    body = message.get_payload(decode=True).decode("utf-8")
    assert "新待办" in _subject(message)
    assert "渝北逾期诉求有限公司" in body and f"/enterprises/demands/{queue['overdue'].pk}/" in body
    assert "江北逾期有限公司" not in body
    # Site: the notifications are listed for their owner, the opt-out user too.
    mine = Notification.objects.filter(user=users.staff_a)
    assert mine.filter(key__startswith=f"demand:{queue['overdue'].pk}:overdue").count() == 1
    assert Notification.objects.filter(user=users.staff_b, key__startswith="demand:").exists()
    assert not mine.filter(emailed_at__isnull=True).exists()
    # Robot: one JSON message (企业微信 markdown) with each item once.
    assert len(robot.bodies) == 1 and robot.bodies[0]["msgtype"] == "markdown"
    content = robot.bodies[0]["markdown"]["content"]
    assert content.count("渝北逾期诉求有限公司") == 1 and "江北逾期有限公司" in content
    client.force_login(users.staff_a)
    page = client.get(reverse("servicedesk:notifications")).content.decode()
    assert "渝北逾期诉求有限公司" in page and 'id="unread-count">' in page


def test_a_failed_robot_post_is_tried_again_next_run(users, queue, settings):
    with RobotServer(status=500) as robot:
        settings.ZJTX_ROBOT_WEBHOOK_URL = robot.url
        with pytest.raises(Exception):  # noqa: B017 - urllib's HTTPError, recorded as a failed run
            notifications.notifications_run()
    with RobotServer() as robot:
        settings.ZJTX_ROBOT_WEBHOOK_URL = robot.url
        run = notifications.notifications_run()
    assert run.result["robot_items"] > 0 and len(robot.bodies) == 1


def test_user_opts_out_and_back_in_on_the_notification_page(client, users, queue):
    client.force_login(users.staff_a)
    response = client.post(reverse("servicedesk:notifications"), {})  # box unticked
    assert response.status_code == 302 and notifications.wants_email(users.staff_a) is False
    client.post(reverse("servicedesk:notifications"), {"email_digest": "on"})
    assert notifications.wants_email(users.staff_a) is True


def test_notifications_are_their_owners_only(client, users, queue):
    notifications.collect(TODAY)
    theirs = Notification.objects.filter(user=users.staff_b).first()
    assert theirs is not None
    client.force_login(users.staff_a)
    assert client.post(reverse("servicedesk:notification-open", args=[theirs.pk])).status_code == 404
    mine = Notification.objects.filter(user=users.staff_a).first()
    opened = client.post(reverse("servicedesk:notification-open", args=[mine.pk]))
    assert opened.status_code == 302 and opened["Location"] == mine.url
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_notification_texts_are_chinese(users, queue):
    with translation.override("zh-hans"):
        notifications.collect(TODAY)
    n = Notification.objects.get(user=users.staff_a, key__startswith=f"demand:{queue['overdue'].pk}:")
    assert "逾期诉求" in n.detail and "已逾期 10 天" in n.detail


def test_counts_stop_at_the_cap_and_show_a_plus(client, users, queue, make_enterprise, monkeypatch):
    """The badge and the chips count up to WORK_COUNT_CAP and show "99+" beyond (here the cap is 3)."""
    from zjtx import work_queue

    monkeypatch.setattr(work_queue, "WORK_COUNT_CAP", 3)
    for _ in range(4):
        _demand(users.staff_a, make_enterprise("500112"), raised_days_ago=40, due_in=-2)
    sections = _sections(users.staff_a)
    assert sections["overdue_demands"].count == 4 and sections["overdue_demands"].shown == "3+"  # 5, counted to 4
    firms = [i.title for i in sections["without_specialist"].items]
    assert firms[0] != "渝北小巨人有限公司" and len(firms) == len(set(firms))  # the giant has its specialist
    client.force_login(users.staff_a)
    html = client.get(reverse("servicedesk:work")).content.decode()
    assert 'id="work-count">3+<' in html and '<strong class="count">3+</strong>' in html


def test_firms_without_a_specialist_highest_tier_first_then_by_name(users, ref, make_enterprise):
    plain = [make_enterprise("500112", name=n) for n in ("乙公司", "甲公司")]
    srdi = make_enterprise("500112", name="丙专精特新公司")
    lifecycle.certification_import(
        actor=users.superuser, enterprise=srdi, tier=ref.tiers["innovative_sme"], valid_from=TODAY
    )
    items = [i.title for i in _sections(users.staff_a)["without_specialist"].items]
    assert items == ["丙专精特新公司", *sorted(p.name for p in plain)]
