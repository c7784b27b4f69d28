from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from ops.metrics import metrics

# The admin's header and page titles name the system, not the framework.
admin.site.site_header = _("SRDI tiered cultivation: administration")
admin.site.site_title = _("SRDI tiered cultivation")
admin.site.index_title = _("Administration")


urlpatterns = [
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("zjtx.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("zjtx.web_urls")),
]
# MEDIA_ROOT (uploaded imports, generated reports) is never served as static files:
# every download goes through a view that checks the user's scope.

# Errors raised before a view answers: JSON under /api/, the site's pages elsewhere.
handler400 = "zjtx.api.bad_request"
handler403 = "zjtx.api.permission_denied"
handler404 = "zjtx.api.not_found"
handler500 = "zjtx.api.server_error"
