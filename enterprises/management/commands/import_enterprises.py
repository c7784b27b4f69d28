"""Import enterprises and yearly facts from a .csv or .xlsx file and print the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from enterprises.models.registry import ImportStatus
from enterprises.services.importing import enterprises_import
from zjtx.errors import DomainError


class Command(BaseCommand):
    help = "Import enterprises from a .csv/.xlsx file with Chinese column headers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--as-user", required=True, help="User name the import is recorded under")
        parser.add_argument("--errors-json", type=Path, help="Write the rejected rows to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        user = User.objects.filter(username=options["as_user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['as_user']!r}")
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            with path.open("rb") as stream:
                run = enterprises_import(actor=user, stream=stream, file_name=path.name)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"import #{run.pk} {run.status}: {run.rows_total} rows, {run.rows_created} created, "
            f"{run.rows_updated} updated, {run.rows_unchanged} unchanged, {run.facts_written} yearly facts written, "
            f"{run.rows_rejected} rejected"
        )
        if run.message:
            self.stdout.write(run.message)
        for error in run.errors[:50]:
            self.stdout.write(f"  row {error['row']}: {'; '.join(error['reasons'])}")
        if len(run.errors) > 50:
            self.stdout.write(f"  … {len(run.errors) - 50} more")
        if options["errors_json"]:
            options["errors_json"].write_text(json.dumps(run.errors, ensure_ascii=False, indent=1), encoding="utf-8")
        if run.status == ImportStatus.FAILED:
            raise CommandError("the file could not be imported; nothing was written")
