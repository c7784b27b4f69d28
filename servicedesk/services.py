"""Use cases of the 一企一策一人 service desk: assign specialists, log visits, raise and move demands, daily check.

Each service owns its transaction and locks the row it changes: assigning
locks the enterprise, so two people assigning at once end with one active
specialist; moving a demand locks the demand.  Responsible units
(programs.ResponsibleUnit) and the measures of a policy package
(programs.Measure) must be of the enterprise's jurisdiction.  Every change of a demand
leaves a DemandEvent (who, when, from, to, note, what changed) besides the
audit entry.  District staff act only on enterprises of their own district;
others' enterprises are simply not found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.models import AuditAction, User
from enterprises.models import Enterprise
from programs.models import Measure, ResponsibleUnit
from reference.models import District, JobRun, JobStatus
from servicedesk import selectors
from servicedesk.models import Demand, DemandEvent, ServiceAssignment, ServiceDeskDailyCheck, Visit
from servicedesk.rule_messages import transition_message
from servicedesk.rules import demands as rules
from servicedesk.rules.demands import DemandStatus as D
from zjtx.access import Action, actor_role, can, district_writable, locked_in_scope
from zjtx.errors import Conflict, DomainError, Forbidden, NotFound
from zjtx.roles import Role
from zjtx.rules.transitions import TransitionError

DAILY_CHECK_JOB = "servicedesk_daily_check"
DEMAND_EDITABLE = ("category", "description", "due_on")


def _rule_error(exc: TransitionError, *, field: str | None = None) -> DomainError:
    code = "illegal_transition" if exc.kind in ("unknown_action", "wrong_state", "wrong_role") else "invalid"
    return DomainError(transition_message(exc), code=code, field=field)


def _require_district_writer(actor: Any, enterprise: Enterprise, message: str) -> None:
    """Out of sight: 404.  In sight but not the enterprise's district staff (officials, auditors): refused."""
    if not can(actor, Action.VIEW, enterprise):
        raise NotFound(_("No such enterprise."))
    if not district_writable(actor, enterprise.district_id):
        raise DomainError(message, code="forbidden_role")


# --- the policy package ("一企一策") --------------------------------------------------------


def measure_label(measure: Measure) -> str:
    """A measure's natural key as people write it: policy code and clause, e.g. cq-2022-2025-action-plan:22."""
    return f"{measure.policy.code}:{measure.clause}"


def _package(enterprise: Enterprise, measures: object) -> list[Measure]:
    """The measures of a policy package, given as Measure rows or ids, without repeats, in the order given.

    Each must exist and belong to a policy of the enterprise's jurisdiction.
    """
    if isinstance(measures, (str, bytes, Mapping)) or not isinstance(measures, Iterable):
        raise DomainError(_("The policy package's measures are a list of measure ids."), field="policy_measures")
    ids: list[int] = []
    for item in measures:
        pk = item.pk if isinstance(item, Measure) else item
        if isinstance(pk, bool) or not isinstance(pk, int):
            raise DomainError(_("The policy package's measures are a list of measure ids."), field="policy_measures")
        if pk not in ids:
            ids.append(pk)
    found = Measure.objects.select_related("policy", "policy__jurisdiction").in_bulk(ids)
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise DomainError(_("No such measure: %(ids)s.") % {"ids": ", ".join(missing)}, field="policy_measures")
    region = enterprise.district.jurisdiction
    foreign = [found[pk] for pk in ids if found[pk].policy.jurisdiction_id != region.pk]
    if foreign:
        raise DomainError(
            _("Not measures of a policy of %(region)s, where the enterprise is: %(measures)s.")
            % {"region": region.display_name, "measures": ", ".join(measure_label(m) for m in foreign)},
            code="measure_of_another_region",
            field="policy_measures",
        )
    return [found[pk] for pk in ids]


def _set_package(assignment: ServiceAssignment, measures: list[Measure]) -> None:
    """Link the package's measures; the audit log records the change as measure labels (a link is no field)."""
    before = sorted(measure_label(m) for m in assignment.policy_measures.select_related("policy"))
    after = sorted(measure_label(m) for m in measures)
    if before == after:
        return
    assignment.policy_measures.set(measures)
    record(AuditAction.UPDATE, assignment, changes={"policy_measures": [before, after]})


