"""Rules checked on the real seed: applications on every listed fibre type, and fixes that name
the odd part of a channel."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from apps.engine.channel import Aggregate, ElementSpec, End
from apps.engine.validate import validate

SFP = End("SFP-10G-SR")
SR4 = End("QSFP28-100G-SR4")


def _e(
    product: str, length: str | None = None, enter: str | None = None, exit: str | None = None
) -> ElementSpec:  # noqa: A002
    return ElementSpec(product, None if length is None else Decimal(length), enter, exit)


# --- 10GBASE-SR on OM1 (reference §1a: OM1 33 m, IEEE IL 1.6 dB) ----------------------------------


def _om1(first: str, second: str, joint: str = "ADP-LC-DUPLEX") -> Aggregate:
    """[SFP-10G-SR] --cord 1-- [LC adapter] --cord 2-- [SFP-10G-SR]"""
    return Aggregate(SFP, (_e("PCD-LC-AB-OM1", first), _e(joint), _e("PCD-LC-AB-OM1", second)), SFP)


def test_10g_sr_runs_on_om1_within_33_m(seed_catalog):
    """33 m of OM1: one LC pair 0.75 dB + 33 m × 3.75 dB/km (IEEE OM1 α) = 0.87375 dB ≤ 1.6."""
    report = validate(_om1("20", "13"), seed_catalog)
    assert report.ok, report.findings
    assert report.findings == ()
    assert report.loss[0].fiber_type == "OM1"
    assert report.loss[0].total_max_db == Decimal("0.87375")
    assert report.loss[0].limit_db == Decimal("1.60")
    assert report.loss[0].reach_m == Decimal("33.0")


def test_10g_sr_on_om1_at_40_m_exceeds_the_reach(seed_catalog):
    report = validate(_om1("20", "20"), seed_catalog)
    assert report.codes() == ["REACH_EXCEEDED"]
    assert "40.0 m exceeds the OM1 reach of 33.0 m by 7.0 m" in report.findings[0].message


def test_om1_patched_to_om4_is_a_fiber_type_mismatch(seed_catalog):
    """[SFP] --OM1 cord-- [LC adapter] --OM4 cord-- [SFP]: 62.5 µm meets 50 µm in the channel."""
    channel = Aggregate(
        SFP, (_e("PCD-LC-AB-OM1", "20"), _e("ADP-LC-DUPLEX"), _e("PCD-LC-AB-OM4", "13")), SFP
    )
    report = validate(channel, seed_catalog)
    assert report.codes() == ["FIBER_TYPE_MISMATCH"]
    assert report.findings[0].ref == "/elements/2"
    assert "OM1 (multimode, 62.5 µm) meets OM4 (multimode, 50 µm)" in report.findings[0].message


def test_om1_spliced_to_om4_is_a_fiber_type_mismatch(seed_catalog):
    channel = Aggregate(
        SFP, (_e("PCD-LC-AB-OM1", "20"), _e("SPL-FUSION"), _e("PCD-LC-AB-OM4", "13")), SFP
    )
    assert "FIBER_TYPE_MISMATCH" in validate(channel, seed_catalog).codes()


def test_singlemode_optics_on_om4_stay_a_fiber_type_mismatch(seed_catalog):
    """The wrong mode is a mismatch; 10GBASE-LR also has no limits on OM4."""
    lr = End("SFP-10G-LR")
    report = validate(Aggregate(lr, (_e("PCD-LC-AB-OM4", "3"),), lr), seed_catalog)
    assert report.codes().count("FIBER_TYPE_MISMATCH") == 2
    assert "FIBER_TYPE_UNSUPPORTED" in report.codes()


def test_an_application_without_om1_limits_is_unsupported_on_om1(seed_catalog):
    """25GBASE-SR lists no OM1: the right mode, an unlisted type -> FIBER_TYPE_UNSUPPORTED."""
    sfp28 = End("SFP28-25G-SR")
    report = validate(Aggregate(sfp28, (_e("PCD-LC-AB-OM1", "3"),), sfp28), seed_catalog)
    assert report.codes() == ["FIBER_TYPE_UNSUPPORTED"]


# --- the fix names the odd part ------------------------------------------------------------------

CORD_A, CORD_B = "CRD-MPO12-A-FF-OM4-LL", "CRD-MPO12-B-FF-OM4-LL"
TRUNK_A, TRUNK_B = "TRK-B8-MPO8-A-MM-OM4", "TRK-B8-MPO8-B-MM-OM4"


def _parallel(cord1: str, trunk: str, cord2: str) -> Aggregate:
    """[SR4]-cord 1-|KUKU|-trunk-|KUKU|-cord 2-[SR4] (Method B: B cords, B trunk, B adapters)."""
    return Aggregate(
        SR4,
        (_e(cord1, "3"), _e("ADP-MPO12-KUKU"), _e(trunk, "50"), _e("ADP-MPO12-KUKU"),
         _e(cord2, "3")),
        SR4,
    )  # fmt: skip


def _duplex(cord1: str, cord2: str) -> Aggregate:
    """[SFP]-cord-[1 CAS-B R1]==B trunk==[R1 CAS-B 6]-cord-[SFP] (Method B duplex)."""
    return Aggregate(
        SFP,
        (_e(cord1, "2"), _e("CAS-B12-6LC-B-OM4", enter="1", exit="R1"),
         _e("TRK-B12-MPO12-B-FF-OM4", "50"), _e("CAS-B12-6LC-B-OM4", enter="R1", exit="6"),
         _e(cord2, "2")),
        SFP,
    )  # fmt: skip


FIX_CASES = {
    # README "A failing channel": the far array cord is type A
    "far cord": (_parallel(CORD_B, TRUNK_B, CORD_A), "/elements/4", CORD_B,
                 "use a type B array cord at element 5 (CRD-MPO12-B-FF-OM4-LL)"),
    "near cord": (_parallel(CORD_A, TRUNK_B, CORD_B), "/elements/0", CORD_B,
                  "use a type B array cord at element 1 (CRD-MPO12-B-FF-OM4-LL)"),
    "trunk": (_parallel(CORD_B, TRUNK_A, CORD_B), "/elements/2", TRUNK_B,
              "use a type B trunk at element 3 (TRK-B8-MPO8-B-MM-OM4)"),
    "a-to-a cord at the far end": (
        _duplex("PCD-LC-AB-OM4", "PCD-LC-AA-OM4"), "/elements/4", "PCD-LC-AB-OM4",
        "replace the A-to-A cord at element 5 with an A-to-B cord (PCD-LC-AB-OM4)"),
    "a-to-a cord at the near end": (
        _duplex("PCD-LC-AA-OM4", "PCD-LC-AB-OM4"), "/elements/0", "PCD-LC-AB-OM4",
        "replace the A-to-A cord at element 1 with an A-to-B cord (PCD-LC-AB-OM4)"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(FIX_CASES))
def test_the_fix_replaces_the_part_that_breaks_the_method(seed_catalog, name):
    channel, ref, product, message = FIX_CASES[name]
    report = validate(channel, seed_catalog)
    assert report.codes() == ["POLARITY_REVERSED", "POLARITY_REVERSED"]
    fix = report.findings[0].fix
    assert fix is not None
    assert fix.message == message
    assert [(c.ref, c.product) for c in fix.changes] == [(ref, product)]
    elements = list(channel.elements)
    index = int(ref.rsplit("/", 1)[1])
    elements[index] = replace(elements[index], product=product)
    assert validate(replace(channel, elements=tuple(elements)), seed_catalog).ok


def test_a_method_a_channel_with_two_a_to_b_cords_changes_one_cord(seed_catalog):
    """Method A needs one A-to-A cord: either cord fits, so the nearest to the fault, then the
    lowest index (element 1) is named."""
    channel = Aggregate(
        SFP,
        (_e("PCD-LC-AB-OM4", "2"), _e("CAS-B12-6LC-A-OM4", enter="1", exit="R1"),
         _e("TRK-B12-MPO12-A-FF-OM4", "50"), _e("CAS-B12-6LC-A-OM4", enter="R1", exit="1"),
         _e("PCD-LC-AB-OM4", "2")),
        SFP,
    )  # fmt: skip
    report = validate(channel, seed_catalog)
    fix = report.findings[0].fix
    assert fix is not None
    assert [(c.ref, c.product) for c in fix.changes] == [("/elements/0", "PCD-LC-AA-OM4")]
