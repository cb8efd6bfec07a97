"""Swapped legs of a graph breakout (as the plant stores it) get a fix that re-mates them.

[DR4] --A1 harness B1..B4-- [DR] × 4      (child k on leg B<legs[k]>)
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.engine.apply import fix_apply
from apps.engine.channel import Branch, Breakout, ElementSpec, End, GraphBreakout, GraphChild
from apps.engine.report import Change
from apps.engine.validate import validate
from tests.engine.helpers import el

DR = End("QSFP28-100G-DR")


def _harness_breakout(legs: tuple[int, ...]) -> GraphBreakout:
    """Plant-style refs: the parent and children are transceivers, the harness a cable."""
    elements = (ElementSpec("HRN-MPO12F-4LC-OS2", Decimal("5"), ref="cable:7"),)
    matings = (("transceiver:1", "1", "cable:7", "A1"),) + tuple(
        ("cable:7", f"B{leg}", f"transceiver:{10 + k}", "1") for k, leg in enumerate(legs)
    )
    children = tuple(
        GraphChild(End("QSFP28-100G-DR", ref=f"transceiver:{10 + k}"), (k,))
        for k in range(len(legs))
    )
    return GraphBreakout(End("QSFPDD-400G-DR4", ref="transceiver:1"), children, elements, matings)


def _corded_breakout(ports: tuple[int, ...]) -> GraphBreakout:
    """[DR4]--harness B<k>--[adapter k]--cord k--[DR]: child k on the cord of port ports[k]."""
    elements: tuple[ElementSpec, ...] = (
        ElementSpec("HRN-MPO12F-4LC-OS2", Decimal("5"), ref="harness"),
    )
    elements += tuple(ElementSpec("ADP-LC", ref=f"adapter-{k + 1}") for k in range(4))
    elements += tuple(
        ElementSpec("CRD-LC-AB-OS2", Decimal("2"), ref=f"cord-{k + 1}") for k in range(4)
    )
    matings: tuple[tuple[str, str, str, str], ...] = (("/parent", "1", "harness", "A1"),)
    matings += tuple(("harness", f"B{k + 1}", f"adapter-{k + 1}", "1") for k in range(4))
    matings += tuple((f"adapter-{k + 1}", "2", f"cord-{k + 1}", "A1") for k in range(4))
    matings += tuple(
        (f"cord-{port}", "B1", f"/children/{k}/end", "1") for k, port in enumerate(ports)
    )
    children = tuple(GraphChild(DR, (k,)) for k in range(4))
    return GraphBreakout(End("QSFPDD-400G-DR4"), children, elements, matings)


def test_swapped_harness_legs_fix_plugs_them_back(fixture_catalog):
    # given: children 1 and 2 on legs B2 and B1
    channel = _harness_breakout((2, 1, 3, 4))
    # when
    report = validate(channel, fixture_catalog)
    # then
    mismatches = [f for f in report.findings if f.code == "LANE_MISMATCH"]
    assert mismatches
    fixes = {f.fix for f in mismatches if f.fix is not None}
    assert len(fixes) == 1
    fix = fixes.pop()
    assert sorted(fix.changes, key=lambda c: str(c.face)) == [
        Change("cable:7", face="B1", mate=("transceiver:10", "1")),
        Change("cable:7", face="B2", mate=("transceiver:11", "1")),
    ]
    assert fix.message == (
        "swap the legs of transceiver:10 and transceiver:11: plug cable:7 B1 into"
        " transceiver:10 and cable:7 B2 into transceiver:11"
    )
    rendered = next(f for f in report.as_dict()["findings"] if f["code"] == "LANE_MISMATCH")
    assert {"ref": "cable:7", "face": "B1", "mate": ["transceiver:10", "1"]}.items() <= (
        next(c for c in rendered["fix"]["changes"] if c["face"] == "B1").items()
    )
    repaired = validate(fix_apply(channel, fix), fixture_catalog)
    assert repaired.ok, repaired.findings
    assert repaired.findings == ()


def test_three_children_in_a_ring_get_two_swaps_that_clear_it(fixture_catalog):
    # given: children 1, 2, 3 on legs B2, B3, B1
    channel = _harness_breakout((2, 3, 1, 4))
    report = validate(channel, fixture_catalog)
    fix = next(f.fix for f in report.findings if f.code == "LANE_MISMATCH" and f.fix)
    # then: the net re-matings put every child back on its own leg
    assert sorted((c.face, c.mate) for c in fix.changes) == [
        ("B1", ("transceiver:10", "1")),
        ("B2", ("transceiver:11", "1")),
        ("B3", ("transceiver:12", "1")),
    ]
    assert validate(fix_apply(channel, fix), fixture_catalog).ok


def test_swapped_child_ports_fix_swaps_the_childrens_cords(fixture_catalog):
    # given: children 3 and 4 plugged into each other's cords
    channel = _corded_breakout((1, 2, 4, 3))
    report = validate(channel, fixture_catalog)
    assert "LANE_MISMATCH" in report.codes()
    fix = next(f.fix for f in report.findings if f.code == "LANE_MISMATCH" and f.fix)
    assert sorted((c.ref, c.face, c.mate) for c in fix.changes) == [
        ("cord-3", "B1", ("/children/2/end", "1")),
        ("cord-4", "B1", ("/children/3/end", "1")),
    ]
    assert fix.message == (
        "swap the legs of child 3 and child 4: plug cord-3 B1 into child 3"
        " and cord-4 B1 into child 4"
    )
    assert validate(fix_apply(channel, fix), fixture_catalog).ok


@pytest.mark.parametrize(
    "channel", [_harness_breakout((1, 2, 3, 4)), _corded_breakout((1, 2, 3, 4))]
)
def test_correct_graph_breakouts_get_no_fix(fixture_catalog, channel):
    report = validate(channel, fixture_catalog)
    assert report.ok, report.findings
    assert all(f.fix is None for f in report.findings)


def test_fix_apply_swaps_branch_exits_of_a_breakout(fixture_catalog):
    channel = Breakout(
        End("QSFPDD-400G-DR4"),
        (el("HRN-MPO12F-4LC-OS2", "5"),),
        tuple(Branch(f"B{leg}", (k,), (), DR) for k, leg in enumerate((2, 1, 3, 4))),
    )
    fix = next(f.fix for f in validate(channel, fixture_catalog).findings if f.fix)
    assert validate(fix_apply(channel, fix), fixture_catalog).ok
