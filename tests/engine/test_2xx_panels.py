"""2xx: panels and cassettes. TIA duplex methods A/B/C, U1/U2, parallel methods (§5.2, §5.3).

    [SFP]--cord 2 m--[1 module1 R1]==trunk 50 m==[R1 module2 k]--cord 2 m--[SFP]

Module maps (convention at the top of the reference): Type A rear f -> internal fibre 13-f,
fibre 2k-1/2k -> front port k pos 1/2 (behind a key-up/key-down adapter); Type B rear f ->
fibre f (key-up/key-up). U1: port k pos 1 <-> rear 13-k, pos 2 <-> rear k; U2 the other way.
"""

from __future__ import annotations

import pytest

from apps.engine.channel import Aggregate, ElementSpec
from apps.engine.validate import validate
from tests.engine.helpers import duplex_method, el, parallel

METHODS = {
    # name: (cord1, module1, trunk, module2, cord2, far port for near port 1, TIA crossings)
    "A": ("CRD-LC-AB-OM4", "CAS-A-OM4", "TRK-A-MPO12-FF-OM4", "CAS-A-OM4", "CRD-LC-AA-OM4", 1, 1),
    "B": ("CRD-LC-AB-OM4", "CAS-B-OM4", "TRK-B-MPO12-FF-OM4", "CAS-B-OM4", "CRD-LC-AB-OM4", 6, 3),
    "C": ("CRD-LC-AB-OM4", "CAS-A-OM4", "TRK-C-MPO12-FF-OM4", "CAS-A-OM4", "CRD-LC-AB-OM4", 1, 3),
    "U1": (
        "CRD-LC-AB-OM4",
        "CAS-U1-OM4",
        "TRK-B-MPO12-FF-OM4",
        "CAS-U1-OM4",
        "CRD-LC-AB-OM4",
        1,
        3,
    ),
    "U2": (
        "CRD-LC-AB-OM4",
        "CAS-U2-OM4",
        "TRK-B-MPO12-FF-OM4",
        "CAS-U2-OM4",
        "CRD-LC-AB-OM4",
        1,
        3,
    ),
}


def _method(name: str, port1: int = 1, port2: int | None = None) -> Aggregate:
    cord1, module1, trunk, module2, cord2, far, _crossings = METHODS[name]
    if port2 is None:
        port2 = far if name != "B" else 7 - port1
        if name != "B":
            port2 = port1
    return duplex_method(cord1, module1, trunk, module2, cord2, str(port1), str(port2))


@pytest.mark.parametrize("name", list(METHODS))
@pytest.mark.parametrize("port", [1, 2, 3, 4, 5, 6])
def test_201_duplex_methods_join_the_documented_ports(fixture_catalog, name, port):
    """Method A joins port k to k, B joins k to 7-k, C, U1 and U2 join k to k.

    Method B, port 1, Tx lane: SFP pos 1 -> cord plug A pos 2 (mirror) -> A-to-B: plug B pos 1
    -> port 1 pos 2 (mirror) -> fibre 2 -> rear 2 -> trunk plug 11 -> Type B: plug 2 -> rear 11
    -> fibre 11 -> port 6 pos 1 -> cord plug pos 2 -> A-to-B: pos 1 -> SFP pos 2 = Rx.
    """
    report = validate(_method(name, port), fixture_catalog)
    assert report.ok, report.findings
    assert all(t.outcome.ok for t in report.trace)


@pytest.mark.parametrize("name", list(METHODS))
def test_202_tia_crossings_are_odd_for_every_method(name):
    """Cross-check (TIA label counting, not a second model): the crossings of a method are odd."""
    assert METHODS[name][6] % 2 == 1


@pytest.mark.parametrize("name", ["A", "B", "C", "U1", "U2"])
def test_203_each_method_fails_with_any_single_wrong_part(fixture_catalog, name):
    """Swap each element in turn for each sibling with a different map: the channel fails."""
    channel = _method(name)
    swaps = 0
    for index, spec in enumerate(channel.elements):
        original = fixture_catalog.product(spec.product)
        for sibling in fixture_catalog.siblings(spec.product):
            if dict(sibling.map) == dict(original.map):
                continue
            elements = list(channel.elements)
            elements[index] = ElementSpec(sibling.code, spec.length_m, spec.enter, spec.exit)
            wrong = Aggregate(channel.a, tuple(elements), channel.b)
            report = validate(wrong, fixture_catalog)
            assert not report.ok, (name, index, sibling.code)
            swaps += 1
    assert swaps >= 5


@pytest.mark.parametrize("port", [1, 2, 3])
def test_204_method_b_wrong_far_port_is_misrouted(fixture_catalog, port):
    """Method B port k -> k (not 7-k): the light leaves module 2 by port 7-k."""
    report = validate(_method("B", port, port2=port), fixture_catalog)
    assert "PATH_MISROUTED" in report.codes()
    assert not report.ok


