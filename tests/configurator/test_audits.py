"""Audit pages: start, progress polling, findings filtered by code/severity/row/rack, the diff."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.audits import services as audit_services
from apps.audits.models import AuditChunk, AuditRun
from tests.configurator.conftest import signed_in
from tests.configurator.support import SmallHall

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Chunks audit_start would publish; the test executes them itself (no worker needed)."""
    chunks: list[int] = []
    monkeypatch.setattr(
        audit_services, "chunks_enqueue", lambda *, chunk_ids: chunks.extend(chunk_ids)
    )
    return chunks


def run_all(chunks: list[int]) -> None:
    for chunk_id in chunks:
        audit_services.audit_chunk_execute(chunk_id=chunk_id)
    chunks.clear()


def test_start_watch_and_filter_an_audit(
    build: SmallHall, designer: User, published: list[int]
) -> None:
    client = signed_in(designer)
    hall = build.hall
    response = client.post(f"/halls/{hall.pk}/audits/")
    run = AuditRun.objects.get(hall=hall)
    assert response["Location"] == f"/audits/{run.pk}/"
    # while it runs, the poll answers the progress fragment
    poll = client.get(f"/audits/{run.pk}/?poll=1", HTTP_HX_REQUEST="true")
    assert poll.status_code == 200
    assert b'role="progressbar"' in poll.content
    assert b'hx-trigger="every 1s"' in poll.content
    run_all(published)
    # done: the poll tells htmx to reload the page, which shows the findings
    poll = client.get(f"/audits/{run.pk}/?poll=1", HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"
    page = client.get(f"/audits/{run.pk}/")
    assert b"POLARITY_REVERSED" in page.content
    only = client.get(f"/audits/{run.pk}/", {"code": "CABLE_TOO_SHORT"})
    assert b"POLARITY_REVERSED</code></td>" not in only.content
    rack = client.get(f"/audits/{run.pk}/", {"rack": str(build.racks[0].pk), "severity": "error"})
    assert rack.status_code == 200
    nonsense = client.get(f"/audits/{run.pk}/", {"rack": "zzz", "severity": "loud", "page": "x"})
    assert nonsense.status_code == 200
    # the floor plan now follows the audit
    plan = client.get(f"/halls/{hall.pk}/").content.decode()
    assert f"audit #{run.pk}" in plan
    assert plan.count('class="rack st-error"') == 2


def test_second_audit_shows_what_was_fixed(
    build: SmallHall, designer: User, published: list[int]
) -> None:
    client = signed_in(designer)
    hall = build.hall
    client.post(f"/halls/{hall.pk}/audits/")
    run_all(published)
    link_page = client.get(f"/links/{build.link.pk}/")  # type: ignore[union-attr]
    fix = next(f for f in link_page.context["findings"] if f["apply"])
    client.post(f"/links/{build.link.pk}/fix/", fix["apply"])  # type: ignore[union-attr]
    client.post(f"/halls/{hall.pk}/audits/")
    run_all(published)
    second = AuditRun.objects.filter(hall=hall).order_by("-pk").first()
    assert second is not None
    page = client.get(f"/audits/{second.pk}/").content.decode()
    assert "fixed" in page
    assert second.diff["fixed"] >= 1
    assert "POLARITY_REVERSED" in page.split("Fixed")[1]


def test_audit_pages_are_scoped_and_budgeted(
    build: SmallHall, designer: User, outsider: User, published: list[int]
) -> None:
    client = signed_in(designer)
    client.post(f"/halls/{build.hall.pk}/audits/")
    run_all(published)
    run = AuditRun.objects.get(hall=build.hall)
    assert AuditChunk.objects.filter(run=run, status="done").count() == run.chunks_total
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/audits/{run.pk}/").status_code == 200
    assert len(queries) <= 16
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/halls/{build.hall.pk}/audits/").status_code == 200
    assert len(queries) <= 8
    other = signed_in(outsider)
    assert other.get(f"/audits/{run.pk}/").status_code == 404
    assert other.get(f"/halls/{build.hall.pk}/audits/").status_code == 404
    assert other.post(f"/halls/{build.hall.pk}/audits/").status_code == 404


def test_viewer_cannot_start_an_audit(build: SmallHall, viewer: User) -> None:
    assert signed_in(viewer).post(f"/halls/{build.hall.pk}/audits/").status_code == 403
    assert not AuditRun.objects.exists()
