"""4xx: impossible input raises ChannelError with a code and a field pointer; the rest are findings."""  # noqa: E501

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.engine.channel import Aggregate, Branch, Breakout, ElementSpec, End
from apps.engine.errors import ChannelError
from apps.engine.validate import validate
from tests.engine.helpers import QSFP, SFP, el


@pytest.mark.parametrize(
    ("channel", "code", "pointer"),
    [
        (Aggregate(SFP, (el("NOPE"),), SFP), "UNKNOWN_PRODUCT", "/elements/0/product"),
        (Aggregate(End("NOPE"), (), SFP), "UNKNOWN_PRODUCT", "/a/transceiver"),
        (Aggregate(SFP, (el("CRD-LC-AB-OM4", enter="C1"),), SFP), "UNKNOWN_FACE", "/elements/0/enter"),  # noqa: E501
        (Aggregate(End("SFP-10G-SR", receptacle="2"), (), SFP), "UNKNOWN_FACE", "/a/receptacle"),
        (Aggregate(SFP, (el("SFP-10G-SR"),), SFP), "NOT_AN_ELEMENT", "/elements/0/product"),
        (Aggregate(End("CRD-LC-AB-OM4"), (), SFP), "NOT_A_TRANSCEIVER", "/a/transceiver"),
        (Aggregate(SFP, (ElementSpec("CRD-LC-AB-OM4", Decimal("0.0001")),), SFP), "INVALID_LENGTH", "/elements/0/length_m"),  # noqa: E501
        (
            Breakout(QSFP, (el("HRN-MPO12F-4LC-OM4", "1"),), (Branch("B9", (0,), (), SFP),)),
            "UNKNOWN_FACE",
            "/branches/0/exit",
        ),
        (
            Breakout(QSFP, (el("HRN-MPO12F-4LC-OM4", "1"),), (Branch("B1", (7,), (), SFP),)),
            "INVALID_LANE",
            "/branches/0/lanes",
        ),
        (Breakout(QSFP, (), (Branch("B1", (0,), (), SFP),)), "FAN_OUT_MISSING", "/elements"),
    ],
)  # fmt: skip
def test_401_impossible_input_raises_with_a_pointer(fixture_catalog, channel, code, pointer):
    with pytest.raises(ChannelError) as raised:
        validate(channel, fixture_catalog)
    assert raised.value.code == code
    assert raised.value.pointer == pointer


def test_402_a_missing_cable_is_a_finding_not_a_crash(fixture_catalog):
    """[SFP]--cord--[adapter]  (nothing after the adapter) [SFP]: the adapter meets a port."""
    report = validate(
        Aggregate(SFP, (el("CRD-LC-AB-OM4", "1"), el("ADP-LC")), SFP), fixture_catalog
    )
    assert "CONNECTOR_MISMATCH" in report.codes()
    assert "OPEN_FIBER" in report.codes()
    assert not report.ok


def test_403_inline_product_with_a_bad_map_is_impossible_input(fixture_catalog):
    record = {
        "kind": "cable",
        "fiber_type": "OM4",
        "ends": {"A": [{"family": "LC"}], "B": [{"family": "LC"}]},
        "map": [["A1:1", "B1:3"]],
    }
    with pytest.raises(ChannelError) as raised:
        fixture_catalog.with_inline(record, pointer="/elements/0/inline")
    assert raised.value.code == "INVALID_PRODUCT"
    assert raised.value.pointer == "/elements/0/inline"


def test_404_custom_refs_are_reported(fixture_catalog):
    channel = Aggregate(
        End("QSFP-40G-SR4", ref="port:1"),
        (ElementSpec("CRD-A-MPO12-FF-OM4", Decimal("3"), ref="cable:123"),),
        End("QSFP-40G-SR4", ref="port:2"),
    )
    report = validate(channel, fixture_catalog)
    assert report.findings[0].ref == "port:2"
    assert report.findings[0].fix is not None
    assert report.findings[0].fix.changes[0].ref == "cable:123"
    assert "cable:123" in report.findings[0].fix.message
