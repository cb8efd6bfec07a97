"""3xx: MPO breakouts, leg by leg (§5.4), and a graph-built split parallel channel (§8.8).

    [QSFP-DD DR4]--harness-base8 5 m--+ B1 -- [QSFP28 DR] lane 0
                                      + B2 -- [QSFP28 DR] lane 1
                                      + B3 -- [QSFP28 DR] lane 2
                                      + B4 -- [QSFP28 DR] lane 3
Leg k carries fibre k at position 2 and 13-k at position 1. Parent Tx lane k-1 at MDI k -> plug
13-k (mirror) -> leg k pos 1 -> SFP port pos 2 (mirror) = its Rx. Leg k pos 2 (fibre k) -> MDI
13-k = parent Rx lane k-1.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from apps.engine.channel import (
    Branch,
    Breakout,
    ElementSpec,
    End,
    GraphBreakout,
    GraphChannel,
    GraphChild,
)
from apps.engine.errors import ChannelError
from apps.engine.validate import validate
from tests.engine.helpers import el


def _harness(
    parent: str, harness: str, child: str, legs: tuple[int, ...] = (1, 2, 3, 4)
) -> Breakout:
    return Breakout(
        End(parent),
        (el(harness, "5"),),
        tuple(Branch(f"B{leg}", (k,), (), End(child)) for k, leg in enumerate(legs)),
    )


def test_301_dr4_to_four_dr_through_a_base8_harness(fixture_catalog):
    report = validate(
        _harness("QSFPDD-400G-DR4", "HRN-MPO12F-4LC-OS2", "QSFP28-100G-DR"), fixture_catalog
    )
    assert report.ok, report.findings
    assert [loss.label for loss in report.loss] == ["branch 1", "branch 2", "branch 3", "branch 4"]
    parent_lanes = {t.lane: t.outcome.ref for t in report.trace if t.source == "/parent"}
    assert parent_lanes == {k: f"/branches/{k}/end" for k in range(4)}
    # branch limits: the smaller of the parent's and the child's (both 3.0 dB / 500 m here)
    assert report.loss[0].limit_db == Decimal("3.00")


def test_302_swapped_legs_are_a_lane_mismatch(fixture_catalog):
    channel = _harness("QSFPDD-400G-DR4", "HRN-MPO12F-4LC-OS2", "QSFP28-100G-DR", legs=(2, 1, 3, 4))
    report = validate(channel, fixture_catalog)
    assert "LANE_MISMATCH" in report.codes()
    assert not report.ok


def test_303_sr4_to_four_10g_sr(fixture_catalog):
    report = validate(_harness("QSFP-40G-SR4", "HRN-MPO12F-4LC-OM4", "SFP-10G-SR"), fixture_catalog)
    assert report.ok
    # reach is the parent's (150 m OM4), not 10GBASE-SR's 400 m
    assert report.loss[0].reach_m == Decimal("150.0")


def test_304_base12_duplex_cassette_cannot_break_out(fixture_catalog):
    """[QSFP]--B cord--[R1 CAS-B 1..4]--LC cords--[SFP]: pairs 1/2, 3/4 put two Rx in one port."""
    channel = Breakout(
        End("QSFP-40G-SR4"),
        (el("CRD-B-MPO12-FF-OM4", "3"), ElementSpec("CAS-B-OM4", enter="R1")),
        tuple(
            Branch(str(k + 1), (k,), (el("CRD-LC-AB-OM4", "1"),), End("SFP-10G-SR"))
            for k in range(4)
        ),
    )
    report = validate(channel, fixture_catalog)
    assert not report.ok
    assert {"PATH_MISROUTED", "LANE_MISMATCH"} <= set(report.codes())


def test_305_800g_dr8_to_two_dr4_via_a_16_to_2x8_conversion(fixture_catalog):
    """MPO-16 A1:1-4 <-> B1:12-9, A1:13-16 <-> B1:4-1 (leg 1 = lanes 0-3), the rest on B2."""
    channel = Breakout(
        End("OSFP-800G-DR8"),
        (el("CNV-MPO16F-2MPO12F-OS2", "10"),),
        (
            Branch("B1", (0, 1, 2, 3), (), End("QSFPDD-400G-DR4")),
            Branch("B2", (4, 5, 6, 7), (), End("QSFPDD-400G-DR4")),
        ),
    )
    report = validate(channel, fixture_catalog)
    assert report.ok, report.findings
    swapped = Breakout(
        channel.parent,
        channel.elements,
        (
            Branch("B2", (0, 1, 2, 3), (), End("QSFPDD-400G-DR4")),
            Branch("B1", (4, 5, 6, 7), (), End("QSFPDD-400G-DR4")),
        ),
    )
    assert "LANE_MISMATCH" in validate(swapped, fixture_catalog).codes()


def test_306_wdm_and_unlisted_children_are_unsupported(fixture_catalog):
    channel = _harness("QSFP-40G-SR4", "HRN-MPO12F-4LC-OM4", "SFP28-25G-SR")
    assert "BREAKOUT_UNSUPPORTED" in validate(channel, fixture_catalog).codes()


def test_307_parallel_lanes_over_two_trunks_warn_parallel_split(fixture_catalog):
    """Graph channel: one SR4 over two trunks through 1 -> 2 splitter modules.

    [QSFP]-B cord-[R1 split F1]==trunk 1==[F1 split R1]-B cord-[QSFP]
                  [      F2]==trunk 2==[F2      ]
    """
    split = {
        "kind": "cassette",
        "fiber_type": "OM4",
        "grade": "low-loss",
        "ports": [
            {"label": "R1", "face": "rear", "family": "MPO-12", "adapter": "key-up-key-down", "gender": "male", "endface": "PC"},  # noqa: E501
            {"label": "F1", "face": "front", "family": "MPO-12", "adapter": "key-up-key-down", "gender": "male", "endface": "PC"},  # noqa: E501
            {"label": "F2", "face": "front", "family": "MPO-12", "adapter": "key-up-key-down", "gender": "male", "endface": "PC"},  # noqa: E501
        ],
        "map": [[f"R1:{p}", f"F1:{p}"] for p in (1, 2, 11, 12)]
        + [[f"R1:{p}", f"F2:{p}"] for p in (3, 4, 9, 10)],
    }  # fmt: skip
    catalog, code = fixture_catalog.with_inline(split)
    elements = (
        ElementSpec("CRD-A-MPO12-FF-OM4", Decimal("2"), ref="cord-a"),
        ElementSpec(code, ref="split-a"),
        ElementSpec("TRK-B-MPO12-FF-OM4", Decimal("30"), ref="trunk-1"),
        ElementSpec("TRK-B-MPO12-FF-OM4", Decimal("35"), ref="trunk-2"),
        ElementSpec(code, ref="split-b"),
        ElementSpec("CRD-A-MPO12-FF-OM4", Decimal("2"), ref="cord-b"),
    )
    matings = (
        ("/a", "1", "cord-a", "A1"),
        ("cord-a", "B1", "split-a", "R1"),
        ("split-a", "F1", "trunk-1", "A1"),
        ("split-a", "F2", "trunk-2", "A1"),
        ("trunk-1", "B1", "split-b", "F1"),
        ("trunk-2", "B1", "split-b", "F2"),
        ("split-b", "R1", "cord-b", "A1"),
        ("cord-b", "B1", "/b", "1"),
    )
    report = validate(
        GraphChannel(End("QSFP-40G-SR4"), End("QSFP-40G-SR4"), elements, matings), catalog
    )
    assert "PARALLEL_SPLIT" in report.codes(), report.findings
    assert all(t.outcome.ok for t in report.trace)
    assert all(t.outcome.status == "rx" for t in report.trace)


# --- breakouts over a face graph (the plant's stored matings) -------------------------------------


def _as_graph(channel: Breakout) -> GraphBreakout:
    """The same breakout as the plant stores it: elements with refs and their matings.

    [parent]-e0-...-fan ==leg B<k>== branch elements -- [child k]
    """
    elements: list[ElementSpec] = []
    matings: list[tuple[str, str, str, str]] = []
    previous = ("/parent", channel.parent.receptacle)
    for i, spec in enumerate(channel.elements):
        ref = f"e{i}"
        elements.append(replace(spec, ref=ref))
        enter = spec.enter or ("A1" if spec.product.startswith(("HRN", "CNV", "CRD")) else "R1")
        matings.append((previous[0], previous[1], ref, enter))
        previous = (ref, spec.exit or "B1")
    fan = previous[0]
    children = []
    for j, branch in enumerate(channel.branches):
        here = (fan, branch.exit)
        for i, spec in enumerate(branch.elements):
            ref = f"b{j}e{i}"
            elements.append(replace(spec, ref=ref))
            matings.append((here[0], here[1], ref, spec.enter or "A1"))
            here = (ref, spec.exit or "B1")
        matings.append((here[0], here[1], f"/children/{j}/end", branch.end.receptacle))
        children.append(GraphChild(branch.end, branch.lanes))
    return GraphBreakout(channel.parent, tuple(children), tuple(elements), tuple(matings))


def _summary(report):
    """What must not depend on the channel's shape: verdicts, codes, outcomes and loss."""
    return (
        report.ok,
        sorted(f.code for f in report.findings),
        [(t.lane, t.outcome.status, t.outcome.lane, t.outcome.code) for t in report.trace],
        [(x.label, x.total_max_db, x.total_typ_db, x.limit_db, x.margin_db, x.length_m)
         for x in report.loss],
    )  # fmt: skip