# --- specialists ---------------------------------------------------------------------------


def _eligible_specialist(specialist: User | str | None, enterprise: Enterprise) -> User:
    """An active district staff user of the enterprise's district; the refusal never says whether a name exists."""
    person = User.objects.filter(username=specialist).first() if isinstance(specialist, str) else specialist
    if (
        person is None
        or not person.is_active
        or person.role != Role.DISTRICT_STAFF
        or person.district_id != enterprise.district_id
    ):
        name = specialist if isinstance(specialist, str) else getattr(specialist, "username", "")
        raise DomainError(
            _("%(name)s is not active district service staff of %(district)s.")
            % {"name": name or "—", "district": enterprise.district.name},
            code="invalid_specialist",
            field="specialist",
        )
    return person


@transaction.atomic
def specialist_assign(
    *,
    actor: Any,
    enterprise: Enterprise,
    specialist: User | str | None,
    policy_measures: object = None,
    policy_notes: str | None = None,
    reason: str = "",
) -> ServiceAssignment:
    """Give the enterprise its specialist; a current one is ended (with the reason) and the package carried over."""
    _require_district_writer(actor, enterprise, _("Only the enterprise's district service staff assign specialists."))
    person = _eligible_specialist(specialist, enterprise)
    measures = None if policy_measures is None else _package(enterprise, policy_measures)
    # The enterprise row is the lock: concurrent assignments of one enterprise queue here.
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    current = ServiceAssignment.objects.select_for_update().filter(enterprise=enterprise, ended_at__isnull=True).first()
    if current is not None:
        if current.specialist_id == person.pk:
            raise Conflict(
                _("%(name)s is already the enterprise's specialist.") % {"name": person.username},
                code="already_assigned",
            )
        if not reason.strip():
            raise DomainError(
                _("To hand the enterprise to another specialist, give a reason."), code="needs_reason", field="reason"
            )
        _end(current, actor=actor, reason=reason)
    assignment = ServiceAssignment.objects.create(
        enterprise=enterprise,
        specialist=person,
        policy_notes=policy_notes if policy_notes is not None else (current.policy_notes if current else ""),
        started_by=actor,
    )
    if measures is None:  # carried over from the current assignment
        measures = list(current.policy_measures.select_related("policy")) if current else []
    _set_package(assignment, measures)
    return assignment


def _end(assignment: ServiceAssignment, *, actor: Any, reason: str) -> None:
    assignment.ended_at = timezone.now()
    assignment.ended_by = actor
    assignment.end_reason = reason.strip()
    assignment.save(update_fields=["ended_at", "ended_by", "end_reason"])


def _locked_assignment(actor: Any, assignment_id: int) -> ServiceAssignment:
    assignment = locked_in_scope(
        ServiceAssignment.objects.select_related("enterprise", "enterprise__district__jurisdiction", "specialist"),
        actor,
        assignment_id,
        _("No such specialist assignment."),
    )
    if assignment.ended_at is not None:
        raise Conflict(_("This assignment has already ended."), code="assignment_ended")
    return assignment


@transaction.atomic
def specialist_end(*, actor: Any, assignment_id: int, reason: str) -> ServiceAssignment:
    """End an assignment without a successor (the enterprise leaves the desk's care, or waits for a new person)."""
    assignment = _locked_assignment(actor, assignment_id)
    if not reason.strip():
        raise DomainError(_("To end an assignment, give a reason."), code="needs_reason", field="reason")
    _end(assignment, actor=actor, reason=reason)
    return assignment


@transaction.atomic
def policy_package_update(
    *, actor: Any, assignment_id: int, policy_measures: object = None, policy_notes: str | None = None
) -> ServiceAssignment:
    """Change the measures (ids or Measure rows) and notes of the active assignment's policy package."""
    assignment = _locked_assignment(actor, assignment_id)
    if policy_measures is not None:
        _set_package(assignment, _package(assignment.enterprise, policy_measures))
    if policy_notes is not None and policy_notes != assignment.policy_notes:
        assignment.policy_notes = policy_notes
        assignment.save(update_fields=["policy_notes"])
    return assignment


