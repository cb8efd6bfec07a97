"""manage.py audit_hall <hall_id> [--wait] [--inline]: start a hall's audit from the shell."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.audits import services
from apps.audits.models import AuditChunk, AuditRun
from apps.core.exceptions import ApplicationError
from apps.plant.models import Hall


class Command(BaseCommand):
    help = "Start a whole-hall audit on the workers (or return the active one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("hall_id", type=int)
        parser.add_argument("--wait", action="store_true", help="Wait until the run ends.")
        parser.add_argument(
            "--inline",
            action="store_true",
            help="Run the chunks in this process instead of on workers (no broker needed).",
        )
        parser.add_argument("--timeout", type=float, default=3600.0, help="--wait limit (s).")

    def handle(self, *args: Any, **options: Any) -> None:
        hall = Hall.objects.filter(pk=options["hall_id"]).first()
        if hall is None:
            raise CommandError(f"No hall {options['hall_id']}.")
        try:
            run, created = services.audit_start(hall=hall, enqueue=not options["inline"])
        except ApplicationError as error:
            raise CommandError(f"{error.code}: {error.detail}") from error
        self.stdout.write(f"audit {run.pk} of hall {hall.pk} {'started' if created else 'active'}")
        if options["inline"]:
            for chunk_id in AuditChunk.objects.filter(run=run).values_list("pk", flat=True):
                services.audit_chunk_execute(chunk_id=chunk_id)
        if not (options["wait"] or options["inline"]):
            return
        deadline = time.monotonic() + options["timeout"]
        while True:
            run.refresh_from_db()
            if run.status not in services.ACTIVE:
                break
            if time.monotonic() > deadline:
                raise CommandError(f"audit {run.pk} still {run.status} after the timeout")
            time.sleep(0.5)
        self.stdout.write(
            f"audit {run.pk}: {run.status}; {run.links_total} links, "
            f"{run.findings_total} findings {run.counts.get('by_severity', {})}; diff {run.diff}"
        )
        if run.status != AuditRun.Status.DONE:
            raise CommandError(run.error or run.status)
