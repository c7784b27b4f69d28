"""Import a published tier list (名单导入): print the preview, and with --confirm write it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from reference.models import Industry, Tier
from tiers.models import TierListStatus
from tiers.rules.tier_lists import ListKind
from tiers.services import tier_lists
from zjtx.errors import DomainError


class Command(BaseCommand):
    help = "Preview (and with --confirm, import) a published tier list for a tier and kind."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--tier", required=True, help="tier code, e.g. innovative_sme")
        parser.add_argument("--kind", required=True, choices=[k.value for k in ListKind])
        parser.add_argument("--as-user", required=True, help="the municipal official the import is recorded under")
        parser.add_argument("--default-industry", help="GB/T 4754 section of the enterprises the list creates")
        parser.add_argument("--confirm", action="store_true", help="write the list after the preview")
        parser.add_argument("--accept-exceptions", action="store_true", help="also write the exceptions")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["as_user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['as_user']!r}")
        tier = Tier.objects.filter(code=options["tier"]).first()
        if tier is None:
            raise CommandError(f"no tier {options['tier']!r}")
        industry = None
        if options["default_industry"]:
            industry = Industry.objects.filter(code=options["default_industry"].upper()).first()
            if industry is None:
                raise CommandError(f"no industry section {options['default_industry']!r}")
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            with path.open("rb") as stream:
                run = tier_lists.tier_list_start(
                    actor=user, upload=File(stream, name=path.name), tier=tier, kind=options["kind"],
                    default_industry=industry, enqueue=False,
                )  # fmt: skip
            run = tier_lists.tier_list_preview(run.pk) or run
            self._report(run)
            if run.status != TierListStatus.PREVIEWED:
                raise CommandError(run.message or run.get_status_display())
            if not options["confirm"]:
                self.stdout.write("preview only: nothing written (add --confirm to import)")
                return
            tier_lists.tier_list_confirm(
                actor=user, run_id=run.pk, accept_exceptions=options["accept_exceptions"], enqueue=False
            )
            run = tier_lists.tier_list_apply(run.pk) or run
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"list import #{run.pk} {run.status}: written {run.written}")
        if run.status != TierListStatus.DONE:
            raise CommandError(run.message)

    def _report(self, run: Any) -> None:
        self.stdout.write(f"list import #{run.pk} {run.status}: {run.rows_total} rows; {run.counts}")
        for row in [r for r in run.rows if r["reasons"]][:50]:
            self.stdout.write(f"  row {row['row']} {row['outcome']}: {'; '.join(row['reasons'])}")