# --- visits --------------------------------------------------------------------------------


@transaction.atomic
def visit_log(
    *,
    actor: Any,
    enterprise: Enterprise,
    visited_on: date,
    mode: str,
    met_with: str = "",
    notes: str = "",
    follow_up_on: date | None = None,
    demands: Iterable[Mapping[str, Any]] = (),
) -> Visit:
    """Record a visit and the demands the enterprise raised in it (each raised on the visit's day)."""
    _require_district_writer(actor, enterprise, _("Only the enterprise's district service staff log visits."))
    try:
        rules.check_visit_dates(visited_on=visited_on, follow_up_on=follow_up_on, today=timezone.localdate())
    except rules.ServiceDeskError as exc:
        field = "visited_on" if exc.kind == "visit_in_future" else "follow_up_on"
        raise _rule_error(exc, field=field) from exc
    visit = Visit(
        enterprise=enterprise,
        visitor=actor,
        visited_on=visited_on,
        mode=mode,
        met_with=met_with,
        notes=notes,
        follow_up_on=follow_up_on,
    )
    visit.full_clean()
    visit.save()
    for i, values in enumerate(demands):
        try:
            demand_create(actor=actor, enterprise=enterprise, visit=visit, raised_on=visited_on, **values)
        except DomainError as exc:
            exc.field = f"demands[{i}].{exc.field}" if exc.field else f"demands[{i}]"
            raise
    return visit


# --- demands -------------------------------------------------------------------------------


@transaction.atomic
def demand_create(
    *,
    actor: Any,
    enterprise: Enterprise,
    category: str,
    description: str,
    due_on: date,
    unit: ResponsibleUnit | None = None,
    raised_on: date | None = None,
    visit: Visit | None = None,
) -> Demand:
    """Record a demand; named with its unit, it is routed (assigned) at once."""
    _require_district_writer(actor, enterprise, _("Only the enterprise's district service staff record demands."))
    if visit is not None and visit.enterprise_id != enterprise.pk:
        raise DomainError(_("The visit was to another enterprise."), field="visit")
    raised_on = raised_on or timezone.localdate()
    try:
        rules.check_demand_dates(raised_on=raised_on, due_on=due_on, today=timezone.localdate())
    except rules.ServiceDeskError as exc:
        raise _rule_error(exc, field="due_on" if exc.kind == "due_before_raised" else "raised_on") from exc
    demand = Demand(
        enterprise=enterprise,
        visit=visit,
        category=category,
        description=description,
        raised_on=raised_on,
        due_on=due_on,
        raised_by=actor,
    )
    demand.full_clean()
    demand.save()
    DemandEvent.objects.create(
        demand=demand,
        action=rules.RAISE,
        from_status="",
        to_status=D.OPEN,
        actor=actor,
        details={"category": category, "due_on": due_on.isoformat()},
    )
    if unit is not None:
        _move(demand, actor=actor, action="assign", unit=unit)
    return demand


def _check_unit(unit: ResponsibleUnit, demand: Demand) -> None:
    """A unit serves the jurisdiction of its policies (cq-districts: Chongqing's district and county governments)."""
    if unit.jurisdiction_id != demand.enterprise.district.jurisdiction_id:
        raise DomainError(
            _("%(unit)s does not serve the enterprise's jurisdiction.") % {"unit": unit.name}, field="unit"
        )


