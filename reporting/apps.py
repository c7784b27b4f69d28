from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"
    verbose_name = _("Targets and reporting")

    def ready(self) -> None:
        from reporting.work import contribute_work

        contribute_work()
        from accounts import audit
        from zjtx import outbox

        outbox.register("reporting.generate_report", "reporting.ReportRun", waiting={"status": ["pending"]})
        from reporting import models as m
        from reporting.web.sections import contribute_policies_sections

        contribute_policies_sections()
        for model in (m.Metric, m.Target, m.ManualValue):
            audit.register(model)
        # A report request is audited; the worker's progress on it (status, files) is the job's own record.
        audit.register(
            m.ReportRun,
            exclude=(
                "requested_at",
                "status",
                "attempts",
                "started_at",
                "finished_at",
                "error",
                "pdf",
                "xlsx",
                "as_of",
                *outbox.OUTBOX_FIELDS,
            ),
        )
