"""Logging in with a password (and, for administrators, a second factor), with lock-out.

One place for every way in: the web login form, the admin's login form and the
API token endpoint all call `login_attempt`.  Failed attempts are counted in
`LoginLock` rows, three ways, so that nobody can lock an owner out of their
own account:

- per (account name, address) pair: `ZJTX_LOCKOUT_PAIR_FAILURES` failures within
  `ZJTX_LOCKOUT_WINDOW_MINUTES` lock that name from that address for
  `ZJTX_LOCKOUT_MINUTES`, even with the right password;
- per address: `ZJTX_LOCKOUT_ADDRESS_FAILURES` failures (any names) lock the address;
- per account name, slower: past `ZJTX_LOCKOUT_ACCOUNT_FAILURES` failures from any
  addresses within `ZJTX_LOCKOUT_ACCOUNT_WINDOW_HOURS`, each further failure makes
  the account wait `ZJTX_LOCKOUT_BACKOFF_MINUTES`, doubling each time, at most
  `ZJTX_LOCKOUT_BACKOFF_MAX_MINUTES` — but not from an address its owner logged in
  from within `ZJTX_KNOWN_ADDRESS_DAYS` (the audit log's logins), so guesses from
  elsewhere slow the guessers, not the owner.

A lock of a pair or a back-off of the account revokes the account's API tokens.
Every lock is written to the audit log.  A successful login clears its pair's and
its account's counts (not the address's: one good account must not reset an
address that is guessing others).  Superusers unlock early in the admin
(`login_unlock`).  Client addresses come from `zjtx.net.client_address`.

Second factor: with `ZJTX_ADMIN_REQUIRE_OTP` (on in production), a superuser's
session is not trusted until a TOTP code of their authenticator device has been
checked (`second_factor_verify`); the token endpoint takes the code in the same
request.  A wrong code counts as a failed login.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.audit import record
from accounts.models import AuditAction, AuditEntry, LoginLock, LoginLockScope, TOTPDevice, User
from accounts.rules import totp
from accounts.services.tokens import tokens_revoke
from zjtx.audit_context import client_address
from zjtx.errors import DomainError

SESSION_VERIFIED = "zjtx_second_factor"
_KEY_LENGTH = 200


class LoginRefused(DomainError):
    """Wrong name or password, a lock, or a missing second factor: the login does not happen."""

    status_code = 400


class LoginLocked(LoginRefused):
    status_code = 403


@dataclass(frozen=True)
class _Counter:
    scope: str
    key: str
    threshold: int
    window: timedelta


def _counters(username: str, address: str | None) -> list[_Counter]:
    minutes = timedelta(minutes=settings.ZJTX_LOCKOUT_WINDOW_MINUTES)
    name = username[:150]
    counters = [
        _Counter(
            LoginLockScope.ACCOUNT.value,
            name,
            settings.ZJTX_LOCKOUT_ACCOUNT_FAILURES,
            timedelta(hours=settings.ZJTX_LOCKOUT_ACCOUNT_WINDOW_HOURS),
        )
    ]
    if address:
        counters.append(
            _Counter(LoginLockScope.PAIR.value, _pair_key(name, address), settings.ZJTX_LOCKOUT_PAIR_FAILURES, minutes)
        )
        address_threshold = settings.ZJTX_LOCKOUT_ADDRESS_FAILURES
        counters.append(_Counter(LoginLockScope.ADDRESS.value, address, address_threshold, minutes))
    return counters


def _pair_key(username: str, address: str) -> str:
    return f"{username[:150]}|{address}"[:_KEY_LENGTH]


def known_address(username: str, address: str | None, now: datetime) -> bool:
    """Whether the account's owner logged in from this address recently (its logins are in the audit log)."""
    if not address:
        return False
    since = now - timedelta(days=settings.ZJTX_KNOWN_ADDRESS_DAYS)
    return AuditEntry.objects.filter(
        action=AuditAction.LOGIN, actor__username=username[:150], remote_addr=address, at__gte=since
    ).exists()


