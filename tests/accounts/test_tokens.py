"""API tokens: they expire, their owner and an administrator revoke them, and the throttle counts the real
client (issue 12, items 11 and 12)."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import AuditEntry

PASSWORD = "correct-horse-battery"


def token_for(api, username, **extra):
    response = api(None).post(
        reverse("api-token"), {"username": username, "password": PASSWORD}, format="json", **extra
    )
    assert response.status_code == 200, response.json()
    return response.json()


def with_token(api, key):
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def test_a_token_expires_after_a_working_day(api, users, settings):
    assert settings.ZJTX_TOKEN_HOURS == 8
    issued = token_for(api, "staff_a")
    assert issued["expires"]
    client = with_token(api, issued["token"])
    assert client.get(reverse("me")).status_code == 200
    Token.objects.filter(key=issued["token"]).update(created=timezone.now() - timedelta(hours=8, seconds=1))
    expired = client.get(reverse("me"))
    assert expired.status_code in (401, 403) and "expired" in expired.json()["detail"]


def test_the_owner_revokes_their_token(api, users):
    key = token_for(api, "staff_a")["token"]
    client = with_token(api, key)
    assert client.post(reverse("api-token-revoke")).status_code == 204
    assert client.get(reverse("me")).status_code in (401, 403)
    assert AuditEntry.objects.filter(action="logout", actor=users.staff_a, source="api").exists()


def test_an_administrator_revokes_tokens_and_never_sees_their_keys(client, api, users):
    key = token_for(api, "staff_a")["token"]
    client.force_login(users.superuser)
    changelist = reverse("admin:accounts_user_changelist")
    page = client.get(changelist)
    assert page.status_code == 200 and key not in page.content.decode()
    client.post(changelist, {"action": "revoke_tokens", "_selected_action": [users.staff_a.pk]}, follow=True)
    assert with_token(api, key).get(reverse("me")).status_code in (401, 403)
    assert AuditEntry.objects.filter(action="logout", actor=users.superuser, changes__reason="administrator").exists()
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404  # DRF's page of keys is gone
    client.force_login(users.official)
    assert (
        client.post(changelist, {"action": "revoke_tokens", "_selected_action": [users.staff_a.pk]}).status_code == 403
    )


def test_the_throttle_ignores_a_forged_forwarded_for(api, users):
    client = api(None)
    statuses = [
        client.post(
            reverse("api-token"), {"username": f"x{n}", "password": "y"}, format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(14)
    ]  # fmt: skip
    assert statuses[:10] == [400] * 10 and 429 in statuses[10:]


def test_behind_one_trusted_proxy_the_client_is_the_address_it_reports(api, users, settings):
    settings.NUM_PROXIES = 1
    client = api(None)

    def attempt(forged, real):
        return client.post(
            reverse("api-token"), {"username": "nobody", "password": "y"}, format="json",
            HTTP_X_FORWARDED_FOR=f"{forged}, {real}", REMOTE_ADDR="127.0.0.1",
        ).status_code  # fmt: skip

    statuses = [attempt(f"203.0.113.{n}", "198.51.100.7") for n in range(12)]
    assert 429 in statuses  # forging the leftmost entry does not help
    assert attempt("203.0.113.1", "198.51.100.8") == 400  # another real client is not throttled
    entry = AuditEntry.objects.filter(action="login_failed").order_by("-id").first()
    assert entry.remote_addr == "198.51.100.8"


def test_the_idle_timeout_ends_session_access_to_the_api(client, users):
    assert client.post(reverse("login"), {"username": "staff_a", "password": PASSWORD}).status_code == 302
    assert client.get(reverse("me")).status_code == 200
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("me")).status_code == 403


@pytest.mark.parametrize("hours", [0, -1])
def test_the_token_lifetime_must_be_positive(hours):
    from django.core.exceptions import ImproperlyConfigured

    from accounts.authentication import token_lifetime

    with pytest.raises(ImproperlyConfigured):
        token_lifetime(hours)
