"""The Celery application. Tasks are thin wrappers over services; see each app's tasks.py."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjtx.settings")

app = Celery("zjtx")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The static schedule, in Asia/Shanghai time (CELERY_TIMEZONE).
app.conf.beat_schedule = {
    "expire-certifications": {
        "task": "enterprises.expire_certifications",
        "schedule": crontab(hour=0, minute=30),
    },
    # After the expiry job, so the day's counts no longer include ended certifications.
    "daily-progress-snapshot": {
        "task": "reporting.daily_snapshot",
        "schedule": crontab(hour=1, minute=0),
    },
    # After the expiry job, so each firm is assessed for the rung above the tier it still holds; after the
    # snapshot, so the two heavier jobs do not compete for the same cores, and the candidate pipeline
    # shows the night's gap (snapshot) beside the night's candidates.
    "assess-eligibility": {
        "task": "enterprises.assess_eligibility",
        "schedule": crontab(hour=1, minute=30),
    },
    "monthly-district-reports": {
        "task": "reporting.monthly_reports",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
    # Before the progress snapshot, so the day's demand figures are ready for the reports.
    "servicedesk-daily-check": {
        "task": "enterprises.servicedesk_daily_check",
        "schedule": crontab(hour=0, minute=45),
    },
    # In the morning, after the night's jobs: what became due or overdue, to the site, e-mail and group robot.
    "servicedesk-daily-notifications": {
        "task": "servicedesk.daily_notifications",
        "schedule": crontab(hour=7, minute=0),
    },
    # The audit log's retention purge (entries past ZJTX_AUDIT_RETENTION_DAYS, never under 180 days).
    "purge-audit-log": {
        "task": "accounts.purge_audit_log",
        "schedule": crontab(day_of_month=1, hour=3, minute=30),
    },
}
