"""Create or update the application's PostgreSQL role (run as the database owner, after `migrate`).

    manage.py create_app_role zjtx_app            # password from ZJTX_APP_DB_PASSWORD, if set
    manage.py create_app_role zjtx_app --no-password

See accounts/services/database_role.py for what the role may and may not do.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services.database_role import app_role_create
from zjtx.errors import DomainError


class Command(BaseCommand):
    help = "Create or update the application's PostgreSQL role: no superuser, owning nothing, audit log append-only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Role name, e.g. zjtx_app")
        parser.add_argument(
            "--no-password", action="store_true", help="Leave the password as it is (or unset: peer/cert login)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = None if options["no_password"] else os.environ.get("ZJTX_APP_DB_PASSWORD") or None
        try:
            app_role_create(name=options["name"], password=password)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"role {options['name']}: ready (password {'set' if password else 'unchanged'})")
