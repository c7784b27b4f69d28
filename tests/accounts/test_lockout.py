"""Lock-out that an attacker cannot turn against the owner (issue 12, item 10).

Failures lock the (account, address) pair; an address that fails on many names is locked; an account
that fails from many addresses slows down (a back-off), except from addresses its owner has logged in
from before.  Tokens issued before a lock or a password change stop working.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import AuditEntry, LoginLock

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def english_pages(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def web_login(client, username, password, addr):
    response = client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=addr)
    client.logout()  # which also drops the language cookie
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return response


def ok(response):
    return response.status_code == 302


def test_an_attacker_cannot_lock_the_owner_out(client, users, settings):
    assert ok(web_login(client, "official", PASSWORD, "10.20.0.1"))  # the owner's office
    for n in range(30):  # anonymous guesses from many addresses, more than any threshold per account
        web_login(client, "official", "wrong-password", f"10.66.{n // 5}.{n % 5}")
    assert ok(web_login(client, "official", PASSWORD, "10.20.0.1"))


def test_five_failures_lock_the_account_from_that_address_only(client, users, settings):
    assert settings.ZJTX_LOCKOUT_PAIR_FAILURES == 5
    for _ in range(5):
        assert not ok(web_login(client, "staff_a", "wrong-password", "10.1.1.1"))
    refused = web_login(client, "staff_a", PASSWORD, "10.1.1.1")
    assert not ok(refused) and "from your address" in refused.content.decode()
    lock = LoginLock.objects.get(scope="pair", key="staff_a|10.1.1.1")
    assert lock.failures == 5 and lock.locked_until > timezone.now()
    assert AuditEntry.objects.filter(action="lockout", changes__scope="pair").exists()
    assert ok(web_login(client, "staff_a", PASSWORD, "10.9.9.9"))  # another address: not locked


def test_failures_from_many_addresses_slow_the_account_down(client, users, settings):
    limit = settings.ZJTX_LOCKOUT_ACCOUNT_FAILURES
    for n in range(limit):
        web_login(client, "staff_a", "wrong-password", f"10.66.0.{n}")
    refused = web_login(client, "staff_a", PASSWORD, "10.77.0.1")  # a new address, even with the password
    assert not ok(refused) and "Try again in" in refused.content.decode()
    lock = LoginLock.objects.get(scope="account", key="staff_a")
    first_wait = lock.locked_until - lock.last_failure_at
    assert first_wait == timedelta(minutes=settings.ZJTX_LOCKOUT_BACKOFF_MINUTES)
    LoginLock.objects.filter(pk=lock.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    web_login(client, "staff_a", "wrong-password", "10.66.1.1")  # the next failure doubles the wait
    lock.refresh_from_db()
    assert lock.locked_until - lock.last_failure_at == 2 * first_wait
    LoginLock.objects.filter(pk=lock.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert ok(web_login(client, "staff_a", PASSWORD, "10.77.0.1"))  # after the wait the owner gets in
    assert LoginLock.objects.get(scope="account", key="staff_a").failures == 0  # and the count is cleared


def test_the_back_off_never_exceeds_its_ceiling(client, users, settings):
    settings.ZJTX_LOCKOUT_ACCOUNT_FAILURES = 2
    for n in range(12):
        LoginLock.objects.filter(scope="account").update(locked_until=None)
        web_login(client, "staff_a", "wrong-password", f"10.66.2.{n}")
    lock = LoginLock.objects.get(scope="account", key="staff_a")
    assert lock.locked_until - lock.last_failure_at == timedelta(minutes=settings.ZJTX_LOCKOUT_BACKOFF_MAX_MINUTES)


def test_an_address_guessing_many_names_is_locked(client, users, settings):
    for n in range(settings.ZJTX_LOCKOUT_ADDRESS_FAILURES):
        web_login(client, f"guess{n}", "wrong-password", "10.6.6.6")
    refused = web_login(client, "staff_a", PASSWORD, "10.6.6.6")
    assert not ok(refused) and "your address" in refused.content.decode()
    assert ok(web_login(client, "staff_a", PASSWORD, "10.7.7.7"))


def test_tokens_issued_before_a_lock_stop_working(api, users, settings):
    token = api(None).post(reverse("api-token"), {"username": "staff_a", "password": PASSWORD}, format="json")
    key = token.json()["token"]
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(reverse("me")).status_code == 200
    for _ in range(settings.ZJTX_LOCKOUT_PAIR_FAILURES):
        api(None).post(reverse("api-token"), {"username": "staff_a", "password": "bad"}, format="json")
    assert client.get(reverse("me")).status_code in (401, 403)
    assert not Token.objects.filter(key=key).exists()


def test_tokens_issued_before_a_password_change_stop_working(api, users):
    key = api(None).post(reverse("api-token"), {"username": "staff_b", "password": PASSWORD}, format="json").json()
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key['token']}")
    assert client.get(reverse("me")).status_code == 200
    users.staff_b.set_password("another-horse-battery")
    users.staff_b.save()
    assert client.get(reverse("me")).status_code in (401, 403)
