"""Hypothesis properties of tracing and loss."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.engine.channel import Aggregate, ElementSpec
from apps.engine.tracing import mirror
from apps.engine.validate import validate
from tests.engine.helpers import QSFP, duplex_method

CORDS = ["CRD-A-MPO12-FM-OM4", "CRD-B-MPO12-FM-OM4"]
TRUNKS = ["TRK-A-MPO12-FF-OM4", "TRK-B-MPO12-FF-OM4", "TRK-C-MPO12-FF-OM4"]
ADAPTERS = ["ADP-MPO12-KUKD", "ADP-MPO12-KUKU"]
POLARITY = {"POLARITY_REVERSED", "LANE_MISMATCH", "LANE_ORDER", "OPEN_FIBER", "PATH_MISROUTED"}


def _chain(cord1: str, adapter1: str, trunk: str, adapter2: str, cord2: str) -> Aggregate:
    """[QSFP]-cord1 (F->M)-[adapter1]==trunk (FF)==[adapter2]-cord2 (M->F)-[QSFP]"""
    return Aggregate(
        QSFP,
        (
            ElementSpec(cord1, Decimal("2"), "A1", "B1"),
            ElementSpec(adapter1),
            ElementSpec(trunk, Decimal("20")),
            ElementSpec(adapter2),
            ElementSpec(cord2, Decimal("2"), "B1", "A1"),
        ),
        QSFP,
    )


def _reverse(channel: Aggregate) -> Aggregate:
    def back(spec: ElementSpec) -> ElementSpec:
        enter = spec.exit or ("B1" if spec.product.startswith(("CRD", "TRK")) else "2")
        exit_ = spec.enter or ("A1" if spec.product.startswith(("CRD", "TRK")) else "1")
        return ElementSpec(spec.product, spec.length_m, enter, exit_)

    return Aggregate(channel.b, tuple(back(s) for s in reversed(channel.elements)), channel.a)


def _verdict(channel: Aggregate, catalog) -> tuple[bool, frozenset[str]]:
    report = validate(channel, catalog)
    codes = frozenset(c for c in report.codes() if c in POLARITY or c.endswith("MISMATCH"))
    return not codes, codes


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(CORDS),
    st.sampled_from(ADAPTERS),
    st.sampled_from(TRUNKS),
    st.sampled_from(ADAPTERS),
    st.sampled_from(CORDS),
)
def test_a_reversed_chain_has_the_same_verdict(fixture_catalog, c1, a1, t, a2, c2):
    channel = _chain(c1, a1, t, a2, c2)
    assert _verdict(channel, fixture_catalog) == _verdict(_reverse(channel), fixture_catalog)


@given(st.integers(min_value=1, max_value=16))
def test_mirror_twice_is_the_identity(position):
    columns = 16 if position > 12 else 12
    assert mirror(mirror(position, columns), columns) == position


def test_a_type_b_cable_twice_is_the_identity(fixture_catalog):
    cable = fixture_catalog.product("TRK-B-MPO12-FF-OM4")
    for p in range(1, 13):
        _face, q = cable.map[("A1", p)]
        assert cable.map[("A1", q)][1] == p


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(CORDS), st.sampled_from(TRUNKS), st.sampled_from(CORDS))
def test_swapping_one_adapter_to_type_a_flips_the_verdict(fixture_catalog, c1, t, c2):
    """Type C trunks swap lanes pairwise: compare only Tx-on-Tx against Tx-on-Rx."""
    one = validate(_chain(c1, "ADP-MPO12-KUKU", t, "ADP-MPO12-KUKU", c2), fixture_catalog)
    other = validate(_chain(c1, "ADP-MPO12-KUKU", t, "ADP-MPO12-KUKD", c2), fixture_catalog)
    reversed_one = "POLARITY_REVERSED" in one.codes()
    reversed_other = "POLARITY_REVERSED" in other.codes()
    assert reversed_one != reversed_other


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=200_000), min_size=3, max_size=3))
def test_loss_is_additive_and_order_independent(fixture_catalog, millimetres):
    """Method B: total = 2 × 0.75 + 2 × 0.35 + 3.5 dB/km × Σ lengths, whatever the order."""
    lengths = [Decimal(mm) / 1000 for mm in millimetres]

    def total(order: list[Decimal]) -> Decimal:
        channel = duplex_method(
            "CRD-LC-AB-OM4",
            "CAS-B-OM4",
            "TRK-B-MPO12-FF-OM4",
            "CAS-B-OM4",
            "CRD-LC-AB-OM4",
            "1",
            "6",
        )
        elements = list(channel.elements)
        for index, length in zip((0, 2, 4), order, strict=True):
            spec = elements[index]
            elements[index] = ElementSpec(spec.product, length, spec.enter, spec.exit)
        report = validate(Aggregate(channel.a, tuple(elements), channel.b), fixture_catalog)
        return report.loss[0].total_max_db

    expected = Decimal("2.2") + Decimal("3.5") * sum(lengths) / 1000
    assert total(lengths) == expected
    assert total(list(reversed(lengths))) == expected
