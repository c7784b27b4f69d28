"""Notifications of the work queue: the site's list, the daily e-mail digest and the group robot.

Once a day `notifications_run` looks at every user's queue (zjtx.work_queue, the kinds marked
`notify`) and records a Notification for each item not notified before: an item is named by its key
in its state (e.g. "demand:12:overdue:2026-11-20"), and (user, key) is unique, so the job may run any
number of times and notifies each item once.  Then it e-mails each user who has not opted out the
notifications of the day not e-mailed yet, and posts the day's new items to the group robot's
webhook when one is configured (企业微信 / 钉钉 style JSON).  Rows are claimed under lock before a
message goes out and marked in the same transaction: a second run at the same time skips them, and a
failed send leaves them for the next run.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from reference.models import JobRun
from reference.services.jobs import job_run
from servicedesk.models import Notification, NotificationSettings, RobotPush
from zjtx.access import has_any_role, restrict
from zjtx.work_queue import sources_for

log = logging.getLogger(__name__)

NOTIFY_JOB = "servicedesk.daily_notifications"
ITEMS_PER_KIND = 200  # a day's notifications of one kind of work for one user; the queue page lists the rest


def wants_email(user: Any) -> bool:
    row = NotificationSettings.objects.filter(user=user).values("email_digest").first()
    return True if row is None else bool(row["email_digest"])


def settings_update(*, actor: Any, email_digest: bool) -> NotificationSettings:
    """The user's own choice of channels (opt out of the e-mail digest, or back in)."""
    row, _created = NotificationSettings.objects.update_or_create(user=actor, defaults={"email_digest": email_digest})
    return row


def mark_read(*, actor: Any, ids: list[int] | None) -> int:
    """Mark the user's own notifications read (all unread ones when `ids` is None)."""
    qs = restrict(Notification.objects.all(), actor).filter(user=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def recipients() -> QuerySet[User]:
    """Active users with a role (superusers see every district's work and are not notified of it)."""
    return User.objects.filter(is_active=True, is_superuser=False).exclude(role="").order_by("pk")


def collect(day: date) -> int:
    """Record the notifications of `day` for every user; returns how many are new."""
    created = 0
    with translation.override(settings.LANGUAGE_CODE):
        for user in recipients().select_related("district", "jurisdiction"):
            if not has_any_role(user):
                continue
            rows = [
                Notification(
                    user=user,
                    key=item.key,
                    source=key,
                    day=day,
                    title=item.title[:300],
                    detail=f"{source.title} · {item.detail}"[:300],
                    url=item.url,
                )
                for key, source in sources_for(user)
                if source.notify
                for item in source.items(user, day, ITEMS_PER_KIND)
            ]
            if not rows:
                continue
            known = set(
                Notification.objects.filter(user=user, key__in=[r.key for r in rows]).values_list("key", flat=True)
            )
            new = [r for r in rows if r.key not in known]
            # ignore_conflicts: a run at the same time may have written some of them a moment ago.
            Notification.objects.bulk_create(new, ignore_conflicts=True)
            created += len(new)
    return created


def _absolute(url: str) -> str:
    return settings.ZJTX_SITE_URL.rstrip("/") + url


def _digest(user: User, rows: list[Notification], day: date) -> EmailMessage:
    lines = [
        _("Good morning %(name)s,") % {"name": user.get_full_name() or user.username},
        "",
        _("%(n)s items of your work queue became due or overdue on %(day)s:")
        % {"n": len(rows), "day": date_format(day)},
        "",
    ]
    for n in rows:
        lines += [f"- {n.title}: {n.detail}", f"  {_absolute(n.url)}"]
    lines += [
        "",
        _("Your work queue: %(url)s") % {"url": _absolute("/work/")},
        _("To stop these e-mails, untick the digest on %(url)s") % {"url": _absolute("/notifications/")},
    ]
    subject = _("[SRDI tiered cultivation] %(n)s new items in your work queue") % {"n": len(rows)}
    return EmailMessage(subject=subject, body="\n".join(lines), to=[user.email])


def send_digests(day: date) -> int:
    """E-mail each user who wants it the day's notifications not e-mailed yet; returns the e-mails sent."""
    sent = 0
    users = (
        recipients()
        .exclude(email="")
        .exclude(pk__in=NotificationSettings.objects.filter(email_digest=False).values("user_id"))
    )
    with translation.override(settings.LANGUAGE_CODE), get_connection() as connection:
        for user in users:
            with transaction.atomic():
                rows = list(
                    Notification.objects.select_for_update(skip_locked=True)
                    .filter(user=user, day=day, emailed_at__isnull=True)
                    .order_by("source", "id")
                )
                if not rows:
                    continue
                message = _digest(user, rows, day)
                message.connection = connection
                message.send()
                Notification.objects.filter(pk__in=[r.pk for r in rows]).update(emailed_at=timezone.now())
                sent += 1
    return sent


def push_to_robot(day: date) -> int:
    """Post the day's new items to the group robot (one message); returns how many items were posted."""
    url = settings.ZJTX_ROBOT_WEBHOOK_URL
    if not url:
        return 0
    with transaction.atomic():
        keys: dict[str, Notification] = {}
        for n in Notification.objects.filter(day=day).order_by("source", "id"):
            keys.setdefault(n.key, n)
        new = []
        for key, n in keys.items():
            # The unique key is the claim: a concurrent run waits here and then finds the row taken.
            _row, created = RobotPush.objects.get_or_create(key=key, defaults={"day": day})
            if created:
                new.append(n)
        if not new:
            return 0
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Work queue of %(day)s: %(n)s new items") % {"day": date_format(day), "n": len(new)}
            lines = [f"### {title}"] + [f"- [{n.title}]({_absolute(n.url)}): {n.detail}" for n in new]
        body = json.dumps({"msgtype": "markdown", "markdown": {"content": "\n".join(lines)}}, ensure_ascii=False)
        request = urllib.request.Request(
            url, data=body.encode("utf-8"), headers={"Content-Type": "application/json; charset=utf-8"}, method="POST"
        )
        # A failed post raises: the transaction is rolled back and the next run posts these items again.
        with urllib.request.urlopen(request, timeout=settings.ZJTX_ROBOT_TIMEOUT) as response:
            response.read()
    return len(new)


def notifications_run(*, day: date | None = None) -> JobRun:
    """The daily job: record the new notifications, e-mail the digests, post to the group robot."""
    day = day or timezone.localdate()
    with job_run(NOTIFY_JOB, day.isoformat()) as run:
        created = collect(day)
        emails = send_digests(day)
        posted = push_to_robot(day)
        run.result = {"notifications": created, "emails": emails, "robot_items": posted}
    return run