BREAKOUT_CASES = {
    "dr4 to 4 dr": _harness("QSFPDD-400G-DR4", "HRN-MPO12F-4LC-OS2", "QSFP28-100G-DR"),
    "swapped legs": _harness(
        "QSFPDD-400G-DR4", "HRN-MPO12F-4LC-OS2", "QSFP28-100G-DR", legs=(2, 1, 3, 4)
    ),
    "sr4 to 4 sr": _harness("QSFP-40G-SR4", "HRN-MPO12F-4LC-OM4", "SFP-10G-SR"),
    "base-12 harness": _harness("QSFP-40G-SR4", "HRN-MPO12F-4LC-OM4-B12", "SFP-10G-SR"),
    "unsupported child": _harness("QSFP-40G-SR4", "HRN-MPO12F-4LC-OM4", "SFP28-25G-SR"),
    "cord, cassette, cords": Breakout(
        End("QSFP-40G-SR4"),
        (el("CRD-B-MPO12-FF-OM4", "3"), ElementSpec("CAS-B-OM4", enter="R1")),
        tuple(
            Branch(str(k + 1), (k,), (el("CRD-LC-AB-OM4", "1"),), End("SFP-10G-SR"))
            for k in range(4)
        ),
    ),
    "800g to 2 dr4": Breakout(
        End("OSFP-800G-DR8"),
        (el("CNV-MPO16F-2MPO12F-OS2", "10"),),
        (
            Branch("B1", (0, 1, 2, 3), (), End("QSFPDD-400G-DR4")),
            Branch("B2", (4, 5, 6, 7), (), End("QSFPDD-400G-DR4")),
        ),
    ),
}