def test_205_mixing_u1_and_u2_fails(fixture_catalog):
    """U1 at one end, U2 at the other: port k pos 2 -> rear k -> ... -> U2 port k pos 2 -> Tx."""
    channel = duplex_method(
        "CRD-LC-AB-OM4", "CAS-U1-OM4", "TRK-B-MPO12-FF-OM4", "CAS-U2-OM4", "CRD-LC-AB-OM4"
    )
    report = validate(channel, fixture_catalog)
    assert "POLARITY_REVERSED" in report.codes()


def test_206_vendor_cassette_figure_replaces_its_two_pairs(fixture_catalog):
    """Method B with vendor-loss modules (0.50 dB each): 2 × 0.50 + 54 m × 3.5 = 1.189 dB."""
    channel = duplex_method(
        "CRD-LC-AB-OM4", "CAS-B-OM4-VL", "TRK-B-MPO12-FF-OM4", "CAS-B-OM4-VL", "CRD-LC-AB-OM4",
        "1", "6",
    )  # fmt: skip
    report = validate(channel, fixture_catalog)
    assert str(report.loss[0].total_max_db) == "1.189"
    kinds = [item.kind for item in report.loss[0].items]
    assert kinds.count("cassette") == 2
    assert "mated pair" not in kinds
    assert report.loss[0].verified is False or report.loss[0].verified is True


def test_207_method_b_loss_by_hand(fixture_catalog):
    """Two LC pairs standard (cords) 0.75 each, two MPO pairs low-loss 0.35 each, 54 m × 3.5."""
    report = validate(_method("B"), fixture_catalog)
    assert str(report.loss[0].total_max_db) == "2.389"


# --- parallel methods (§5.3) ----------------------------------------------------------------------


def test_211_parallel_method_a(fixture_catalog):
    """[QSFP]-A cord-[KUKD]==A trunk==[KUKD]-B cord-[QSFP]: one passive reversal."""
    channel = parallel(
        "CRD-A-MPO12-FM-OM4", "ADP-MPO12-KUKD", "TRK-A-MPO12-FF-OM4", "CRD-B-MPO12-FM-OM4"
    )
    report = validate(channel, fixture_catalog)
    # two standard MPO pairs exceed 40GBASE-SR4's 1.5 dB on OM4 (§8.6: one fits): loss only
    assert [f.code for f in report.errors()] == ["LOSS_BUDGET_EXCEEDED"]
    assert all(t.outcome.ok for t in report.trace)


def test_212_parallel_method_b(fixture_catalog):
    """All type B: cord, KUKU, trunk, KUKU, cord: five reversals."""
    channel = parallel(
        "CRD-B-MPO12-FM-OM4", "ADP-MPO12-KUKU", "TRK-B-MPO12-FF-OM4", "CRD-B-MPO12-FM-OM4"
    )
    assert "POLARITY_REVERSED" not in validate(channel, fixture_catalog).codes()


def test_213_parallel_u1_style(fixture_catalog):
    """Type B trunk, type A adapters, type A cords: one reversal."""
    channel = parallel(
        "CRD-A-MPO12-FM-OM4", "ADP-MPO12-KUKD", "TRK-B-MPO12-FF-OM4", "CRD-A-MPO12-FM-OM4"
    )
    codes = validate(channel, fixture_catalog).codes()
    assert "POLARITY_REVERSED" not in codes
    assert "LANE_MISMATCH" not in codes


def test_214_type_c_trunk_between_type_b_cords_is_reversed(fixture_catalog):
    channel = parallel(
        "CRD-B-MPO12-FM-OM4", "ADP-MPO12-KUKU", "TRK-C-MPO12-FF-OM4", "CRD-B-MPO12-FM-OM4"
    )
    assert "POLARITY_REVERSED" in validate(channel, fixture_catalog).codes()


def test_215_method_a_cords_around_a_type_c_trunk_reorder_lanes(fixture_catalog):
    """Odd path plus a pair flip: every Tx on the neighbouring lane's Rx: LANE_ORDER (warning)."""
    channel = parallel(
        "CRD-A-MPO12-FM-OM4", "ADP-MPO12-KUKD", "TRK-C-MPO12-FF-OM4", "CRD-B-MPO12-FM-OM4"
    )
    report = validate(channel, fixture_catalog)
    assert [c for c in report.codes() if c != "LOSS_BUDGET_EXCEEDED"] == [
        "LANE_ORDER",
        "LANE_ORDER",
    ]
    assert all(f.severity == "warning" for f in report.findings if f.code == "LANE_ORDER")


def test_216_apc_plugs_in_a_key_up_key_up_adapter_cannot_mate(fixture_catalog):
    from apps.engine.channel import End

    dr4 = End("QSFPDD-400G-DR4")
    channel = Aggregate(
        dr4,
        (
            el("CRD-B-MPO12-FM-OS2-APC", "3"),
            el("ADP-MPO12-KUKU"),
            el("CRD-B-MPO12-FF-OS2-APC", "3"),
        ),
        dr4,
    )
    report = validate(channel, fixture_catalog)
    assert report.findings[0].code == "CONNECTOR_MISMATCH"
    assert report.findings[0].ref == "/elements/1"
    fix = report.findings[0].fix
    assert fix is not None
    assert "key-up/key-down" in fix.message
    assert len(fix.changes) == 2


