"""Importing and exporting products of every kind as CSV and XLSX through the admin."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.catalog.models import FiberType, Product
from apps.catalog.resources import COLUMNS, PRODUCT_COLUMNS, ProductResource
from apps.catalog.selectors import catalog_version_get

CSV, XLSX = "0", "1"  # ProductAdmin.import_formats


def trunk_row(n: int, **changes: Any) -> dict[str, Any]:
    """Row n of a vendor's list: Type B MPO-12 trunks, female both ends."""
    row: dict[str, Any] = {name: "" for name in COLUMNS}
    row.update(
        code=f"TRK-ACME-{n:03d}",
        name=f"Acme MPO-12 trunk {n}, Type B, OM4",
        vendor="Acme",
        cable_type="trunk",
        polarity="B",
        fiber_type="OM4",
        fiber_count=12,
        grade="low-loss",
        a_legs=1,
        a_family="MPO-12",
        a_gender="female",
        a_endface="PC",
        b_legs=1,
        b_family="MPO-12",
        b_gender="female",
        b_endface="PC",
        map_rule="reversed",
        lengths_m="10; 20; 30.5",
        jacket_material="LSZH",
    )
    row.update(changes)
    return row


def sheet(
    rows: list[dict[str, Any]], fmt: str, columns: tuple[str, ...] = COLUMNS
) -> SimpleUploadedFile:
    """A vendor's file: by default the cable-only columns (no kind column)."""
    data = tablib.Dataset(headers=list(columns))
    for row in rows:
        data.append([row.get(name, "") for name in columns])
    if fmt == XLSX:
        content = data.export("xlsx")
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return SimpleUploadedFile("trunks.xlsx", content, content_type=kind)
    return SimpleUploadedFile("trunks.csv", data.export("csv").encode(), content_type="text/csv")


@pytest.fixture
def manager_client(client, catalog_manager):
    client.force_login(catalog_manager)
    return client


def _import(client: Any, upload: SimpleUploadedFile, fmt: str) -> Any:
    return client.post(
        reverse("admin:catalog_product_import"), {"import_file": upload, "format": fmt}
    )


def _invalid(response: Any) -> dict[int, str]:
    """Row number -> its validation messages, as the import page lists them."""
    return {
        row.number: " | ".join(str(m) for messages in row.error_dict.values() for m in messages)
        for row in response.context["result"].invalid_rows
    }


def _confirm(client: Any, response: Any) -> Any:
    form = response.context["confirm_form"]
    return client.post(
        reverse("admin:catalog_product_process_import"),
        {name: form.initial[name] for name in form.fields},
    )


@pytest.mark.django_db
def test_fifty_trunks_with_one_bad_row_are_refused_then_imported_once_fixed(
    manager_client, catalog_manager, catalog
):
    # given: row 17 is labelled Type B but its map is straight
    rows = [trunk_row(n) for n in range(1, 51)]
    straight = "; ".join(f"A1:{p}=B1:{p}" for p in range(1, 13))
    rows[16] = trunk_row(17, map_rule="", map=straight)
    count, version = Product.objects.count(), catalog_version_get()
    # when
    response = _import(manager_client, sheet(rows, XLSX), XLSX)
    # then: the preview names the row and offers no confirmation; nothing is written
    page = response.content.decode()
    message = (
        "position A1:1 goes to B1:1, but polarity B (reversed) sends it to B1:12: "
        "fix the map or the polarity"
    )
    assert response.status_code == 200
    assert _invalid(response) == {17: message}
    assert "Some rows failed to validate" in page
    assert "<td>17 </td>" in page
    assert "TRK-ACME-017" in page
    assert message in page
    assert response.context.get("confirm_form") is None
    assert Product.objects.count() == count
    assert catalog_version_get() == version
    # when: the row is fixed
    rows[16] = trunk_row(17)
    preview = _import(manager_client, sheet(rows, XLSX), XLSX)
    # then: a dry-run preview lists fifty new rows, still nothing written
    assert preview.status_code == 200
    assert preview.context["confirm_form"] is not None
    assert len(preview.context["result"].rows) == 50
    assert Product.objects.count() == count
    # when: confirmed
    done = _confirm(manager_client, preview)
    # then: all fifty are there, local, revision 1, reversed map, who imported them recorded
    assert done.status_code == 302
    imported = Product.objects.filter(code__startswith="TRK-ACME-")
    assert imported.count() == 50
    trunk = imported.get(code="TRK-ACME-017")
    spec = trunk.revisions.get(is_current=True).spec
    assert (trunk.origin, trunk.polarity, trunk.fiber_type_id) == (
        "local",
        "B",
        FiberType.objects.get(code="OM4").pk,
    )
    assert spec["map"][0] == ["A1:1", "B1:12"]
    assert spec["lengths_m"] == ["10", "20", "30.5"]
    assert trunk.history.get().history_user == catalog_manager
    assert catalog_version_get() > version


