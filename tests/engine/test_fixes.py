"""Every suggested fix, applied, makes the channel's polarity and matings pass."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from apps.engine.channel import Aggregate, Branch, Breakout, ElementSpec, End
from apps.engine.validate import validate
from tests.engine.helpers import QSFP, SFP, duplex_method, el, parallel

LENGTH_CODES = {"LOSS_BUDGET_EXCEEDED", "REACH_EXCEEDED", "FIBER_TYPE_UNSUPPORTED"}

GOOD = [
    duplex_method("CRD-LC-AB-OM4", "CAS-A-OM4", "TRK-A-MPO12-FF-OM4", "CAS-A-OM4", "CRD-LC-AA-OM4"),
    duplex_method("CRD-LC-AB-OM4", "CAS-B-OM4", "TRK-B-MPO12-FF-OM4", "CAS-B-OM4", "CRD-LC-AB-OM4", "2", "5"),  # noqa: E501
    duplex_method("CRD-LC-AB-OM4", "CAS-A-OM4", "TRK-C-MPO12-FF-OM4", "CAS-A-OM4", "CRD-LC-AB-OM4", "3", "3"),  # noqa: E501
    duplex_method("CRD-LC-AB-OM4", "CAS-U1-OM4", "TRK-B-MPO12-FF-OM4", "CAS-U1-OM4", "CRD-LC-AB-OM4"),  # noqa: E501
    parallel("CRD-A-MPO12-FM-OM4", "ADP-MPO12-KUKD", "TRK-A-MPO12-FF-OM4", "CRD-B-MPO12-FM-OM4"),
    parallel("CRD-B-MPO12-FM-OM4", "ADP-MPO12-KUKU", "TRK-B-MPO12-FF-OM4", "CRD-B-MPO12-FM-OM4"),
    Aggregate(QSFP, (el("CRD-B-MPO12-FF-OM4", "3"),), QSFP),
    Aggregate(SFP, (el("CRD-LC-AB-OM4", "3"),), SFP),
]  # fmt: skip


def _broken(catalog):
    """Every good channel with one element swapped for each sibling, where that breaks it."""
    for channel in GOOD:
        for index, spec in enumerate(channel.elements):
            for sibling in catalog.siblings(spec.product):
                elements = list(channel.elements)
                elements[index] = replace(spec, product=sibling.code)
                wrong = Aggregate(channel.a, tuple(elements), channel.b)
                yield wrong


def _changed(spec: ElementSpec, change) -> ElementSpec:
    return ElementSpec(
        change.product or spec.product,
        change.length_m if change.length_m is not None else spec.length_m,
        change.enter or spec.enter,
        change.exit or spec.exit,
        spec.ref,
    )


def _apply(channel, fix):
    """The channel with every change of `fix` made (elements, branch elements, branch exits)."""
    if isinstance(channel, Breakout):
        elements = list(channel.elements)
        branches = [list(b.elements) for b in channel.branches]
        exits = [b.exit for b in channel.branches]
        for change in fix.changes:
            parts = change.ref.strip("/").split("/")
            if parts[0] == "elements":
                elements[int(parts[1])] = _changed(elements[int(parts[1])], change)
            elif len(parts) == 2:
                exits[int(parts[1])] = change.exit
            else:
                j, i = int(parts[1]), int(parts[3])
                branches[j][i] = _changed(branches[j][i], change)
        return Breakout(
            channel.parent,
            tuple(elements),
            tuple(
                replace(b, exit=exits[j], elements=tuple(branches[j]))
                for j, b in enumerate(channel.branches)
            ),
        )
    elements = list(channel.elements)
    for change in fix.changes:
        index = int(change.ref.rsplit("/", 1)[1])
        elements[index] = _changed(elements[index], change)
    return Aggregate(channel.a, tuple(elements), channel.b)


def _polarity_errors(report):
    return [f.code for f in report.errors() if f.code not in LENGTH_CODES]


def test_every_suggested_fix_makes_the_channel_pass(fixture_catalog):
    tried = fixed = 0
    for channel in _broken(fixture_catalog):
        report = validate(channel, fixture_catalog)
        if not _polarity_errors(report):
            continue
        tried += 1
        fixes = {f.fix for f in report.findings if f.fix is not None and f.code not in LENGTH_CODES}
        for fix in fixes:
            repaired = validate(_apply(channel, fix), fixture_catalog)
            assert _polarity_errors(repaired) == [], (channel, fix)
            fixed += 1
    assert tried >= 30
    assert fixed >= tried * 0.9


def test_misrouted_cord_fix_moves_the_port(fixture_catalog):
    channel = duplex_method(
        "CRD-LC-AB-OM4", "CAS-B-OM4", "TRK-B-MPO12-FF-OM4", "CAS-B-OM4", "CRD-LC-AB-OM4", "1", "1"
    )
    report = validate(channel, fixture_catalog)
    fix = report.findings[0].fix
    assert fix is not None
    assert fix.message.startswith("use port")
    assert len(fix.changes) == 1


# --- loss, reach and breakout fixes ---------------------------------------------------------------


def _method_b(end: End, trunk_m: str = "50", cord: str = "CRD-LC-AB-OM4") -> Aggregate:
    """[SFP]--cord 2 m--[1 CAS-B R1]==B trunk==[R1 CAS-B 6]--cord 2 m--[SFP]"""
    channel = duplex_method(cord, "CAS-B-OM4", "TRK-B-MPO12-FF-OM4", "CAS-B-OM4", cord, "1", "6")
    elements = list(channel.elements)
    elements[2] = replace(elements[2], length_m=Decimal(trunk_m))
    return Aggregate(end, tuple(elements), end)


def _om3_three_panels(lengths: tuple[str, ...] = ("30", "30", "30", "20")) -> Aggregate:
    """[SFP]-AB-[LC]-AB-[LC]-AB-[LC]-AB-[SFP], OM3 cords (no better grade in the catalog).

    7 reversals (odd): Tx on Rx. Three standard LC pairs: 2.25 dB; 10GBASE-SR OM3 IL 2.6.
    """
    cords = [el("CRD-LC-AB-OM3", length) for length in lengths]
    return Aggregate(
        SFP, (cords[0], el("ADP-LC"), cords[1], el("ADP-LC"), cords[2], el("ADP-LC"), cords[3]), SFP
    )


SR25 = End("SFP28-25G-SR")
LOSS_CASES = {
    "method b for 25g with standard cords": _method_b(SR25),
    "three om3 panels at 110 m": _om3_three_panels(),
    "method b for 25g far too long": _method_b(SR25, "400"),
}


def _fixes_by_code(report):
    return {f.code: f.fix for f in report.findings if f.fix is not None}


def test_loss_budget_fix_upgrades_the_fewest_grades(fixture_catalog):
    """Method B at 54 m: 2 × 0.75 (standard cords) + 2 × 0.35 + 54 m × 3.5 = 2.389 dB.

    25GBASE-SR OM4 IL 1.9: over by 0.489. One low-loss cord (0.25): 1.889 fits: one upgrade.
    """
    channel = _method_b(SR25)
    report = validate(channel, fixture_catalog)
    assert report.loss[0].total_max_db == Decimal("2.389")
    fix = _fixes_by_code(report)["LOSS_BUDGET_EXCEEDED"]
    assert [c.product for c in fix.changes] == ["CRD-LC-AB-OM4-LL"]
    assert "low-loss" in fix.message
    repaired = validate(_apply(channel, fix), fixture_catalog)
    assert "LOSS_BUDGET_EXCEEDED" not in repaired.codes()
    assert repaired.loss[0].total_max_db == Decimal("1.889")


def test_no_upgrade_available_says_the_exact_length(fixture_catalog):
    """110 m: 2.25 + 110 × 3.5 = 2.635 > 2.6. L_max = (2.6 − 2.25) / 3.5 = 100 m exactly.

    The cut: the longest cable (the last of the 30 m cords) loses 10 m; at 100 m the loss is
    exactly the IL (2.60) and passes (limits compare unrounded).
    """
    channel = _om3_three_panels()
    report = validate(channel, fixture_catalog)
    assert report.loss[0].total_max_db == Decimal("2.635")
    fix = _fixes_by_code(report)["LOSS_BUDGET_EXCEEDED"]
    assert "shorten the channel to ≤ 100.0 m" in fix.message
    assert "(2.60 − 2.25) dB / 3.50 dB/km" in fix.message
    assert [(c.ref, c.length_m) for c in fix.changes] == [("/elements/4", Decimal("20.0"))]
    repaired = validate(_apply(channel, fix), fixture_catalog)
    assert repaired.loss[0].total_max_db == Decimal("2.60")
    assert repaired.ok


def test_connections_over_the_il_need_upgrades_and_a_cut(fixture_catalog):
    """404 m for 25GBASE-SR: standard cords make 2.2 dB of pairs alone (> 1.9); LL cords 1.2:
    L_max = (1.9 − 1.2) / 3.5 = 200 m, capped at the 100 m reach; REACH_EXCEEDED by 304 m.
    """
    channel = _method_b(SR25, "400")
    report = validate(channel, fixture_catalog)
    reach = next(f for f in report.findings if f.code == "REACH_EXCEEDED")
    assert "by 304.0 m" in reach.message
    assert reach.fix is not None
    assert [(c.ref, c.length_m) for c in reach.fix.changes] == [("/elements/2", Decimal("96.0"))]
    loss = _fixes_by_code(report)["LOSS_BUDGET_EXCEEDED"]
    products = sorted(c.product for c in loss.changes if c.product)
    assert products == ["CRD-LC-AB-OM4-LL", "CRD-LC-AB-OM4-LL"]
    assert [(c.ref, c.length_m) for c in loss.changes if c.length_m] == [
        ("/elements/2", Decimal("96.0"))
    ]
    assert "shorten the channel to ≤ 100.0 m" in loss.message
    repaired = validate(_apply(channel, loss), fixture_catalog)
    assert {"LOSS_BUDGET_EXCEEDED", "REACH_EXCEEDED"}.isdisjoint(repaired.codes())


def test_swapped_breakout_legs_fix_swaps_them_back(fixture_catalog):
    """Legs B2, B1 for lanes 0, 1: swapping the two branches' exits fixes it."""
    channel = Breakout(
        End("QSFPDD-400G-DR4"),
        (el("HRN-MPO12F-4LC-OS2", "5"),),
        tuple(
            Branch(f"B{leg}", (k,), (), End("QSFP28-100G-DR")) for k, leg in enumerate((2, 1, 3, 4))
        ),
    )
    report = validate(channel, fixture_catalog)
    fix = next(f.fix for f in report.findings if f.code == "LANE_MISMATCH")
    assert fix is not None
    assert sorted((c.ref, c.exit) for c in fix.changes) == [
        ("/branches/0", "B1"),
        ("/branches/1", "B2"),
    ]
    assert "swap" in fix.message
    assert validate(_apply(channel, fix), fixture_catalog).ok


@pytest.mark.parametrize("name", list(LOSS_CASES))
def test_every_length_fix_clears_its_finding(fixture_catalog, name):
    """Apply every suggested loss/reach fix and re-validate: its finding is gone."""
    channel = LOSS_CASES[name]
    report = validate(channel, fixture_catalog)
    fixes = _fixes_by_code(report)
    assert set(fixes) & LENGTH_CODES
    for code, fix in fixes.items():
        if code in LENGTH_CODES:
            assert code not in validate(_apply(channel, fix), fixture_catalog).codes(), fix