@pytest.mark.parametrize("name", list(BREAKOUT_CASES))
def test_308_graph_breakout_gives_the_breakouts_verdicts_and_loss(fixture_catalog, name):
    channel = BREAKOUT_CASES[name]
    tree = validate(channel, fixture_catalog)
    graph = validate(_as_graph(channel), fixture_catalog)
    assert _summary(graph) == _summary(tree)
    assert [x.ends[1] for x in graph.loss] == [
        f"/children/{j}/end" for j in range(len(channel.branches))
    ]


def test_309_graph_breakout_names_children_in_words(fixture_catalog):
    channel = _as_graph(BREAKOUT_CASES["swapped legs"])
    report = validate(channel, fixture_catalog)
    mismatch = next(f for f in report.findings if f.code == "LANE_MISMATCH")
    assert mismatch.message.startswith("child ")


def test_310_graph_breakout_rejects_a_lane_given_twice(fixture_catalog):
    channel = _as_graph(BREAKOUT_CASES["dr4 to 4 dr"])
    children = (channel.children[0], replace(channel.children[1], lanes=(0,)))
    with pytest.raises(ChannelError) as raised:
        validate(replace(channel, children=children + channel.children[2:]), fixture_catalog)
    assert raised.value.code == "INVALID_LANE"
    assert raised.value.pointer == "/children/1/lanes"


