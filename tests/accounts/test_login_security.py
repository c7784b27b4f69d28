"""Accounts: password rules, lock-out per account and per address with an admin unlock, the idle
session timeout, the administrators' second factor, and the throttled token endpoint."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, LoginLock, TOTPDevice
from accounts.rules import totp
from accounts.services.login import device_enrol

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def english_pages(client, settings):
    """Pages are Chinese by default; these tests read the English messages (the Chinese ones are checked below)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def web_login(client, username, password, addr="10.1.1.1", **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=addr, **extra)


def logged_in(response):
    return response.status_code == 302


# --- passwords -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short1!", "too short"),
        ("1234567890123", "entirely numeric"),
        ("password1234", "too common"),
        ("staff_a_2026", "too similar"),
    ],
)
def test_weak_passwords_are_refused(users, password, why):
    with pytest.raises(ValidationError) as raised:
        password_validation.validate_password(password, users.staff_a)
    assert why in " ".join(raised.value.messages)


def test_a_strong_password_passes(users):
    password_validation.validate_password("渝北-梯度培育-Ki7#q", users.staff_a)


# --- lock-out ------------------------------------------------------------------------------


def test_five_failures_lock_the_account_from_that_address_even_against_the_right_password(client, users, settings):
    for _ in range(settings.ZJTX_LOCKOUT_PAIR_FAILURES):
        assert not logged_in(web_login(client, "staff_a", "wrong-password"))
    refused = web_login(client, "staff_a", PASSWORD)
    assert not logged_in(refused)
    assert "locked" in refused.content.decode()
    lock = LoginLock.objects.get(scope="pair", key="staff_a|10.1.1.1")
    assert lock.failures == 5 and lock.locked_until > timezone.now()
    assert AuditEntry.objects.filter(action="login_failed", object_repr="staff_a").count() == 6
    locked = AuditEntry.objects.get(action="lockout")
    assert locked.changes["key"] == "staff_a|10.1.1.1" and locked.remote_addr == "10.1.1.1"
    # Other accounts are not affected.
    assert logged_in(web_login(client, "staff_b", PASSWORD, addr="10.9.9.9"))


def test_the_lock_runs_out_and_a_success_clears_the_count(client, users, settings):
    for _ in range(settings.ZJTX_LOCKOUT_PAIR_FAILURES):
        web_login(client, "staff_a", "wrong-password")
    LoginLock.objects.filter(key__startswith="staff_a").update(locked_until=timezone.now() - timedelta(seconds=1))
    assert logged_in(web_login(client, "staff_a", PASSWORD))
    assert LoginLock.objects.get(scope="pair", key="staff_a|10.1.1.1").failures == 0
    assert LoginLock.objects.get(scope="account", key="staff_a").failures == 0


def test_failures_outside_the_window_start_a_new_count(client, users, settings):
    for _ in range(settings.ZJTX_LOCKOUT_PAIR_FAILURES - 1):
        web_login(client, "staff_a", "wrong-password")
    old = timezone.now() - timedelta(minutes=settings.ZJTX_LOCKOUT_WINDOW_MINUTES + 1)
    LoginLock.objects.filter(scope="pair", key="staff_a|10.1.1.1").update(window_started_at=old)
    web_login(client, "staff_a", "wrong-password")
    assert LoginLock.objects.get(scope="pair", key="staff_a|10.1.1.1").failures == 1
    assert logged_in(web_login(client, "staff_a", PASSWORD))


def test_twenty_failures_from_one_address_lock_that_address(client, users, settings):
    names = [f"guess{i}" for i in range(settings.ZJTX_LOCKOUT_ADDRESS_FAILURES)]
    for name in names:  # a different name each time: no account reaches its own threshold
        web_login(client, name, "wrong-password", addr="10.6.6.6")
    refused = web_login(client, "staff_a", PASSWORD, addr="10.6.6.6")
    assert not logged_in(refused)
    assert "your address" in refused.content.decode()
    assert logged_in(web_login(client, "staff_a", PASSWORD, addr="10.7.7.7"))


def test_superuser_unlocks_in_the_admin(client, users, settings):
    for _ in range(settings.ZJTX_LOCKOUT_PAIR_FAILURES):
        web_login(client, "staff_a", "wrong-password")
    admin = client.__class__()
    admin.force_login(users.superuser)
    changelist = reverse("admin:accounts_loginlock_changelist")
    assert "staff_a" in admin.get(changelist).content.decode()
    lock = LoginLock.objects.get(scope="pair", key="staff_a|10.1.1.1")
    response = admin.post(changelist, {"action": "unlock", "_selected_action": [lock.pk]}, follow=True)
    assert response.status_code == 200
    lock.refresh_from_db()
    assert lock.locked_until is None and lock.failures == 0
    assert AuditEntry.objects.get(action="unlock").actor == users.superuser
    assert logged_in(web_login(client, "staff_a", PASSWORD))


def test_only_superusers_see_login_locks(client, users):
    client.force_login(users.auditor)
    assert client.get(reverse("admin:accounts_loginlock_changelist")).status_code == 403
    client.force_login(users.staff_a)
    assert client.get(reverse("admin:accounts_loginlock_changelist")).status_code == 403


