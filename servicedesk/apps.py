from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceDeskConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "servicedesk"
    verbose_name = _("Service desk")

    def ready(self) -> None:
        from servicedesk.work import contribute_work

        contribute_work()
        from accounts import audit
        from servicedesk import models as m
        from servicedesk.web.sections import contribute_enterprise_sections

        contribute_enterprise_sections()

        for model in (
            m.ServiceAssignment,
            m.Visit,
            m.Demand,
            m.VisitCadence,
        ):
            audit.register(model)
