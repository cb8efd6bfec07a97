"""`manage.py load_demo`: the demo organization, project and hall (plant/demo.py); idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.plant.demo import demo_load


class Command(BaseCommand):
    help = "Load the demo hall (spine-leaf, Method B, one link per common mistake); idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        demo = demo_load()
        totals = demo.report.totals()
        self.stdout.write(
            f"demo: project {demo.project.slug}, hall {demo.report.hall.pk}: "
            f"{totals['created']} created, {totals['updated']} updated, "
            f"{totals['deleted']} deleted; {demo.validated} links validated"
        )
