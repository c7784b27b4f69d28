from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts and audit")

    def ready(self) -> None:
        from accounts import audit, signals  # noqa: F401 - connects login/logout auditing
        from accounts.models import User
        from reference import models as reference
        from zjtx.admin_scoping import install_history_reader

        audit.register(User, exclude=("password", "last_login"))
        # The reference data sits below the audit log (which names districts), so it is registered here.
        for model in (reference.Tier, reference.District, reference.Jurisdiction, reference.Industry):
            audit.register(model)
        install_history_reader(audit.history_rows)