def _active_lock(username: str, address: str | None, now: datetime) -> LoginLock | None:
    """The lock that refuses this attempt: the address's, the pair's, or the account's back-off (not from a
    known address)."""
    keys = {(c.scope, c.key) for c in _counters(username, address)}
    locks = {
        (lock.scope, lock.key): lock
        for lock in LoginLock.objects.filter(locked_until__gt=now, key__in=[key for _scope, key in keys])
        if (lock.scope, lock.key) in keys
    }
    for scope in (LoginLockScope.ADDRESS, LoginLockScope.PAIR):
        lock = next((v for (s, _k), v in locks.items() if s == scope), None)
        if lock is not None:
            return lock
    backoff = locks.get((LoginLockScope.ACCOUNT.value, username[:150]))
    if backoff is not None and not known_address(username, address, now):
        return backoff
    return None


def _locked_message(lock: LoginLock, now: datetime) -> str:
    assert lock.locked_until is not None
    minutes = max(1, int((lock.locked_until - now).total_seconds() // 60) + 1)
    wait = ngettext("Try again in %(n)d minute", "Try again in %(n)d minutes", minutes) % {"n": minutes}
    if lock.scope == LoginLockScope.PAIR:
        return _(
            "Too many failed logins for this account from your address: it is locked here. %(wait)s, "
            "or ask an administrator."
        ) % {"wait": wait}
    if lock.scope == LoginLockScope.ACCOUNT:
        return _(
            "Too many failed logins for this account from several addresses. %(wait)s, log in from an address "
            "you have used before, or ask an administrator."
        ) % {"wait": wait}
    return _("Too many failed logins from your address: logins from it are refused. %(wait)s.") % {"wait": wait}


def _backoff(failures: int) -> timedelta:
    """The account's wait after its `failures`-th failure: nothing below the threshold, then doubling."""
    over = failures - settings.ZJTX_LOCKOUT_ACCOUNT_FAILURES
    if over < 0:
        return timedelta(0)
    minutes = settings.ZJTX_LOCKOUT_BACKOFF_MINUTES * 2 ** min(over, 20)
    return timedelta(minutes=min(minutes, settings.ZJTX_LOCKOUT_BACKOFF_MAX_MINUTES))


def register_failure(username: str, address: str | None) -> None:
    """Count one failed attempt for the pair, the address and the account; lock and audit those past their
    threshold, and revoke the account's tokens when the account is locked (at an address or everywhere)."""
    now = timezone.now()
    counters = _counters(username, address)
    locked_account = False
    with transaction.atomic():
        LoginLock.objects.bulk_create([LoginLock(scope=c.scope, key=c.key) for c in counters], ignore_conflicts=True)
        for c in counters:
            lock = LoginLock.objects.select_for_update().get(scope=c.scope, key=c.key)
            if lock.window_started_at is None or now - lock.window_started_at > c.window:
                lock.failures, lock.window_started_at = 0, now
            lock.failures += 1
            lock.last_failure_at = now
            if c.scope == LoginLockScope.ACCOUNT:
                wait = _backoff(lock.failures)
                newly_locked = bool(wait)
                until = now + wait
            else:
                newly_locked = lock.failures >= c.threshold and not (lock.locked_until and lock.locked_until > now)
                until = now + timedelta(minutes=settings.ZJTX_LOCKOUT_MINUTES)
            if newly_locked:
                lock.locked_until = until
                locked_account |= c.scope != LoginLockScope.ADDRESS
            lock.save()
            if newly_locked:
                record(
                    AuditAction.LOCKOUT,
                    lock,
                    changes={
                        "scope": c.scope,
                        "key": c.key,
                        "failures": lock.failures,
                        "locked_until": until.isoformat(),
                    },
                )
        if locked_account:
            user = User.objects.filter(username=username[:150]).first()
            if user is not None:
                tokens_revoke(user=user, reason="locked")


def _clear_account(username: str, address: str | None) -> None:
    keys = [(LoginLockScope.ACCOUNT.value, username[:150])]
    if address:
        keys.append((LoginLockScope.PAIR.value, _pair_key(username, address)))
    for scope, key in keys:
        LoginLock.objects.filter(scope=scope, key=key).update(failures=0, window_started_at=None, locked_until=None)


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
    _clear_account(username, address)
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
    _clear_account(user.username, address)


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
