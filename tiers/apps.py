from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TiersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tiers"
    verbose_name = _("Tiers and certifications")

    def ready(self) -> None:
        from tiers.work import contribute_work

        contribute_work()
        from accounts import audit
        from zjtx import outbox

        # The preview waits until a worker takes it; a confirmed list (applying) until one writes it.
        outbox.register("tiers.tier_list_preview", "tiers.TierListImport", waiting={"status": ["pending"]})
        outbox.register("tiers.tier_list_apply", "tiers.TierListImport", waiting={"status": ["applying"]})
        from tiers import models as m
        from tiers.api.filters import contribute_enterprise_filters
        from tiers.web.sections import contribute_enterprise_sections

        contribute_enterprise_filters()
        contribute_enterprise_sections()

        for model in (
            m.Application,
            m.Certification,
        ):
            audit.register(model)
