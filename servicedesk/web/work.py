"""我的待办 (the work queue) and the notifications: the day's work of district staff and officials on one page.

The kinds of work come from every room (zjtx.work_queue); this page only lays them out, each with its
count, its most urgent items and the next action in one click.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from servicedesk import notifications, services
from servicedesk.selectors import notifications_for
from zjtx.access import has_any_role
from zjtx.errors import DomainError
from zjtx.paginator import CappedPaginator
from zjtx.web import scoped_or_404
from zjtx.work_queue import WorkItem, WorkSource, capped_count, shown_count, sources_for

ITEMS_PER_KIND = 10


@dataclass
class Section:
    key: str
    source: WorkSource
    count: int  # up to WORK_COUNT_CAP + 1
    items: list[WorkItem]

    @property
    def shown(self) -> str:
        return shown_count(self.count)


def queue_sections(user: Any, *, limit: int = ITEMS_PER_KIND) -> list[Section]:
    today = timezone.localdate()
    sections = []
    for key, source in sources_for(user):
        count = source.count(user, today)
        items = source.items(user, today, limit) if count else []
        sections.append(Section(key, source, count, sorted(items, key=_urgency)))
    return sections


def _urgency(item: WorkItem) -> tuple[int, Any]:
    # Most urgent first: undated items (never visited, waiting for a specialist) keep their source's order
    # ahead of dated ones, which come earliest day first.
    return (0, "") if item.due_on is None else (1, item.due_on)


def header_counts(user: Any) -> dict[str, Any]:
    """The counts in the header: open work and unread notifications (a few COUNT queries)."""
    if not has_any_role(user):
        return {"work": 0, "unread": 0, "work_shown": "0", "unread_shown": "0"}
    today = timezone.localdate()
    # Each source counts up to WORK_COUNT_CAP + 1, so the sum is exact while it is at most the cap.
    work = sum(source.count(user, today) for _key, source in sources_for(user))
    unread = capped_count(notifications_for(user).filter(read_at__isnull=True))
    return {"work": work, "unread": unread, "work_shown": shown_count(work), "unread_shown": shown_count(unread)}


def context(request: HttpRequest) -> dict[str, Any]:
    """Template context processor: `work_counts` computed only when a page's header reads it."""
    return {"work_counts": SimpleLazyObject(lambda: header_counts(request.user))}


@login_required
def work_queue(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not has_any_role(user):
        raise Http404("no work queue")
    sections = queue_sections(user)
    return render(
        request,
        "servicedesk/work_queue.html",
        {"sections": sections, "total": sum(s.count for s in sections), "today": timezone.localdate()},
    )


@require_POST
@login_required
def take_on(request: HttpRequest, code: str) -> HttpResponse:
    """One click from the queue: the signed-in district staff member becomes the enterprise's specialist."""
    from servicedesk.web.views import _enterprise

    enterprise = _enterprise(request, code)
    try:
        user: Any = request.user
        services.specialist_assign(actor=user, enterprise=enterprise, specialist=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You are now the specialist of %(name)s.") % {"name": enterprise.name})
    return redirect(request.POST.get("next") or "servicedesk:work")


class NotificationSettingsForm(forms.Form):
    email_digest = forms.BooleanField(
        label=gettext_lazy("Send me the daily e-mail digest"),
        required=False,
        help_text=gettext_lazy("A summary of what became due or overdue, once a day, to the address of your account."),
    )


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not has_any_role(user):
        raise Http404("no notifications")
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST)
        if form.is_valid():
            notifications.settings_update(actor=user, email_digest=form.cleaned_data["email_digest"])
            messages.success(request, _("Your notification settings were saved."))
            return redirect("servicedesk:notifications")
    else:
        form = NotificationSettingsForm(initial={"email_digest": notifications.wants_email(user)})
    page = CappedPaginator(notifications_for(user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "servicedesk/notifications.html",
        {"page_obj": page, "form": form, "email": user.email},
    )


@require_POST
@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a notification read and go to its item."""
    notification = scoped_or_404(notifications_for(request.user), request, pk=pk)
    notifications.mark_read(actor=request.user, ids=[notification.pk])
    return redirect(notification.url)


@require_POST
@login_required
def notifications_read(request: HttpRequest) -> HttpResponse:
    n = notifications.mark_read(actor=request.user, ids=None)
    messages.success(request, _("%(n)s notifications marked as read.") % {"n": n})
    return redirect("servicedesk:notifications")
