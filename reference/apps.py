from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferenceConfig(AppConfig):
    """Jurisdictions, divisions, industries, tiers and job runs.  Their changes are audited by accounts (above)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reference"
    verbose_name = _("Reference data")

    def ready(self) -> None:
        from reference.services import catch_up
        from zjtx import outbox

        # Nightly jobs whose time fell in a broker outage are sent by the queue's sweep.
        outbox.register_sweep(catch_up.send_missed_jobs)
