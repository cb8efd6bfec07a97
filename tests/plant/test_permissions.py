"""The permission matrix (docs/api.md) over every plant endpoint.

Each endpoint is called by every persona of tests/plant/api_world.py against project P's plant:

    persona            reads of P        writes in P
    owner, designer,   200               2xx (the service ran)
    org_admin, rw_token, service_token
    viewer             200               403 permission_denied
    ro_token           200               403 token_read_only
    outsider,          404 (lists: 0)    404 (create: 403, nothing to write to)
    catalog_manager
    other_token        404 (lists: 0)    404 (create: 400 does_not_exist, the parent is unseen)
    expired_token      401 token_expired

Denied writes change nothing (the plant revision and row counts stay).
"""

# ruff: noqa: E501  (the endpoint tables read best one endpoint per line)
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from apps.plant.models import Cable, Hall, Link, Mating, Rack, Site
from tests.plant.api_world import World, world_build

pytestmark = pytest.mark.django_db

READERS = ["owner", "designer", "viewer", "org_admin", "rw_token", "ro_token", "service_token"]
WRITERS = ["owner", "designer", "org_admin", "rw_token", "service_token"]
BLIND = ["outsider", "catalog_manager", "other_token"]
PERSONAS = [*READERS, *BLIND, "expired_token"]

RESOURCES = {
    "sites": "site",
    "halls": "hall",
    "rows": "row",
    "racks": "rack",
    "devices": "device",
    "transceivers": "transceiver",
    "enclosures": "enclosure",
    "modules": "module",
    "ports": "port",
    "cables": "cable",
    "cable-legs": "leg",
    "matings": "mating",
    "links": "link",
}

Body = Callable[[World], Any]


def o(w: World, name: str) -> int:
    return int(w.objects[name].pk)


