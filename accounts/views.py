"""The second-factor page: a superuser gives the code of their authenticator app after the password."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.forms import SecondFactorForm
from accounts.services.login import LoginRefused, second_factor_pending, second_factor_verify


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    target = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    if not second_factor_pending(request):
        return redirect(target)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor_verify(request=request, code=form.cleaned_data["code"])
        except LoginRefused as exc:
            form.add_error("code", exc.message)
        else:
            return redirect(target)
    return render(request, "registration/second_factor.html", {"form": form, "next": target})
