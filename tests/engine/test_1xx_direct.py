"""1xx: direct channels, one cord between two transceivers. Mating checks and loss arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.engine.channel import Aggregate, End, Options
from apps.engine.validate import validate
from tests.engine.helpers import QSFP, SFP, el


def test_101_sr4_through_one_type_b_cord_passes(fixture_catalog):
    """§2.3  [QSFP A] --Type B cord 3 m-- [QSFP B]

    Tx0 at MDI 1 -> plug A pos 12 (mirror 13-p) -> Type B: plug B pos 1 -> MDI B pos 12 = Rx0.
    Tx3 at MDI 4 -> plug A pos 9 -> plug B pos 4 -> MDI B pos 9 = Rx3.
    """
    report = validate(Aggregate(QSFP, (el("CRD-B-MPO12-FF-OM4", "3"),), QSFP), fixture_catalog)
    assert report.ok
    assert report.findings == ()
    lane0 = report.trace[0]
    assert [(h.ref, h.face, h.position) for h in lane0.hops] == [
        ("/a", "1", 1),
        ("/elements/0", "A1", 12),
        ("/elements/0", "B1", 1),
        ("/b", "1", 12),
    ]
    assert lane0.hops[1].colour == "aqua"
    assert (lane0.outcome.status, lane0.outcome.lane, lane0.outcome.ok) == ("rx", 0, True)


def test_102_sr4_through_one_type_a_cord_lands_tx_on_tx(fixture_catalog):
    """§2.3  [QSFP A] --Type A cord-- [QSFP B]: MDI 1 -> plug 12 -> plug 12 -> MDI 1 = Tx."""
    report = validate(Aggregate(QSFP, (el("CRD-A-MPO12-FF-OM4", "3"),), QSFP), fixture_catalog)
    assert not report.ok
    assert report.codes() == ["POLARITY_REVERSED", "POLARITY_REVERSED"]
    assert report.findings[0].ref == "/b"
    assert report.findings[0].positions == (1, 2, 3, 4)
    assert report.findings[0].fix is not None
    assert report.findings[0].fix.changes[0].product == "CRD-B-MPO12-FF-OM4"
    assert "type B array cord at element 1" in report.findings[0].fix.message


def test_103_duplex_a_to_b_cord_passes_and_a_to_a_fails(fixture_catalog):
    """[SFP] --A-to-B LC cord-- [SFP]: Tx 1 -> plug 2 -> plug 1 -> port 2 = Rx."""
    assert validate(Aggregate(SFP, (el("CRD-LC-AB-OM4", "2"),), SFP), fixture_catalog).ok
    report = validate(Aggregate(SFP, (el("CRD-LC-AA-OM4", "2"),), SFP), fixture_catalog)
    assert report.codes()[0] == "POLARITY_REVERSED"
    assert report.findings[0].fix is not None
    assert report.findings[0].fix.message == (
        "replace the A-to-A cord at element 1 with an A-to-B cord (CRD-LC-AB-OM4)"
    )


def test_104_male_cord_into_male_transceiver_is_a_gender_conflict(fixture_catalog):
    """[QSFP (male)] ==pinned trunk used as a cord== [QSFP (male)]: both matings male-male."""
    report = validate(Aggregate(QSFP, (el("TRK-B-MPO12-MM-OM4", "3"),), QSFP), fixture_catalog)
    assert report.codes() == ["GENDER_CONFLICT", "GENDER_CONFLICT"]
    assert report.findings[0].severity == "error"
    assert report.findings[0].fix is not None
    assert "unpinned" in report.findings[0].fix.message


def test_105_upc_cord_on_apc_dr4_is_an_endface_mismatch_and_reflectance_risk(fixture_catalog):
    """[DR4 APC] --UPC Type B cord-- [DR4 APC]"""
    dr4 = End("QSFPDD-400G-DR4")
    report = validate(Aggregate(dr4, (el("CRD-B-MPO12-FF-OS2-UPC", "3"),), dr4), fixture_catalog)
    assert report.codes() == [
        "ENDFACE_MISMATCH",
        "ENDFACE_MISMATCH",
        "REFLECTANCE_RISK",
        "REFLECTANCE_RISK",
    ]
    assert report.findings[0].fix is not None
    assert report.findings[0].fix.changes[0].product == "CRD-B-MPO12-FF-OS2-APC"


def test_106_mpo16_cord_on_mpo12_ports_is_a_connector_mismatch(fixture_catalog):
    """[DR4 MPO-12] --MPO-16 cord-- [DR4 MPO-12]: the offset key cannot mate."""
    dr4 = End("QSFPDD-400G-DR4")
    report = validate(Aggregate(dr4, (el("CRD-B-MPO16-FF-OS2-APC", "3"),), dr4), fixture_catalog)
    assert report.codes()[:2] == ["CONNECTOR_MISMATCH", "CONNECTOR_MISMATCH"]
    # the lanes that cannot cross are consequences of the first blocking mating
    opens = [f for f in report.findings if f.code == "OPEN_FIBER"]
    assert opens
    assert all(f.consequence_of is not None for f in opens)


def test_107_two_cords_with_nothing_between_cannot_mate(fixture_catalog):
    """[SFP] --cord--X--cord-- [SFP]: no adapter between the two plugs."""
    channel = Aggregate(SFP, (el("CRD-LC-AB-OM4", "1"), el("CRD-LC-AB-OM4", "1")), SFP)
    report = validate(channel, fixture_catalog)
    assert report.findings[0].code == "CONNECTOR_MISMATCH"
    assert "adapter is missing" in report.findings[0].message


def test_108_om1_cord_where_the_application_lists_no_om1_is_unsupported(fixture_catalog):
    """[SFP 10GBASE-SR, 50 µm] --OM1 62.5 µm cord-- [SFP]; the fixture lists no OM1 limits.

    The right mode on a fibre type the application does not list: FIBER_TYPE_UNSUPPORTED, not a
    mismatch (FIBER_TYPE_MISMATCH is for fibres mixed within the channel, or the wrong mode).
    """
    report = validate(Aggregate(SFP, (el("CRD-LC-AB-OM1", "2"),), SFP), fixture_catalog)
    assert "FIBER_TYPE_MISMATCH" not in report.codes()
    assert report.codes() == ["FIBER_TYPE_UNSUPPORTED"]
    assert not report.ok


def test_109_singlemode_cord_on_multimode_optics_is_a_fiber_type_mismatch(fixture_catalog):
    report = validate(Aggregate(SFP, (el("CRD-LC-AB-OS2", "2"),), SFP), fixture_catalog)
    assert report.codes().count("FIBER_TYPE_MISMATCH") == 2


def test_110_different_applications_are_a_mismatch(fixture_catalog):
    channel = Aggregate(SFP, (el("CRD-LC-AB-OM4", "2"),), End("SFP28-25G-SR"))
    assert "APPLICATION_MISMATCH" in validate(channel, fixture_catalog).codes()


def test_111_loss_of_60_m_om4_with_two_mpo_pairs_by_hand(fixture_catalog):
    """§3.3-style: [QSFP]--B cord 5 m--[KUKD]==A trunk 50 m==[KUKD]--A cord 5 m--[QSFP]

    IEEE basis: α = max(3.5 OM4, 3.5 clause) dB/km; 60 m × 3.5 = 0.21 dB.
    Two adapter pairs, cords standard, trunk low-loss: worse grade = standard 0.75 each = 1.50.
    Total max 1.71 dB; typical 0.25 × 2 + 0.21 = 0.71 dB. 100GBASE-SR4 OM4 IL 1.9: margin 0.19.
    """
    qsfp = End("QSFP28-100G-SR4")
    channel = Aggregate(
        qsfp,
        (
            el("CRD-B-MPO12-FM-OM4", "5"),
            el("ADP-MPO12-KUKD"),
            el("TRK-A-MPO12-FF-OM4", "50"),
            el("ADP-MPO12-KUKD"),
            el("CRD-A-MPO12-FM-OM4", "5", "B1", "A1"),
        ),
        qsfp,
    )
    report = validate(channel, fixture_catalog)
    loss = report.loss[0]
    assert loss.total_max_db == Decimal("1.71")
    assert loss.total_typ_db == Decimal("0.71")
    assert loss.limit_db == Decimal("1.90")
    assert loss.margin_db == Decimal("0.19")
    assert loss.length_m == Decimal("60.0")
    assert report.codes() == ["LOW_MARGIN"]
    assert report.ok
    # TIA basis: 3.0 dB/km -> 0.18 dB fibre
    tia = validate(channel, fixture_catalog, Options(basis="tia"))
    assert tia.loss[0].total_max_db == Decimal("1.68")


def test_112_sr4_om4_100_m_fits_two_standard_mpo_pairs_not_three(fixture_catalog):
    """§8.6: (1.9 - 0.35) / 0.75 -> 2 standard MPO pairs.

    two:   [QSFP]-cordFM-[KUKU]==FF 100 m==[KUKU]-cordMF-[QSFP]         0.35 + 2 × 0.75 = 1.85
    three: [QSFP]-cordFM-[KUKU]==FF 100 m==[KUKU]==MM 0 m==[KUKU]-cordFF-[QSFP]
           0.35 + 0.75 (cord/trunk) + 0.35 (low-loss trunks) + 0.75 (trunk/cord) = 2.20 > 1.9
    (a pair takes the worse grade of its two plugs: standard cord + low-loss trunk = 0.75 dB)
    """
    qsfp = End("QSFP28-100G-SR4")
    two = Aggregate(
        qsfp,
        (
            el("CRD-B-MPO12-FM-OM4", "0"),
            el("ADP-MPO12-KUKU"),
            el("TRK-B-MPO12-FF-OM4", "100"),
            el("ADP-MPO12-KUKU"),
            el("CRD-B-MPO12-FM-OM4", "0", "B1", "A1"),
        ),
        qsfp,
    )
    three = Aggregate(
        qsfp,
        (
            el("CRD-B-MPO12-FM-OM4", "0"),
            el("ADP-MPO12-KUKU"),
            el("TRK-B-MPO12-FF-OM4", "100"),
            el("ADP-MPO12-KUKU"),
            el("TRK-B-MPO12-MM-OM4", "0"),
            el("ADP-MPO12-KUKU"),
            el("CRD-B-MPO12-FF-OM4", "0"),
        ),
        qsfp,
    )
    fits = validate(two, fixture_catalog)
    assert fits.loss[0].total_max_db == Decimal("1.85")
    assert fits.ok
    over = validate(three, fixture_catalog)
    assert over.loss[0].total_max_db == Decimal("2.20")
    assert over.codes() == ["LOSS_BUDGET_EXCEEDED"]


@pytest.mark.parametrize(("pairs", "fits"), [(2, True), (4, True)])
def test_112b_sr4_om4_100_m_fits_four_low_loss_pairs(fixture_catalog, pairs, fits):
    """§8.6: (1.9 - 0.35) / 0.35 -> 4 low-loss pairs: low-loss trunks FF/MM alternating."""
    qsfp = End("QSFP28-100G-SR4")
    elements = [el("TRK-B-MPO12-FF-OM4", "100")]
    for i in range(pairs):
        elements.append(el("ADP-MPO12-KUKU"))
        elements.append(el("TRK-B-MPO12-MM-OM4" if i % 2 == 0 else "TRK-B-MPO12-FF-OM4", "0"))
    report = validate(Aggregate(qsfp, tuple(elements), qsfp), fixture_catalog)
    assert report.loss[0].total_max_db == Decimal("0.35") + pairs * Decimal("0.35")
    assert ("LOSS_BUDGET_EXCEEDED" not in report.codes()) is fits


def test_112c_six_low_loss_pairs_exceed(fixture_catalog):
    """4 low-loss pairs: 1.75 dB fits; 6 pairs: 0.35 + 6 × 0.35 = 2.45 dB > 1.9."""
    qsfp = End("QSFP28-100G-SR4")
    elements = [el("TRK-B-MPO12-FF-OM4", "100")]
    for i in range(4):
        elements.append(el("ADP-MPO12-KUKU"))
        elements.append(el("TRK-B-MPO12-MM-OM4" if i % 2 == 0 else "TRK-B-MPO12-FF-OM4", "0"))
    elements += [el("ADP-MPO12-KUKU"), el("TRK-B-MPO12-MM-OM4", "0"), el("ADP-MPO12-KUKU")]
    elements.append(el("TRK-B-MPO12-FF-OM4", "0"))
    report = validate(Aggregate(qsfp, tuple(elements), qsfp), fixture_catalog)
    assert report.loss[0].total_max_db == Decimal("2.45")
    assert "LOSS_BUDGET_EXCEEDED" in report.codes()


def test_113_transceiver_matings_count_only_when_asked(fixture_catalog):
    channel = Aggregate(SFP, (el("CRD-LC-AB-OM4", "2"),), SFP)
    plain = validate(channel, fixture_catalog)
    counted = validate(channel, fixture_catalog, Options(count_transceiver_matings=True))
    assert plain.loss[0].total_max_db == Decimal("0.007")
    assert counted.loss[0].total_max_db == Decimal("1.507")


def test_114_unknown_length_warns_and_counts_zero(fixture_catalog):
    report = validate(Aggregate(SFP, (el("CRD-LC-AB-OM4"),), SFP), fixture_catalog)
    assert report.codes() == ["UNKNOWN_LENGTH"]
    assert report.ok


def test_115_reach_and_minimum_length(fixture_catalog):
    too_long = validate(Aggregate(SFP, (el("CRD-LC-AB-OM4", "401"),), SFP), fixture_catalog)
    assert "REACH_EXCEEDED" in too_long.codes()
    at_limit = validate(Aggregate(SFP, (el("CRD-LC-AB-OM4", "400"),), SFP), fixture_catalog)
    assert "REACH_EXCEEDED" not in at_limit.codes()
    short = validate(Aggregate(SFP, (el("CRD-LC-AB-OM4", "0.4"),), SFP), fixture_catalog)
    assert short.codes() == ["BELOW_MIN_LENGTH"]


def test_116_lr4_uses_the_clause_alpha_at_the_shortest_lane(fixture_catalog):
    """40GBASE-LR4 10 km OS2: ieee basis α = max(0.4, 0.47) -> 4.7 dB fibre."""
    lr4 = End("QSFP-40G-LR4")
    report = validate(Aggregate(lr4, (el("CRD-LC-AB-OS2", "10000"),), lr4), fixture_catalog)
    assert report.loss[0].total_max_db == Decimal("4.70")
    assert report.loss[0].limit_db == Decimal("6.70")


def test_117_missing_il_is_limit_unknown(fixture_catalog):
    lr = End("SFP-10G-LR")
    report = validate(Aggregate(lr, (el("CRD-LC-AB-OS2", "100"),), lr), fixture_catalog)
    assert report.codes() == ["LIMIT_UNKNOWN"]


def test_118_mixed_om3_and_om4_warns_and_uses_om3_limits(fixture_catalog):
    channel = Aggregate(
        SFP, (el("CRD-LC-AB-OM4", "2"), el("ADP-LC"), el("CRD-LC-AA-OM3", "2")), SFP
    )
    report = validate(channel, fixture_catalog)
    assert "FIBER_GRADE_MIXED" in report.codes()
    assert report.loss[0].fiber_type == "OM3"
    assert report.loss[0].limit_db == Decimal("2.60")


def test_119_vendor_override_tightens_the_limits(fixture_catalog):
    qsfp = End("QSFP28-100G-SR4-50M")
    report = validate(Aggregate(qsfp, (el("CRD-B-MPO12-FF-OM4", "60"),), qsfp), fixture_catalog)
    assert report.loss[0].reach_m == Decimal("50.0")
    assert "REACH_EXCEEDED" in report.codes()


def test_120_report_as_dict_is_json_friendly(fixture_catalog):
    import json

    report = validate(Aggregate(QSFP, (el("CRD-A-MPO12-FF-OM4", "3"),), QSFP), fixture_catalog)
    data = report.as_dict()
    json.dumps(data)
    assert data["ok"] is False
    assert data["loss"][0]["total_max_db"] == "0.0105"
    assert data["findings"][0]["code"] == "POLARITY_REVERSED"
    assert data["options"] == {
        "basis": "ieee",
        "count_transceiver_matings": False,
        "low_margin_db": "0.5",
    }


def test_113_loss_behind_a_blocking_mating_fault_is_its_consequence(fixture_catalog):
    """[QSFP]-B cord F->M 250 m-[KUKU]-B cord M->F 250 m-[QSFP]: male meets male in the adapter.

    The gender conflict is the one planted fault: the loss over it (1.75 + 0.75 > 1.9) is its
    consequence and carries no fix; the reach (500 m > 100 m) is a real, separate error.
    """
    qsfp = End("QSFP28-100G-SR4")
    channel = Aggregate(
        qsfp,
        (
            el("CRD-B-MPO12-FM-OM4", "250"),
            el("ADP-MPO12-KUKU"),
            el("CRD-B-MPO12-FM-OM4", "250", "B1", "A1"),
        ),
        qsfp,
    )
    report = validate(channel, fixture_catalog)
    codes = report.codes()
    conflict = codes.index("GENDER_CONFLICT")
    loss = report.findings[codes.index("LOSS_BUDGET_EXCEEDED")]
    assert loss.consequence_of == conflict
    assert loss.fix is None
    primary = [f.code for f in report.errors() if f.consequence_of is None]
    assert primary == ["GENDER_CONFLICT", "REACH_EXCEEDED"]
    low = validate(channel, fixture_catalog, Options(low_margin_db=Decimal("5")))
    assert all(f.consequence_of == conflict for f in low.findings if f.code == "LOW_MARGIN")
