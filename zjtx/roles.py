"""The roles a user can hold. Kept free of model imports so zjtx.access can use it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MUNICIPAL_OFFICIAL = "municipal_official", _("Municipal official")
    DISTRICT_STAFF = "district_staff", _("District service staff")
    PROGRAM_ADMIN = "program_admin", _("Program administrator")
    AUDITOR = "auditor", _("Auditor")
