"""Server-rendered pages: the role-dependent home page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from enterprises.selectors import enterprises_for, expiring_certifications


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "enterprise_count": enterprises_for(user).count(),
        "expiring": expiring_certifications(user).select_related("enterprise", "tier")[:20],
    }
    return render(request, "home.html", context)
