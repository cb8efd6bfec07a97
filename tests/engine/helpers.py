"""Small builders for engine tests (no Django)."""

from __future__ import annotations

from decimal import Decimal

from apps.engine.channel import Aggregate, ElementSpec, End

SFP = End("SFP-10G-SR")
QSFP = End("QSFP-40G-SR4")


def el(
    product: str, length: str | None = None, enter: str | None = None, exit: str | None = None
) -> ElementSpec:  # noqa: A002
    """An element spec with an optional length in metres."""
    return ElementSpec(product, None if length is None else Decimal(length), enter, exit)


def duplex_method(
    cord1: str,
    module1: str,
    trunk: str,
    module2: str,
    cord2: str,
    port1: str = "1",
    port2: str = "1",
) -> Aggregate:
    """SFP -- cord -- [module1 port1 | R1] == trunk == [R1 | module2 port2] -- cord -- SFP."""
    return Aggregate(
        SFP,
        (
            el(cord1, "2"),
            el(module1, enter=port1, exit="R1"),
            el(trunk, "50"),
            el(module2, enter="R1", exit=port2),
            el(cord2, "2"),
        ),
        SFP,
    )


def parallel(cord1: str, adapter: str, trunk: str, cord2: str, end: End = QSFP) -> Aggregate:
    """QSFP -- cord1 (A->B) --[adapter]== trunk ==[adapter]-- cord2 (B->A) -- QSFP."""
    return Aggregate(
        end,
        (el(cord1, "3"), el(adapter), el(trunk, "30"), el(adapter), el(cord2, "3", "B1", "A1")),
        end,
    )
