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
    "servicedesk-daily-check": {
        "task": "enterprises.servicedesk_daily_check",
        "schedule": crontab(hour=1, minute=0),
    },
}