def test_217_cord_without_port_on_a_six_port_cassette_is_impossible_input(fixture_catalog):
    from apps.engine.channel import End
    from apps.engine.errors import ChannelError

    channel = Aggregate(
        End("SFP-10G-SR"), (el("CRD-LC-AB-OM4", "1"), el("CAS-B-OM4", enter="1")), End("SFP-10G-SR")
    )
    with pytest.raises(ChannelError) as raised:
        validate(channel, fixture_catalog)
    assert raised.value.code == "FACE_REQUIRED"
    assert raised.value.pointer == "/elements/1/exit"


# --- two-row MPO-24 (§4.2, §4.4, layout mpo24-sr10: Tx row 1 at 2+k, Rx row 2 at 23-k) -----------


def _sr10(*elements: ElementSpec) -> Aggregate:
    from apps.engine.channel import End

    cxp = End("CXP-100G-SR10")
    return Aggregate(cxp, elements, cxp)


def test_221_type_b_24_fibre_trunk_keeps_rows_tx_lands_on_tx(fixture_catalog):
    """[CXP]==2x12 type B trunk==[CXP]: Tx (1, 2+k) -> plug (1, 11-k) -> B: (1, 2+k)
    -> port (1, 11-k): row 1 is the transmit row: POLARITY_REVERSED on every lane."""
    report = validate(_sr10(el("TRK-B-MPO24-FF-OM4", "10")), fixture_catalog)
    assert report.codes() == ["POLARITY_REVERSED", "POLARITY_REVERSED"]
    assert report.findings[0].positions == tuple(range(2, 12))


def test_222_row_swapping_crossover_lands_each_lane_on_its_receiver(fixture_catalog):
    """A1:p -> B1:25-p: Tx (1, 2+k) -> plug (1, 11-k) -> (2, 2+k) -> port (2, 11-k) = Rx k."""
    report = validate(_sr10(el("CRD-X-MPO24-FF-OM4", "10")), fixture_catalog)
    assert report.ok, report.findings
    assert [(t.lane, t.outcome.lane) for t in report.trace[:10]] == [(k, k) for k in range(10)]
    assert report.trace[3].hops[-1].position == 20  # lane 3: 23 - 3


def test_223_type_a_adapter_swaps_the_rows(fixture_catalog):
    """[CXP]-B cord F->M-[KUKD]-A cord F->F-[CXP]: the key-up/key-down adapter maps (r, c) to
    (3-r, c): Tx (1, 2+k) -> plug (1, 11-k) -> B (1, 2+k) -> KUKD (2, 2+k) -> A (2, 2+k)
    -> port (2, 11-k) = Rx k. Through a key-up/key-up adapter the row is kept: Tx on Tx."""
    through_a = _sr10(
        el("CRD-B-MPO24-FM-OM4", "3"),
        el("ADP-MPO24-KUKD"),
        el("CRD-A-MPO24-FF-OM4", "3"),
    )
    report = validate(through_a, fixture_catalog)
    assert report.ok, report.findings
    assert all(t.outcome.lane == t.lane for t in report.trace)
    through_b = _sr10(
        el("CRD-B-MPO24-FM-OM4", "3"),
        el("ADP-MPO24-KUKU"),
        el("CRD-A-MPO24-FF-OM4", "3"),
    )
    assert "POLARITY_REVERSED" in validate(through_b, fixture_catalog).codes()


def test_224_two_type_b_cords_through_a_type_a_adapter_reverse_the_lanes(fixture_catalog):
    """B, KUKD, B: (1, 2+k) -> (1, 11-k) -> (1, 2+k) -> (2, 2+k) -> (2, 11-k) -> port (2, 2+k)
    = 14+k = Rx 9-k: every Tx on an Rx, lanes reversed: LANE_ORDER (the PCS re-orders)."""
    channel = _sr10(
        el("CRD-B-MPO24-FM-OM4", "3"),
        el("ADP-MPO24-KUKD"),
        el("CRD-B-MPO24-FF-OM4", "3"),
    )
    report = validate(channel, fixture_catalog)
    assert set(report.codes()) == {"LANE_ORDER"}
    assert [t.outcome.lane for t in report.trace[:10]] == [9 - k for k in range(10)]


def test_225_bare_adapter_maps_for_two_rows(fixture_catalog):
    """Key-up/key-down: (r, c) -> (3-r, c), p -> p ± 12; key-up/key-up: (r, c) -> (r, 13-c)."""
    kukd = fixture_catalog.product("ADP-MPO24-KUKD").map
    kuku = fixture_catalog.product("ADP-MPO24-KUKU").map
    assert [kukd[("1", p)] for p in (1, 12, 13, 24)] == [("2", 13), ("2", 24), ("2", 1), ("2", 12)]
    assert [kuku[("1", p)] for p in (1, 12, 13, 24)] == [("2", 12), ("2", 1), ("2", 24), ("2", 13)]
