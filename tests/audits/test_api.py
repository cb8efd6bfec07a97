"""The audit API: start (202, the active run again, 503 with the broker down), scoping
(designers start and cancel, viewers read, outsiders 404), findings filters and pagination, the
diff, query budgets, and the OpenAPI schema. Chunks run in this process (no worker)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.audits import services
from apps.audits.models import AuditRun
from tests.factories.plant import parallel_hall, parallel_link

WRONG_TRUNK = "TRK-B12-MPO12-A-FF-OM4"


def client_for(user: Any) -> APIClient:
    # A 5xx answer is reported through got_request_exception, which the test client re-raises.
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user=user)
    return client


def run_chunks(run_id: int) -> None:
    for chunk_id in AuditRun.objects.get(pk=run_id).chunks.values_list("pk", flat=True):
        services.audit_chunk_execute(chunk_id=chunk_id)


@pytest.fixture
def faulty(hall: Any) -> Any:
    build = parallel_hall(hall, links=2)
    parallel_link(build, 2, trunk_code=WRONG_TRUNK)
    return build


def start(user: Any, hall: Any) -> Any:
    return client_for(user).post(f"/api/v1/halls/{hall.pk}/audits/")


def test_designer_starts_an_audit_and_gets_202_then_the_same_run(faulty, designer, no_enqueue):
    first = start(designer, faulty.hall)
    again = start(designer, faulty.hall)
    assert (first.status_code, again.status_code) == (202, 202)
    body = first.json()
    assert again.json()["id"] == body["id"]
    assert body["status"] == "queued"
    assert body["links_total"] == 3
    assert body["progress"] == {
        "links_done": 0,
        "links_total": 3,
        "chunks_done": 0,
        "chunks_total": 2,
    }
    assert body["stale"] is False
    assert len(no_enqueue) == 2


def test_viewer_cannot_start_outsider_does_not_see_the_hall(faulty, viewer, outsider, no_enqueue):
    assert start(viewer, faulty.hall).status_code == 403
    assert start(outsider, faulty.hall).status_code == 404
    assert not AuditRun.objects.exists()


def test_broker_down_answers_503_queue_unavailable(faulty, designer):
    from tests.audits.workers import set_broker

    previous = set_broker("redis://127.0.0.1:1/0")
    try:
        response = start(designer, faulty.hall)
    finally:
        set_broker(*previous)
    assert response.status_code == 503
    assert response.json()["errors"][0]["code"] == "queue_unavailable"
    assert not AuditRun.objects.exists()


def test_run_progress_counts_findings_and_stale_flag(faulty, designer, viewer, no_enqueue):
    from apps.plant import services as plant

    run_id = start(designer, faulty.hall).json()["id"]
    run_chunks(run_id)
    body = client_for(viewer).get(f"/api/v1/audits/{run_id}/").json()
    assert body["status"] == "done"
    assert body["progress"]["links_done"] == body["links_total"] == 3
    assert body["counts"]["by_code"]["PERMANENT_LINK_POLARITY"] == 1
    assert body["stale"] is False
    plant.cable_update(cable=faulty.cables["trunk0"], length_mm=31000)
    assert client_for(viewer).get(f"/api/v1/audits/{run_id}/").json()["stale"] is True


def test_findings_filter_by_code_severity_rack_row_and_paginate(
    faulty, designer, viewer, no_enqueue
):
    run_id = start(designer, faulty.hall).json()["id"]
    run_chunks(run_id)
    url = f"/api/v1/audits/{run_id}/findings/"
    viewer_client = client_for(viewer)
    everything = viewer_client.get(url, {"limit": 1000}).json()
    assert everything["count"] > 1
    codes = {f["code"] for f in everything["results"]}
    assert {"POLARITY_REVERSED", "PERMANENT_LINK_POLARITY"} <= codes
    only = viewer_client.get(url, {"code": "PERMANENT_LINK_POLARITY"}).json()
    assert [f["subject"] for f in only["results"]] == ["permanent_link"]
    errors = viewer_client.get(url, {"severity": "error"}).json()["results"]
    assert errors
    assert {f["severity"] for f in errors} == {"error"}
    rack = faulty.racks[0]
    in_rack = viewer_client.get(url, {"rack": rack.pk}).json()["count"]
    in_row = viewer_client.get(url, {"row": rack.row_id}).json()["count"]
    assert in_rack > 0
    assert in_row == everything["count"]
    assert viewer_client.get(url, {"rack": faulty.racks[1].pk}).json()["count"] == 0
    page = viewer_client.get(url, {"limit": 1}).json()
    assert (len(page["results"]), page["next"] is not None) == (1, True)
    assert viewer_client.get(url, {"severity": "nonsense"}).status_code == 400


def test_findings_are_empty_until_the_run_is_done(faulty, designer, viewer, no_enqueue):
    run_id = start(designer, faulty.hall).json()["id"]
    first_chunk = AuditRun.objects.get(pk=run_id).chunks.get(index=0)
    services.audit_chunk_execute(chunk_id=first_chunk.pk)
    body = client_for(viewer).get(f"/api/v1/audits/{run_id}/findings/").json()
    assert body["count"] == 0


def test_diff_lists_new_and_fixed_findings(faulty, designer, viewer, no_enqueue):
    from apps.plant import services as plant

    first = start(designer, faulty.hall).json()["id"]
    run_chunks(first)
    bad = faulty.links[2]
    plant.link_delete(link=bad)
    plant.cable_delete(cable=faulty.cables["trunk2"])
    parallel_link(faulty, 3, trunk_code=WRONG_TRUNK)
    second = start(designer, faulty.hall).json()["id"]
    run_chunks(second)
    body = client_for(viewer).get(f"/api/v1/audits/{second}/diff/").json()
    assert body["previous_run"] == first
    assert body["new_count"] == len(body["new"]) > 0
    assert body["fixed_count"] == len(body["fixed"]) > 0
    new_links = {f["subject_key"] for f in body["new"] if f["subject"] == "link"}
    assert new_links == {faulty.links[-1].name}
    assert bad.name not in new_links


def test_cancel_designer_yes_viewer_no_outsider_404(faulty, designer, viewer, outsider, no_enqueue):
    run_id = start(designer, faulty.hall).json()["id"]
    url = f"/api/v1/audits/{run_id}/cancel/"
    assert client_for(outsider).post(url).status_code == 404
    assert client_for(viewer).post(url).status_code == 403
    response = client_for(designer).post(url)
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    run_chunks(run_id)
    assert AuditRun.objects.get(pk=run_id).status == "cancelled"


def test_list_filters_by_hall_and_hides_other_projects(
    faulty, designer, viewer, outsider, no_enqueue
):
    from tests.factories.plant import HallFactory

    run_id = start(designer, faulty.hall).json()["id"]
    other = HallFactory(site=faulty.hall.site, name="DH2")
    assert start(designer, other).status_code == 202
    listed = client_for(viewer).get("/api/v1/audits/", {"hall": faulty.hall.pk}).json()
    assert [r["id"] for r in listed["results"]] == [run_id]
    assert client_for(viewer).get("/api/v1/audits/").json()["count"] == 2
    assert client_for(outsider).get("/api/v1/audits/").json()["count"] == 0
    assert client_for(outsider).get(f"/api/v1/audits/{run_id}/").status_code == 404


def test_list_and_findings_query_counts_do_not_grow(hall, designer, viewer, no_enqueue):
    from tests.factories.plant import HallFactory

    build = parallel_hall(hall, links=1)
    parallel_link(build, 1, trunk_code=WRONG_TRUNK)
    client = client_for(viewer)
    first = start(designer, hall).json()["id"]
    run_chunks(first)
    with CaptureQueriesContext(connection) as one_run:
        client.get("/api/v1/audits/")
    with CaptureQueriesContext(connection) as few_findings:
        client.get(f"/api/v1/audits/{first}/findings/", {"limit": 1})
    for n in range(4):
        start(designer, HallFactory(site=hall.site, name=f"X{n}"))
    with CaptureQueriesContext(connection) as five_runs:
        client.get("/api/v1/audits/")
    with CaptureQueriesContext(connection) as all_findings:
        client.get(f"/api/v1/audits/{first}/findings/", {"limit": 100})
    assert len(one_run) == len(five_runs) <= 6
    assert len(few_findings) == len(all_findings) <= 8


def test_schema_documents_the_audit_routes(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    for path in (
        "/api/v1/halls/{hall_id}/audits/",
        "/api/v1/audits/",
        "/api/v1/audits/{id}/",
        "/api/v1/audits/{id}/findings/",
        "/api/v1/audits/{id}/diff/",
        "/api/v1/audits/{id}/cancel/",
    ):
        assert path in paths, path
    start_op = paths["/api/v1/halls/{hall_id}/audits/"]["post"]
    assert "202" in start_op["responses"]
    assert start_op["responses"]["202"]["content"]["application/json"]["examples"]