def test_311_breakout_parent_lanes_over_two_trunks_warn_parallel_split(fixture_catalog):
    """Graph breakout: SR4 parent lanes 0-1 over trunk 1, lanes 2-3 over trunk 2, then harnesses.

    [QSFP]-A cord-[R1 split F1]==A trunk 1==[KUKD]-harness 1 (B1, B2) -- [SFP] lanes 0, 1
                  [      F2]==A trunk 2==[KUKD]-harness 2 (B3, B4) -- [SFP] lanes 2, 3
    The split module sends parent fibres 1, 2, 11, 12 to F1 and 3, 4, 9, 10 to F2 unchanged.
    """
    split = {
        "kind": "cassette",
        "fiber_type": "OM4",
        "grade": "low-loss",
        "ports": [
            {"label": "R1", "face": "rear", "family": "MPO-12", "adapter": "key-up-key-down", "gender": "male", "endface": "PC"},  # noqa: E501
            {"label": "F1", "face": "front", "family": "MPO-12", "adapter": "key-up-key-down", "gender": "male", "endface": "PC"},  # noqa: E501
            {"label": "F2", "face": "front", "family": "MPO-12", "adapter": "key-up-key-down", "gender": "male", "endface": "PC"},  # noqa: E501
        ],
        "map": [[f"R1:{p}", f"F1:{p}"] for p in (1, 2, 11, 12)]
        + [[f"R1:{p}", f"F2:{p}"] for p in (3, 4, 9, 10)],
    }  # fmt: skip
    catalog, code = fixture_catalog.with_inline(split)
    sfp = End("SFP-10G-SR")
    elements = (
        ElementSpec("CRD-A-MPO12-FF-OM4", Decimal("2"), ref="cord"),
        ElementSpec(code, ref="split"),
        ElementSpec("CRD-A-MPO12-FM-OM4", Decimal("30"), ref="trunk-1"),
        ElementSpec("CRD-A-MPO12-FM-OM4", Decimal("35"), ref="trunk-2"),
        ElementSpec("ADP-MPO12-KUKD", ref="adp-1"),
        ElementSpec("ADP-MPO12-KUKD", ref="adp-2"),
        ElementSpec("HRN-MPO12F-4LC-OM4", Decimal("3"), ref="harness-1"),
        ElementSpec("HRN-MPO12F-4LC-OM4", Decimal("3"), ref="harness-2"),
    )
    matings = (
        ("/parent", "1", "cord", "A1"),
        ("cord", "B1", "split", "R1"),
        ("split", "F1", "trunk-1", "A1"),
        ("split", "F2", "trunk-2", "A1"),
        ("trunk-1", "B1", "adp-1", "1"),
        ("adp-1", "2", "harness-1", "A1"),
        ("trunk-2", "B1", "adp-2", "1"),
        ("adp-2", "2", "harness-2", "A1"),
        ("harness-1", "B1", "/children/0/end", "1"),
        ("harness-1", "B2", "/children/1/end", "1"),
        ("harness-2", "B3", "/children/2/end", "1"),
        ("harness-2", "B4", "/children/3/end", "1"),
    )
    children = tuple(GraphChild(sfp, (k,)) for k in range(4))
    report = validate(GraphBreakout(End("QSFP-40G-SR4"), children, elements, matings), catalog)
    assert "PARALLEL_SPLIT" in report.codes(), report.findings
    assert all(t.outcome.ok for t in report.trace)
    split_finding = next(f for f in report.findings if f.code == "PARALLEL_SPLIT")
    assert split_finding.ref in ("trunk-1", "trunk-2")
    assert "before the fan-out" in split_finding.message


def test_312_one_harness_breakout_is_not_split(fixture_catalog):
    report = validate(BREAKOUT_CASES["sr4 to 4 sr"], fixture_catalog)
    assert "PARALLEL_SPLIT" not in report.codes()
    assert (
        "PARALLEL_SPLIT" not in validate(BREAKOUT_CASES["800g to 2 dr4"], fixture_catalog).codes()
    )
