from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = _("Policy programs")

    def ready(self) -> None:
        from programs.work import contribute_work

        contribute_work()
        from accounts import audit
        from programs import models as m
        from programs.web.sections import contribute_enterprise_sections

        contribute_enterprise_sections()

        for model in (
            m.BenefitApplication,
            m.SubsidyRule,
            m.Measure,
            m.Policy,
            m.MeasureGroup,
            m.Commitment,
            m.ResponsibleUnit,
        ):
            audit.register(model)
