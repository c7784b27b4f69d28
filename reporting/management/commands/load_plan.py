"""Add or update a plan period (its policy document, targets and district shares) from one YAML file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from reporting.services.plans import plan_load, read_plan_yaml
from zjtx.audit_context import audit_context
from zjtx.errors import DomainError


class Command(BaseCommand):
    help = "Load a plan period from a YAML file: the policy, its targets and their district shares (no code change)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="Act as this program administrator (recorded in the audit log)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']}")
        try:
            document = read_plan_yaml(options["file"].read_bytes())
            with audit_context(actor=actor, source="load_plan"):
                result = plan_load(actor=actor, document=document)
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc.strerror}") from exc
        except ValidationError as exc:
            lines = [f"{where}: {m}" for where, messages in exc.message_dict.items() for m in messages]
            raise CommandError("the plan was not loaded:\n" + "\n".join(lines)) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(str(result))
