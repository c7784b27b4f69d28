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
