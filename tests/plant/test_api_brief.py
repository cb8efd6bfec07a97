# ruff: noqa: E501  (the endpoint table reads best one case per line)
"""`?brief=true` on the plant API: every list and detail answers what the schema's Brief<Model>
component says, and the full form without it; the writes that honour brief do too."""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.openapi_support import brief_operations, brief_reads_check, validator
from tests.plant.api_world import World, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(catalog: Any) -> World:
    return world_build()


def _plant(method: str) -> list[Any]:
    return [
        op
        for op in brief_operations("/api/v1/")
        if op.method == method and not op.path.startswith("/api/v1/catalog/")
    ]


def test_every_plant_read_answers_the_schemas_brief_form_and_the_full_form_without(
    world: World,
) -> None:
    # given: the schema's plant reads that declare brief (a list and a detail per resource)
    operations = _plant("get")
    assert len(operations) == 2 * 13
    # when
    checked, failures = brief_reads_check(world.client("owner"), operations)
    # then
    assert not failures, failures
    assert checked >= 3 * len(operations)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/racks/", lambda w: {"row": w.objects["row"].pk, "name": "R-new", "position": 5}),
        ("post", "/api/v1/racks/", lambda w: [{"row": w.objects["row"].pk, "name": f"R-new{i}", "position": 5 + i} for i in (1, 2)]),
        ("patch", "/api/v1/sites/{id}/", lambda w: {"name": "S-renamed"}),
        ("post", "/api/v1/enclosures/{id}/move/", lambda w: {"rack": w.objects["spare_rack"].pk, "u_position": 20}),
        ("post", "/api/v1/cables/{id}/disconnect/", lambda w: {"leg": "A1"}),
    ],
)  # fmt: skip
def test_writes_that_honour_brief_answer_the_schemas_brief_form(
    world: World, method: str, path: str, body: Any
) -> None:
    # given: the operation declares brief, and which Brief<Model> it answers
    op = next(op for op in _plant(method) if op.path == path)
    owner = {
        "/api/v1/sites/{id}/": "spare_site",
        "/api/v1/enclosures/{id}/move/": "spare_enclosure",
        "/api/v1/cables/{id}/disconnect/": "cable",
    }
    url = path.replace("{id}", str(world.objects[owner[path]].pk)) if path in owner else path
    # when
    client = world.client("owner")
    sent = body(world)
    response = getattr(client, method)(f"{url}?brief=true", sent, format="json")
    # then: one record, or (POST a list) a list of them
    assert response.status_code in (200, 201), response.json()
    records = response.json() if isinstance(sent, list) else [response.json()]
    assert len(records) == (len(sent) if isinstance(sent, list) else 1)
    for record in records:
        errors = [error.message for error in validator(op.brief).iter_errors(record)]
        assert not errors
        assert not validator(op.full).is_valid(record)