@pytest.mark.django_db
def test_malformed_csv_reports_every_bad_row_and_changes_nothing(manager_client, catalog):
    # given
    rows = [
        trunk_row(1),
        trunk_row(2, a_family="MPO-99"),
        trunk_row(3),
        trunk_row(4, fiber_type=""),
        trunk_row(5, map_rule="", map="A1:1=B1:12; A1:2"),
        trunk_row(6, map_rule="", map="; ".join(f"A1:{p}=B1:{13 - p}" for p in range(1, 12))),
    ]
    count = Product.objects.count()
    # when
    response = _import(manager_client, sheet(rows, CSV), CSV)
    # then
    invalid = _invalid(response)
    assert sorted(invalid) == [2, 4, 5, 6]
    assert invalid[2] == "unknown connector family 'MPO-99'"
    assert invalid[4] == "fiber_type is required"
    assert invalid[5] == "map entry 'A1:2' is not from=to"
    assert invalid[6].startswith("position A1:12 is not mapped")
    assert response.context.get("confirm_form") is None
    assert Product.objects.count() == count


@pytest.mark.django_db
def test_importing_a_known_code_revises_it(manager_client, catalog):
    # given: a seed trunk's row, grade changed
    trunk = Product.objects.get(code="TRK-B12-MPO12-B-FF-OM4")
    resource = ProductResource()
    exported = resource.export(queryset=Product.objects.filter(pk=trunk.pk))
    row = dict(zip(exported.headers, exported[0], strict=True))
    row["grade"] = "elite"
    # when
    preview = _import(manager_client, sheet([row], CSV), CSV)
    _confirm(manager_client, preview)
    # then
    trunk.refresh_from_db()
    assert trunk.revisions.count() == 2
    assert trunk.revisions.get(is_current=True).spec["grade"] == "elite"
    assert trunk.origin == "local"


