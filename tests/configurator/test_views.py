"""The configurator's pages: scoping, forms with errors at their field, builder, fixes, downloads,
and a pinned query budget for every page (the same count for a small and a bigger hall).
"""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.plant.models import Cable, Enclosure, Link, Port
from apps.plant.selectors import link_validate
from tests.configurator.conftest import signed_in
from tests.configurator.support import SmallHall, port

pytestmark = pytest.mark.django_db


def pages(build: SmallHall) -> dict[str, str]:
    hall = build.hall
    assert build.link is not None
    return {
        "home": "/",
        "project": f"/projects/{hall.project_id}/",
        "hall": f"/halls/{hall.pk}/",
        "rack": f"/racks/{build.racks[0].pk}/",
        "enclosure": f"/enclosures/{build.cassettes[0].enclosure_id}/",
        "link": f"/links/{build.link.pk}/",
        "builder": f"/halls/{hall.pk}/links/new/",
        "bom": f"/halls/{hall.pk}/downloads/bom.csv",
        "schedule": f"/halls/{hall.pk}/downloads/patch-schedule.xlsx",
        "port-map": f"/halls/{hall.pk}/downloads/port-map.csv",
    }


# Ceilings per page (STYLE: exact counts break on harmless joins; growth is what matters).
BUDGETS = {
    "home": 6,
    "project": 10,
    "hall": 17,
    "rack": 12,
    "enclosure": 14,
    "link": 19,
    "builder": 8,
    "bom": 8,
    "schedule": 8,
    "port-map": 9,
}


