"""Logging in with a password (and, for administrators, a second factor), with lock-out.

One place for every way in: the web login form, the admin's login form and the
API token endpoint all call `login_attempt`.  Failed attempts are counted per
account name and per client address in `LoginLock` rows; past
`ZJTX_LOCKOUT_ACCOUNT_FAILURES` (per name) or `ZJTX_LOCKOUT_ADDRESS_FAILURES`
(per address) failures within `ZJTX_LOCKOUT_WINDOW_MINUTES`, further attempts
are refused for `ZJTX_LOCKOUT_MINUTES`, even with the right password, and the
lock is written to the audit log.  A successful login clears the account's
count (not the address's: one good account must not reset an address that is
guessing others).  Superusers unlock early in the admin (`login_unlock`).

Second factor: with `ZJTX_ADMIN_REQUIRE_OTP` (on in production), a superuser's
session is not trusted until a TOTP code of their authenticator device has been
checked (`second_factor_verify`); the token endpoint takes the code in the same
request.  A wrong code counts as a failed login.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.audit import record
from accounts.models import AuditAction, LoginLock, LoginLockScope, TOTPDevice, User
from accounts.rules import totp
from zjtx.audit_context import client_address
from zjtx.errors import DomainError

SESSION_VERIFIED = "zjtx_second_factor"


class LoginRefused(DomainError):
    """Wrong name or password, a lock, or a missing second factor: the login does not happen."""

    status_code = 400


class LoginLocked(LoginRefused):
    status_code = 403


def _thresholds() -> dict[str, int]:
    return {
        LoginLockScope.ACCOUNT: settings.ZJTX_LOCKOUT_ACCOUNT_FAILURES,
        LoginLockScope.ADDRESS: settings.ZJTX_LOCKOUT_ADDRESS_FAILURES,
    }


def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
    keys = [(LoginLockScope.ACCOUNT.value, username[:150])]
    if address:
        keys.append((LoginLockScope.ADDRESS.value, address))
    return keys


def _active_lock(username: str, address: str | None, now: datetime) -> LoginLock | None:
    locks = LoginLock.objects.filter(locked_until__gt=now)
    for scope, key in _keys(username, address):
        lock = locks.filter(scope=scope, key=key).first()
        if lock is not None:
            return lock
    return None


def _locked_message(lock: LoginLock, now: datetime) -> str:
    assert lock.locked_until is not None
    minutes = max(1, int((lock.locked_until - now).total_seconds() // 60) + 1)
    wait = ngettext("Try again in %(n)d minute", "Try again in %(n)d minutes", minutes) % {"n": minutes}
    if lock.scope == LoginLockScope.ACCOUNT:
        return _("Too many failed logins for this account: it is locked. %(wait)s, or ask an administrator.") % {
            "wait": wait
        }
    return _("Too many failed logins from your address: logins from it are refused. %(wait)s.") % {"wait": wait}


def register_failure(username: str, address: str | None) -> None:
    """Count one failed attempt for the name and the address; lock and audit those past their threshold."""
    now = timezone.now()
    window = timedelta(minutes=settings.ZJTX_LOCKOUT_WINDOW_MINUTES)
    thresholds = _thresholds()
    keys = _keys(username, address)
    with transaction.atomic():
        LoginLock.objects.bulk_create([LoginLock(scope=scope, key=key) for scope, key in keys], ignore_conflicts=True)
        for scope, key in keys:
            lock = LoginLock.objects.select_for_update().get(scope=scope, key=key)
            if lock.window_started_at is None or now - lock.window_started_at > window:
                lock.failures, lock.window_started_at = 0, now
            lock.failures += 1
            lock.last_failure_at = now
            newly_locked = lock.failures >= thresholds[scope] and not (lock.locked_until and lock.locked_until > now)
            if newly_locked:
                lock.locked_until = now + timedelta(minutes=settings.ZJTX_LOCKOUT_MINUTES)
            lock.save()
            if newly_locked:
                record(
                    AuditAction.LOCKOUT,
                    lock,
                    changes={
                        "scope": scope,
                        "key": key,
                        "failures": lock.failures,
                        "locked_until": lock.locked_until.isoformat() if lock.locked_until else None,
                    },
                )


def _clear_account(username: str) -> None:
    LoginLock.objects.filter(scope=LoginLockScope.ACCOUNT, key=username[:150]).update(
        failures=0, window_started_at=None, locked_until=None
    )


def login_attempt(
    *, request: Any, username: str, password: str, otp: str | None = None, second_factor_now: bool = False
) -> User:
    """The user these credentials belong to, or LoginRefused / LoginLocked with the reason to show.

    With `second_factor_now` (the token endpoint) a superuser who needs the second factor must
    give `otp` in the same request; the web login asks for it on the next page instead.
    """
    address = client_address(getattr(request, "_request", request))
    now = timezone.now()
    lock = _active_lock(username, address, now)
    if lock is not None:
        record(
            AuditAction.LOGIN_FAILED,
            None,
            object_repr=username[:150],
            changes={"username": username[:150], "refused": "locked", "scope": lock.scope},
        )
        raise LoginLocked(_locked_message(lock, now), code="locked_out")
    user = authenticate(getattr(request, "_request", request), username=username, password=password)
    if user is None:  # Django's user_login_failed signal has written the audit entry
        register_failure(username, address)
        raise LoginRefused(_("The user name or password is not correct."), code="invalid_login")
    if second_factor_now and second_factor_required(user):
        if not otp:
            raise LoginRefused(
                _("Administrators give the code of their authenticator app in the field otp."),
                code="second_factor_required",
            )
        second_factor_check(user=user, code=otp, address=address)
    _clear_account(username)
    return user  # type: ignore[return-value]


def login_unlock(*, actor: Any, locks: Iterable[LoginLock]) -> int:
    """A superuser clears locks (and their counts) before they run out; each unlock is audited."""
    if not getattr(actor, "is_superuser", False):
        raise DomainError(_("Only administrators unlock logins."), code="forbidden_role")
    count = 0
    with transaction.atomic():
        for lock in locks:
            failures, until = lock.failures, lock.locked_until
            lock.failures, lock.window_started_at, lock.locked_until = 0, None, None
            lock.save(update_fields=["failures", "window_started_at", "locked_until"])
            record(
                AuditAction.UNLOCK,
                lock,
                actor=actor,
                changes={
                    "scope": lock.scope,
                    "key": lock.key,
                    "failures": [failures, 0],
                    "locked_until": [until.isoformat() if until else None, None],
                },
            )
            count += 1
    return count


# --- second factor ----------------------------------------------------------------------------


def second_factor_required(user: Any) -> bool:
    return bool(settings.ZJTX_ADMIN_REQUIRE_OTP and getattr(user, "is_superuser", False))


def second_factor_check(*, user: Any, code: str, address: str | None) -> None:
    """Accept the code of the user's authenticator for this moment (once), or refuse and count a failure."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            raise LoginRefused(
                _("Administrators need an authenticator app: the operator runs manage.py totp_device %(user)s.")
                % {"user": user.username},
                code="second_factor_missing",
            )
        step = totp.verify(totp.decode_secret(device.secret), code, time.time(), last_step=device.last_step)
        if step is not None:
            device.last_step = step
            device.confirmed = True
            device.save(update_fields=["last_step", "confirmed"])
            return
    record(
        AuditAction.LOGIN_FAILED,
        user,
        actor=user,
        changes={"username": user.username, "refused": "second_factor"},
    )
    register_failure(user.username, address)
    raise LoginRefused(_("The code of the authenticator app is not correct."), code="invalid_second_factor")


