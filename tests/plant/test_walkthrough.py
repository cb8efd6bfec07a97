# ruff: noqa: E501  (request bodies read best on one line)
"""A DCIM integration builds a small hall through the API alone, with a Bearer token.

    rack R1                                                        rack R2
    [leaf1 QSFP28-SR4]--B cord--[panel 1 front|rear]==TRK-B 30 m==[rear|front panel 1]--B cord--[leaf2 QSFP28-SR4]
    [spine QSFP-DD DR4]--harness HRN-B8 (A1 ... B1..B4)--[leaf3..leaf6 QSFP28-DR]

The aggregate SR4 link passes; the DR4 breakout passes; both give trace and loss budget; a
second project's plant stays invisible to the token.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Role
from tests.factories.accounts import (
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
    token_make,
)
from tests.factories.plant import parallel_hall

pytestmark = pytest.mark.django_db


def test_a_dcim_client_builds_and_validates_a_hall_through_the_api(catalog: Any) -> None:
    # given: a designer's read-write token for project P, and another project with a plant
    project = ProjectFactory.create(name="P", slug="p")
    designer = UserFactory.create(username="dcim")
    ProjectMembershipFactory.create(user=designer, project=project, role=Role.DESIGNER)
    _token, key = token_make(
        user=designer, projects=[project], role=Role.DESIGNER, write_enabled=True
    )
    elsewhere = parallel_hall()  # project Q's hall, links and cables
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    def post(path: str, body: Any, status: int = 201) -> Any:
        response = api.post(f"/api/v1/{path}", body, format="json")
        assert response.status_code == status, (path, response.content)
        return response.json()

    # when: the structure
    site = post("sites/", {"project": project.pk, "name": "FRA1"})
    hall = post(
        "halls/",
        {"site": site["id"], "name": "Hall A", "polarity_method": "B", "cable_slack_mm": 500},
    )
    row = post("rows/", {"hall": hall["id"], "name": "Row 1", "index": 0})
    r1, r2 = post(
        "racks/", [{"row": row["id"], "name": f"R{i}", "position": i - 1} for i in (1, 2)]
    )
    # devices and transceivers
    devices = post(
        "devices/",
        [
            {"rack": r1["id"], "name": "leaf1", "u_position": 20},
            {"rack": r2["id"], "name": "leaf2", "u_position": 20},
            {"rack": r1["id"], "name": "spine", "u_position": 30},
            *[{"rack": r1["id"], "name": f"leaf{3 + k}", "u_position": 31 + k} for k in range(4)],
        ],
    )
    by_name = {d["name"]: d["id"] for d in devices}
    sr4 = post(
        "transceivers/",
        [
            {"device": by_name[n], "cage": "1", "product": "QSFP28-100G-SR4"}
            for n in ("leaf1", "leaf2")
        ],
    )
    dr4 = post(
        "transceivers/", {"device": by_name["spine"], "cage": "1", "product": "QSFPDD-400G-DR4"}
    )
    drs = post(
        "transceivers/",
        [
            {"device": by_name[f"leaf{3 + k}"], "cage": "1", "product": "QSFP28-100G-DR"}
            for k in range(4)
        ],
    )
    # enclosures and panels
    e1, e2 = post(
        "enclosures/",
        [
            {
                "rack": r["id"],
                "name": f"{r['name']}-U40",
                "product": "ENC-1U-4SLOT",
                "u_position": 40,
            }
            for r in (r1, r2)
        ],
    )
    p1, p2 = post(
        "modules/",
        [{"enclosure": e["id"], "slot": 1, "product": "PNL-1U-12MPO-B"} for e in (e1, e2)],
    )

    def port(query: str) -> int:
        body = api.get(f"/api/v1/ports/?{query}").json()
        assert body["count"] == 1, (query, body)
        return int(body["results"][0]["id"])

    # trunks and cords
    cord_a, trunk, cord_b, harness = post(
        "cables/",
        [
            {
                "hall": hall["id"],
                "label": "CA-1",
                "product": "CRD-MPO12-B-FM-OM4-LL",
                "length_mm": 3000,
            },
            {
                "hall": hall["id"],
                "label": "TRK-1",
                "product": "TRK-B12-MPO12-B-FF-OM4",
                "length_mm": 30000,
            },
            {
                "hall": hall["id"],
                "label": "CB-1",
                "product": "CRD-MPO12-B-FM-OM4-LL",
                "length_mm": 3000,
            },
            {
                "hall": hall["id"],
                "label": "HRN-1",
                "product": "HRN-B8-MPO12F-4LC-OS2-APC",
                "length_mm": 3000,
            },
        ],
    )
    # connect: through the action and through matings (a list, all or nothing)
    sr4_a, sr4_b = (port(f"transceiver_id={t['id']}") for t in sr4)
    panel_a, panel_b = (port(f"module_id={p['id']}&label=1") for p in (p1, p2))
    post(f"cables/{cord_a['id']}/connect/", {"leg": "A1", "port": sr4_a, "side": "front"})
    post(f"cables/{cord_a['id']}/connect/", {"leg": "B1", "port": panel_a, "side": "front"})
    legs = {
        f"{c['label']}:{leg['face']}": leg["id"]
        for c in (trunk, cord_b, harness)
        for leg in c["legs"]
    }
    post(
        "matings/",
        [
            {"leg": legs["TRK-1:A1"], "port": panel_a, "side": "rear"},
            {"leg": legs["TRK-1:B1"], "port": panel_b, "side": "rear"},
            {"leg": legs["CB-1:B1"], "port": panel_b, "side": "front"},
            {"leg": legs["CB-1:A1"], "port": sr4_b, "side": "front"},
        ],
    )
    parent = port(f"transceiver_id={dr4['id']}")
    children = [port(f"transceiver_id={t['id']}") for t in drs]
    post(
        "matings/",
        [
            {"leg": legs["HRN-1:A1"], "port": parent, "side": "front"},
            *[
                {"leg": legs[f"HRN-1:B{k + 1}"], "port": p, "side": "front"}
                for k, p in enumerate(children)
            ],
        ],
    )
    # links
    aggregate = post("links/", {"name": "leaf1-leaf2", "a_port": sr4_a, "b_port": sr4_b})
    breakout = post(
        "links/",
        {
            "name": "spine-breakout",
            "parent_port": parent,
            "children": [{"port": p, "lanes": [k]} for k, p in enumerate(children)],
        },
    )

    # then: validation, trace and loss budget of both
    for link, lanes in ((aggregate, 8), (breakout, 8)):
        report = post(f"links/{link['id']}/validate/", {}, status=200)
        assert report["status"] == "ok", report["report"]["findings"]
        assert report["report"]["ok"] is True
        trace = api.get(f"/api/v1/links/{link['id']}/trace/").json()
        assert len(trace["trace"]) == lanes
        assert all(lane["outcome"]["ok"] for lane in trace["trace"])
        loss = api.get(f"/api/v1/links/{link['id']}/loss-budget/").json()
        assert loss["loss"], loss
        assert all(float(path["margin_db"]) > 0 for path in loss["loss"])
    assert api.get(f"/api/v1/links/{aggregate['id']}/").json()["status"] == "ok"
    permanent = api.get(f"/api/v1/halls/{hall['id']}/permanent-links/").json()
    assert [p["cable_label"] for p in permanent] == ["TRK-1"]

    # and: the other project's plant is invisible to this token
    for path in ("sites", "halls", "racks", "cables", "links", "ports", "matings"):
        rows = api.get(f"/api/v1/{path}/?limit=1000").json()["results"]
        assert {r["project"] for r in rows} == {project.pk}, path
    other_link = elsewhere.links[0].pk
    assert api.get(f"/api/v1/links/{other_link}/").status_code == 404
    assert api.get(f"/api/v1/links/{other_link}/trace/").status_code == 404
    assert api.post(f"/api/v1/links/{other_link}/validate/", {}, format="json").status_code == 404
    assert api.get(f"/api/v1/racks/?hall_id={elsewhere.hall.pk}").json()["count"] == 0
