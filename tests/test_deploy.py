"""Production settings: `manage.py check --deploy` passes, and every secret comes from the environment.

Each case starts a fresh Python with the production environment (ZJTX_PRODUCTION=1, no DEBUG), since
settings are read once per process.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def production_env(**over: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "ZJTX_ADMIN_REQUIRE_OTP")}
    env.update(
        ZJTX_PRODUCTION="1",
        DJANGO_SETTINGS_MODULE="zjtx.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="zjtx.example.gov.cn",
        DATABASE_URL=os.environ.get("DATABASE_URL") or "postgres://zjtx@127.0.0.1:5432/zjtx",
    )
    for key, value in over.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(args: list[str], **over: str | None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=production_env(**over), capture_output=True, text=True, timeout=120
    )


SETTINGS = "import django; django.setup(); from django.conf import settings as s; print({})"


def test_check_deploy_passes_with_production_settings():
    out = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_production_turns_on_the_hardened_settings():
    names = [
        "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
        "ZJTX_ADMIN_REQUIRE_OTP", "SESSION_SAVE_EVERY_REQUEST", "SESSION_COOKIE_AGE",
    ]  # fmt: skip
    out = run(["-c", SETTINGS.format("[" + ", ".join(f"s.{n}" for n in names) + "]")])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[False, True, True, True, 31536000, True, True, 1800]"


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "too-short"}, "at least 50 characters"),
        ({"SECRET_KEY": "insecure-development-key-change-me-0123456789abcdef-0123456789"}, "at least 50 characters"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"ZJTX_AUDIT_RETENTION_DAYS": "30"}, "at least 180"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(over, message):
    out = run(["-c", SETTINGS.format("s.SECRET_KEY[:3]")], **over)
    assert out.returncode != 0
    assert message in out.stderr


def test_no_secret_is_written_in_the_code():
    settings_text = (ROOT / "zjtx" / "settings.py").read_text(encoding="utf-8")
    assert 'env.str("SECRET_KEY")\n' in settings_text  # production: no default
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert ".env" not in tracked
