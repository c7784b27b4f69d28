"""Django admin that applies the same scoping as the API (zjtx.access), for every registered model."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from zjtx.access import Action, can, can_change_model, has_any_role, restrict
from zjtx.errors import DomainError
from zjtx.roles import Role


class ScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Lists, reads and changes only what zjtx.access allows the signed-in user."""

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return restrict(super().get_queryset(request), request.user, Action.VIEW)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_any_role(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_any_role(request.user) and (obj is None or can(request.user, Action.VIEW, obj))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_change_model(request.user, self.model)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_change_model(request.user, self.model) and (obj is None or can(request.user, Action.CHANGE, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # District data is never deleted by district staff; reference data only by program admins.
        if getattr(self.model, "access_policy", None) == "district":
            return bool(request.user.is_superuser)
        return self.has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if "queryset" not in kwargs:
            choices = writable_choices(request.user, self.model, db_field.related_model)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def writable_choices(user: Any, model: type[models.Model], related: type[models.Model]) -> models.QuerySet[Any] | None:
    """What a form that changes `model` may point a foreign key to, so a saved row stays in the user's scope:
    their own district or jurisdiction, district data they may change, and (for the programs and targets they
    keep) programs and targets they may change.  None: any row the user can see."""
    if user.is_superuser:
        return None
    label = related._meta.label
    manager: Any = related._default_manager
    if label == "reference.District":
        if user.role == Role.DISTRICT_STAFF:
            return manager.filter(pk=user.district_id)
        return manager.filter(jurisdiction_id=user.jurisdiction_id) if user.jurisdiction_id else None
    if label == "reference.Jurisdiction":
        return manager.filter(pk=user.jurisdiction_id) if user.jurisdiction_id else None
    policy = getattr(related, "access_policy", None)
    if policy == "district" or (policy in ("program", "jurisdiction") and policy == model.access_policy):  # type: ignore[attr-defined]
        return restrict(manager.all(), user, Action.CHANGE)
    return None


class ReadOnlyScopedAdmin(ScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ScopedInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return restrict(super().get_queryset(request), request.user, Action.VIEW)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_change_model(request.user, self.model) and (obj is None or can(request.user, Action.CHANGE, obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_any_role(request.user)


def transition_action(prefix: str, name: str, move: Callable[[Any, int, str], Any], label: Any = None) -> Any:
    """An admin action that moves each selected object with `move(actor, pk, action)`, reporting each refusal."""

    def run(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = 0
        for obj in queryset:
            try:
                move(request.user, obj.pk, name)
                done += 1
            except DomainError as exc:
                modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
        if done:
            modeladmin.message_user(request, _("%(n)s done.") % {"n": done}, messages.SUCCESS)

    run.__name__ = f"{prefix}_{name}"
    run.short_description = label or name.replace("_", " ")  # type: ignore[attr-defined]
    return run


class TransitionInline(ScopedInline):
    """A lifecycle's steps under its item, in words (the event model names its actions and states)."""

    fields = ("at", "action_shown", "from_shown", "to_shown", "actor", "reason")
    readonly_fields = fields

    @admin.display(description=_("action"))
    def action_shown(self, obj: Any) -> str:
        return str(obj.get_action_display())

    @admin.display(description=_("from"))
    def from_shown(self, obj: Any) -> str:
        return str(obj.get_from_status_display())

    @admin.display(description=_("to"))
    def to_shown(self, obj: Any) -> str:
        return str(obj.get_to_status_display())

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceErrorsAsMessages:
    """A service's refusal (DomainError) comes back to the form page as an error message, never a server error.

    The admin's own transaction is rolled back as the error leaves changeform_view.
    """

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        except DomainError as exc:
            field = f"{exc.field}: " if exc.field else ""
            self.message_user(request, f"{field}{exc.message}", messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(request.get_full_path())


# The audit log lives in accounts, which sits above the reference data whose admin pages show it too:
# accounts installs the reader when it starts (AccountsConfig.ready), so this module imports no app.
_history_rows: Callable[[Any], Iterable[tuple[str, str, str, Any]]] | None = None


def install_history_reader(reader: Callable[[Any], Iterable[tuple[str, str, str, Any]]]) -> None:
    """Set the function that gives an object's audit history as (when, who, what, changes) rows."""
    global _history_rows
    _history_rows = reader


def changes_html(changes: list[tuple[str, Any, Any]]) -> str:
    """(label, before, after) rows as text; the values are data (codes, English names), marked as such."""
    return format_html_join("；", '{}：<span translate="no">{}</span> → <span translate="no">{}</span>', changes)


class AuditHistoryMixin:
    """Shows the object's audit history (who, when, what changed) on its change page."""

    @admin.display(description=_("Change history"))
    def audit_history(self, obj: Any) -> str:
        if obj is None or obj.pk is None or _history_rows is None:
            return "—"
        rows = [
            (when, who, what, changes_html(changes) if isinstance(changes, list) else changes)
            for when, who, what, changes in _history_rows(obj)
        ]
        return format_html_join("", '<div>{} · <span translate="no">{}</span> · {} · {}</div>', rows) or "—"
