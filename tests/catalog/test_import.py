"""Importing and exporting cables as CSV and XLSX through the admin (django-import-export)."""

from __future__ import annotations

import io
from typing import Any

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.catalog.models import FiberType, Product
from apps.catalog.resources import COLUMNS, CableResource
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


def sheet(rows: list[dict[str, Any]], fmt: str) -> SimpleUploadedFile:
    data = tablib.Dataset(headers=list(COLUMNS))
    for row in rows:
        data.append([row[name] for name in COLUMNS])
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
    resource = CableResource()
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
    resource = CableResource()
    # when
    data = resource.export(queryset=Product.objects.all())
    # then
    rows = {r["code"]: r for r in data.dict}
    assert len(rows) == Product.objects.filter(kind="cable").count()
    trunk = rows["TRK-B12-MPO12-B-FF-OM4"]
    assert trunk["polarity"] == "B"
    assert trunk["a_family"] == "MPO-12"
    assert trunk["map"].startswith("A1:1=B1:12; A1:2=B1:11")
    # and importing the export changes nothing
    result = CableResource().import_data(data, dry_run=False)
    assert not result.has_errors()
    assert not result.has_validation_errors()
    assert Product.objects.get(code="TRK-B12-MPO12-B-FF-OM4").revisions.count() == 1


@pytest.mark.django_db
def test_export_through_the_admin_as_xlsx(manager_client, catalog):
    response = manager_client.post(
        reverse("admin:catalog_product_export"),
        {"format": XLSX, **{f"cableresource_{name}": "on" for name in COLUMNS}},
    )
    assert response.status_code == 200
    book = tablib.Dataset().load(io.BytesIO(response.content).read(), format="xlsx")
    assert "TRK-B12-MPO12-B-FF-OM4" in book["code"]


@pytest.mark.django_db
def test_staff_outside_the_group_cannot_import(client, staff, catalog):
    client.force_login(staff)
    response = _import(client, sheet([trunk_row(1)], CSV), CSV)
    assert response.status_code == 403
    assert not Product.objects.filter(code="TRK-ACME-001").exists()
