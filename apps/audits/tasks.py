"""Thin Celery tasks: ids in, one service call, safe to run twice.

Retries come from one place only: the chunk rows, re-queued by `audit_chunks_requeue_task` (beat)
when their heartbeat goes stale. No autoretry here, no chord, no result backend.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def audit_chunk_execute_task(chunk_id: int) -> None:
    """Execute one audit chunk (returns at once if it is done or its run is no longer active)."""
    from apps.audits.services import audit_chunk_execute  # in-body import breaks the cycle

    audit_chunk_execute(chunk_id=chunk_id)


@shared_task(acks_late=True, ignore_result=True)
def audit_chunks_requeue_task() -> None:
    """Beat: re-queue stale chunks and fail runs whose chunks ran out of attempts."""
    from apps.audits.services import audit_chunks_requeue

    audit_chunks_requeue()