def _move(
    demand: Demand,
    *,
    actor: Any,
    action: str,
    note: str = "",
    unit: ResponsibleUnit | None = None,
    due_on: date | None = None,
    satisfaction: str | None = None,
) -> Demand:
    if unit is not None and action != "assign":
        raise DomainError(_("The responsible unit is named when assigning the demand."), field="unit")
    if due_on is not None and action not in ("assign", "reopen"):
        raise DomainError(_("A new due date can be set when assigning or reopening the demand."), field="due_on")
    target_unit = unit or demand.unit
    try:
        t = rules.check_demand_transition(
            current=demand.status,
            action=action,
            role=actor_role(actor),
            is_superuser=bool(getattr(actor, "is_superuser", False)),
            note=note,
            unit=target_unit.code if target_unit is not None else None,
            satisfaction=satisfaction,
        )
    except TransitionError as exc:
        field = {
            "needs_unit": "unit",
            "needs_satisfaction": "satisfaction",
            "satisfaction_only_on_close": "satisfaction",
            "needs_reason": "note",
        }.get(exc.kind)
        raise _rule_error(exc, field=field) from exc
    before = demand.status
    details: dict[str, Any] = {}
    now = timezone.now()
    if action == "assign" and target_unit is not None:
        _check_unit(target_unit, demand)
        if target_unit.pk != demand.unit_id:
            details["unit"] = [demand.unit.code if demand.unit else None, target_unit.code]
        demand.unit = target_unit
    if due_on is not None and due_on != demand.due_on:
        try:
            rules.check_demand_dates(raised_on=demand.raised_on, due_on=due_on, today=timezone.localdate())
        except rules.ServiceDeskError as exc:
            raise _rule_error(exc, field="due_on") from exc
        details["due_on"] = [demand.due_on.isoformat(), due_on.isoformat()]
        demand.due_on = due_on
    if action == "resolve":
        demand.resolution = note.strip()
        demand.resolved_at = now
    elif action == "close":
        demand.satisfaction = satisfaction
        demand.closed_at = now
        details["satisfaction"] = satisfaction
    elif action == "reopen":
        if demand.satisfaction:
            details["previous_satisfaction"] = demand.satisfaction
        demand.satisfaction = None
        demand.resolved_at = None
        demand.closed_at = None
    demand.status = t.target
    demand.save()
    DemandEvent.objects.create(
        demand=demand, action=action, from_status=before, to_status=t.target, actor=actor, reason=note, details=details
    )
    return demand


def _locked_demand(actor: Any, demand_id: int) -> Demand:
    return locked_in_scope(
        Demand.objects.select_related("enterprise", "enterprise__district", "unit"),
        actor,
        demand_id,
        _("No such demand."),
    )


@transaction.atomic
def demand_transition(
    *,
    actor: Any,
    demand_id: int,
    action: str,
    note: str = "",
    unit: ResponsibleUnit | None = None,
    due_on: date | None = None,
    satisfaction: str | None = None,
) -> Demand:
    """Move a demand one step: assign (route to a unit), start, resolve, close (with satisfaction), reopen."""
    demand = _locked_demand(actor, demand_id)
    return _move(demand, actor=actor, action=action, note=note, unit=unit, due_on=due_on, satisfaction=satisfaction)


@transaction.atomic
def demand_update(*, actor: Any, demand_id: int, note: str = "", **fields: Any) -> Demand:
    """Correct a demand's category, description or due date; recorded as an "edit" event.

    Only the enterprise's district staff do this: they raised the demand and speak for the enterprise.
    Officials route it (assign, with a new due date if need be), which is recorded as that step.
    """
    demand = _locked_demand(actor, demand_id)
    if not district_writable(actor, demand.enterprise.district_id):
        raise Forbidden(
            _("Only the enterprise's district corrects a demand; officials set a new due date when they assign it.")
        )
    if demand.status == D.CLOSED:
        raise Conflict(_("A closed demand cannot be edited; reopen it first."), code="closed")
    details: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in DEMAND_EDITABLE:
            raise DomainError(_("The field %(field)s cannot be changed here.") % {"field": name}, field=name)
        old = getattr(demand, name)
        if old != value:
            details[name] = [str(old), str(value)]
            setattr(demand, name, value)
    if not details:
        return demand
    if "due_on" in details:
        try:
            rules.check_demand_dates(raised_on=demand.raised_on, due_on=demand.due_on, today=timezone.localdate())
        except rules.ServiceDeskError as exc:
            raise _rule_error(exc, field="due_on") from exc
    demand.full_clean()
    demand.save()
    DemandEvent.objects.create(
        demand=demand,
        action="edit",
        from_status=demand.status,
        to_status=demand.status,
        actor=actor,
        reason=note,
        details=details,
    )
    return demand


