"""Synthetic halls: every planted fault found as its named code, no false positives, repeatable."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command

from apps.plant.generate import FAULTS, generate_hall, hall_document
from apps.plant.io import hall_export
from apps.plant.models import Link
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
    from apps.plant.io import hall_import

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