# (name, method, path, body, success status) — path and body built from the world
WRITES: list[tuple[str, str, Callable[[World], str], Body, int]] = [
    ("site create", "post", lambda w: "/api/v1/sites/", lambda w: {"project": w.project.pk, "name": "N"}, 201),
    ("site patch", "patch", lambda w: f"/api/v1/sites/{o(w, 'site')}/", lambda w: {"name": "N"}, 200),
    ("site delete", "delete", lambda w: f"/api/v1/sites/{o(w, 'spare_site')}/", lambda w: None, 204),
    ("hall create", "post", lambda w: "/api/v1/halls/", lambda w: {"site": o(w, "site"), "name": "N"}, 201),
    ("hall patch", "patch", lambda w: f"/api/v1/halls/{o(w, 'hall')}/", lambda w: {"polarity_method": "A"}, 200),
    ("hall delete", "delete", lambda w: f"/api/v1/halls/{o(w, 'spare_hall')}/", lambda w: None, 204),
    ("row create", "post", lambda w: "/api/v1/rows/", lambda w: {"hall": o(w, "hall"), "name": "N", "index": 5}, 201),
    ("row patch", "patch", lambda w: f"/api/v1/rows/{o(w, 'row')}/", lambda w: {"name": "N"}, 200),
    ("row delete", "delete", lambda w: f"/api/v1/rows/{o(w, 'spare_row')}/", lambda w: None, 204),
    ("rack create", "post", lambda w: "/api/v1/racks/", lambda w: {"row": o(w, "row"), "name": "N", "position": 7}, 201),
    ("rack bulk create", "post", lambda w: "/api/v1/racks/", lambda w: [{"row": o(w, "row"), "name": f"N{i}", "position": 20 + i} for i in range(2)], 201),
    ("rack patch", "patch", lambda w: f"/api/v1/racks/{o(w, 'rack')}/", lambda w: {"name": "N"}, 200),
    ("rack delete", "delete", lambda w: f"/api/v1/racks/{o(w, 'spare_rack')}/", lambda w: None, 409),
    ("device create", "post", lambda w: "/api/v1/devices/", lambda w: {"rack": o(w, "spare_rack"), "name": "N", "u_position": 10}, 201),
    ("device patch", "patch", lambda w: f"/api/v1/devices/{o(w, 'device')}/", lambda w: {"kind": "server"}, 200),
    ("device delete", "delete", lambda w: f"/api/v1/devices/{o(w, 'spare_device')}/", lambda w: None, 204),
    ("transceiver create", "post", lambda w: "/api/v1/transceivers/", lambda w: {"device": o(w, "spare_device"), "cage": "2", "product": "QSFP28-100G-SR4"}, 201),
    ("transceiver delete", "delete", lambda w: f"/api/v1/transceivers/{o(w, 'spare_transceiver')}/", lambda w: None, 204),
    ("enclosure create", "post", lambda w: "/api/v1/enclosures/", lambda w: {"rack": o(w, "spare_rack"), "name": "N", "product": "ENC-1U-4SLOT", "u_position": 35}, 201),
    ("enclosure patch", "patch", lambda w: f"/api/v1/enclosures/{o(w, 'enclosure')}/", lambda w: {"name": "N"}, 200),
    ("enclosure move", "post", lambda w: f"/api/v1/enclosures/{o(w, 'spare_enclosure')}/move/", lambda w: {"rack": o(w, "spare_rack"), "u_position": 36}, 200),
    ("enclosure delete", "delete", lambda w: f"/api/v1/enclosures/{o(w, 'spare_enclosure')}/", lambda w: None, 409),
    ("module create", "post", lambda w: "/api/v1/modules/", lambda w: {"enclosure": o(w, "spare_enclosure"), "slot": 2, "product": "PNL-1U-12MPO-B"}, 201),
    ("module patch", "patch", lambda w: f"/api/v1/modules/{o(w, 'module')}/", lambda w: {"orientation": "inverted"}, 200),
    ("module delete", "delete", lambda w: f"/api/v1/modules/{o(w, 'spare_module')}/", lambda w: None, 204),
    ("cable create", "post", lambda w: "/api/v1/cables/", lambda w: {"hall": o(w, "hall"), "label": "N", "product": "CRD-MPO12-B-FM-OM4-LL"}, 201),
    ("cable patch", "patch", lambda w: f"/api/v1/cables/{o(w, 'cable')}/", lambda w: {"status": "installed"}, 200),
    ("cable connect", "post", lambda w: f"/api/v1/cables/{o(w, 'spare_cable')}/connect/", lambda w: {"leg": "A1", "port": o(w, "spare_port"), "side": "front"}, 201),
    ("cable disconnect", "post", lambda w: f"/api/v1/cables/{o(w, 'cable')}/disconnect/", lambda w: {"leg": "A1"}, 200),
    ("cable delete", "delete", lambda w: f"/api/v1/cables/{o(w, 'spare_cable')}/", lambda w: None, 204),
    ("mating create", "post", lambda w: "/api/v1/matings/", lambda w: {"leg": w.objects["spare_cable"].legs.get(end="B").pk, "port": o(w, "spare_port"), "side": "rear"}, 201),
    ("mating delete", "delete", lambda w: f"/api/v1/matings/{o(w, 'mating')}/", lambda w: None, 204),
    ("link create", "post", lambda w: "/api/v1/links/", lambda w: {"name": "N", "a_port": w.objects["spare_transceiver"].ports.get().pk, "b_port": w.objects["transceiver"].ports.get().pk}, 409),
    ("link patch", "patch", lambda w: f"/api/v1/links/{o(w, 'link')}/", lambda w: {"name": "N"}, 200),
    ("link validate", "post", lambda w: f"/api/v1/links/{o(w, 'link')}/validate/", lambda w: {"basis": "tia"}, 200),
    ("link delete", "delete", lambda w: f"/api/v1/links/{o(w, 'link')}/", lambda w: None, 204),
]  # fmt: skip

READS: list[tuple[str, Callable[[World], str]]] = [
    *[(f"{path} detail", lambda w, p=path, k=key: f"/api/v1/{p}/{o(w, k)}/") for path, key in RESOURCES.items()],
    ("link validate (stored)", lambda w: f"/api/v1/links/{o(w, 'link')}/validate/"),
    ("link trace", lambda w: f"/api/v1/links/{o(w, 'link')}/trace/"),
    ("link loss budget", lambda w: f"/api/v1/links/{o(w, 'link')}/loss-budget/?basis=tia"),
    ("hall permanent links", lambda w: f"/api/v1/halls/{o(w, 'hall')}/permanent-links/"),
]  # fmt: skip


