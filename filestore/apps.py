from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilestoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "filestore"
    verbose_name = _("Stored files")
