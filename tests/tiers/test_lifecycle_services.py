"""The tier lifecycle through its services: the full path, refusals, history, current tier, expiry."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditAction, AuditEntry
from tiers.models import ApplicationTransition, Certification, CertificationTransition
from tiers.services import lifecycle
from zjtx.errors import DomainError, NotFound


def certify(users, application, valid_from=None):
    for action, actor in [
        ("recommend", users.staff_a),
        ("start_review", users.official),
        ("publicise", users.official),
    ]:
        lifecycle.application_transition(actor=actor, application_id=application.pk, action=action)
    return lifecycle.application_transition(
        actor=users.official, application_id=application.pk, action="certify", valid_from=valid_from
    )


def test_full_path_certifies_and_sets_current_tier(users, ref, make_enterprise):
    ent = make_enterprise()
    app = lifecycle.application_submit(
        actor=users.staff_a, enterprise=ent, tier=ref.tiers["innovative_sme"], batch_year=2026
    )
    certify(users, app, valid_from=timezone.localdate())

    cert = Certification.objects.get(application=app)
    assert cert.status == "active"
    assert cert.valid_until == lifecycle.rules.add_years(cert.valid_from, 3)
    ent.refresh_from_db()
    assert ent.current_tier == ref.tiers["innovative_sme"]
    assert ent.current_tier_until == cert.valid_until
    steps = list(
        ApplicationTransition.objects.filter(application=app).values_list("action", "from_status", "to_status")
    )
    assert steps == [
        ("submit", "", "submitted"),
        ("recommend", "submitted", "recommended"),
        ("start_review", "recommended", "under_review"),
        ("publicise", "under_review", "publicised"),
        ("certify", "publicised", "certified"),
    ]
    last = ApplicationTransition.objects.filter(application=app).last()
    assert last.actor == users.official and last.at is not None


def test_illegal_transition_is_a_clear_error(users, ref, make_enterprise):
    app = lifecycle.application_submit(
        actor=users.staff_a, enterprise=make_enterprise(), tier=ref.tiers["innovative_sme"], batch_year=2026
    )
    with pytest.raises(DomainError, match="Cannot certify an item that is Submitted"):
        lifecycle.application_transition(actor=users.official, application_id=app.pk, action="certify")
    with pytest.raises(DomainError, match="may not recommend"):
        lifecycle.application_transition(actor=users.official, application_id=app.pk, action="recommend")


def test_other_district_cannot_move_an_application(users, ref, make_enterprise):
    app = lifecycle.application_submit(
        actor=users.staff_a, enterprise=make_enterprise("500112"), tier=ref.tiers["innovative_sme"], batch_year=2026
    )
    with pytest.raises(NotFound):
        lifecycle.application_transition(actor=users.staff_b, application_id=app.pk, action="recommend")
    with pytest.raises(NotFound):
        lifecycle.application_transition(actor=users.official_bj, application_id=app.pk, action="start_review")


def test_higher_tier_needs_the_lower_one(users, ref, make_enterprise):
    ent = make_enterprise()
    with pytest.raises(DomainError, match="level 1 first"):
        lifecycle.application_submit(actor=users.staff_a, enterprise=ent, tier=ref.tiers["srdi_sme"], batch_year=2026)
    lifecycle.certification_import(
        actor=users.superuser, enterprise=ent, tier=ref.tiers["innovative_sme"], valid_from=timezone.localdate()
    )
    app = lifecycle.application_submit(actor=users.staff_a, enterprise=ent, tier=ref.tiers["srdi_sme"], batch_year=2026)
    assert app.status == "submitted"


def test_second_open_application_for_same_tier_is_refused(users, ref, make_enterprise):
    ent = make_enterprise()
    lifecycle.application_submit(actor=users.staff_a, enterprise=ent, tier=ref.tiers["innovative_sme"], batch_year=2026)
    with pytest.raises(DomainError, match="already in progress"):
        lifecycle.application_submit(
            actor=users.staff_a, enterprise=ent, tier=ref.tiers["innovative_sme"], batch_year=2026
        )


def test_only_district_staff_of_the_enterprise_submit(users, ref, make_enterprise):
    ent = make_enterprise("500112")
    with pytest.raises(NotFound):
        lifecycle.application_submit(
            actor=users.staff_b, enterprise=ent, tier=ref.tiers["innovative_sme"], batch_year=2026
        )
    with pytest.raises(NotFound):
        lifecycle.application_submit(
            actor=users.official, enterprise=ent, tier=ref.tiers["innovative_sme"], batch_year=2026
        )


def test_tier_out_of_force_is_closed_for_applications(users, ref, make_enterprise):
    tier = ref.tiers["innovative_sme"]
    tier.effective_until = timezone.localdate()
    tier.save()
    with pytest.raises(DomainError, match="not open for applications"):
        lifecycle.application_submit(actor=users.staff_a, enterprise=make_enterprise(), tier=tier, batch_year=2026)


def test_decline_and_revoke_need_a_reason(users, ref, make_enterprise):
    app = lifecycle.application_submit(
        actor=users.staff_a, enterprise=make_enterprise(), tier=ref.tiers["innovative_sme"], batch_year=2026
    )
    with pytest.raises(DomainError, match="give a reason"):
        lifecycle.application_transition(actor=users.staff_a, application_id=app.pk, action="decline")
    lifecycle.application_transition(actor=users.staff_a, application_id=app.pk, action="decline", reason="材料不全")
    app.refresh_from_db()
    assert app.status == "not_recommended" and app.decided_at is not None


def test_re_review_confirm_extends_and_revoke_ends(users, ref, make_enterprise):
    ent = make_enterprise()
    start = timezone.localdate() - timedelta(days=400)
    cert = lifecycle.certification_import(
        actor=users.superuser, enterprise=ent, tier=ref.tiers["innovative_sme"], valid_from=start
    )
    old_until = cert.valid_until
    lifecycle.certification_transition(actor=users.official, certification_id=cert.pk, action="start_re_review")
    cert = lifecycle.certification_transition(actor=users.official, certification_id=cert.pk, action="confirm")
    assert cert.status == "active" and cert.valid_until == lifecycle.rules.add_years(old_until, 3)

    with pytest.raises(DomainError, match="give a reason"):
        lifecycle.certification_transition(actor=users.official, certification_id=cert.pk, action="revoke")
    cert = lifecycle.certification_transition(
        actor=users.official, certification_id=cert.pk, action="revoke", reason="提供虚假材料"
    )
    assert cert.status == "revoked" and cert.reason == "提供虚假材料"
    ent.refresh_from_db()
    assert ent.current_tier is None
    events = list(CertificationTransition.objects.filter(certification=cert).values_list("action", flat=True))
    assert events == ["import", "start_re_review", "confirm", "revoke"]


def test_district_staff_cannot_revoke(users, ref, make_enterprise):
    cert = lifecycle.certification_import(
        actor=users.superuser,
        enterprise=make_enterprise(),
        tier=ref.tiers["innovative_sme"],
        valid_from=date(2025, 1, 1),
    )
    with pytest.raises(DomainError, match="may not revoke"):
        lifecycle.certification_transition(actor=users.staff_a, certification_id=cert.pk, action="revoke", reason="x")


def test_expiry_job_expires_once_and_drops_current_tier(users, ref, make_enterprise):
    today = timezone.localdate()
    ent = make_enterprise()
    lower = lifecycle.certification_import(
        actor=users.superuser, enterprise=ent, tier=ref.tiers["innovative_sme"], valid_from=today - timedelta(days=500)
    )
    higher = lifecycle.certification_import(
        actor=users.superuser,
        enterprise=ent,
        tier=ref.tiers["srdi_sme"],
        valid_from=today - timedelta(days=3 * 365 + 10),
        valid_until=today,  # ends today: [from, today) no longer covers today
    )
    ent.refresh_from_db()
    assert ent.current_tier == ref.tiers["innovative_sme"]  # the ended higher tier is already not current

    assert lifecycle.certifications_expire(today=today) == 1
    assert lifecycle.certifications_expire(today=today) == 0
    higher.refresh_from_db()
    lower.refresh_from_db()
    assert (higher.status, lower.status) == ("expired", "active")
    assert CertificationTransition.objects.filter(certification=higher, action="expire").count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.TRANSITION, object_id=str(higher.pk)).count() == 1


def _ending(users, ref, make_enterprise, n, today):
    for _ in range(n):
        lifecycle.certification_import(
            actor=users.superuser,
            enterprise=make_enterprise(),
            tier=ref.tiers["innovative_sme"],
            valid_from=today - timedelta(days=3 * 365),
            valid_until=today,
        )


def test_expiry_job_queries_do_not_grow_with_the_certifications(
    users, ref, make_enterprise, django_assert_max_num_queries
):
    # A night's batch is written with a fixed number of statements: no query per certification.
    today = timezone.localdate()
    _ending(users, ref, make_enterprise, 2, today)
    with django_assert_max_num_queries(10):
        assert lifecycle.certifications_expire(today=today) == 2
    _ending(users, ref, make_enterprise, 12, today)
    with django_assert_max_num_queries(10):
        assert lifecycle.certifications_expire(today=today) == 12
    entries = AuditEntry.objects.filter(action=AuditAction.TRANSITION, changes={"status": ["active", "expired"]})
    assert entries.count() == 14 and all(e.district_id for e in entries)