@pytest.mark.django_db
def test_export_writes_cables_as_flat_rows_that_import_unchanged(catalog):
    # given
    resource = ProductResource()
    # when
    data = resource.export(queryset=Product.objects.filter(kind="cable"))
    # then
    rows = {r["code"]: r for r in data.dict}
    assert len(rows) == Product.objects.filter(kind="cable").count()
    trunk = rows["TRK-B12-MPO12-B-FF-OM4"]
    assert (trunk["kind"], trunk["polarity"], trunk["spec"]) == ("cable", "B", "")
    assert trunk["a_family"] == "MPO-12"
    assert trunk["map"].startswith("A1:1=B1:12; A1:2=B1:11")
    # and importing the export changes nothing
    result = ProductResource().import_data(data, dry_run=False)
    assert not result.has_errors()
    assert not result.has_validation_errors()
    assert Product.objects.get(code="TRK-B12-MPO12-B-FF-OM4").revisions.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_seed_product_exports_and_imports_back_unchanged(catalog, fmt):
    # given: the whole seed catalog, every kind, written to a file and read back
    before = {
        p.code: (p.kind, p.name, p.vendor, p.description, p.retired, p.origin)
        for p in Product.objects.all()
    }
    specs = {
        code: spec
        for code, spec in Product.objects.filter(revisions__is_current=True).values_list(
            "code", "revisions__spec"
        )
    }
    version = catalog_version_get()
    exported = ProductResource().export(queryset=Product.objects.all())
    content = exported.export(fmt)
    data = tablib.Dataset().load(content, format=fmt)
    rows = {r["code"]: r for r in data.dict}
    assert set(rows) == set(before)
    assert {r["kind"] for r in rows.values()} == {
        "cable", "transceiver", "cassette", "adapter", "panel", "enclosure", "splice",
    }  # fmt: skip
    # the kinds' own columns and the rest as JSON
    transceiver = rows["CXP-100G-SR10"]
    assert (transceiver["application"], transceiver["form_factor"]) == ("100GBASE-SR10", "CXP")
    assert json.loads(transceiver["spec"])["receptacles"][0]["layout"] == "mpo24-sr10"
    cassette = rows["CAS-B12-6LC-A-OM4"]
    assert json.loads(cassette["spec"])["map"][0] == ["R1:1", "6:2"]
    assert (rows["PNL-1U-12MPO-A"]["adapter"], str(rows["PNL-1U-12MPO-A"]["ports"])) == (
        "ADP-MPO12-KUKD",
        "12",
    )
    assert str(rows["ADP-MPO12-KUKU"]["apc_capable"]) == "0"
    assert str(rows["ENC-1U-4SLOT"]["slots"]) == "4"
    # when
    result = ProductResource().import_data(data, dry_run=False)
    # then: every row is valid and nothing changed
    assert not result.has_errors(), [e.error for _, errors in result.row_errors() for e in errors]
    assert not result.has_validation_errors(), {r.number: r.error_dict for r in result.invalid_rows}
    assert len(result.rows) == len(before)
    assert {
        p.code: (p.kind, p.name, p.vendor, p.description, p.retired, p.origin)
        for p in Product.objects.all()
    } == before
    assert not Product.objects.filter(revisions__number__gt=1).exists()
    assert {
        code: spec
        for code, spec in Product.objects.filter(revisions__is_current=True).values_list(
            "code", "revisions__spec"
        )
    } == specs
    assert catalog_version_get() == version


def _seed_row(code: str, **changes: Any) -> dict[str, Any]:
    product = Product.objects.get(code=code)
    data = ProductResource().export(queryset=Product.objects.filter(pk=product.pk))
    row = dict(zip(data.headers, data[0], strict=True))
    row.update(changes)
    return row


@pytest.mark.django_db
def test_transceiver_and_cassette_rows_with_a_bad_spec_are_refused_and_nothing_written(
    manager_client, catalog
):
    # given: a revised transceiver with an unknown application, a new cassette whose map
    # sends a fibre to a port position that does not exist, and good rows around them
    cassette = _seed_row("CAS-B12-6LC-A-OM4")
    spec = json.loads(cassette["spec"])
    spec["map"][0] = ["R1:1", "6:3"]
    transceiver = next(p for p in Product.objects.filter(kind="transceiver"))
    rows = [
        trunk_row(1, kind="cable"),
        _seed_row(transceiver.code, application="400GBASE-NOPE"),
        _seed_row("ADP-MPO12-KUKD", description="Revised"),
        {**cassette, "code": "CAS-LOCAL-BAD", "spec": json.dumps(spec)},
        _seed_row("ENC-1U-4SLOT", spec='{"lc_ports": 96'),
        _seed_row("PNL-1U-12MPO-A", fiber_type="OM4"),
    ]
    count, version = Product.objects.count(), catalog_version_get()
    # when
    response = _import(manager_client, sheet(rows, CSV, PRODUCT_COLUMNS), CSV)
    # then: each bad row is named with its reason; nothing is written
    invalid = _invalid(response)
    assert sorted(invalid) == [2, 4, 5, 6]
    assert invalid[2] == "unknown application '400GBASE-NOPE'"
    assert invalid[4] == "position 6:3 is outside the LC"
    assert invalid[5].startswith("spec is not JSON")
    assert invalid[6] == "fiber_type: not a column of a panel (put the rest in spec)"
    page = response.content.decode()
    assert transceiver.code in page
    assert "CAS-LOCAL-BAD" in page
    assert response.context.get("confirm_form") is None
    assert Product.objects.count() == count
    assert Product.objects.get(code="ADP-MPO12-KUKD").description != "Revised"
    assert catalog_version_get() == version


