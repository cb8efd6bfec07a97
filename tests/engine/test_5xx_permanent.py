"""5xx: permanent links (TIA-568.3): polarity against a declared method, the Tier-1 test limit.

    [test cord]--[front k  cassette A  R1]==trunk 60 m==[R1  cassette B  front k']--[test cord]
                 |<------------------- permanent link ------------------->|

Tier 1 (§3.3, 1-jumper): Σ length × α(TIA, λ) + N mated pairs × 0.75 + splices × 0.3, both end
connections counted.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.engine.channel import ElementSpec
from apps.engine.errors import ChannelError
from apps.engine.permanent import HallCords, mixed_polarity_methods, permanent_link
from tests.engine.helpers import el

MODULES = {"A": ("CAS-A-OM4", "TRK-A-MPO12-FF-OM4"), "B": ("CAS-B-OM4", "TRK-B-MPO12-FF-OM4"),
           "C": ("CAS-A-OM4", "TRK-C-MPO12-FF-OM4"), "U1": ("CAS-U1-OM4", "TRK-B-MPO12-FF-OM4"),
           "U2": ("CAS-U2-OM4", "TRK-B-MPO12-FF-OM4")}  # fmt: skip


def _link(module: str, trunk: str, length: str = "60", far: str | None = None):
    return (
        ElementSpec(module),
        el(trunk, length),
        ElementSpec(module, exit=far),
    )


@pytest.mark.parametrize("method", list(MODULES))
def test_501_each_method_link_passes_with_its_standard_cords(fixture_catalog, method):
    report = permanent_link(_link(*MODULES[method]), fixture_catalog, method=method)
    assert report.ok, report.findings
    assert report.codes() == []
    assert len(report.channels) == 6  # every front port against its method partner


def test_502_tier_one_limit_of_60_m_om4_with_two_ends_and_two_mpo_pairs(fixture_catalog):
    """§3.3 example: 60 m × 3.0 dB/km (TIA, 850 nm) = 0.18 + 4 pairs × 0.75 = 3.18 dB.

    Measured-style max: front LC pairs at the cassettes' low-loss grade 0.25 × 2 (test cords are
    reference grade), rear MPO pairs low-loss 0.35 × 2, fibre 0.18: 1.38 dB; margin 1.80 dB.
    """
    report = permanent_link(_link(*MODULES["B"]), fixture_catalog, method="B")
    loss = report.loss
    assert loss is not None
    assert (loss.mated_pairs, loss.splices, loss.wavelength_nm) == (4, 0, 850)
    assert loss.length_m == Decimal("60.0")
    assert loss.fibre_db == Decimal("0.18")
    assert loss.limit_db == Decimal("3.18")
    assert loss.total_max_db == Decimal("1.38")
    assert loss.margin_db == Decimal("1.80")


def test_503_tier_one_counts_splices_and_uses_the_wavelength(fixture_catalog):
    """Two trunk halves spliced: 2 × 30 m at 1300 nm (1.5 dB/km) = 0.09 + 4 × 0.75 + 0.3 = 3.39."""
    elements = (
        ElementSpec("CAS-B-OM4"),
        el("TRK-B-MPO12-FF-OM4", "30"),
        ElementSpec("SPL-FUSION"),
        el("TRK-A-MPO12-FF-OM4", "30"),
        ElementSpec("CAS-B-OM4"),
    )
    report = permanent_link(elements, fixture_catalog, method="B", wavelength_nm=1300)
    assert report.loss is not None
    assert report.loss.splices == 1
    assert report.loss.limit_db == Decimal("3.39")


def test_504_mpo_panels_count_one_pair_per_end(fixture_catalog):
    """[KUKD panel]==type A trunk 100 m==[KUKD panel]: 0.3 + 2 × 0.75 = 1.80 dB (TIA 3.0)."""
    elements = (el("ADP-MPO12-KUKD"), el("TRK-A-MPO12-FF-OM4", "100"), el("ADP-MPO12-KUKD"))
    report = permanent_link(elements, fixture_catalog, method="A")
    assert report.ok, report.findings
    assert report.loss is not None
    assert (report.loss.mated_pairs, report.loss.limit_db) == (2, Decimal("1.80"))


def test_505_type_b_modules_on_a_type_a_trunk_break_method_b(fixture_catalog):
    """Method B modules on a type A trunk: Tx lands on Tx with A-to-B cords at both ends."""
    report = permanent_link(_link("CAS-B-OM4", "TRK-A-MPO12-FF-OM4"), fixture_catalog, method="B")
    assert report.codes()[0] == "PERMANENT_LINK_POLARITY"
    assert report.findings[0].severity == "error"
    assert not report.ok


def test_506_method_a_link_declared_as_method_b_is_flagged(fixture_catalog):
    """A method A link tested with method B's cords (A-to-B at both ends) delivers Tx to Tx."""
    report = permanent_link(_link(*MODULES["A"]), fixture_catalog, method="B")
    assert "PERMANENT_LINK_POLARITY" in report.codes()


