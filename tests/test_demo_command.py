"""`manage.py load_demo_data` creates a superuser with the published demo password: never in production."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User


def test_load_demo_data_refuses_production(settings, ref):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="ZJTX_PRODUCTION"):
        call_command("load_demo_data", "--per-district", "1")
    assert not User.objects.filter(username="admin").exists()
