"""The audit log: logins, failed logins, changes with before/after; append-only."""

import pytest
from django.urls import reverse

from accounts.models import AuditEntry


def test_login_logout_and_failed_login_are_recorded(client, users):
    client.post(reverse("login"), {"username": "staff_a", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    failed = AuditEntry.objects.get(action="login_failed")
    assert failed.changes == {"username": "staff_a"} and failed.remote_addr == "10.0.0.9"
    assert "wrong" not in str(failed.changes)

    client.post(reverse("login"), {"username": "staff_a", "password": "correct-horse-battery"})
    assert AuditEntry.objects.filter(action="login", actor=users.staff_a).exists()
    client.post(reverse("logout"))
    assert AuditEntry.objects.filter(action="logout", actor=users.staff_a).exists()


def test_entries_cannot_be_changed_or_deleted(users):
    entry = AuditEntry.objects.first()
    entry.object_repr = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(object_repr="tampered")


def test_admin_offers_no_way_to_edit_the_log(client, users):
    client.force_login(users.superuser)
    entry = AuditEntry.objects.first()
    assert client.get(reverse("admin:accounts_auditentry_add")).status_code == 403
    page = client.post(reverse("admin:accounts_auditentry_change", args=[entry.pk]), {"object_repr": "x"})
    assert page.status_code in (200, 403)
    entry.refresh_from_db()
    assert entry.object_repr != "x"


# Models whose rows are not audited one by one, and why (every other model of the project is).
NOT_AUDITED = {
    "accounts.AuditEntry": "the log itself",
    "accounts.LoginLock": "locks and unlocks are recorded as LOCKOUT and UNLOCK entries",
    "accounts.TOTPDevice": "enrolment is recorded on the user (manage.py totp_device)",
    "tiers.ApplicationTransition": "event row written with its application's audited change",
    "tiers.CertificationTransition": "event row written with its certification's audited change",
    "servicedesk.DemandEvent": "event row written with its demand's audited change",
    "programs.BenefitApplicationTransition": "event row written with its application's audited change",
    "enterprises.ImportRun": "the rows an import writes are audited one by one (IMPORT)",
    "tiers.TierListImport": "the enterprises and certifications a list import writes are audited one by one",
    "reference.JobRun": "the record of a system job itself",
    "servicedesk.ServiceDeskDailyCheck": "output of a system job (its run is a JobRun)",
    "reporting.MetricSnapshot": "output of a system job (its run is a JobRun)",
    "tiers.EligibilityAssessment": "output of the nightly eligibility job (its run is a JobRun)",
    "programs.BenefitMatch": "output of the nightly policy matching (its run is a JobRun)",
    "servicedesk.Notification": "output of the daily notification job (its run is a JobRun), read by its owner",
    "servicedesk.NotificationSettings": "a user's own choice of channels, not district data",
    "servicedesk.RobotPush": "output of the daily notification job (its run is a JobRun)",
}


def test_every_model_is_audited_or_exempt_for_a_reason():
    from django.apps import apps

    from accounts.audit import _EXCLUDED

    ours = {
        m._meta.label
        for m in apps.get_models()
        if m._meta.app_label
        in ("reference", "accounts", "enterprises", "tiers", "programs", "servicedesk", "reporting")
    }
    audited = {m._meta.label for m in _EXCLUDED}
    assert ours - audited == set(NOT_AUDITED)


def test_api_changes_are_recorded_with_user_time_address_and_object(api, users, make_enterprise, ref):
    from datetime import timedelta

    from django.utils import timezone

    from reporting.models import Target

    ent = make_enterprise("500112")
    client = api(users.staff_a)
    url = reverse("enterprise-detail", args=[ent.credit_code])
    assert client.patch(url, {"main_product": "新产品"}, format="json", REMOTE_ADDR="10.3.3.3").status_code == 200
    entry = AuditEntry.objects.filter(action="update", object_id=str(ent.pk)).get()
    assert (entry.actor, entry.remote_addr, entry.source) == (users.staff_a, "10.3.3.3", "api")
    assert entry.object_repr == str(ent) and entry.changes["main_product"] == ["", "新产品"]
    assert timezone.now() - entry.at < timedelta(minutes=1)

    target = Target.objects.filter(district=None).first()
    created = api(users.progadmin).post(
        reverse("target-list"),
        {
            "metric": target.metric.code,
            "jurisdiction": "500000",
            "value": 5,
            "start": "2026-01-01",
            "deadline": "2031-12-31",
            "source": "测试",
        },
        format="json",
        REMOTE_ADDR="10.4.4.4",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    deleted = api(users.progadmin).delete(reverse("target-detail", args=[pk]), REMOTE_ADDR="10.4.4.5")
    assert deleted.status_code == 204
    made, gone = (
        AuditEntry.objects.get(action=a, object_id=str(pk), content_type__model="target") for a in ("create", "delete")
    )
    assert (made.actor, made.remote_addr, gone.actor, gone.remote_addr) == (
        users.progadmin,
        "10.4.4.4",
        users.progadmin,
        "10.4.4.5",
    )
    assert gone.changes["value"][0] in (5, "5", "5.00")


def test_downloads_are_recorded_with_user_address_and_object(api, users, ref, tmp_path, settings):
    from django.core.files.base import ContentFile

    from reporting.models import ReportRun

    settings.MEDIA_ROOT = tmp_path
    run = ReportRun.objects.create(
        kind="district", jurisdiction=ref.jurisdictions["500000"], district=ref.districts["500112"],
        period="2025-01", status="done",
    )  # fmt: skip
    run.pdf.save("r.pdf", ContentFile(b"%PDF-1.4"), save=True)
    response = api(users.staff_a).get(reverse("reportrun-download", args=[run.pk, "pdf"]), REMOTE_ADDR="10.5.5.5")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="download")
    assert (entry.actor, entry.remote_addr, entry.object_id, entry.changes) == (
        users.staff_a,
        "10.5.5.5",
        str(run.pk),
        {"format": "pdf"},
    )
