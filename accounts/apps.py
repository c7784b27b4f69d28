from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts and audit")

    def ready(self) -> None:
        from accounts import audit, signals  # noqa: F401 - connects login/logout auditing
        from accounts.models import User

        audit.register(User, exclude=("password", "last_login"))