def second_factor_verify(*, request: Any, code: str) -> None:
    """Check the signed-in superuser's code and mark the session as verified."""
    user = request.user
    address = client_address(request)
    lock = _active_lock(user.username, address, timezone.now())
    if lock is not None:
        raise LoginLocked(_locked_message(lock, timezone.now()), code="locked_out")
    second_factor_check(user=user, code=code, address=address)
    request.session.cycle_key()
    request.session[SESSION_VERIFIED] = True
    record(AuditAction.LOGIN, user, actor=user, changes={"second_factor": "totp"})
    _clear_account(user.username)


def second_factor_pending(request: Any) -> bool:
    """A session of a superuser who has not yet given the second factor."""
    user = getattr(request, "user", None)
    return bool(
        user is not None
        and user.is_authenticated
        and second_factor_required(user)
        and not request.session.get(SESSION_VERIFIED)
    )


def device_enrol(*, user: User) -> tuple[TOTPDevice, str]:
    """A new secret for the user (replacing any earlier device); returns it with its otpauth:// URI."""
    secret = totp.new_secret()
    device, _created = TOTPDevice.objects.update_or_create(
        user=user, defaults={"secret": secret, "confirmed": False, "last_step": None}
    )
    uri = totp.provisioning_uri(secret, account=user.username, issuer=settings.ZJTX_OTP_ISSUER)
    return device, uri