def count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_anonymous_visitors_are_sent_to_the_login_page(build: SmallHall) -> None:
    response = Client().get(pages(build)["hall"])
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_login_then_logout(build: SmallHall, designer: User) -> None:
    client = Client()
    response = client.post(
        "/login/", {"username": "designer", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_shows_an_error_not_a_crash(db: None) -> None:
    response = Client().post("/login/", {"username": "nobody", "password": "x"})
    assert response.status_code == 200
    assert b"Please enter a correct username" in response.content


@pytest.mark.parametrize("page", list(BUDGETS))
def test_every_page_answers_within_its_query_budget(
    build: SmallHall, designer: User, page: str
) -> None:
    client = signed_in(designer)
    small = count(client, pages(build)[page])
    # given a bigger plant: a second link over the same trunk (more cables, matings, ports used)
    wrong_cord_link_second(build)
    bigger = count(client, pages(build)[page])
    assert small == bigger <= BUDGETS[page]


def wrong_cord_link_second(build: SmallHall) -> None:
    from apps.plant import services
    from tests.configurator.support import leg, revision

    hall = build.hall
    a, b = port(build.transceivers[0][1], "1"), port(build.transceivers[1][1], "1")
    cords = [
        services.cable_create(
            hall=hall, label=f"PC-95{i}", revision=revision("PCD-LC-AB-OM4"), length_mm=5000
        )
        for i in (1, 2)
    ]
    services.leg_connect(leg=leg(cords[0], "A1"), port=a, side="front")
    services.leg_connect(leg=leg(cords[0], "B1"), port=port(build.cassettes[0], "2"), side="front")
    services.leg_connect(leg=leg(cords[1], "A1"), port=port(build.cassettes[1], "5"), side="front")
    services.leg_connect(leg=leg(cords[1], "B1"), port=b, side="front")
    services.link_create(project=hall.project, name="L-2", a_port=a, b_port=b)
    services.links_revalidate(hall_id=hall.pk)


@pytest.mark.parametrize("page", list(BUDGETS))
def test_another_projects_user_gets_404_everywhere(
    build: SmallHall, outsider: User, page: str
) -> None:
    if page == "home":
        response = signed_in(outsider).get("/")
        assert build.hall.name.encode() not in response.content
        return
    assert signed_in(outsider).get(pages(build)[page]).status_code == 404


def test_viewer_sees_but_cannot_change(build: SmallHall, viewer: User) -> None:
    client = signed_in(viewer)
    url = pages(build)["rack"]
    assert client.get(url).status_code == 200
    response = client.post(url, {"form": "device", "dev-name": "x", "dev-kind": "switch"})
    assert response.status_code == 403
    assert client.get(pages(build)["builder"]).status_code == 403


def test_hall_page_colours_racks_by_their_links(build: SmallHall, designer: User) -> None:
    response = signed_in(designer).get(pages(build)["hall"])
    body = response.content.decode()
    assert body.count('class="rack st-error"') == 2  # both racks carry the failing L-1
    assert f'href="/racks/{build.racks[0].pk}/"' in body


def test_placing_an_enclosure_over_a_device_shows_the_error_at_u_position(
    build: SmallHall, designer: User
) -> None:
    rack = build.racks[0]
    response = signed_in(designer).post(
        f"/racks/{rack.pk}/",
        {
            "form": "enclosure",
            "enc-product": "ENC-2U-8SLOT",
            "enc-name": "E2",
            "enc-u_position": 19,
        },  # noqa: E501
    )
    assert response.status_code == 400
    form = response.context["enclosure_form"]
    assert "overlaps sw-a01" in form.errors["u_position"][0]
    assert not Enclosure.objects.filter(name="E2").exists()


def test_the_live_fit_check_writes_nothing(build: SmallHall, designer: User) -> None:
    rack = build.racks[0]
    response = signed_in(designer).post(
        f"/racks/{rack.pk}/",
        {
            "form": "enclosure",
            "check": "1",
            "enc-product": "ENC-2U-8SLOT",
            "enc-name": "E2",
            "enc-u_position": 30,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"It fits." in response.content
    assert not Enclosure.objects.filter(name="E2").exists()


def test_placing_an_enclosure_then_a_cassette(build: SmallHall, designer: User) -> None:
    client = signed_in(designer)
    rack = build.racks[0]
    response = client.post(
        f"/racks/{rack.pk}/",
        {
            "form": "enclosure",
            "enc-product": "ENC-2U-8SLOT",
            "enc-name": "E2",
            "enc-u_position": 30,
        },  # noqa: E501
    )
    assert response.status_code == 302
    enclosure = Enclosure.objects.get(name="E2")
    response = client.post(
        f"/enclosures/{enclosure.pk}/",
        {"mod-slot": 9, "mod-product": "CAS-B12-6LC-B-OM4", "mod-orientation": "normal"},
    )
    assert response.status_code == 400
    assert "slots 1..8" in response.context["form"].errors["slot"][0]
    response = client.post(
        f"/enclosures/{enclosure.pk}/",
        {"mod-slot": 2, "mod-product": "CAS-B12-6LC-B-OM4", "mod-orientation": "inverted"},
    )
    assert response.status_code == 302
    page = client.get(f"/enclosures/{enclosure.pk}/").content.decode()
    assert "inverted" in page
    assert "0 of 12 fibres used" in page


def test_enclosure_page_shows_what_each_port_side_is_mated_with(
    build: SmallHall, designer: User
) -> None:
    body = signed_in(designer).get(pages(build)["enclosure"]).content.decode()
    assert "TRK-001" in body
    assert "PC-901" in body
    assert "A02 U40 ENC-A02 slot 1 port R1" in body  # the trunk's far end
    assert "2 of 12 fibres used" in body  # front port 1 carries L-1's cord


def test_nonsense_input_never_gets_a_server_error(build: SmallHall, designer: User) -> None:
    client = signed_in(designer)
    hall = build.hall
    for url, data in [
        (f"/racks/{build.racks[0].pk}/", {"form": "enclosure", "enc-u_position": "abc"}),
        (f"/racks/{build.racks[0].pk}/", {"form": "transceiver", "trx-device": "999999"}),
        (f"/halls/{hall.pk}/", {"form": "rack", "rack-row": "x", "rack-position": "-1"}),
        (f"/halls/{hall.pk}/", {"form": "cable", "cable-a_end": "1:side"}),
        (f"/halls/{hall.pk}/links/new/", {"a_port": "abc", "b_port": "0", "action": "save"}),
        (f"/halls/{hall.pk}/links/new/", {"cord_a_length": "NaN", "action": "check"}),
        (f"/projects/{hall.project_id}/", {"form": "hall", "site": "nope"}),
    ]:
        assert client.post(url, data).status_code in (200, 400), (url, data)
    assert client.get(f"/halls/{hall.pk}/downloads/bom.pdf").status_code == 404


def test_builder_proposes_the_first_free_pair_and_validates_like_the_api(
    build: SmallHall, designer: User
) -> None:
    client = signed_in(designer)
    a, b = port(build.transceivers[0][1], "1"), port(build.transceivers[1][1], "1")
    url = f"/halls/{build.hall.pk}/links/new/"
    response = client.get(url, {"a_port": a.pk, "b_port": b.pk})
    assert response.status_code == 200
    draft = response.context["draft"]
    # port 1 <-> 6 is taken by L-1; Method B pairs k with 7-k
    assert (draft.candidate.near.label, draft.candidate.far.label) == ("2", "5")
    assert draft.cord_a.product.code == "PCD-LC-AB-OM4"  # the hall's standard duplex cord
    assert response.context["report"]["ok"] is True
    # the same request body through POST /api/v1/validate/ gives the same verdict
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(designer)
    body = {k: v for k, v in draft.request().items()}
    body["elements"] = [
        {k: (str(v) if v is not None and k == "length_m" else v) for k, v in e.items() if v}
        for e in body["elements"]
    ]
    api_report = api.post("/api/v1/validate/", body, format="json").json()
    assert api_report["ok"] is True
    assert (
        api_report["loss"][0]["total_max_db"]
        == response.context["report"]["loss"][0]["total_max_db"]
    )
    assert not Link.objects.filter(name="sw-a01-sw-a02-1").exists()  # nothing written yet


def test_builder_save_writes_cords_matings_and_a_passing_link(
    build: SmallHall, designer: User
) -> None:
    client = signed_in(designer)
    a, b = port(build.transceivers[0][1], "1"), port(build.transceivers[1][1], "1")
    cables_before = Cable.objects.count()
    response = client.post(
        f"/halls/{build.hall.pk}/links/new/",
        {"a_port": a.pk, "b_port": b.pk, "name": "L-2", "action": "save"},
    )
    assert response.status_code == 302
    link = Link.objects.get(name="L-2")
    assert response["Location"] == f"/links/{link.pk}/"
    assert Cable.objects.count() == cables_before + 2
    assert link.status == "ok"
    assert link_validate(link=link)["ok"] is True


def test_applying_the_fix_turns_the_polarity_failure_into_a_pass(
    build: SmallHall, designer: User
) -> None:
    client = signed_in(designer)
    assert build.link is not None
    page = client.get(pages(build)["link"])
    assert b"POLARITY_REVERSED" in page.content
    fix = next(f for f in page.context["findings"] if f["apply"])
    assert fix["apply"]["product"] == "PCD-LC-AB-OM4"
    response = client.post(f"/links/{build.link.pk}/fix/", fix["apply"])
    assert response.status_code == 302
    page = client.get(pages(build)["link"])
    assert page.context["report"]["ok"] is True
    assert Cable.objects.get(label="PC-901").product_revision.product.code == "PCD-LC-AB-OM4"


def test_trace_diagram_links_elements_and_marks_the_failure(
    build: SmallHall, designer: User
) -> None:
    body = signed_in(designer).get(pages(build)["link"]).content.decode()
    assert f'href="/enclosures/{build.cassettes[0].enclosure_id}/"' in body
    assert 'class="fail-halo"' in body
    assert "fix here" in body
    assert "|safe" not in body


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def test_downloads_bom_schedule_and_port_map(build: SmallHall, designer: User) -> None:
    client = signed_in(designer)
    base = f"/halls/{build.hall.pk}/downloads/"
    bom = _rows(client.get(base + "bom.csv").content)
    trunk = next(r for r in bom if r["product"] == "TRK-B12-MPO12-B-FF-OM4")
    assert (trunk["quantity"], trunk["length_m"]) == ("1", "30")
    assert next(r for r in bom if r["product"] == "SFP-10G-SR")["quantity"] == "4"
    schedule = _rows(client.get(base + "patch-schedule.csv").content)
    cord = next(r for r in schedule if r["cable"] == "PC-901")
    assert (cord["a_rack"], cord["a_u"], cord["a_panel"], cord["a_port"]) == (
        "A01",
        "U20",
        "sw-a01 cage 1",
        "1",
    )
    assert (cord["b_panel"], cord["b_port"], cord["polarity"]) == ("ENC-A01 slot 1", "1", "A-to-A")
    port_map = _rows(client.get(base + "port-map.csv").content)
    assert port_map[0]["fibres_a_to_b"].startswith("1→12, 2→11")
    response = client.get(base + "patch-schedule.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]][:3] == ["cable", "a_rack", "a_u"]


def test_connecting_a_trunk_from_the_hall_page(build: SmallHall, designer: User) -> None:
    client = signed_in(designer)
    hall = build.hall
    free = Port.objects.filter(hall=hall, label="R1")
    assert free.count() == 2
    response = client.post(
        f"/halls/{hall.pk}/",
        {
            "form": "cable",
            "cable-product": "TRK-B12-MPO12-B-FF-OM4",
            "cable-label": "TRK-001",  # taken
            "cable-length_m": "30",
        },
    )
    assert response.status_code == 400
    assert response.context["cable_form"].errors


def test_breakout_builder_validates_and_saves_a_dr4_fan_out(
    build: SmallHall, designer: User
) -> None:
    from apps.plant import services
    from tests.configurator.support import revision

    rack = build.racks[0]
    spine = services.device_create(rack=rack, name="spine-1", u_position=30)
    parent = services.transceiver_install(
        device=spine, cage="1", revision=revision("QSFPDD-400G-DR4")
    )
    leaf = services.device_create(rack=rack, name="leaf-1", u_position=25)
    children = [
        services.transceiver_install(device=leaf, cage=str(n), revision=revision("QSFP28-100G-DR"))
        for n in range(1, 5)
    ]
    client = signed_in(designer)
    url = f"/halls/{build.hall.pk}/breakouts/new/"
    query = {
        "parent": str(port(parent, "1").pk),
        "children": [str(port(c, "1").pk) for c in children],
    }
    response = client.get(url, query)
    assert response.status_code == 200
    assert response.context["draft"].harness.code == "HRN-B8-MPO12F-4LC-OS2-APC"
    assert response.context["report"]["ok"] is True
    response = client.post(url, {**query, "name": "DR4-1", "action": "save"})
    assert response.status_code == 302
    link = Link.objects.get(name="DR4-1")
    assert link.shape == "breakout"
    assert link.status == "ok"
    assert sorted(link.ends.values_list("role", flat=True)) == ["child"] * 4 + ["parent"]


def test_builder_with_both_ends_keeps_its_query_budget(build: SmallHall, designer: User) -> None:
    client = signed_in(designer)
    a, b = port(build.transceivers[0][1], "1"), port(build.transceivers[1][1], "1")
    url = f"/halls/{build.hall.pk}/links/new/?a_port={a.pk}&b_port={b.pk}"
    small = count(client, url)
    from apps.plant import services
    from tests.configurator.support import revision

    # given more plant: a second trunk and cassettes between the same racks
    more = [
        services.module_install(
            enclosure=c.enclosure, slot=2, revision=revision("CAS-B12-6LC-B-OM4")
        )
        for c in build.cassettes
    ]
    trunk = services.cable_create(
        hall=build.hall, label="TRK-002", revision=revision("TRK-B12-MPO12-B-FF-OM4")
    )
    from tests.configurator.support import leg

    services.leg_connect(leg=leg(trunk, "A1"), port=port(more[0], "R1"), side="rear")
    services.leg_connect(leg=leg(trunk, "B1"), port=port(more[1], "R1"), side="rear")
    bigger = count(client, url)
    assert small == bigger <= 22
