"""`manage.py generate_hall`: a synthetic hall of any size with planted faults (plant/generate.py).

    manage.py generate_hall --rows 10 --racks-per-row 10 --links 10000 --seed 7 \\
        --faults wrong_trunk_type=3 --faults misrouted=2 \\
        [--fault-rate 0.01] [--project ID|slug] [--site NAME] [--hall NAME] [--manifest FILE]

Without --project, the hall goes into project "synthetic" of organization "Synthetic" (made on
first use). The manifest (link name -> expected error code) is written to --manifest (default
var/generated/<hall>.json) and summarised on stdout.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.accounts.models import Organization, Project
from apps.plant.generate import FAULTS, HallFull, generate_hall
from apps.plant.io import DocumentInvalid
from apps.plant.models import Hall


def _fault(text: str) -> tuple[str, int]:
    kind, _, count = text.partition("=")
    if kind not in FAULTS or not count.isdigit():
        raise ValueError(text)
    return kind, int(count)


# What a generated rack holds comfortably (switches from U1 up, 12-slot enclosures from the top).
LINKS_PER_RACK = 40


def _rows_for(links: int, racks_per_row: int) -> int:
    return max(4, -(-links // (max(racks_per_row, 1) * LINKS_PER_RACK)))


class Command(BaseCommand):
    help = "Generate a seeded synthetic hall (rows, racks, links) with planted faults."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rows",
            type=int,
            default=None,
            help=f"Rows of racks (default: {LINKS_PER_RACK} links a rack, at least 4 rows).",
        )
        parser.add_argument("--racks-per-row", type=int, default=10)
        parser.add_argument("--links", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--faults",
            action="append",
            default=[],
            type=_fault,
            metavar="KIND=N",
            help=f"Plant N faults of KIND (repeatable): {', '.join(FAULTS)}.",
        )
        parser.add_argument(
            "--fault-rate", type=float, default=0.0, help="Plant round(rate × links) more faults."
        )
        parser.add_argument("--project", help="Project id or slug (default: synthetic).")
        parser.add_argument("--site", default="Synthetic")
        parser.add_argument("--hall", help="Hall name (default GEN-<seed>); must be new.")
        parser.add_argument("--manifest", help="Where to write the planted faults (JSON).")

    def handle(self, *args: Any, **options: Any) -> None:
        project = self._project(options["project"])
        name = options["hall"] or f"GEN-{options['seed']}"
        if Hall.objects.filter(project=project, site__name=options["site"], name=name).exists():
            raise CommandError(f"Hall {name} exists in {project}; pick another --hall or --seed.")
        faults: dict[str, int] = {}
        for kind, count in options["faults"]:
            faults[kind] = faults.get(kind, 0) + count
        try:
            generated = generate_hall(
                project=project,
                rows=options["rows"] or _rows_for(options["links"], options["racks_per_row"]),
                racks_per_row=options["racks_per_row"],
                links=options["links"],
                seed=options["seed"],
                faults=faults,
                fault_rate=options["fault_rate"],
                site=options["site"],
                name=name,
            )
        except (HallFull, ValueError, DocumentInvalid) as error:
            raise CommandError(str(error)) from error
        path = Path(
            options["manifest"] or Path(settings.BASE_DIR) / "var" / "generated" / f"{name}.json"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        hall = generated.report.hall
        path.write_text(
            json.dumps(
                {
                    "hall": hall.pk,
                    "hall_name": hall.name,
                    "seed": options["seed"],
                    "links": generated.links,
                    "faults": generated.manifest,
                },
                indent=2,
                sort_keys=True,
            )
            + "\n",
            encoding="utf-8",
        )
        totals = generated.report.totals()
        self.stdout.write(
            f"hall {hall.pk} ({hall.name}) in project {project.slug}: {generated.links} links, "
            f"{totals['created']} objects created in {generated.build_seconds:.1f} s (document) + "
            f"{generated.import_seconds:.1f} s (import) = {generated.links_per_second:.0f} links/s"
        )
        counts = Counter(generated.manifest.values())
        planted = ", ".join(f"{code} {n}" for code, n in sorted(counts.items())) or "none"
        self.stdout.write(f"planted faults: {planted}; manifest: {path}")

    def _project(self, key: str | None) -> Project:
        if key is None:
            organization, _ = Organization.objects.get_or_create(
                slug="synthetic", defaults={"name": "Synthetic"}
            )
            project, _ = Project.objects.get_or_create(
                organization=organization, slug="synthetic", defaults={"name": "Synthetic halls"}
            )
            return project
        projects = (
            Project.objects.filter(pk=int(key))
            if key.isdigit()
            else Project.objects.filter(slug=key)
        )
        if projects.count() != 1:
            raise CommandError(f"No single project {key!r}.")
        return projects.get()