# --- the daily check -----------------------------------------------------------------------


def daily_check_run(*, day: date | None = None) -> JobRun:
    """Flag overdue demands and enterprises due for a visit, per district, for `day` (default today).

    The run is recorded first and committed on its own, so a failure leaves a
    failed run behind.  The per-district rows are upserted on (day, district):
    running it again for the same day replaces that day's rows, never adds.
    """
    day = day or timezone.localdate()
    run = JobRun.objects.create(job=DAILY_CHECK_JOB, key=day.isoformat())
    try:
        with transaction.atomic():
            result = _daily_check(day, run)
    except Exception as exc:
        run.status = JobStatus.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    run.status = JobStatus.DONE
    run.result = result
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "result", "finished_at"])
    return run


def _daily_check(day: date, run: JobRun) -> dict[str, Any]:
    if connection.vendor == "postgresql":
        # The planner prices the per-assignment subqueries high enough to JIT-compile them, which
        # took several times the ~0.1 s the queries need (measured at 50,000 assignments).
        # SET LOCAL: this transaction only.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
    interval = settings.ZJTX_VISIT_INTERVAL_DAYS
    limit = settings.ZJTX_SERVICE_DESK_DETAIL_LIMIT
    counts = selectors.demand_counts_by_district(None, on=day)
    unvisited = selectors.visit_due_counts_by_district(None, today=day, interval_days=interval)
    overdue_list: dict[int, list[dict[str, Any]]] = {}
    for row in selectors.overdue_demand_details(today=day, limit=limit):
        overdue_list.setdefault(row.pop("district_id"), []).append(
            {**row, "due_on": row["due_on"].isoformat(), "days_overdue": rules.days_overdue(row["due_on"], day)}
        )
    unvisited_list: dict[int, list[dict[str, Any]]] = {}
    for row in selectors.visit_due_details(today=day, interval_days=interval, limit=limit):
        unvisited_list.setdefault(row.pop("district_id"), []).append(
            {
                **row,
                "last_visited_on": row["last_visited_on"].isoformat() if row["last_visited_on"] else None,
                "visit_clock": row["visit_clock"].isoformat(),
                "days_since": (day - row["visit_clock"]).days,
            }
        )
    now = timezone.now()
    checks = []
    zero = {"open": 0, "overdue": 0, "resolved": 0, "closed": 0}
    for district_id, code in District.objects.values_list("pk", "code"):
        c = counts.get(code, zero)
        checks.append(
            ServiceDeskDailyCheck(
                day=day,
                district_id=district_id,
                open_demands=c["open"],
                overdue_demands=c["overdue"],
                resolved_demands=c["resolved"],
                closed_demands=c["closed"],
                unvisited_enterprises=unvisited.get(code, 0),
                details={
                    "overdue_demands": overdue_list.get(district_id, []),
                    "unvisited_enterprises": unvisited_list.get(district_id, []),
                    "truncated": c["overdue"] > limit or unvisited.get(code, 0) > limit,
                    "visit_interval_days": interval,
                },
                run=run,
                computed_at=now,
            )
        )
    ServiceDeskDailyCheck.objects.bulk_create(
        checks,
        # One district a statement: a multi-row insert on PostgreSQL sends each column as an array (UNNEST),
        # and psycopg escaped the megabytes of details into it character by character (1.3 s of a 3.3 s
        # check at 500,000 enterprises); one row a statement sends each details as its own jsonb parameter.
        batch_size=1,
        update_conflicts=True,
        unique_fields=["day", "district"],
        update_fields=[
            "open_demands",
            "overdue_demands",
            "resolved_demands",
            "closed_demands",
            "unvisited_enterprises",
            "details",
            "run",
            "computed_at",
        ],
    )
    return {
        "districts": len(checks),
        "overdue_demands": sum(c.overdue_demands for c in checks),
        "unvisited_enterprises": sum(c.unvisited_enterprises for c in checks),
        "visit_interval_days": interval,
    }