def test_507_parallel_panels_with_type_b_trunk_under_method_a_are_flagged(fixture_catalog):
    elements = (el("ADP-MPO12-KUKD"), el("TRK-B-MPO12-FF-OM4", "50"), el("ADP-MPO12-KUKD"))
    assert permanent_link(elements, fixture_catalog, method="U1").ok
    assert (
        "PERMANENT_LINK_POLARITY" in permanent_link(elements, fixture_catalog, method="A").codes()
    )


def test_508_explicit_hall_cords_are_used(fixture_catalog):
    cords = HallCords(duplex_ab="CRD-LC-AB-OM4-LL", duplex_aa="CRD-LC-AA-OM4")
    report = permanent_link(_link(*MODULES["A"]), fixture_catalog, method="A", cords=cords)
    assert report.ok
    first = report.channels[0].trace[0].hops[1].ref
    assert first == "/test/cord-a"


def test_509_link_mating_faults_are_reported_as_is(fixture_catalog):
    """Pinned trunk into pinned modules: the link's own GENDER_CONFLICT, not a cord's."""
    report = permanent_link(_link("CAS-B-OM4", "TRK-B-MPO12-MM-OM4"), fixture_catalog, method="B")
    assert "GENDER_CONFLICT" in report.codes()
    assert all(f.ref.startswith("/elements/") for f in report.findings)


def test_510_invalid_method_and_method_c_on_panels_are_impossible_input(fixture_catalog):
    with pytest.raises(ChannelError) as raised:
        permanent_link(_link(*MODULES["B"]), fixture_catalog, method="D")
    assert raised.value.code == "INVALID_METHOD"
    panels = (el("ADP-MPO12-KUKD"), el("TRK-C-MPO12-FF-OM4", "50"), el("ADP-MPO12-KUKD"))
    with pytest.raises(ChannelError):
        permanent_link(panels, fixture_catalog, method="C")


def test_511_report_as_dict_is_json_friendly(fixture_catalog):
    import json

    data = permanent_link(_link(*MODULES["U1"]), fixture_catalog, method="U1").as_dict()
    assert json.loads(json.dumps(data))["loss"]["limit_db"] == "3.18"


# --- mixed methods in a hall -------------------------------------------------------------------


def test_521_one_method_in_a_hall_is_quiet():
    assert mixed_polarity_methods({"link:1": "B", "link:2": "Type B", "cas:3": "module-b"}) == []


def test_522_mixed_methods_warn_naming_the_minority():
    found = [("link:1", "B"), ("link:2", "B"), ("link:3", "A"), ("cas:4", "U1")]
    findings = mixed_polarity_methods(found)
    assert [f.code for f in findings] == ["MIXED_POLARITY_METHODS"]
    assert findings[0].severity == "warning"
    assert findings[0].ref == "link:3"
    assert "standardise on method B" in findings[0].message


def test_523_unknown_method_is_impossible_input():
    with pytest.raises(ChannelError):
        mixed_polarity_methods({"link:1": "Z"})


