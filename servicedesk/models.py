"""The 一企一策一人 service desk: specialists assigned to enterprises, visits, demands (诉求) and the daily check.

Chongqing's action plan (task 22) gives every SRDI enterprise a named service
specialist of its district, "one enterprise, one policy package, one person",
to solve land, labour, energy and supporting-facility problems; the plan's
mechanisms ask for regular listening and for problems to be routed to the
responsible departments.  Demands are routed to the responsible units of the
policy documents (programs.ResponsibleUnit) and the policy package links the
documents' measures (programs.Measure), both of the enterprise's jurisdiction.
The state machine of demands is in servicedesk/rules/demands.py;
servicedesk/services.py is the only writer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.rules.demands import DemandStatus as D
from servicedesk.rules.demands import Satisfaction as S
from tiers.models.lifecycle import TransitionEvent
from zjtx.access import RestrictedQuerySet


class ServiceAssignment(models.Model):
    """One period during which a specialist serves an enterprise; ended periods are its history.

    The policy package (一企一策) travels with the assignment and is carried
    over to the next specialist on reassignment.
    """

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="service_assignments",
    )
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service specialist"),
        on_delete=models.PROTECT,
        related_name="service_assignments",
    )
    # The policy package: the measures the enterprise is being helped with, all of policies of
    # the enterprise's jurisdiction (servicedesk/services.py checks that).
    policy_measures = models.ManyToManyField(
        "programs.Measure",
        verbose_name=_("policy package: measures"),
        blank=True,
        related_name="+",
        help_text=_("Measures of the policies of the enterprise's jurisdiction."),
        db_table="enterprises_serviceassignment_policy_measures",
    )
    policy_notes = models.TextField(_("policy package: notes"), blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    end_reason = models.TextField(_("reason for ending"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "district"
    district_path = "enterprise__district"

    class Meta:
        db_table = "enterprises_serviceassignment"  # the table kept its name when the model moved here
        verbose_name = _("specialist assignment")
        verbose_name_plural = _("specialist assignments")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=models.Q(ended_at__isnull=True),
                name="one_active_specialist_per_enterprise",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="assignment_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["specialist", "ended_at"], name="assignment_specialist_active"),
            # The list's order (issue 16): a page is read off the index instead of joining and sorting
            # every assignment in scope with its visit clock (~350 ms at national scale).
            models.Index(fields=["-started_at", "-id"], name="assignment_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} ← {self.specialist_id}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class VisitMode(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    PHONE = "phone", _("Phone")
    ONLINE = "online", _("Online")


class Visit(models.Model):
    """A specialist's visit (走访) to an enterprise; the demands raised point back to it."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="visits"
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("visited by"), on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField(_("visit date"))
    mode = models.CharField(_("mode"), max_length=10, choices=VisitMode.choices)
    met_with = models.CharField(_("people met"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    created_at = models.DateTimeField(_("logged"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "district"
    district_path = "enterprise__district"

    class Meta:
        db_table = "enterprises_visit"  # the table kept its name when the model moved here
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(follow_up_on__isnull=True) | models.Q(follow_up_on__gte=models.F("visited_on")),
                name="follow_up_not_before_visit",
            )
        ]
        indexes = [
            models.Index(fields=["enterprise", "-visited_on"], name="visit_enterprise_day"),
            # The list's order: a page is read off the index instead of sorting two million visits.
            models.Index(fields=["-visited_on", "-id"], name="visit_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.visited_on}（{self.get_mode_display()}）"


class DemandCategory(models.TextChoices):
    LAND = "land", _("Land")
    LABOUR = "labour", _("Labour")
    ENERGY = "energy", _("Energy")
    SUPPORTING_FACILITIES = "supporting_facilities", _("Supporting facilities")
    FINANCING = "financing", _("Financing")
    TECHNOLOGY = "technology", _("Technology")
    MARKET = "market", _("Market")
    TALENT = "talent", _("Talent")
    OTHER = "other", _("Other")


class DemandStatusChoices(models.TextChoices):
    OPEN = D.OPEN, _("Open")
    ASSIGNED = D.ASSIGNED, _("Assigned to a unit")
    IN_PROGRESS = D.IN_PROGRESS, _("In progress")
    RESOLVED = D.RESOLVED, _("Resolved")
    CLOSED = D.CLOSED, _("Closed")
    REOPENED = D.REOPENED, _("Reopened")


class SatisfactionChoices(models.TextChoices):
    SATISFIED = S.SATISFIED, _("Satisfied")
    BASICALLY_SATISFIED = S.BASICALLY_SATISFIED, _("Basically satisfied")
    UNSATISFIED = S.UNSATISFIED, _("Unsatisfied")


class Demand(models.Model):
    """A problem an enterprise asks help with (诉求), tracked until the enterprise accepts the solution."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="demands"
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("raised during visit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demands",
    )
    category = models.CharField(_("category"), max_length=30, choices=DemandCategory.choices)
    description = models.TextField(_("description"))
    # A unit of the enterprise's jurisdiction (checked by the service), e.g. cq-districts for the
    # district and county governments of Chongqing.
    unit = models.ForeignKey(
        "programs.ResponsibleUnit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demands",
    )
    raised_on = models.DateField(_("raised on"))
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=DemandStatusChoices.choices, default=D.OPEN)
    satisfaction = models.CharField(
        _("enterprise's satisfaction"), max_length=20, choices=SatisfactionChoices.choices, null=True, blank=True
    )
    resolution = models.TextField(_("resolution"), blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "district"
    district_path = "enterprise__district"
    # Officials route demands to the municipal units and report their progress (see the rules).
    officials_may_change = True

    class Meta:
        db_table = "enterprises_demand"  # the table kept its name when the model moved here
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("raised_on")), name="demand_due_after_raised"
            ),
            models.CheckConstraint(
                condition=models.Q(status=D.CLOSED, satisfaction__isnull=False)
                | (~models.Q(status=D.CLOSED) & models.Q(satisfaction__isnull=True)),
                name="closed_demand_has_satisfaction",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="demand_status_due"),
            models.Index(fields=["enterprise", "status"], name="demand_enterprise_status"),
            models.Index(fields=["unit", "status"], name="demand_unit_status"),
            models.Index(fields=["-raised_on", "-id"], name="demand_list_order"),  # the list's order
            # The overdue list (issue 16): the pending demands in the list's order with their due date, so a
            # page and its capped count read only pending demands instead of walking every demand.
            models.Index(
                fields=["-raised_on", "-id"],
                include=["due_on"],
                condition=models.Q(status__in=sorted(D.PENDING)),
                name="demand_pending_list_order",
            ),
            # The work queue's overdue demands and demands due soon, earliest due first: read off the index
            # instead of sorting every pending demand in a parallel external sort (~200 ms at national scale);
            # with the enterprise included, the overdue list's capped count is an index-only scan joined to
            # the district's enterprise ids (88 → 24 ms for 500112 in EXPLAIN ANALYZE).
            models.Index(
                fields=["due_on", "id"],
                include=["enterprise"],
                condition=models.Q(status__in=sorted(D.PENDING)),
                name="demand_pending_due",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()}（{self.get_status_display()}）"


# The words of the demand's actions (servicedesk/rules/demands.py), for its history, the admin and errors.
ACTION_LABELS = {
    "raise": _("raise"),
    "assign": _("assign"),
    "start": _("start work on"),
    "resolve": _("resolve"),
    "close": _("close"),
    "reopen": _("reopen"),
    "edit": _("edit"),
}


class DemandEvent(TransitionEvent):
    """One change of a demand: raised, a transition, or an edit; `details` holds what changed with it."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="events")
    details = models.JSONField(_("details"), default=dict, blank=True)

    action_labels = ACTION_LABELS
    status_choices = DemandStatusChoices

    district_path = "demand__enterprise__district"

    class Meta(TransitionEvent.Meta):
        db_table = "enterprises_demandevent"  # the table kept its name when the model moved here
        verbose_name = _("demand event")
        verbose_name_plural = _("demand events")
        # A demand's status on a past day is its last event before then: an index-only scan per demand.
        indexes = [models.Index(fields=["demand", "at", "id"], include=["to_status"], name="demand_event_state_at")]


class ServiceDeskDailyCheck(models.Model):
    """What the daily check found in one district on one day; the job upserts one row per (day, district)."""

    day = models.DateField(_("day"))
    district = models.ForeignKey(
        "reference.District", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    open_demands = models.PositiveIntegerField(_("open demands"), default=0)
    overdue_demands = models.PositiveIntegerField(_("overdue demands"), default=0)
    resolved_demands = models.PositiveIntegerField(_("resolved demands awaiting closure"), default=0)
    closed_demands = models.PositiveIntegerField(_("closed demands"), default=0)
    unvisited_enterprises = models.PositiveIntegerField(_("enterprises due for a visit"), default=0)
    # {"overdue_demands": [...], "unvisited_enterprises": [...], "truncated": bool}
    details = models.JSONField(_("details"), default=dict, blank=True)
    run = models.ForeignKey(
        "reference.JobRun",
        verbose_name=_("job run"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    computed_at = models.DateTimeField(_("computed"))

    objects = RestrictedQuerySet.as_manager()

    access_policy = "district"
    district_path = "district"

    class Meta:
        db_table = "enterprises_servicedeskdailycheck"  # the table kept its name when the model moved here
        verbose_name = _("service desk daily check")
        verbose_name_plural = _("service desk daily checks")
        ordering = ["-day", "district__sort_order", "district__code"]
        constraints = [models.UniqueConstraint(fields=["day", "district"], name="one_daily_check_per_district_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.district_id}"


class VisitCadence(models.Model):
    """How often a specialist visits an enterprise of a tier, per city (reference data, fixtures/servicedesk/).

    An enterprise holding a tier with a cadence is due for a visit when its last visit (or, never
    visited, the start of its first specialist) is more than `days` ago; the work queue lists it.
    """

    jurisdiction = models.ForeignKey(
        "reference.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    tier = models.ForeignKey("reference.Tier", verbose_name=_("tier"), on_delete=models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField(_("days between visits"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "reference"

    class Meta:
        verbose_name = _("visit cadence")
        verbose_name_plural = _("visit cadences")
        ordering = ["jurisdiction__code", "tier__level"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "tier"], name="one_visit_cadence_per_city_tier"),
            models.CheckConstraint(condition=models.Q(days__gte=1), name="visit_cadence_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.tier}: {self.days}"


class Notification(models.Model):
    """Something of a user's work queue that became due or overdue, shown in the site and sent in the digest.

    `key` names the item in its state (e.g. "demand:12:overdue:2026-11-20"): one row per user and key, so
    the daily job may run any number of times and notifies each item once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(_("item"), max_length=200)
    source = models.CharField(_("kind of work"), max_length=40)
    day = models.DateField(_("day"))
    title = models.CharField(_("title"), max_length=300)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    url = models.CharField(_("link"), max_length=300)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "owner"
    owner_path = "user"

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_user_item")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"


class NotificationSettings(models.Model):
    """A user's choice of channels; without a row the e-mail digest is on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    email_digest = models.BooleanField(_("daily e-mail digest"), default=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "owner"
    owner_path = "user"

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user_id)


class RobotPush(models.Model):
    """An item posted to the group robot (企业微信 / 钉钉 webhook): once per item, whoever's queue it is in."""

    key = models.CharField(_("item"), max_length=200, unique=True)
    day = models.DateField(_("day"))
    pushed_at = models.DateTimeField(_("posted"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    access_policy = "system"

    class Meta:
        verbose_name = _("group robot post")
        verbose_name_plural = _("group robot posts")
        ordering = ["-pushed_at"]

    def __str__(self) -> str:
        return self.key
