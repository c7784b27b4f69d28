"""Send the queued runs that wait for the broker (the outbox's sweep, by hand).

Beat and every worker at start do this on their own. By hand it serves after Redis came back
without its data (`--all`: every run still waiting and not taken by a worker is sent again; a
worker claims each once, so a message that survived after all changes nothing).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zjtx import outbox


class Command(BaseCommand):
    help = "Send queued runs (imports, reports, tier lists) that the task queue has not taken yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all", action="store_true", help="send every waiting run not yet taken by a worker, however recent"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = outbox.sweep(everything=options["all"])
        waiting = outbox.waiting_counts()
        self.stdout.write(f"sent: {sent or 'none'}; still waiting for the broker: {waiting or 'none'}")
