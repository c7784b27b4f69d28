from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "enterprises"
    verbose_name = _("Enterprise registry")

    def ready(self) -> None:
        from enterprises.work import contribute_work

        contribute_work()
        from accounts import audit
        from zjtx import outbox

        # An import waits in the database until a worker takes it (zjtx/outbox.py).
        outbox.register("enterprises.run_import", "enterprises.ImportRun", waiting={"status": ["pending"]})
        from enterprises import models as m

        for model in (
            m.Enterprise,
            m.EnterpriseYearFact,
            m.EligibilityProfile,
        ):
            audit.register(model)