# --- breakout permanent links: an MPO panel at one end, a duplex cassette at the other (§5.4) ----

DEMO_CORDS = HallCords(duplex_ab="PCD-LC-AB-OM4", array_b="CRD-MPO12-B-FF-OM4")  # the demo hall


def _breakout_link(trunk: str, cassette: str, panel: str = "PNL-1U-12MPO-A", *, flip=False):
    """[PNL panel 1|2]==trunk 30 m==[R1 cassette 1..4]; flip: the same link walked from B."""
    elements = (
        ElementSpec(panel, None, "2", "1", "port:1"),
        el(trunk, "30"),
        ElementSpec(cassette, None, "R1", None, "module:2"),
    )
    if not flip:
        return elements
    return (
        ElementSpec(cassette, None, None, "R1", "module:2"),
        ElementSpec(trunk, Decimal("30"), "B1", "A1"),
        ElementSpec(panel, None, "1", "2", "port:1"),
    )


@pytest.mark.parametrize("flip", [False, True])
def test_531_demo_breakout_link_passes_and_gets_a_tier_one_limit(seed_catalog, flip):
    """The demo's 400GBASE-DR4 -> 4 × 100GBASE-DR permanent link, in its method B hall:

        [array cord]--[PNL-1U-12MPO-A]==TRK-B8 type B OS2 APC 30 m==[R1 CAS-B8 U1  1..4]--[LC cords]

    Closed as a breakout with the cassette's own method (U1: type A array cord, A-to-B cords,
    §5.3): every front port pairs with one parent lane. Tier 1 at 1310 nm: 30 m × 0.5 dB/km =
    0.015 + 3 pairs (panel, cassette rear + front) × 0.75 = 2.265 dB.
    """
    elements = _breakout_link("TRK-B8-MPO8-B-MM-OS2-APC", "CAS-B8-4LC-U1-OS2-APC", flip=flip)
    report = permanent_link(elements, seed_catalog, method="B", cords=DEMO_CORDS)
    assert report.codes() == []
    assert report.ok
    assert len(report.channels) == 1  # one breakout channel, a branch per front port
    loss = report.loss
    assert loss is not None
    assert (loss.mated_pairs, loss.splices, loss.wavelength_nm) == (3, 0, 1310)
    assert loss.limit_db == Decimal("2.265")
    assert loss.margin_db > 0


@pytest.mark.parametrize(
    ("trunk", "cassette", "panel"),
    [
        ("TRK-B8-MPO8-A-MM-OM4", "CAS-B8-4LC-U1-OM4", "PNL-1U-12MPO-A"),  # type A trunk
        ("TRK-B8-MPO8-B-MM-OM4", "CAS-B12-6LC-B-OM4", "PNL-1U-12MPO-A"),  # Base-12 pairs 1/2
        ("TRK-B8-MPO8-B-MM-OM4", "CAS-B8-4LC-U1-OM4", "PNL-1U-12MPO-B"),  # key-up/key-up panel
    ],
)
def test_532_wrong_breakout_link_parts_break_polarity(seed_catalog, trunk, cassette, panel):
    report = permanent_link(_breakout_link(trunk, cassette, panel), seed_catalog, method="B")
    assert report.codes()[0] == "PERMANENT_LINK_POLARITY"
    assert not report.ok
    assert report.loss is not None  # Tier 1 still computed


def test_533_correct_om4_breakout_link_passes_in_any_declared_method(seed_catalog):
    """The cassette's own method (U1) closes the link, whatever the hall declares."""
    elements = _breakout_link("TRK-B8-MPO8-B-MM-OM4", "CAS-B8-4LC-U1-OM4")
    for method in ("A", "B", "U1", "U2"):
        report = permanent_link(elements, seed_catalog, method=method)
        assert report.codes() == [], method
        assert report.loss is not None
        assert report.loss.limit_db == Decimal("2.34")  # 30 m × 3.0 dB/km + 3 × 0.75
