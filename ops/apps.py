from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        # Registering: the readiness checks of /readyz and the worker's heartbeat and failure count.
        from ops import readiness, worker_signals  # noqa: F401