def test_the_admin_login_form_counts_and_refuses_too(client, users, settings):
    url = reverse("admin:login")
    for _ in range(settings.ZJTX_LOCKOUT_PAIR_FAILURES):
        client.post(url, {"username": "root", "password": "nope"}, REMOTE_ADDR="10.2.2.2")
    page = client.post(url, {"username": "root", "password": PASSWORD}, REMOTE_ADDR="10.2.2.2")
    assert page.status_code == 200 and "locked" in page.content.decode()


def test_token_endpoint_counts_failures_and_answers_the_lock(api, users, settings):
    client = api(None)
    url = reverse("api-token")
    for _ in range(settings.ZJTX_LOCKOUT_PAIR_FAILURES):
        response = client.post(url, {"username": "staff_a", "password": "bad"}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid_login"
    response = client.post(url, {"username": "staff_a", "password": PASSWORD}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "locked_out" and "locked" in response.json()["detail"]


def test_token_login_is_audited(api, users):
    response = api(None).post(reverse("api-token"), {"username": "staff_a", "password": PASSWORD}, format="json")
    assert response.status_code == 200 and response.json()["token"]
    entry = AuditEntry.objects.get(action="login", actor=users.staff_a)
    assert entry.source == "api" and entry.remote_addr == "127.0.0.1"


def test_token_endpoint_is_throttled_with_a_message(api, users):
    client = api(None)
    statuses = [
        client.post(reverse("api-token"), {"username": f"x{i}", "password": "y"}, format="json").status_code
        for i in range(11)
    ]
    assert statuses[:10] == [400] * 10
    throttled = client.post(reverse("api-token"), {"username": "staff_a", "password": PASSWORD}, format="json")
    assert throttled.status_code == 429
    assert "throttled" in throttled.json()["detail"].lower() and throttled["Retry-After"]


# --- session timeout -----------------------------------------------------------------------


def test_an_idle_session_ends_and_every_request_renews_it(client, users, settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE == 30 * 60
    assert logged_in(web_login(client, "staff_a", PASSWORD))
    key = client.session.session_key
    session = Session.objects.get(session_key=key)
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=5))
    assert client.get(reverse("enterprises:list")).status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed > timezone.now() + timedelta(minutes=29)  # the request pushed the end back
    assert renewed >= session.expire_date - timedelta(seconds=5)
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    page = client.get(reverse("enterprises:list"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("login"))


# --- second factor ---------------------------------------------------------------------------


def current_code(user):
    return totp.totp(totp.decode_secret(TOTPDevice.objects.get(user=user).secret), time.time())


@override_settings(ZJTX_ADMIN_REQUIRE_OTP=True)
def test_superusers_give_a_totp_code_before_the_admin(client, users):
    device_enrol(user=users.superuser)
    assert logged_in(web_login(client, "root", PASSWORD))
    page = client.get(reverse("admin:index"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("second-factor"))
    api_call = client.get(reverse("enterprise-list"))
    assert api_call.status_code == 403 and api_call.json()["code"] == "second_factor_required"

    wrong = client.post(reverse("second-factor"), {"code": "000000", "next": "/admin/"})
    assert wrong.status_code == 200 and "not correct" in wrong.content.decode()
    assert LoginLock.objects.get(scope="pair", key="root|127.0.0.1").failures == 1

    ok = client.post(reverse("second-factor"), {"code": current_code(users.superuser), "next": "/admin/"})
    assert ok.status_code == 302 and ok["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200
    assert AuditEntry.objects.filter(action="login", actor=users.superuser, changes__second_factor="totp").exists()
    assert TOTPDevice.objects.get(user=users.superuser).confirmed


@override_settings(ZJTX_ADMIN_REQUIRE_OTP=True)
def test_other_roles_need_no_second_factor(client, users):
    assert logged_in(web_login(client, "staff_a", PASSWORD))
    assert client.get(reverse("enterprises:list")).status_code == 200


@override_settings(ZJTX_ADMIN_REQUIRE_OTP=True)
def test_a_superuser_token_needs_the_code_in_the_same_request(api, users):
    device_enrol(user=users.superuser)
    client = api(None)
    url = reverse("api-token")
    missing = client.post(url, {"username": "root", "password": PASSWORD}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "second_factor_required"
    code = current_code(users.superuser)
    good = client.post(url, {"username": "root", "password": PASSWORD, "otp": code}, format="json")
    assert good.status_code == 200
    replay = client.post(url, {"username": "root", "password": PASSWORD, "otp": code}, format="json")
    assert replay.status_code == 400 and replay.json()["code"] == "invalid_second_factor"


@override_settings(ZJTX_ADMIN_REQUIRE_OTP=True)
def test_a_superuser_without_a_device_is_told_how_to_get_one(api, users):
    response = api(None).post(
        reverse("api-token"), {"username": "root", "password": PASSWORD, "otp": "123456"}, format="json"
    )
    assert response.status_code == 400 and "totp_device root" in response.json()["detail"]


def test_the_lock_message_is_chinese_by_default(client, users, settings):
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    for _ in range(settings.ZJTX_LOCKOUT_PAIR_FAILURES):
        web_login(client, "staff_a", "wrong-password")
    page = web_login(client, "staff_a", PASSWORD)
    assert "该账号从您的地址登录失败次数过多" in page.content.decode()
    assert "分钟后再试" in page.content.decode()


def test_the_list_page_links_to_the_export_with_its_filters(client, users):
    client.force_login(users.staff_a)
    page = client.get(reverse("enterprises:list"), {"tier": "srdi_sme"}).content.decode()
    assert f'href="{reverse("enterprise-export")}?tier=srdi_sme"' in page
