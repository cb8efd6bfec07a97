"""The catalog admin for catalog managers: pages, permissions, the fibre map editor, revisions of
products in use, deleting and retiring, history (issue 6)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from apps.catalog.fibermap import fiber_colour, map_layout
from apps.catalog.models import (
    Application,
    ConnectorType,
    FiberType,
    Layout,
    LossGrade,
    Product,
    ProductRevision,
    SpliceType,
)
from apps.catalog.permissions import CATALOG_MANAGERS, catalog_manager_codenames
from apps.catalog.selectors import catalog_version_get
from apps.catalog.services import DriftReason, catalog_load
from tests.catalog.admin_support import CASSETTE_MAP, current_spec, new_cassette, product_post

TRUNK_B = "TRK-B12-MPO12-B-FF-OM4"


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(username="root", password="x")
    client.force_login(user)
    return client


@pytest.fixture
def manager_client(client, catalog_manager):
    client.force_login(catalog_manager)
    return client


def _change_url(product: Product) -> str:
    return reverse("admin:catalog_product_change", args=[product.pk])


def _errors(response: Any) -> str:
    return response.content.decode()


# --- every page renders ------------------------------------------------------------------------

MODELS = {
    "fibertype": FiberType,
    "connectortype": ConnectorType,
    "lossgrade": LossGrade,
    "splicetype": SpliceType,
    "layout": Layout,
    "application": Application,
    "product": Product,
    "productrevision": ProductRevision,
}


@pytest.mark.django_db
@pytest.mark.parametrize("model", sorted(MODELS))
def test_changelist_change_and_history_pages_render_for_every_model(
    superuser_client, catalog, model
):
    obj = MODELS[model]._default_manager.order_by("pk").first()
    assert obj is not None
    for url in (
        reverse(f"admin:catalog_{model}_changelist"),
        reverse(f"admin:catalog_{model}_changelist") + "?q=a",
        reverse(f"admin:catalog_{model}_change", args=[obj.pk]),
        reverse(f"admin:catalog_{model}_history", args=[obj.pk]),
    ):
        response = superuser_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize("model", sorted(set(MODELS) - {"productrevision"}))
def test_add_pages_render(superuser_client, catalog, model):
    assert superuser_client.get(reverse(f"admin:catalog_{model}_add")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["transceiver", "cable", "cassette", "adapter", "panel"])
def test_product_change_page_renders_each_kind_with_its_faces(superuser_client, catalog, kind):
    product = Product.objects.filter(kind=kind).order_by("code")[0]
    response = superuser_client.get(_change_url(product))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="map-editor"' in page
    if kind in ("cable", "cassette"):
        assert "<svg" in page
        assert "fibermap-fiber" in page


@pytest.mark.django_db
def test_catalog_version_changelist_renders(superuser_client, catalog):
    url = reverse("admin:catalog_catalogversion_changelist")
    assert superuser_client.get(url).status_code == 200


# --- the group and its boundaries ---------------------------------------------------------------


@pytest.mark.django_db
def test_catalog_managers_group_holds_exactly_its_permissions(catalog_manager):
    group = catalog_manager.groups.get()
    held = set(group.permissions.values_list("codename", flat=True))
    assert group.name == CATALOG_MANAGERS
    assert held == catalog_manager_codenames()
    assert {"import_product", "export_product", "delete_product"} <= held
    assert "change_productrevision" not in held
    assert "delete_fibertype" not in held
    assert not group.permissions.exclude(content_type__app_label="catalog").exists()


@pytest.mark.django_db
def test_group_exists_after_migrate_without_the_fixture(db):
    from django.contrib.auth.models import Group

    group = Group.objects.get(name=CATALOG_MANAGERS)
    assert set(group.permissions.values_list("codename", flat=True)) == (
        catalog_manager_codenames()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name", ["changelist", "add", "change", "import", "export", "history", "delete"]
)
def test_staff_outside_the_group_gets_403_in_the_product_admin(client, staff, catalog, url_name):
    product = Product.objects.get(code=TRUNK_B)
    client.force_login(staff)
    args = [product.pk] if url_name in ("change", "history", "delete") else []
    response = client.get(reverse(f"admin:catalog_product_{url_name}", args=args))
    assert response.status_code == 403


@pytest.mark.django_db
def test_staff_outside_the_group_cannot_change_a_product(client, staff, catalog):
    # given
    product = Product.objects.get(code=TRUNK_B)
    version = catalog_version_get()
    client.force_login(staff)
    # when
    response = client.post(_change_url(product), product_post(current_spec(TRUNK_B), name="X"))
    # then
    assert response.status_code == 403
    assert Product.objects.get(pk=product.pk).name != "X"
    assert catalog_version_get() == version


@pytest.mark.django_db
def test_staff_with_view_permission_only_cannot_change(client, staff, catalog):
    staff.user_permissions.add(Permission.objects.get(codename="view_product"))
    product = Product.objects.get(code=TRUNK_B)
    client.force_login(staff)
    assert client.get(_change_url(product)).status_code == 200
    response = client.post(_change_url(product), product_post(current_spec(TRUNK_B), name="X"))
    assert response.status_code == 403
    assert client.get(reverse("admin:catalog_product_import")).status_code == 403


@pytest.mark.django_db
def test_manager_cannot_edit_revisions_or_delete_vocabulary(manager_client, catalog):
    revision = ProductRevision.objects.order_by("pk")[0]
    fiber = FiberType.objects.get(code="OM4")
    assert (
        manager_client.get(
            reverse("admin:catalog_productrevision_change", args=[revision.pk])
        ).status_code
        == 200
    )  # view only
    assert (
        manager_client.post(
            reverse("admin:catalog_productrevision_delete", args=[revision.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert (
        manager_client.post(
            reverse("admin:catalog_fibertype_delete", args=[fiber.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert FiberType.objects.filter(pk=fiber.pk).exists()


@pytest.mark.django_db
def test_the_catalog_api_is_read_only_for_managers_too(authed_client, catalog_manager, catalog):
    api = authed_client(catalog_manager)
    product = Product.objects.get(code=TRUNK_B)
    assert api.post("/api/v1/catalog/products/", {"code": "X"}).status_code in (403, 405)
    response = api.patch(f"/api/v1/catalog/products/{product.pk}/", {"name": "X"})
    assert response.status_code in (403, 405)
    assert Product.objects.get(pk=product.pk).name != "X"


# --- adding a cassette with its fibre map --------------------------------------------------------


@pytest.mark.django_db
def test_manager_adds_a_cassette_with_its_map_and_designers_see_it(
    manager_client, catalog_manager, authed_client, user, catalog
):
    # given
    version = catalog_version_get()
    data = product_post(new_cassette(), add=True, map=CASSETTE_MAP)
    # when
    response = manager_client.post(reverse("admin:catalog_product_add"), data)
    # then
    assert response.status_code == 302, _errors(response)[:3000]
    product = Product.objects.get(code="CAS-LOCAL-B12-6LC-B-OM4")
    revision = product.revisions.get()
    assert (product.origin, product.kind, product.polarity, revision.number) == (
        "local",
        "cassette",
        "B",
        1,
    )
    assert revision.spec["map"][:2] == [["R1:1", "1:1"], ["R1:2", "1:2"]]
    assert product.families == ["LC", "MPO-12"]
    assert catalog_version_get() > version
    # designers see it at once
    listed = authed_client(user).get("/api/v1/catalog/products/", {"kind": "cassette"}).json()
    codes = [item["code"] for item in listed.get("results", listed)]
    assert "CAS-LOCAL-B12-6LC-B-OM4" in codes
    # the engine accepts it
    from apps.catalog.adapters import engine_catalog

    assert engine_catalog().product("CAS-LOCAL-B12-6LC-B-OM4") is not None
    # and its history names the manager
    history = product.history.get()
    assert (history.history_type, history.history_user) == ("+", catalog_manager)
    # and the change page draws it
    page = manager_client.get(_change_url(product)).content.decode()
    assert page.count('class="fibermap-fiber"') == 12


@pytest.mark.django_db
def test_cassette_map_outside_the_connector_is_refused_naming_the_position(manager_client, catalog):
    # given: fibre 12 sent to R1:13, but an MPO-12 has 12 positions
    rows = [*CASSETTE_MAP[:11], ("R1", 13, "6", 2)]
    data = product_post(new_cassette(), add=True, map=rows)
    # when
    response = manager_client.post(reverse("admin:catalog_product_add"), data)
    # then
    assert response.status_code == 200
    assert "position R1:13 is outside the MPO-12" in response.content.decode()
    assert not Product.objects.filter(code="CAS-LOCAL-B12-6LC-B-OM4").exists()


@pytest.mark.django_db
def test_cassette_map_sending_two_fibres_to_one_position_is_refused(manager_client, catalog):
    rows = [*CASSETTE_MAP[:11], ("R1", 12, "6", 1)]  # port 6 position 1 already has R1:11
    response = manager_client.post(
        reverse("admin:catalog_product_add"), product_post(new_cassette(), add=True, map=rows)
    )
    assert response.status_code == 200
    assert "6:1 is mapped twice" in response.content.decode()
    assert not Product.objects.filter(code="CAS-LOCAL-B12-6LC-B-OM4").exists()


@pytest.mark.django_db
def test_cassette_labelled_type_b_with_a_type_a_map_is_refused(manager_client, catalog):
    rows = [("R1", f, str((13 - f + 1) // 2), 1 if (13 - f) % 2 else 2) for f in range(1, 13)]
    response = manager_client.post(
        reverse("admin:catalog_product_add"), product_post(new_cassette(), add=True, map=rows)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "position R1:1 goes to 6:2, but polarity B (module-b) sends it to 1:1" in page


# --- editing products ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_type_b_trunk_with_a_straight_map_is_refused_naming_the_first_wrong_position(
    manager_client, catalog
):
    # given
    product = Product.objects.get(code=TRUNK_B)
    straight = [("A1", p, "B1", p) for p in range(1, 13)]
    version = catalog_version_get()
    # when
    response = manager_client.post(
        _change_url(product), product_post(current_spec(TRUNK_B), map=straight)
    )
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "position A1:1 goes to B1:1, but polarity B (reversed) sends it to B1:12" in page
    assert product.revisions.count() == 1
    assert catalog_version_get() == version


@pytest.mark.django_db
def test_trunk_map_missing_a_fibre_is_refused_naming_it(manager_client, catalog):
    product = Product.objects.get(code=TRUNK_B)
    rows = [("A1", p, "B1", 13 - p) for p in range(1, 12)]  # no A1:12
    response = manager_client.post(
        _change_url(product), product_post(current_spec(TRUNK_B), map=rows)
    )
    assert response.status_code == 200
    assert "position A1:12 is not mapped" in response.content.decode()
    assert product.revisions.count() == 1


@pytest.mark.django_db
def test_map_leaving_a_lit_position_of_an_intended_application_open_is_refused(
    manager_client, catalog
):
    # given: a Base-12 harness, meant for 100GBASE-SR4 (lights MPO positions 1-4 and 9-12)
    code = "HRN-B12-MPO12F-6LC-OM4"
    spec = current_spec(code)
    rows = [
        tuple([*a.split(":"), *b.split(":")]) for a, b in spec["map"] if a != "A1:1" and b != "A1:1"
    ]
    data = product_post(spec, map=rows, applications=["100GBASE-SR4"])
    # when
    response = manager_client.post(_change_url(Product.objects.get(code=code)), data)
    # then: the transceiver's port position 12 meets plug position 1 (a mirror)
    assert response.status_code == 200
    assert (
        "position A1:1 is not mapped, but 100GBASE-SR4 (mpo12-4x4 on MPO-12) carries light there"
        in response.content.decode()
    )
    assert Product.objects.get(code=code).revisions.count() == 1


@pytest.mark.django_db
def test_editing_a_seed_product_makes_it_local_and_load_catalog_keeps_it(
    manager_client, catalog, catalog_records
):
    # given
    product = Product.objects.get(code=TRUNK_B)
    # when: a name and the grade change
    response = manager_client.post(
        _change_url(product),
        product_post(current_spec(TRUNK_B), name="Our Type B trunk", grade="low-loss"),
    )
    # then
    assert response.status_code == 302, _errors(response)[:3000]
    product.refresh_from_db()
    assert (product.origin, product.name) == ("local", "Our Type B trunk")
    assert product.revisions.get(is_current=True).spec["grade"] == "low-loss"
    report = catalog_load(records=catalog_records)
    assert (TRUNK_B, DriftReason.LOCAL_ROW) in [(d.code, d.reason) for _, d in report.drift]
    product.refresh_from_db()
    assert product.name == "Our Type B trunk"
    assert product.revisions.get(is_current=True).spec["grade"] == "low-loss"


@pytest.mark.django_db
def test_saving_an_unchanged_product_writes_nothing(manager_client, catalog):
    product = Product.objects.get(code=TRUNK_B)
    version = catalog_version_get()
    response = manager_client.post(_change_url(product), product_post(current_spec(TRUNK_B)))
    assert response.status_code == 302, _errors(response)[:3000]
    product.refresh_from_db()
    assert (product.origin, product.revisions.count()) == ("seed", 1)
    assert catalog_version_get() == version


@pytest.mark.django_db
def test_editing_a_vocabulary_seed_row_makes_it_local(manager_client, catalog, catalog_records):
    grade = LossGrade.objects.get(code="elite")
    data = {
        "name": "Elite (ours)",
        "rank": grade.rank,
        "pairs": '{"mpo": {"max_db": "0.35", "typ_db": "0.1"}}',
        "sources": "{}",
        "source": "",
        "verified": "on",
        "unverified_fields": "[]",
        "attributes": "{}",
    }
    response = manager_client.post(reverse("admin:catalog_lossgrade_change", args=[grade.pk]), data)
    assert response.status_code == 302, _errors(response)[:3000]
    grade.refresh_from_db()
    assert grade.origin == "local"
    catalog_load(records=catalog_records)
    grade.refresh_from_db()
    assert grade.name == "Elite (ours)"


# --- products in use ----------------------------------------------------------------------------


@pytest.fixture
def hall_in_use(catalog):
    """A Method B parallel link, validated: its trunk is TRK-B12-MPO12-B-FF-OM4 r1."""
    from apps.plant import services as plant_services
    from tests.factories.plant import parallel_hall

    build = parallel_hall(links=1)
    plant_services.links_revalidate(hall_id=build.hall.pk)
    return build


@pytest.mark.django_db
def test_editing_a_product_in_use_makes_a_revision_and_leaves_installed_rows_and_verdicts(
    manager_client, hall_in_use
):
    # given
    from apps.plant import services as plant_services
    from apps.plant.models import Cable, Link

    trunk = hall_in_use.cables["trunk0"]
    link = Link.objects.get(pk=hall_in_use.links[0].pk)
    before = (link.status, link.last_report)
    assert link.status == "ok"
    product = Product.objects.get(code=TRUNK_B)
    r1 = product.revisions.get(is_current=True)
    # when: the manager turns the trunk into Type A (label and map)
    straight = [("A1", p, "B1", p) for p in range(1, 13)]
    response = manager_client.post(
        _change_url(product), product_post(r1.spec, polarity="A", map=straight), follow=True
    )
    # then: a new current revision; the installed trunk stays on r1
    page = response.content.decode()
    assert response.status_code == 200
    assert "is in use" in page
    assert "revision r2" in page
    assert "keep r1" in page
    r2 = product.revisions.get(is_current=True)
    assert r2.number == 2
    assert r2.spec["map"][0] == ["A1:1", "B1:1"]
    assert Cable.objects.get(pk=trunk.pk).product_revision_id == r1.pk
    assert ProductRevision.objects.get(pk=r1.pk).spec == r1.spec
    # and the link's verdict is as it was, even when validated again
    link.refresh_from_db()
    assert (link.status, link.last_report) == before
    plant_services.links_revalidate(hall_id=hall_in_use.hall.pk)
    link.refresh_from_db()
    assert link.status == "ok"


@pytest.mark.django_db
def test_change_page_of_a_product_in_use_says_where(manager_client, hall_in_use):
    product = Product.objects.get(code=TRUNK_B)
    page = manager_client.get(_change_url(product)).content.decode()
    assert "In use: 1 cables (plant.Cable: r1)" in page


@pytest.mark.django_db
def test_deleting_a_product_in_use_is_refused_saying_where(manager_client, hall_in_use):
    # given
    product = Product.objects.get(code=TRUNK_B)
    url = reverse("admin:catalog_product_delete", args=[product.pk])
    # when
    page = manager_client.get(url).content.decode()
    response = manager_client.post(url, {"post": "yes"})
    # then
    assert f"{TRUNK_B} is in use: 1 cables (plant.Cable: r1). Retire it instead." in page
    assert response.status_code in (200, 403)
    assert Product.objects.filter(pk=product.pk).exists()


@pytest.mark.django_db
def test_deleting_products_in_use_from_the_list_is_refused(manager_client, hall_in_use):
    product = Product.objects.get(code=TRUNK_B)
    response = manager_client.post(
        reverse("admin:catalog_product_changelist"),
        {"action": "delete_selected", "_selected_action": [product.pk], "post": "yes"},
    )
    assert f"{TRUNK_B} is in use" in response.content.decode()
    assert Product.objects.filter(pk=product.pk).exists()


@pytest.mark.django_db
def test_deleting_an_unused_local_product_works(manager_client, catalog):
    manager_client.post(
        reverse("admin:catalog_product_add"),
        product_post(new_cassette(), add=True, map=CASSETTE_MAP),
    )
    product = Product.objects.get(code="CAS-LOCAL-B12-6LC-B-OM4")
    response = manager_client.post(
        reverse("admin:catalog_product_delete", args=[product.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Product.objects.filter(pk=product.pk).exists()


# --- retiring and history -----------------------------------------------------------------------


@pytest.mark.django_db
def test_retired_products_are_hidden_from_designers(manager_client, authed_client, user, catalog):
    # given
    product = Product.objects.get(code=TRUNK_B)
    version = catalog_version_get()
    # when
    manager_client.post(
        reverse("admin:catalog_product_changelist"),
        {"action": "retire", "_selected_action": [product.pk]},
    )
    # then
    product.refresh_from_db()
    assert product.retired
    assert catalog_version_get() > version
    listed = authed_client(user).get("/api/v1/catalog/products/", {"kind": "cable"}).json()
    assert TRUNK_B not in [item["code"] for item in listed.get("results", listed)]


@pytest.mark.django_db
def test_history_shows_who_changed_what(manager_client, catalog_manager, catalog):
    # given
    product = Product.objects.get(code=TRUNK_B)
    manager_client.post(
        _change_url(product), product_post(current_spec(TRUNK_B), vendor="Acme", grade="elite")
    )
    # when
    response = manager_client.get(reverse("admin:catalog_product_history", args=[product.pk]))
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "catalog_manager" in page
    last = product.history.order_by("-history_date").first()
    assert (last.history_user, last.vendor, last.origin) == (catalog_manager, "Acme", "local")
    assert product.revisions.get(is_current=True).history.get().history_user == catalog_manager


# --- the preview --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_map_preview_draws_the_unsaved_map(manager_client, catalog):
    data = product_post(new_cassette(), add=True, map=CASSETTE_MAP)
    response = manager_client.post(reverse("admin:catalog_product_map_preview"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="fibermap-fiber"') == 12
    assert 'stroke="#1f5fbf"' in page  # fibre 1 is blue


@pytest.mark.django_db
def test_map_preview_shows_the_error_naming_the_position(manager_client, catalog):
    rows = [*CASSETTE_MAP[:11], ("R1", 13, "6", 2)]
    data = product_post(new_cassette(), add=True, map=rows)
    response = manager_client.post(reverse("admin:catalog_product_map_preview"), data)
    assert "position R1:13 is outside the MPO-12" in response.content.decode()
    assert "<svg" not in response.content.decode()


def test_tia_598_colours_with_tracers():
    assert [fiber_colour(p).name for p in range(1, 13)] == [
        "blue", "orange", "green", "brown", "slate", "white",
        "red", "black", "yellow", "violet", "rose", "aqua",
    ]  # fmt: skip
    assert fiber_colour(13).label == "blue/black tracer"
    assert fiber_colour(20).label == "black/yellow tracer"
    assert fiber_colour(24).label == "aqua/black tracer"
    assert fiber_colour(1).tracer is None


def test_map_layout_draws_dark_positions_of_an_mpo8_hollow():
    connectors = {"MPO-8": {"rows": 1, "columns": 12, "lit": [1, 2, 3, 4, 9, 10, 11, 12]}}
    leg = {"family": "MPO-8", "gender": "male", "endface": "PC", "label": None}
    record = {
        "kind": "cable",
        "ends": {"A": [leg], "B": [leg]},
        "map": [[f"A1:{p}", f"B1:{13 - p}"] for p in (1, 2, 3, 4, 9, 10, 11, 12)],
    }
    layout = map_layout(record, connectors)
    assert layout is not None
    assert layout.fibers == 8
    assert sum(1 for dot in layout.dots if not dot.lit) == 8
    first = layout.lines[0]
    assert first.title == "A1:1 → B1:12 (blue)"
