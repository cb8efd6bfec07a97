"""Plant tasks: thin interfaces that load by id and call a service; safe to run twice."""

from __future__ import annotations

from collections.abc import Sequence

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def links_revalidate_task(hall_id: int, link_ids: Sequence[int] | None = None) -> int:
    """Re-validate the given links of a hall (all of them with None) and store their status.

    Idempotent: validation reads the stored plant as it is when the task runs, so a repeat or a
    late run stores the same, current, status. Links deleted meanwhile are skipped; a deleted hall
    is nothing to do.
    """
    from apps.plant.models import Hall
    from apps.plant.services import links_revalidate  # in-body import breaks the cycle

    if not Hall.objects.filter(pk=hall_id).exists():
        return 0
    return len(links_revalidate(hall_id=hall_id, link_ids=link_ids))