@pytest.fixture
def world(catalog: Any) -> World:
    return world_build()


def _state(w: World) -> tuple[Any, ...]:
    return (
        tuple(Hall.objects.order_by("pk").values_list("plant_revision", "name", "polarity_method")),
        Site.objects.count(),
        Rack.objects.count(),
        Cable.objects.count(),
        Mating.objects.count(),
        tuple(Link.objects.order_by("pk").values_list("name", "status")),
    )


def _code(response: Any) -> str:
    return str(response.json()["errors"][0]["code"])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", list(RESOURCES))
def test_lists_show_only_what_the_persona_may_see(world: World, persona: str, path: str) -> None:
    # when
    response = world.client(persona).get(f"/api/v1/{path}/")
    # then
    if persona == "expired_token":
        assert response.status_code == 401
        assert _code(response) == "token_expired"
        return
    assert response.status_code == 200
    body = response.json()
    if persona == "other_token":  # Q's own plant only
        assert world.project.pk not in {row["project"] for row in body["results"]}
    elif persona in BLIND:
        assert body["count"] == 0
        assert body["results"] == []
    else:
        assert body["count"] >= 1
        assert {row["project"] for row in body["results"]} == {world.project.pk}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "path"), READS, ids=[name for name, _ in READS])
def test_reads_answer_members_and_404_everyone_else(
    world: World, persona: str, name: str, path: Callable[[World], str]
) -> None:
    # when
    response = world.client(persona).get(path(world))
    # then
    if persona == "expired_token":
        assert (response.status_code, _code(response)) == (401, "token_expired")
    elif persona in BLIND:
        assert (response.status_code, _code(response)) == (404, "not_found")
    else:
        assert response.status_code == 200, response.json()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("name", "method", "path", "body", "success"), WRITES, ids=[w[0] for w in WRITES]
)
def test_writes_follow_the_permission_matrix(
    world: World,
    persona: str,
    name: str,
    method: str,
    path: Callable[[World], str],
    body: Body,
    success: int,
) -> None:
    # given
    before = _state(world)
    creating = method == "post" and path(world).count("/") == 4
    # when
    response = getattr(world.client(persona), method)(path(world), body(world), format="json")
    # then
    if persona in WRITERS:
        assert response.status_code == success, response.content
        return
    if persona == "expired_token":
        expected = (401, "token_expired")
    elif persona == "ro_token":
        expected = (403, "token_read_only")
    elif persona == "viewer":
        expected = (403, "permission_denied")
    elif creating and persona == "other_token":
        expected = (400, "does_not_exist")
    elif creating:
        expected = (403, "permission_denied")
    else:
        expected = (404, "not_found")
    assert (response.status_code, _code(response)) == expected, response.content
    assert _state(world) == before


@pytest.mark.parametrize("path", list(RESOURCES))
def test_another_projects_token_sees_nothing_of_p_but_its_own_plant(
    world: World, path: str
) -> None:
    # when
    response = world.client("other_token").get(f"/api/v1/{path}/")
    # then: only project Q's rows
    assert {row["project"] for row in response.json()["results"]} <= {world.other_project.pk}


def test_a_filter_on_another_projects_id_matches_nothing(world: World) -> None:
    # when
    hall = world.other["hall"].pk
    response = world.client("owner").get(f"/api/v1/racks/?hall_id={hall}")
    # then
    assert response.json()["count"] == 0


def test_a_related_id_of_another_project_is_does_not_exist(world: World) -> None:
    # given
    before = _state(world)
    # when
    response = world.client("owner").post(
        "/api/v1/racks/",
        {"row": world.other["row"].pk, "name": "sneaky", "position": 3},
        format="json",
    )
    # then: exactly what an id that never existed answers
    never = world.client("owner").post(
        "/api/v1/racks/", {"row": 987654321, "name": "sneaky", "position": 3}, format="json"
    )
    assert response.status_code == never.status_code == 400
    assert response.json()["errors"][0]["code"] == "does_not_exist"
    assert response.json()["errors"][0]["attr"] == "row"
    assert response.json()["errors"][0]["code"] == never.json()["errors"][0]["code"]
    assert _state(world) == before
