"""Hall export and import: round trip, idempotency, upserts, prune, validation, query counts.

The hall is the plant tests' small hall (tests/factories/plant.py `parallel_hall`) plus a DR4
breakout, built through the services; the import goes into another project.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.plant.io import DocumentInvalid, hall_export, hall_import
from apps.plant.io.bulk import _insert, _reserve_ids, unchecked_foreign_keys
from apps.plant.models import Cable, Hall, Link, Mating, Port, Row
from apps.plant.selectors import link_validate
from tests.factories.accounts import ProjectFactory
from tests.factories.plant import (
    DeviceFactory,
    breakout_link,
    parallel_hall,
    parallel_link,
    transceiver_make,
)

pytestmark = pytest.mark.django_db


def _hall(links: int = 2) -> Hall:
    build = parallel_hall(links=links)
    breakout_link(build.hall, build.racks[0])
    return build.hall


def _without_hall_name(document: dict) -> dict:
    out = copy.deepcopy(document)
    out["hall"].pop("name")
    out.pop("site")
    return out


def test_round_trip_into_an_empty_hall_gives_the_same_document(catalog):
    # given
    document = hall_export(hall=_hall())
    other = ProjectFactory.create()
    # when
    report = hall_import(project=other, document=document)
    again = hall_export(hall=report.hall)
    # then
    assert again == document
    assert report.created["links"] == 3
    assert report.created["matings"] == Mating.objects.filter(hall__project=other).count()
    assert json.loads(json.dumps(document)) == document  # plain JSON


def test_imported_hall_validates_like_the_original(catalog):
    hall = _hall(links=1)
    report = hall_import(project=ProjectFactory.create(), document=hall_export(hall=hall))
    originals = {link.name: link_validate(link=link)["status"] for link in hall.links.all()}
    copies = {link.name: link_validate(link=link)["status"] for link in report.hall.links.all()}
    assert copies == originals == {f"L-{hall.pk}-0": "ok", "DR4-breakout": "ok"}


def test_the_same_document_twice_changes_nothing_the_second_time(catalog):
    # given
    document = hall_export(hall=_hall())
    project = ProjectFactory.create()
    first = hall_import(project=project, document=document)
    revision = Hall.objects.get(pk=first.hall.pk).plant_revision
    # when
    second = hall_import(project=project, document=document)
    # then
    assert second.totals() == {"created": 0, "updated": 0, "deleted": 0}
    assert Hall.objects.get(pk=first.hall.pk).plant_revision == revision
    assert hall_export(hall=second.hall) == document


def test_import_upserts_by_natural_keys_and_deletes_only_with_prune(catalog):
    # given: the hall as imported, then a document with one cable longer and one link gone
    document = hall_export(hall=_hall())
    project = ProjectFactory.create()
    hall = hall_import(project=project, document=document).hall
    changed = copy.deepcopy(document)
    changed["cables"][0]["length_mm"] += 1000
    dropped = changed["links"].pop()
    # when
    report = hall_import(project=project, document=changed)
    # then: updated in place, nothing deleted without prune
    assert report.updated["cables"] == 1
    assert report.totals()["deleted"] == 0
    assert Link.objects.filter(hall=hall, name=dropped["name"]).exists()
    # when: prune
    pruned = hall_import(project=project, document=changed, prune=True)
    # then
    assert pruned.deleted["links"] == 1
    assert not Link.objects.filter(hall=hall, name=dropped["name"]).exists()
    assert hall_export(hall=hall) == changed


def test_prune_removes_cabling_and_equipment_the_document_drops(catalog):
    document = hall_export(hall=_hall(links=1))
    project = ProjectFactory.create()
    hall = hall_import(project=project, document=document).hall
    smaller = copy.deepcopy(document)
    smaller["links"] = [link for link in smaller["links"] if link["shape"] == "aggregate"]
    harness = next(c for c in smaller["cables"] if c["label"].startswith("HRN"))
    smaller["cables"].remove(harness)
    rack = smaller["rows"][0]["racks"][0]
    rack["devices"] = [d for d in rack["devices"] if not d["name"].startswith(("spine", "leaf"))]
    report = hall_import(project=project, document=smaller, prune=True)
    assert report.deleted["cables"] == 1
    assert report.deleted["devices"] == 5
    assert report.deleted["transceivers"] == 5
    assert report.deleted["matings"] == 5  # the harness was plugged in five times
    assert hall_export(hall=hall) == smaller


def test_a_product_change_replaces_the_cable_and_replugs_it(catalog):
    document = hall_export(hall=_hall(links=1))
    project = ProjectFactory.create()
    hall = hall_import(project=project, document=document).hall
    changed = copy.deepcopy(document)
    trunk = next(c for c in changed["cables"] if c["label"].startswith("TRK"))
    trunk["product"] = "TRK-B12-MPO12-A-FF-OM4"
    report = hall_import(project=project, document=changed)
    assert report.updated["cables"] == 1
    assert report.updated["matings"] == 2
    assert hall_export(hall=hall) == changed
    link = hall.links.get(shape="aggregate")
    assert "POLARITY_REVERSED" in {f["code"] for f in link_validate(link=link)["findings"]}


def test_invalid_document_lists_every_error_with_its_pointer_and_writes_nothing(catalog):
    # given
    document = hall_export(hall=_hall(links=1))
    bad = copy.deepcopy(document)
    bad["cables"][0]["product"] = "NO-SUCH-CABLE"
    bad["cables"][1]["legs"][0]["port"]["port"] = "99"
    rack = bad["rows"][0]["racks"][0]
    rack["devices"][1]["u"] = rack["devices"][0]["u"]  # overlap
    bad["links"][0]["ends"][0]["port"] = bad["links"][0]["ends"][1]["port"]  # port twice
    project = ProjectFactory.create()
    # when
    with pytest.raises(DocumentInvalid) as raised:
        hall_import(project=project, document=bad)
    # then
    codes = {(e["pointer"], e["code"]) for e in raised.value.errors}
    assert ("/cables/0/product", "unknown_product") in codes
    assert ("/cables/1/legs/0/port", "does_not_exist") in codes
    assert {p for p, c in codes if c == "u_occupied"} & {
        "/rows/0/racks/0/devices/0/u",
        "/rows/0/racks/0/devices/1/u",
    }
    assert ("/links/0/ends/1/port", "port_linked") in codes
    assert raised.value.code == "invalid_document"
    assert raised.value.status_code == 400
    assert not Hall.objects.filter(project=project).exists()


def test_two_legs_in_one_port_side_is_refused(catalog):
    document = hall_export(hall=_hall(links=2))
    bad = copy.deepcopy(document)
    trunks = [c for c in bad["cables"] if c["label"].startswith("TRK")]
    trunks[1]["legs"][0]["port"] = trunks[0]["legs"][0]["port"]
    with pytest.raises(DocumentInvalid) as raised:
        hall_import(project=ProjectFactory.create(), document=bad)
    assert "port_mated" in {e["code"] for e in raised.value.errors}


def test_wrong_format_and_shapes_are_errors_not_crashes(catalog):
    document: Any
    for document in (
        [],
        {"format": "x"},
        {"format": "fiber-hall", "version": 1, "site": "S", "hall": {"name": "H"}, "rows": [1]},
        {"format": "fiber-hall", "version": 1, "site": "S", "hall": {"name": "H"},
         "cables": [{"label": "c", "product": "PCD-LC-AB-OM4", "legs": [{"leg": "A1"}]}]},
    ):  # fmt: skip
        with pytest.raises(DocumentInvalid):
            hall_import(project=ProjectFactory.create(), document=document)


def test_export_takes_the_same_number_of_queries_for_a_small_and_a_bigger_hall(catalog):
    small = _hall(links=1)
    bigger = parallel_hall(links=6)
    breakout_link(bigger.hall, bigger.racks[0])
    with CaptureQueriesContext(connection) as one:
        hall_export(hall=small)
    with CaptureQueriesContext(connection) as many:
        hall_export(hall=bigger.hall)
    assert len(one) == len(many) <= 12


def test_commands_export_and_import_a_hall(catalog, tmp_path, capsys):
    hall = _hall(links=1)
    path = tmp_path / "hall.json"
    call_command("export_hall", hall.pk, "--output", str(path))
    other = ProjectFactory.create()
    call_command("import_hall", str(path), "--project", str(other.pk))
    out = capsys.readouterr().out
    assert "created" in out
    imported = Hall.objects.get(project=other)
    assert hall_export(hall=imported) == json.loads(path.read_text())
    assert Cable.objects.filter(hall=imported).count() == Cable.objects.filter(hall=hall).count()
    assert Port.objects.filter(hall=imported).count() == Port.objects.filter(hall=hall).count()


def test_link_crossing_into_another_hall_round_trips(catalog):
    # given: a second hall in the same site, with a link whose b end is there
    build = parallel_hall(links=0)
    second = parallel_hall(
        Hall.objects.create(site=build.hall.site, project=build.hall.project, name="Hall two"),
        links=0,
    )
    parallel_link(build, 0)
    link = build.links[0]
    b_port = Port.objects.get(transceiver=build.transceivers[0][1])
    end = link.ends.get(role="b")
    end.delete()
    mating = Mating.objects.get(port=b_port)
    far = parallel_link(second, 0)
    far_port = far.ends.get(role="a").port
    far.delete()
    end.port = far_port
    end.hall_id = far_port.hall_id
    end.pk = None
    end.save()
    del mating
    document = hall_export(hall=build.hall)
    assert document["links"][0]["ends"][1]["port"]["hall"] == "Hall two"
    # when: re-imported into the same hall (idempotent)
    report = hall_import(project=build.hall.project, document=document)
    # then
    assert report.totals() == {"created": 0, "updated": 0, "deleted": 0}


def _rows_without_triggers(rows: list[tuple[Any, ...]]) -> None:
    with unchecked_foreign_keys([Row]) as keys:
        assert keys is not None  # the test database's user may skip the triggers
        _insert(Row, ("hall_id", "project_id", "name", "index"), rows, keys=keys)


def test_rows_written_without_the_per_row_key_triggers_still_have_their_keys_checked(catalog):
    hall = _hall()
    # a row naming a hall that does not exist: refused, and nothing of the block is left
    bad = [(hall.pk, hall.project_id, "ok", 7), (10**12, hall.project_id, "bad", 8)]
    with pytest.raises(IntegrityError, match="plant_row.hall_id names 1 missing plant_hall.id"):
        _rows_without_triggers(bad)
    assert not Row.objects.filter(name__in=["ok", "bad"]).exists()
    # good rows go in, and the role is back to normal afterwards
    _rows_without_triggers([(hall.pk, hall.project_id, "ok", 7)])
    assert Row.objects.filter(hall=hall, name="ok").exists()
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"


def test_without_the_privilege_the_database_checks_every_key_itself(catalog):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE ROLE plant_io_test_no_superuser NOSUPERUSER")  # undone with the test
        cursor.execute("SET LOCAL ROLE plant_io_test_no_superuser")
        with unchecked_foreign_keys([Row]) as keys:
            assert keys is None
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
        cursor.execute("RESET ROLE")


def test_new_ids_come_as_one_block_or_as_the_ids_the_sequence_gave():
    with connection.cursor() as cursor:
        block = _reserve_ids(cursor, "plant_row", 5)
        assert isinstance(block, range)
        assert len(block) == 5
        # as if another session took every other id meanwhile (undone with the test's transaction)
        cursor.execute("SELECT pg_get_serial_sequence('plant_row', 'id')")
        cursor.execute(f"ALTER SEQUENCE {cursor.fetchone()[0]} INCREMENT BY 2")
        scattered = _reserve_ids(cursor, "plant_row", 5)
    assert list(scattered) == list(range(scattered[0], scattered[0] + 10, 2))


def test_an_import_that_changes_cabling_into_another_hall_bumps_that_halls_revision(catalog):
    # given: a hall with a cord whose far leg is on a transceiver, and a second hall of the site
    build = parallel_hall(links=1)
    second = parallel_hall(
        Hall.objects.create(site=build.hall.site, project=build.hall.project, name="Hall two"),
        links=0,
    )
    document = hall_export(hall=build.hall)
    cable, leg = next(
        (cable, leg)
        for cable in document["cables"]
        for leg in cable["legs"]
        if "device" in leg["port"]
    )
    switch = DeviceFactory.create(rack=second.racks[0], u_position=20, name="far-switch")
    transceiver = transceiver_make(switch, "QSFP28-100G-SR4")
    far = Port.objects.get(transceiver=transceiver)
    here = Port.objects.get(
        hall=build.hall,
        transceiver__device__name=leg["port"]["device"],
        transceiver__cage=leg["port"]["cage"],
        label=leg["port"]["port"],
    )
    # when: the document plugs that leg into the second hall instead
    leg["port"] = {
        "hall": "Hall two",
        "device": switch.name,
        "cage": transceiver.cage,
        "port": far.label,
    }
    before = Hall.objects.get(pk=second.hall.pk).plant_revision
    hall_import(project=build.hall.project, document=document)
    # then: the mating is in the second hall, whose plant revision moved
    assert Mating.objects.get(port=far).leg.cable.label == cable["label"]
    assert not Mating.objects.filter(port=here).exists()
    moved = Hall.objects.get(pk=second.hall.pk).plant_revision
    assert moved > before
    # the same document again changes nothing, anywhere
    hall_import(project=build.hall.project, document=document)
    assert Hall.objects.get(pk=second.hall.pk).plant_revision == moved
    # unplugging it again (prune) touches the second hall once more
    cable["legs"].remove(leg)
    hall_import(project=build.hall.project, document=document, prune=True)
    assert not Mating.objects.filter(port=far).exists()
    assert Hall.objects.get(pk=second.hall.pk).plant_revision > moved