@pytest.mark.django_db
def test_a_row_cannot_change_a_products_kind(manager_client, catalog):
    row = _seed_row("ADP-MPO12-KUKD", kind="panel", family="", apc_capable="")
    response = _import(manager_client, sheet([row], CSV, PRODUCT_COLUMNS), CSV)
    assert _invalid(response) == {
        1: "ADP-MPO12-KUKD is an adapter, not a panel: kinds never change"
    }


@pytest.mark.django_db
def test_a_new_cassette_from_xlsx_is_in_the_catalog_api_at_once(
    manager_client, catalog_manager, authed_client, user, catalog
):
    # given: a Type B cassette written by hand: the map rule instead of the map
    spec = {
        "polarity": "B",
        "fiber_type": "OM4",
        "grade": "low-loss",
        "map_rule": "module-b",
        "ports": [
            {"face": "rear", "label": "R1", "family": "MPO-12", "gender": "male",
             "adapter": "key-up-key-down", "endface": "PC"},
            *({"face": "front", "label": str(n), "family": "LC", "adapter": "duplex",
               "endface": "PC"} for n in range(1, 7)),
        ],
    }  # fmt: skip
    row = {
        "code": "CAS-XLSX-B12-6LC-B-OM4",
        "kind": "cassette",
        "name": "Imported Base-12 cassette, Type B",
        "vendor": "Acme",
        "spec": json.dumps(spec),
    }
    version = catalog_version_get()
    # when
    preview = _import(manager_client, sheet([row], XLSX, PRODUCT_COLUMNS), XLSX)
    assert _invalid(preview) == {}
    done = _confirm(manager_client, preview)
    # then
    assert done.status_code == 302
    product = Product.objects.get(code="CAS-XLSX-B12-6LC-B-OM4")
    assert (product.kind, product.origin, product.polarity) == ("cassette", "local", "B")
    assert product.history.get().history_user == catalog_manager
    assert len(product.revisions.get().spec["map"]) == 12
    assert catalog_version_get() > version
    listed = authed_client(user).get("/api/v1/catalog/products/", {"kind": "cassette"}).json()
    assert "CAS-XLSX-B12-6LC-B-OM4" in [item["code"] for item in listed.get("results", listed)]


@pytest.mark.django_db
def test_export_through_the_admin_as_xlsx(manager_client, catalog):
    response = manager_client.post(
        reverse("admin:catalog_product_export"),
        {"format": XLSX, **{f"productresource_{name}": "on" for name in PRODUCT_COLUMNS}},
    )
    assert response.status_code == 200
    book = tablib.Dataset().load(io.BytesIO(response.content).read(), format="xlsx")
    assert "TRK-B12-MPO12-B-FF-OM4" in book["code"]
    assert {"cable", "transceiver", "cassette", "splice"} <= set(book["kind"])
    assert list(book.headers) == list(PRODUCT_COLUMNS)


@pytest.mark.django_db
def test_staff_outside_the_group_cannot_import(client, staff, catalog):
    client.force_login(staff)
    response = _import(client, sheet([trunk_row(1)], CSV), CSV)
    assert response.status_code == 403
    assert not Product.objects.filter(code="TRK-ACME-001").exists()
