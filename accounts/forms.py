"""Login forms of the site and the admin: both go through accounts.services.login (lock-out, second factor)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.services.login import LoginLocked, LoginRefused, login_attempt


class LockoutLoginMixin:
    """Replaces AuthenticationForm.clean's plain authenticate() with the counted, lockable login."""

    request: Any
    cleaned_data: dict[str, Any]
    user_cache: Any

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = login_attempt(request=self.request, username=username, password=password)
            except LoginLocked as exc:
                raise ValidationError(exc.message, code="locked_out") from exc
            except LoginRefused:
                raise self.get_invalid_login_error() from None  # type: ignore[attr-defined]
            self.confirm_login_allowed(self.user_cache)  # type: ignore[attr-defined]
        return self.cleaned_data


class LoginForm(LockoutLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(LockoutLoginMixin, AdminAuthenticationForm):
    pass


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code of your authenticator app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )
