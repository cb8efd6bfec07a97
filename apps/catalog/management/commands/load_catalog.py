"""`manage.py load_catalog [--dry-run] [--seed-dir DIR]`: load the seed files into the catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.catalog.services import catalog_load
from apps.engine.seed import load_records
from apps.engine.types import SeedError


class Command(BaseCommand):
    help = (
        "Load the catalog seed files: insert missing rows, update seed rows nobody edited, and "
        "report rows edited since they were loaded as drift (never overwritten)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; save nothing."
        )
        parser.add_argument(
            "--seed-dir",
            type=Path,
            default=None,
            help="Directory of seed files (default: settings.CATALOG_SEED_DIR).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seed_dir = options["seed_dir"] or Path(settings.CATALOG_SEED_DIR)
        try:
            records = load_records(seed_dir)
            report = catalog_load(records=records, dry_run=options["dry_run"])
        except SeedError as error:
            raise CommandError(f"Invalid seed data: {error}") from error
        for line in report.lines():
            self.stdout.write(line)
        if report.drift:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(report.drift)} rows differ from the seed and were left alone."
                )
            )
