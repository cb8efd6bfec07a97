"""One fault, one primary finding: what follows from it is marked as its consequence."""

from __future__ import annotations

from decimal import Decimal

from apps.engine.catalog import Catalog
from apps.engine.channel import Aggregate, ElementSpec, End
from apps.engine.validate import validate

SFP28 = End("SFP28-25G-SR")


def test_single_mode_cord_in_a_multimode_channel_is_one_fiber_type_mismatch(
    seed_catalog: Catalog,
) -> None:
    """[SFP28 25G-SR]--OM4 A-to-B 2 m--|LC|--OS2 A-to-B 2 m--[SFP28 25G-SR]

    The single-mode cord meets multimode fibre (FIBER_TYPE_MISMATCH, the fault); that 25GBASE-SR
    has no limits on OS2 (FIBER_TYPE_UNSUPPORTED) follows from it and is not a second fault.
    """
    # given
    channel = Aggregate(
        SFP28,
        (
            ElementSpec("PCD-LC-AB-OM4", Decimal(2)),
            ElementSpec("ADP-LC-DUPLEX"),
            ElementSpec("PCD-LC-AB-OS2-UPC", Decimal(2)),
        ),
        SFP28,
    )
    # when
    report = validate(channel, seed_catalog)
    # then
    primary = [f for f in report.findings if f.severity == "error" and f.consequence_of is None]
    assert {f.code for f in primary} == {"FIBER_TYPE_MISMATCH"}
    unsupported = [f for f in report.findings if f.code == "FIBER_TYPE_UNSUPPORTED"]
    assert unsupported
    assert all(
        report.findings[f.consequence_of].code == "FIBER_TYPE_MISMATCH"
        for f in unsupported
        if f.consequence_of is not None
    )
    assert all(f.consequence_of is not None for f in unsupported)
