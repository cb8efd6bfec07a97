"""`manage.py export_hall HALL_ID [--output FILE]`: the hall as one JSON document (plant/io/)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.plant.io import hall_export
from apps.plant.models import Hall


class Command(BaseCommand):
    help = "Export a hall as one JSON document of natural keys (stdout or --output FILE)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("hall", type=int, help="The hall's id.")
        parser.add_argument("--output", "-o", help="Write here instead of stdout.")
        parser.add_argument("--indent", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        hall = Hall.objects.filter(pk=options["hall"]).first()
        if hall is None:
            raise CommandError(f"No hall {options['hall']}.")
        text = json.dumps(hall_export(hall=hall), indent=options["indent"] or None) + "\n"
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(f"hall {hall.pk} ({hall.name}) written to {options['output']}")
        else:
            self.stdout.write(text, ending="")
