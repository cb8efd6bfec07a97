"""Synthetic halls: every planted fault found as its named code, no false positives, repeatable."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from apps.plant.generate import FAULTS, generate_hall, hall_document
from apps.plant.io import DocumentInvalid, hall_create_trusted, hall_export, hall_import
from apps.plant.models import CableLeg, Hall, Link, Port
from apps.plant.selectors import link_reports_for_hall
from tests.factories.accounts import ProjectFactory

pytestmark = pytest.mark.django_db


def _primary_errors(hall_id: int) -> dict[str, set[str]]:
    """Link name -> codes of its error findings that are not consequences of another finding."""
    names = dict(Link.objects.filter(hall_id=hall_id).values_list("id", "name"))
    return {
        names[result.link_id]: {
            f["code"]
            for f in result.report["findings"]
            if f["severity"] == "error" and f["consequence_of"] is None
        }
        for result in link_reports_for_hall(hall_id=hall_id)
    }


def test_every_planted_fault_is_found_as_its_code_and_nothing_else_fails(catalog):
    # given: a small seeded hall with every fault kind planted once
    generated = generate_hall(
        project=ProjectFactory.create(),
        rows=2,
        racks_per_row=3,
        links=40,
        seed=3,
        faults=dict.fromkeys(FAULTS, 1),
    )
    # when
    found = _primary_errors(generated.report.hall.pk)
    # then
    assert len(found) == 40
    assert sorted(generated.manifest.values()) == sorted(FAULTS.values())
    for name, codes in found.items():
        expected = {generated.manifest[name]} if name in generated.manifest else set()
        assert codes == expected, (name, codes)


def test_single_mode_against_multimode_is_one_fiber_type_mismatch(catalog):
    generated = generate_hall(
        project=ProjectFactory.create(), rows=1, racks_per_row=2, links=1, faults={"sm_mm": 1}
    )
    assert list(_primary_errors(generated.report.hall.pk).values()) == [{"FIBER_TYPE_MISMATCH"}]


def test_the_same_seed_gives_the_same_hall(catalog):
    args: dict[str, Any] = {
        "rows": 2,
        "racks_per_row": 3,
        "links": 30,
        "seed": 5,
        "faults": {"misrouted": 1, "swapped_legs": 2},
    }
    one = generate_hall(project=ProjectFactory.create(), **args)
    two = generate_hall(project=ProjectFactory.create(), **args)
    other = generate_hall(project=ProjectFactory.create(), **{**args, "seed": 6})
    assert hall_export(hall=one.report.hall) == hall_export(hall=two.report.hall)
    assert one.manifest == two.manifest
    assert hall_export(hall=one.report.hall) != hall_export(hall=other.report.hall)


def test_a_generated_hall_reimports_with_no_changes(catalog):
    generated = generate_hall(project=ProjectFactory.create(), rows=1, racks_per_row=3, links=12)
    report = hall_import(
        project=generated.report.hall.project, document=hall_export(hall=generated.report.hall)
    )
    assert report.totals() == {"created": 0, "updated": 0, "deleted": 0}


def test_command_writes_the_manifest_and_a_summary(catalog, tmp_path, capsys):
    project = ProjectFactory.create()
    manifest = tmp_path / "planted.json"
    call_command(
        "generate_hall", "--rows", "1", "--racks-per-row", "4", "--links", "20", "--seed", "9",
        "--faults", "wrong_trunk_type=2", "--faults", "missing_cable=1",
        "--project", str(project.pk), "--manifest", str(manifest),
    )  # fmt: skip
    out = capsys.readouterr().out
    data = json.loads(manifest.read_text())
    assert sorted(data["faults"].values()) == [
        "OPEN_FIBER",
        "POLARITY_REVERSED",
        "POLARITY_REVERSED",
    ]
    assert "20 links" in out
    assert "POLARITY_REVERSED 2" in out
    assert Link.objects.filter(hall_id=data["hall"]).count() == 20


def test_unknown_fault_kinds_and_too_many_faults_are_refused():
    with pytest.raises(ValueError, match="Unknown fault kinds"):
        hall_document(rows=1, racks_per_row=2, links=5, faults={"nonsense": 1})
    with pytest.raises(ValueError, match="do not fit"):
        hall_document(rows=1, racks_per_row=2, links=1, faults={"misrouted": 2})


def _stored_rows(hall: Hall) -> dict[str, Any]:
    """What hall_export leaves out: ports, leg labels, link state, the plant revision."""
    return {
        "ports": sorted(
            Port.objects.filter(hall=hall).values_list(
                "transceiver__device__name",
                "transceiver__cage",
                "module__enclosure__name",
                "module__slot",
                "label",
                "face",
                "family",
            ),
            key=repr,
        ),
        "legs": sorted(
            CableLeg.objects.filter(hall=hall).values_list("cable__label", "end", "index", "label")
        ),
        "links": sorted(
            Link.objects.filter(hall=hall).values_list(
                "name", "status", "status_revision", "needs_revalidation", "touched_cable_ids"
            )
        ),
        "plant_revision": Hall.objects.get(pk=hall.pk).plant_revision,
    }


def test_a_generated_document_passes_hall_import_and_the_trusted_path_writes_the_same_hall(catalog):
    # given: a generated document with every fault kind, checked by hall_import's full validation
    document, _manifest = hall_document(
        rows=2, racks_per_row=3, links=60, seed=4, faults=dict.fromkeys(FAULTS, 2)
    )
    checked = hall_import(project=ProjectFactory.create(), document=document)
    # when: the generator's path writes the same document without validating it
    timings: dict[str, float] = {}
    trusted = hall_create_trusted(
        project=ProjectFactory.create(), document=document, timings=timings
    )
    # then: it did write it itself (not through hall_import), and the halls are the same
    assert "keys" in timings
    assert "rows" in timings
    assert {**trusted.as_dict(), "hall": 0} == {**checked.as_dict(), "hall": 0}
    assert hall_export(hall=trusted.hall) == hall_export(hall=checked.hall)
    assert _stored_rows(trusted.hall) == _stored_rows(checked.hall)


def test_the_trusted_path_leaves_an_existing_hall_and_taken_names_to_hall_import(catalog):
    project = ProjectFactory.create()
    document, _manifest = hall_document(rows=1, racks_per_row=2, links=6, seed=1)
    hall_create_trusted(project=project, document=document)
    # the same hall again: hall_import's upsert, which changes nothing
    again = hall_create_trusted(project=project, document=document)
    assert again.totals() == {"created": 0, "updated": 0, "deleted": 0}
    # the same cable labels and link names in a hall of another site: hall_import's errors
    elsewhere, _manifest = hall_document(rows=1, racks_per_row=2, links=6, seed=1, site="Other")
    with pytest.raises(DocumentInvalid) as raised:
        hall_create_trusted(project=project, document=elsewhere)
    assert {e["code"] for e in raised.value.errors} == {"duplicate"}
    assert not Hall.objects.filter(project=project, site__name="Other").exists()
    # a product the catalog does not have: hall_import's error with its pointer
    elsewhere["site"] = "Third"
    elsewhere["cables"][0]["product"] = "NO-SUCH-CABLE"
    with pytest.raises(DocumentInvalid) as raised:
        hall_create_trusted(project=ProjectFactory.create(), document=elsewhere)
    assert [e["code"] for e in raised.value.errors] == ["unknown_product"]


def test_command_sizes_the_rows_for_the_links_unless_told(catalog, tmp_path):
    project = ProjectFactory.create()
    common = ["--racks-per-row", "1", "--links", "2000", "--project", str(project.pk)]
    # four one-rack rows cannot hold 2,000 links: a clear error, nothing written
    with pytest.raises(CommandError, match="is full"):
        call_command("generate_hall", *common, "--rows", "4", "--hall", "tight",
                     "--manifest", str(tmp_path / "tight.json"))  # fmt: skip
    assert not Link.objects.filter(hall__project=project).exists()
    # without --rows the command adds rows until the links fit (40 a rack)
    call_command("generate_hall", *common, "--hall", "roomy",
                 "--manifest", str(tmp_path / "roomy.json"))  # fmt: skip
    hall = Hall.objects.get(project=project, name="roomy")
    assert hall.rows.count() == 50
    assert Link.objects.filter(hall=hall).count() == 2000


def test_a_long_hall_without_faults_has_no_failing_link(catalog):
    # given: 60 one-rack rows; the last racks' partners must not be the first rows' racks
    # (a run from the last row back to the first is ~170 m, past 100GBASE-SR4's reach on OM4)
    generated = generate_hall(
        project=ProjectFactory.create(), rows=60, racks_per_row=1, links=120, seed=5
    )
    # then
    assert generated.manifest == {}
    failing = {
        name: codes for name, codes in _primary_errors(generated.report.hall.pk).items() if codes
    }
    assert failing == {}
