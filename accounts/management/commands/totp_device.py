"""Give an administrator a new authenticator secret: prints the otpauth:// URI to put into the app."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.audit import record
from accounts.models import AuditAction, User
from accounts.services.login import device_enrol
from zjtx.audit_context import audit_context


class Command(BaseCommand):
    help = "Create (or replace) the TOTP authenticator device of a user and print its provisioning URI."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        with audit_context(source="command"):
            device, uri = device_enrol(user=user)
            record(AuditAction.UPDATE, user, changes={"totp_device": [None, "enrolled"]})
        self.stdout.write(f"secret: {device.secret}\n{uri}\n")
        self.stdout.write("Put the URI (or the secret) into the authenticator app; the first code confirms it.")
