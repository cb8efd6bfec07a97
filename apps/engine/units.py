"""Exact units: integers inside (mm, milli-dB/km, nano-dB), Decimal at the edge, never floats.

α [milli-dB/km] × length [mm] = loss [nano-dB] exactly, so a whole budget is integer arithmetic.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

NANO = 10**9

TIA598 = (
    "blue", "orange", "green", "brown", "slate", "white",
    "red", "black", "yellow", "violet", "rose", "aqua",
)  # fmt: skip


def _scaled(value: Decimal | str | int, exponent: int, what: str) -> int:
    number = Decimal(value) if not isinstance(value, Decimal) else value
    scaled = number.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{what} {value} is finer than the engine's resolution")
    return int(scaled)


def db_to_ndb(value: Decimal | str | int) -> int:
    """dB -> nano-dB, exactly (raises on finer values)."""
    return _scaled(value, 9, "loss")


def m_to_mm(value: Decimal | str | int) -> int:
    """Metres -> millimetres, exactly (raises on sub-millimetre values)."""
    return _scaled(value, 3, "length")


def dbkm_to_mdbkm(value: Decimal | str | int) -> int:
    """dB/km -> milli-dB/km, exactly."""
    return _scaled(value, 3, "attenuation")


@lru_cache(maxsize=65536)
def ndb_to_db(value: int) -> Decimal:
    """nano-dB -> dB as a Decimal with trailing zeros trimmed (at least two places)."""
    number = Decimal(value).scaleb(-9).normalize()
    if number.as_tuple().exponent > -2:  # type: ignore[operator]
        number = number.quantize(Decimal("0.01"))
    return number


@lru_cache(maxsize=65536)
def mm_to_m(value: int) -> Decimal:
    """Millimetres -> metres as a Decimal (trailing zeros trimmed, at least one place)."""
    number = Decimal(value).scaleb(-3).normalize()
    if number.as_tuple().exponent > -1:  # type: ignore[operator]
        number = number.quantize(Decimal("0.1"))
    return number


@lru_cache(maxsize=65536)
def fiber_colour(position: int) -> str:
    """TIA-598 colour of fibre `position` (13-24: with a black tracer; 20: black with yellow)."""
    base = TIA598[(position - 1) % 12]
    group = (position - 1) // 12
    if group == 0:
        return base
    tracer = "yellow" if base == "black" else "black"
    return f"{base}/{tracer}" + ("" if group == 1 else f" (group {group + 1})")
