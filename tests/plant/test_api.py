# ruff: noqa: E501  (the endpoint tables read best one case per line)
"""The plant API: bad input on every write endpoint, filters, brief, bulk, query budgets, links."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.adapters import engine_catalog
from apps.plant.models import (
    Cable,
    CableLeg,
    Device,
    Enclosure,
    Hall,
    Link,
    Mating,
    Module,
    Rack,
    Row,
    Site,
    Transceiver,
)
from tests.factories.plant import parallel_hall
from tests.plant.api_world import World, world_build

pytestmark = pytest.mark.django_db

LIST_CEILING = 8  # session/token, projects subquery, count, page, prefetches (legs, ends)
LINK_CEILING = 20  # token, the link, the engine's fixed loads, the catalog version, the save


@pytest.fixture
def world(catalog: Any) -> World:
    return world_build()


def o(w: World, name: str) -> int:
    return int(w.objects[name].pk)


def _state() -> tuple[Any, ...]:
    models = (
        Site,
        Hall,
        Row,
        Rack,
        Device,
        Transceiver,
        Enclosure,
        Module,
        Cable,
        CableLeg,
        Mating,
        Link,
    )
    revisions = tuple(Hall.objects.order_by("pk").values_list("plant_revision", flat=True))
    names = tuple(Link.objects.order_by("pk").values_list("name", "status"))
    return (*[m.objects.count() for m in models], revisions, names)


def _error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"type", "errors"}, body
    error = body["errors"][0]
    assert set(error) == {"code", "detail", "attr"}
    return dict(error)


# (case, method, path, body, status, code, attr)
BAD: list[tuple[str, str, Callable[[World], str], Callable[[World], Any], int, str, str | None]] = [
    ("site without name", "post", lambda w: "/api/v1/sites/", lambda w: {"project": w.project.pk}, 400, "required", "name"),
    ("site in an unknown project", "post", lambda w: "/api/v1/sites/", lambda w: {"project": 2**62, "name": "x"}, 400, "does_not_exist", "project"),
    ("site id too big for the db", "post", lambda w: "/api/v1/sites/", lambda w: {"project": 10**30, "name": "x"}, 400, "does_not_exist", "project"),
    ("site project as a list", "post", lambda w: "/api/v1/sites/", lambda w: {"project": [1], "name": "x"}, 400, "incorrect_type", "project"),
    ("site name taken", "post", lambda w: "/api/v1/sites/", lambda w: {"project": w.project.pk, "name": "S"}, 400, "invalid", "__all__"),
    ("site name with NUL", "post", lambda w: "/api/v1/sites/", lambda w: {"project": w.project.pk, "name": "a\x00b"}, 400, "null_characters_not_allowed", "name"),
    ("body not JSON object", "post", lambda w: "/api/v1/sites/", lambda w: "nonsense", 400, "invalid", "non_field_errors"),
    ("empty bulk list", "post", lambda w: "/api/v1/racks/", lambda w: [], 400, "bulk_size", "non_field_errors"),
    ("site patch blank name", "patch", lambda w: f"/api/v1/sites/{o(w, 'site')}/", lambda w: {"name": ""}, 400, "blank", "name"),
    ("site delete with halls", "delete", lambda w: f"/api/v1/sites/{o(w, 'site')}/", lambda w: None, 409, "in_use", None),
    ("hall bad polarity", "post", lambda w: "/api/v1/halls/", lambda w: {"site": o(w, "site"), "name": "x", "polarity_method": "Z"}, 400, "invalid_choice", "polarity_method"),
    ("hall cord not a cable", "post", lambda w: "/api/v1/halls/", lambda w: {"site": o(w, "site"), "name": "x", "standard_duplex_cord": "QSFP28-100G-SR4"}, 400, "invalid_product", "standard_duplex_cord"),
    ("hall unknown cord", "patch", lambda w: f"/api/v1/halls/{o(w, 'hall')}/", lambda w: {"standard_array_cord": "NOPE"}, 400, "does_not_exist", "standard_array_cord"),
    ("hall negative pitch", "patch", lambda w: f"/api/v1/halls/{o(w, 'hall')}/", lambda w: {"rack_pitch_mm": -1}, 400, "min_value", "rack_pitch_mm"),
    ("hall delete with rows", "delete", lambda w: f"/api/v1/halls/{o(w, 'hall')}/", lambda w: None, 409, "in_use", None),
    ("row index taken", "post", lambda w: "/api/v1/rows/", lambda w: {"hall": o(w, "hall"), "name": "x", "index": 0}, 400, "invalid", "__all__"),
    ("row index huge", "post", lambda w: "/api/v1/rows/", lambda w: {"hall": o(w, "hall"), "name": "x", "index": 10**9}, 400, "max_value", "index"),
    ("row delete with racks", "delete", lambda w: f"/api/v1/rows/{o(w, 'row')}/", lambda w: None, 409, "in_use", None),
    ("rack position taken", "post", lambda w: "/api/v1/racks/", lambda w: {"row": o(w, "row"), "name": "x", "position": 0}, 409, "position_occupied", "position"),
    ("rack bulk: second bad, none made", "post", lambda w: "/api/v1/racks/", lambda w: [{"row": o(w, "row"), "name": "ok", "position": 30}, {"row": o(w, "row"), "name": "bad", "position": 0}], 409, "position_occupied", "1.position"),
    ("rack bulk: shape error names the index", "post", lambda w: "/api/v1/racks/", lambda w: [{"row": o(w, "row"), "name": "ok", "position": 30}, {"row": o(w, "row"), "position": 31}], 400, "required", "1.name"),
    ("rack zero height", "post", lambda w: "/api/v1/racks/", lambda w: {"row": o(w, "row"), "name": "x", "position": 40, "height_u": 0}, 400, "min_value", "height_u"),
    ("rack position is read-only in PATCH", "patch", lambda w: f"/api/v1/racks/{o(w, 'rack')}/", lambda w: {"position": 5, "name": ""}, 400, "blank", "name"),
    ("device over the rack top", "post", lambda w: "/api/v1/devices/", lambda w: {"rack": o(w, "rack"), "name": "x", "u_position": 42, "height_u": 2}, 400, "u_out_of_range", "u_position"),
    ("device on a taken U", "post", lambda w: "/api/v1/devices/", lambda w: {"rack": o(w, "rack"), "name": "x", "u_position": 40}, 409, "u_occupied", "u_position"),
    ("device bad kind", "patch", lambda w: f"/api/v1/devices/{o(w, 'device')}/", lambda w: {"kind": "toaster"}, 400, "invalid_choice", "kind"),
    ("device delete, a link end", "delete", lambda w: f"/api/v1/devices/{o(w, 'device')}/", lambda w: None, 409, "in_use", None),
    ("transceiver not a transceiver", "post", lambda w: "/api/v1/transceivers/", lambda w: {"device": o(w, "spare_device"), "cage": "9", "product": "ENC-1U-4SLOT"}, 400, "invalid_product", "revision"),
    ("transceiver unknown product", "post", lambda w: "/api/v1/transceivers/", lambda w: {"device": o(w, "spare_device"), "cage": "9", "product": "NOPE"}, 400, "does_not_exist", "product"),
    ("transceiver cage taken", "post", lambda w: "/api/v1/transceivers/", lambda w: {"device": o(w, "spare_device"), "cage": "1", "product": "QSFP28-100G-SR4"}, 409, "cage_occupied", "cage"),
    ("transceiver delete, a link end", "delete", lambda w: f"/api/v1/transceivers/{o(w, 'transceiver')}/", lambda w: None, 409, "in_use", None),
    ("transceiver has no PATCH", "patch", lambda w: f"/api/v1/transceivers/{o(w, 'transceiver')}/", lambda w: {"cage": "2"}, 405, "method_not_allowed", None),
    ("enclosure overlaps", "post", lambda w: "/api/v1/enclosures/", lambda w: {"rack": o(w, "rack"), "name": "x", "product": "ENC-1U-4SLOT", "u_position": 40}, 409, "u_occupied", "u_position"),
    ("enclosure move out of range", "post", lambda w: f"/api/v1/enclosures/{o(w, 'spare_enclosure')}/move/", lambda w: {"rack": o(w, "spare_rack"), "u_position": 43}, 400, "u_out_of_range", "u_position"),
    ("enclosure move to another project's rack", "post", lambda w: f"/api/v1/enclosures/{o(w, 'spare_enclosure')}/move/", lambda w: {"rack": w.other["rack"].pk, "u_position": 1}, 400, "does_not_exist", "rack"),
    ("enclosure delete with modules", "delete", lambda w: f"/api/v1/enclosures/{o(w, 'enclosure')}/", lambda w: None, 409, "in_use", None),
    ("module slot taken", "post", lambda w: "/api/v1/modules/", lambda w: {"enclosure": o(w, "enclosure"), "slot": 1, "product": "PNL-1U-12MPO-B"}, 409, "slot_occupied", "slot"),
    ("module slot beyond the enclosure", "post", lambda w: "/api/v1/modules/", lambda w: {"enclosure": o(w, "enclosure"), "slot": 9, "product": "PNL-1U-12MPO-B"}, 400, "slot_out_of_range", "slot"),
    ("module bad orientation", "patch", lambda w: f"/api/v1/modules/{o(w, 'module')}/", lambda w: {"orientation": "sideways"}, 400, "invalid_choice", "orientation"),
    ("cable label taken", "post", lambda w: "/api/v1/cables/", lambda w: {"hall": o(w, "hall"), "label": "C-spare", "product": "CRD-MPO12-B-FM-OM4-LL"}, 400, "invalid", "__all__"),
    ("cable not a cable", "post", lambda w: "/api/v1/cables/", lambda w: {"hall": o(w, "hall"), "label": "x", "product": "ENC-1U-4SLOT"}, 400, "invalid_product", "revision"),
    ("cable zero length", "patch", lambda w: f"/api/v1/cables/{o(w, 'cable')}/", lambda w: {"length_mm": 0}, 400, "min_value", "length_mm"),
    ("connect a leg the cable lacks", "post", lambda w: f"/api/v1/cables/{o(w, 'spare_cable')}/connect/", lambda w: {"leg": "A7", "port": o(w, "spare_port"), "side": "front"}, 400, "does_not_exist", "leg"),
    ("connect a malformed leg", "post", lambda w: f"/api/v1/cables/{o(w, 'spare_cable')}/connect/", lambda w: {"leg": "Z1", "port": o(w, "spare_port"), "side": "front"}, 400, "invalid", "leg"),
    ("connect into a mated side", "post", lambda w: f"/api/v1/cables/{o(w, 'spare_cable')}/connect/", lambda w: {"leg": "A1", "port": o(w, "port"), "side": "front"}, 409, "port_mated", "port"),
    ("connect a plugged leg", "post", lambda w: f"/api/v1/cables/{o(w, 'cable')}/connect/", lambda w: {"leg": "A1", "port": o(w, "spare_port"), "side": "front"}, 409, "leg_mated", "leg"),
    ("connect another project's port", "post", lambda w: f"/api/v1/cables/{o(w, 'spare_cable')}/connect/", lambda w: {"leg": "A1", "port": 2**40, "side": "front"}, 400, "does_not_exist", "port"),
    ("connect a bad side", "post", lambda w: f"/api/v1/cables/{o(w, 'spare_cable')}/connect/", lambda w: {"leg": "A1", "port": o(w, "spare_port"), "side": "top"}, 400, "invalid_choice", "side"),
    ("disconnect without leg", "post", lambda w: f"/api/v1/cables/{o(w, 'cable')}/disconnect/", lambda w: {}, 400, "required", "leg"),
    ("mating a side the port lacks", "post", lambda w: "/api/v1/matings/", lambda w: {"leg": w.objects["spare_cable"].legs.get(end="A").pk, "port": w.objects["spare_transceiver"].ports.get().pk, "side": "rear"}, 400, "invalid_side", "side"),
    ("mating bulk: second taken, none made", "post", lambda w: "/api/v1/matings/", lambda w: [{"leg": w.objects["spare_cable"].legs.get(end="A").pk, "port": o(w, "spare_port"), "side": "front"}, {"leg": w.objects["spare_cable"].legs.get(end="B").pk, "port": o(w, "spare_port"), "side": "front"}], 409, "port_mated", "1.port"),
    ("link with one end", "post", lambda w: "/api/v1/links/", lambda w: {"name": "x", "a_port": w.objects["spare_transceiver"].ports.get().pk}, 400, "invalid_shape", None),
    ("link with no ends", "post", lambda w: "/api/v1/links/", lambda w: {"name": "x"}, 400, "invalid_shape", None),
    ("link end on a panel port", "post", lambda w: "/api/v1/links/", lambda w: {"name": "x", "a_port": o(w, "spare_port"), "b_port": w.objects["spare_transceiver"].ports.get().pk}, 400, "not_a_transceiver", "a_port"),
    ("link breakout bad lanes", "post", lambda w: "/api/v1/links/", lambda w: {"name": "x", "parent_port": w.objects["spare_transceiver"].ports.get().pk, "children": [{"port": o(w, "spare_port"), "lanes": [-1]}]}, 400, "min_value", "children.0.lanes.0"),
    ("link unknown application", "post", lambda w: "/api/v1/links/", lambda w: {"name": "x", "a_port": w.objects["spare_transceiver"].ports.get().pk, "b_port": w.objects["spare_transceiver"].ports.get().pk, "a_application": "NOPE"}, 400, "does_not_exist", "a_application"),
    ("validate with a bad basis", "post", lambda w: f"/api/v1/links/{o(w, 'link')}/validate/", lambda w: {"basis": "vibes"}, 400, "invalid_choice", "basis"),
    ("validate with a negative margin", "post", lambda w: f"/api/v1/links/{o(w, 'link')}/validate/", lambda w: {"low_margin_db": "-1"}, 400, "min_value", "low_margin_db"),
    ("import into an unknown project", "post", lambda w: "/api/v1/halls/import/", lambda w: {"project": 2**50, "document": {}}, 400, "does_not_exist", "project"),
    ("NUL in a product code", "post", lambda w: "/api/v1/enclosures/", lambda w: {"rack": o(w, "spare_rack"), "name": "x", "product": "ENC\x00", "u_position": 1}, 400, "null_characters_not_allowed", "product"),
    ("NUL in a bulk create", "post", lambda w: "/api/v1/enclosures/", lambda w: [{"rack": o(w, "spare_rack"), "name": "x", "product": "ENC-1U-4SLOT", "u_position": 1}, {"rack": o(w, "spare_rack"), "name": "y\x00", "product": "l\x00F", "u_position": 3}], 400, "null_characters_not_allowed", "1.name"),
    ("NUL in a key", "post", lambda w: "/api/v1/racks/", lambda w: {"row": o(w, "row"), "name": "x", "position": 77, "\x00": 1}, 400, "null_characters_not_allowed", None),
    ("import a broken document", "post", lambda w: "/api/v1/halls/import/", lambda w: {"project": w.project.pk, "document": {"hall": 3}}, 400, "invalid_document", "document"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "method", "path", "body", "status", "code", "attr"), BAD, ids=[b[0] for b in BAD]
)
def test_bad_input_answers_a_named_4xx_and_writes_nothing(
    world: World,
    case: str,
    method: str,
    path: Any,
    body: Any,
    status: int,
    code: str,
    attr: str | None,
) -> None:
    # given
    before = _state()
    # when
    response = getattr(world.client("owner"), method)(path(world), body(world), format="json")
    # then
    assert response.status_code == status, response.content
    error = _error(response)
    assert error["code"] == code, error
    if attr is not None:
        assert error["attr"] == attr, error
    assert _state() == before


def test_delete_of_another_projects_object_is_404_and_keeps_it(world: World) -> None:
    # when
    response = world.client("owner").delete(f"/api/v1/racks/{world.other['rack'].pk}/")
    # then
    assert response.status_code == 404
    assert Rack.objects.filter(pk=world.other["rack"].pk).exists()


# --- filters, brief, ordering, pagination --------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("name=R-spare", {"R-spare"}),
        ("name__n=R-spare", {"R000", "R001"}),
        ("name__ic=spar", {"R-spare"}),
        ("name__isw=r-s", {"R-spare"}),
        ("q=SPARE", {"R-spare"}),
        ("position__gte=1", {"R001", "R-spare"}),
    ],
)
def test_rack_filters_in_the_netbox_style(world: World, query: str, names: set[str]) -> None:
    # given: racks R000, R001 (parallel hall) and R-spare; factory names count up, so rename
    Rack.objects.filter(pk=world.objects["rack"].pk).update(name="R000")
    Rack.objects.filter(project=world.project).exclude(name__in=["R000", "R-spare"]).update(
        name="R001"
    )
    # when
    response = world.client("owner").get(f"/api/v1/racks/?{query}")
    # then
    assert response.status_code == 200, response.content
    assert {row["name"] for row in response.json()["results"]} == names


def test_parent_id_filters_and_ordering(world: World) -> None:
    # when
    client = world.client("owner")
    by_rack = client.get(f"/api/v1/devices/?rack_id={o(world, 'spare_rack')}").json()
    by_hall = client.get(f"/api/v1/cables/?hall_id={o(world, 'hall')}&ordering=-label").json()
    not_hall = client.get(f"/api/v1/cables/?hall_id__n={o(world, 'hall')}").json()
    legs = client.get(f"/api/v1/cable-legs/?cable_id={o(world, 'spare_cable')}&mated=false").json()
    # then
    assert [d["name"] for d in by_rack["results"]] == ["spare"]
    labels = [c["label"] for c in by_hall["results"]]
    assert labels == sorted(labels, reverse=True)
    assert len(labels) == 4
    assert not_hall["count"] == 0
    assert [leg["face"] for leg in legs["results"]] == ["A1", "B1"]


def test_bad_filter_values_are_400_not_500(world: World) -> None:
    # when
    response = world.client("owner").get("/api/v1/racks/?hall_id=abc&position__gte=x")
    huge = world.client("owner").get(f"/api/v1/racks/?hall_id={10**30}")
    # then
    assert response.status_code == 400
    assert _error(response)["attr"] in {"hall_id", "position__gte"}
    assert huge.status_code == 400


def test_brief_answers_id_url_and_display(world: World) -> None:
    # when
    body = world.client("owner").get("/api/v1/cables/?brief=true&limit=1").json()
    # then
    assert body["count"] == 4
    assert body["next"] is not None
    assert set(body["results"][0]) == {"id", "url", "display", "label"}


def test_patch_ignores_topology_fields(world: World) -> None:
    # when: position and row are not PATCH fields; only the name changes
    rack = world.objects["rack"]
    response = world.client("owner").patch(
        f"/api/v1/racks/{rack.pk}/", {"name": "renamed", "position": 7, "row": 1}, format="json"
    )
    # then
    assert response.status_code == 200
    rack.refresh_from_db()
    assert (rack.name, rack.position) == ("renamed", 0)


def test_put_is_not_offered(world: World) -> None:
    response = world.client("owner").put(f"/api/v1/sites/{o(world, 'site')}/", {"name": "x"})
    assert response.status_code == 405


def test_bulk_create_makes_every_rack_in_one_go(world: World) -> None:
    # when
    racks = [{"row": o(world, "row"), "name": f"B{i}", "position": 10 + i} for i in range(5)]
    response = world.client("owner").post("/api/v1/racks/", racks, format="json")
    # then
    assert response.status_code == 201
    assert [r["name"] for r in response.json()] == [f"B{i}" for i in range(5)]


# --- query budgets -------------------------------------------------------------------------------

LISTS = ["sites", "halls", "rows", "racks", "devices", "transceivers", "enclosures", "modules", "ports", "cables", "cable-legs", "matings", "links"]  # fmt: skip


@pytest.fixture
def halls(catalog: Any) -> tuple[Any, Any]:
    """Two projects: one link's plant, and twenty links' plant (each about 20x the rows)."""
    from tests.factories.accounts import ProjectMembershipFactory, UserFactory

    engine_catalog()
    small, big = parallel_hall(links=1), parallel_hall(links=20, panels=2)
    owners = []
    for build in (small, big):
        person = UserFactory.create()
        ProjectMembershipFactory.create(user=person, project=build.hall.project, role="owner")
        owners.append(person)
    return (small, owners[0]), (big, owners[1])


@pytest.mark.parametrize("path", LISTS)
def test_list_endpoints_cost_the_same_for_1_and_20_links(halls: Any, path: str) -> None:
    from rest_framework.test import APIClient

    for query in ("", "&brief=true"):  # the brief form reads the same rows
        counts = []
        sizes = []
        for _build, person in halls:
            client = APIClient()
            client.force_authenticate(user=person)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/api/v1/{path}/?limit=1000{query}")
            assert response.status_code == 200
            counts.append(len(queries))
            sizes.append(response.json()["count"])
        assert counts[0] == counts[1] <= LIST_CEILING, (query, counts)
        # devices, transceivers, ports, cables, legs, matings, links: 20x
        assert sizes[1] >= sizes[0]


def test_link_operations_stay_under_a_query_ceiling(halls: Any) -> None:
    from rest_framework.test import APIClient

    (_small, _o), (big, person) = halls
    client = APIClient()
    client.force_authenticate(user=person)
    link = big.links[7]
    for method, suffix in (
        ("post", "validate/"),
        ("get", "validate/"),
        ("get", "trace/"),
        ("get", "loss-budget/"),
    ):
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(f"/api/v1/links/{link.pk}/{suffix}", format="json")
        assert response.status_code == 200, response.content
        assert len(queries) <= LINK_CEILING, (suffix, len(queries))


# --- link operations -----------------------------------------------------------------------------


def test_validate_stores_the_status_and_get_returns_it(world: World) -> None:
    # given
    link = world.objects["link"]
    client = world.client("designer")
    assert client.get(f"/api/v1/links/{link.pk}/validate/").json()["report"] is None
    # when
    posted = client.post(f"/api/v1/links/{link.pk}/validate/", {"basis": "tia"}, format="json")
    stored = client.get(f"/api/v1/links/{link.pk}/validate/")
    # then
    assert posted.status_code == 200
    assert posted.json() == stored.json()
    body = stored.json()
    assert body["status"] == "ok"
    assert body["needs_revalidation"] is False
    assert body["report"]["options"]["basis"] == "tia"
    assert Link.objects.get(pk=link.pk).status == "ok"


def test_trace_gives_positions_and_colours_per_fibre(world: World) -> None:
    # when
    body = world.client("viewer").get(f"/api/v1/links/{o(world, 'link')}/trace/").json()
    # then: SR4 has 8 lit fibres, every hop with a position and a TIA-598 colour
    assert body["ok"] is True
    assert len(body["trace"]) == 8
    hop = body["trace"][0]["hops"][0]
    assert {"ref", "face", "position", "colour"} <= set(hop)
    assert hop["colour"] == "blue"
    assert all(ref in body["elements"] for ref in {h["ref"] for h in body["trace"][0]["hops"]})


def test_loss_budget_has_limit_and_margin(world: World) -> None:
    body = world.client("viewer").get(f"/api/v1/links/{o(world, 'link')}/loss-budget/").json()
    (channel,) = body["loss"]
    assert channel["application"] == "100GBASE-SR4"
    assert {"total_max_db", "limit_db", "margin_db", "items"} <= set(channel)


def test_an_incomplete_link_says_where_the_path_stops(world: World) -> None:
    # given: the far cord unplugged from its panel
    client = world.client("owner")
    trunk = world.objects["cable"]
    assert (
        client.post(
            f"/api/v1/cables/{trunk.pk}/disconnect/", {"leg": "B1"}, format="json"
        ).status_code
        == 200
    )
    # when
    body = client.post(f"/api/v1/links/{o(world, 'link')}/validate/", {}, format="json").json()
    # then
    report = body["report"]
    assert body["status"] == "error"
    open_fiber = [f for f in report["findings"] if f["code"] == "OPEN_FIBER"]
    assert open_fiber, report["findings"]
    assert open_fiber[0]["ref"] in report["elements"]


def test_permanent_links_give_the_tier1_limit(world: World) -> None:
    body = world.client("viewer").get(f"/api/v1/halls/{o(world, 'hall')}/permanent-links/").json()
    (trunk,) = body
    assert trunk["cable"] == o(world, "cable")
    assert trunk["tier1_limit_db"] is not None


def test_hall_export_then_import_is_idempotent(world: World) -> None:
    # given
    client = world.client("owner")
    document = client.get(f"/api/v1/halls/{o(world, 'hall')}/export/").json()
    before = _state()
    # when
    response = client.post(
        "/api/v1/halls/import/", {"project": world.project.pk, "document": document}, format="json"
    )
    # then
    assert response.status_code == 200, response.content
    assert response.json()["hall"] == o(world, "hall")
    assert sum(response.json()["created"].values()) == 0
    assert _state()[:-2] == before[:-2]
