"""URL map of the server-rendered pages."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.forms import LoginForm
from accounts.views import second_factor
from reporting.web import views as reporting_views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("login/second-factor/", second_factor, name="second-factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tier-lists/", include("tiers.web.urls")),
    path("", include("servicedesk.web.urls")),
    path("enterprises/", include("enterprises.web.urls")),
    path("programs/", include("programs.web.urls")),
    path("", include("reporting.web.urls")),
    path("", reporting_views.home, name="home"),
]
