"""The seed loader: normalised records, expanded map rules, source markers, clear errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from apps.engine.catalog import Catalog
from apps.engine.seed import load_records
from apps.engine.types import SeedError
from tests.engine.conftest import FIXTURE_SEED


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seed"
    shutil.copytree(FIXTURE_SEED, target)
    return target


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


def _product(records, code):
    return next(p for p in records.products if p["code"] == code)


def test_records_are_json_serialisable_and_rebuild_the_same_catalog():
    records = load_records(FIXTURE_SEED)
    text = json.dumps(records.as_dict())
    again = Catalog.from_records(json.loads(text))
    assert again.records.as_dict() == records.as_dict()


def test_reversed_rule_expands_to_explicit_sorted_map():
    records = load_records(FIXTURE_SEED)
    trunk = _product(records, "TRK-B-MPO12-FF-OM4")
    assert trunk["map"] == [[f"A1:{p}", f"B1:{13 - p}"] for p in range(1, 13)]
    assert "map_rule" not in trunk
    assert trunk["revision"] == 1


def test_harness_base8_leg_k_carries_fibre_k_at_2_and_13_minus_k_at_1():
    records = load_records(FIXTURE_SEED)
    harness = _product(records, "HRN-MPO12F-4LC-OM4")
    assert sorted(harness["map"]) == sorted(
        [[f"A1:{k}", f"B{k}:2"] for k in range(1, 5)]
        + [[f"A1:{13 - k}", f"B{k}:1"] for k in range(1, 5)]
    )


def test_module_rules_follow_the_reference_worked_maps():
    """Type A: rear f -> fibre 13-f; fibre 2k-1/2k -> port k pos 1/2. Type B: rear f -> fibre f."""
    records = load_records(FIXTURE_SEED)
    module_a = {a: b for a, b in _product(records, "CAS-A-OM4")["map"]}
    module_b = {a: b for a, b in _product(records, "CAS-B-OM4")["map"]}
    assert module_a["R1:12"] == "1:1"
    assert module_a["R1:11"] == "1:2"
    assert module_a["R1:1"] == "6:2"
    assert module_b["R1:1"] == "1:1"
    assert module_b["R1:2"] == "1:2"
    assert module_b["R1:12"] == "6:2"
    u1 = {b: a for a, b in _product(records, "CAS-U1-OM4")["map"]}
    u2 = {b: a for a, b in _product(records, "CAS-U2-OM4")["map"]}
    assert (u1["1:1"], u1["1:2"], u1["6:1"]) == ("R1:12", "R1:1", "R1:7")
    assert (u2["1:1"], u2["1:2"]) == ("R1:1", "R1:12")


def test_source_markers_decide_verified_and_unverified_fields():
    records = load_records(FIXTURE_SEED)
    apps = {a["code"]: a for a in records.applications}
    assert apps["25GBASE-SR"]["verified"] is True
    assert apps["40GBASE-SR4"]["verified"] is False
    assert apps["40GBASE-SR4"]["unverified_fields"] == ["limits.OM3.il_db"]
    fibers = {f["code"]: f for f in records.fiber_types}
    assert fibers["OM4"]["unverified_fields"] == ["attenuation_db_per_km.tia"]
    splice = records.splices[0]
    assert splice["verified"] is False
    assert splice["unverified_fields"] == ["*"]


def test_decimals_stay_strings():
    records = load_records(FIXTURE_SEED)
    apps = {a["code"]: a for a in records.applications}
    assert apps["100GBASE-SR4"]["limits"]["OM4"] == {
        "reach_m": "100",
        "il_db": "1.9",
        "alloc_db": "1.5",
    }


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        (
            "products/cables.yaml",
            lambda d: d[0]["ends"]["A"][0].update(family="MPO-99"),
            "unknown connector family",
        ),
        (
            "products/cables.yaml",
            lambda d: d[0].update(map_rule=None, map=[["A1:1", "B1:13"]]),
            "outside the MPO-12",
        ),
        (
            "products/cables.yaml",
            lambda d: d[0].update(map_rule=None, map=[["A1:1", "B1:2"], ["A1:3", "B1:2"]]),
            "partial permutation",
        ),
        ("products/cables.yaml", lambda d: d.append(dict(d[0])), "duplicate product code"),
        (
            "products/transceivers.yaml",
            lambda d: d[0]["receptacles"][0].update(layout="nope"),
            "unknown layout",
        ),
        ("products/cables.yaml", lambda d: d[0].update(map_rule="twisted"), "unknown map rule"),
        ("products/cables.yaml", lambda d: d[0].update(fiber_type="OM9"), "unknown fiber type"),
        ("products/hardware.yaml", lambda d: d[0].update(kind="gizmo"), "unknown kind"),
    ],
)
def test_invalid_records_raise_a_seed_error_naming_file_and_record(
    seed_copy, file, change, message
):
    _edit(seed_copy / file, change)
    with pytest.raises(SeedError, match=message) as raised:
        load_records(seed_copy)
    assert raised.value.file == file


def test_mpo8_rule_never_maps_dark_positions(seed_copy):
    def change(data):
        data[0]["ends"] = {
            "A": [{"family": "MPO-8", "gender": "female", "endface": "PC"}],
            "B": [{"family": "MPO-8", "gender": "female", "endface": "PC"}],
        }
        data[0]["map_rule"] = "reversed"

    _edit(seed_copy / "products/cables.yaml", change)
    records = load_records(seed_copy)
    pairs = records.products[0]["map"]
    assert [a for a, _ in pairs] == [f"A1:{p}" for p in (1, 2, 3, 4, 9, 10, 11, 12)]


def test_siblings_share_kind_faces_and_fibre_type(fixture_catalog):
    codes = [p.code for p in fixture_catalog.siblings("CRD-LC-AB-OM4")]
    assert codes == ["CRD-LC-AA-OM4", "CRD-LC-AB-OM4-LL"]


def test_inline_product_gets_a_stable_code(fixture_catalog):
    record = {
        "kind": "cable",
        "cable_type": "patch_cord",
        "fiber_type": "OM4",
        "grade": "standard",
        "ends": {
            "A": [{"family": "LC", "endface": "PC"}],
            "B": [{"family": "LC", "endface": "PC"}],
        },
        "map_rule": "duplex-ab",
    }
    catalog, code = fixture_catalog.with_inline(record)
    again, same = catalog.with_inline(record)
    assert code == same
    assert code.startswith("inline:")
    assert catalog.product(code).map[("A1", 1)] == ("B1", 2)
    assert code not in fixture_catalog.products
