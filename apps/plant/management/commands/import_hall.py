"""`manage.py import_hall FILE --project ID [--prune] [--user NAME]`: apply a hall document."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.accounts.models import Project, User
from apps.plant.io import DocumentInvalid, hall_import


class Command(BaseCommand):
    help = (
        "Import a hall document (from export_hall) into a project: validated as a whole, applied "
        "atomically, upserting by natural keys; deletes what the document lacks only with --prune."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The JSON document ('-' for stdin).")
        parser.add_argument("--project", required=True, help="The project's id or slug.")
        parser.add_argument("--prune", action="store_true", help="Delete what is not listed.")
        parser.add_argument("--user", help="Username recorded as the author of new matings.")

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["project"]
        projects = (
            Project.objects.filter(pk=int(key))
            if key.isdigit()
            else Project.objects.filter(slug=key)
        )
        if projects.count() != 1:
            raise CommandError(f"No single project {key!r}.")
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        try:
            if options["file"] == "-":
                document = json.load(sys.stdin)
            else:
                with open(options["file"], encoding="utf-8") as handle:
                    document = json.load(handle)
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {options['file']}: {error}") from error
        try:
            report = hall_import(
                project=projects.get(), document=document, prune=options["prune"], by=user
            )
        except DocumentInvalid as error:
            for item in error.errors:
                self.stderr.write(f"{item['pointer'] or '/'}: {item['code']}: {item['detail']}")
            raise CommandError(f"{len(error.errors)} error(s); nothing was written.") from error
        totals = report.totals()
        self.stdout.write(
            f"hall {report.hall.pk} ({report.hall.name}): {totals['created']} created, "
            f"{totals['updated']} updated, {totals['deleted']} deleted"
        )
        for verb in ("created", "updated", "deleted"):
            counts = {k: v for k, v in getattr(report, verb).items() if v}
            if counts:
                self.stdout.write(f"  {verb}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
