"""Request examples for POST /api/v1/validate/, shown in the OpenAPI schema and the README.

They use seed catalog codes (apps/catalog/seed/products/); tests/catalog/test_validate_api.py
posts every one of them and checks the verdict stated here, so the schema cannot drift from the
engine.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample

# -- the parts ---------------------------------------------------------------------------------
SR4 = "QSFP28-100G-SR4"
ARRAY_CORD_B = "CRD-B-MPO12-FF-OM4"
ARRAY_CORD_A = "CRD-A-MPO12-FF-OM4"
ADAPTER_KUKU = "ADP-MPO12-KUKU"
TRUNK_B = "TRK-B-MPO12-MM-OM4"
DR4 = "QSFPDD-400G-DR4"
DR = "QSFP28-100G-DR"
HARNESS_DR4 = "HRN-MPO12F-4LC-OS2"


def method_b_sr4(*, array_cord_b: str = ARRAY_CORD_B) -> dict[str, Any]:
    """100GBASE-SR4, TIA-568.3 parallel Method B: type B cords, type B adapters, type B trunk."""
    return {
        "shape": "aggregate",
        "a": {"transceiver": SR4},
        "elements": [
            {"product": ARRAY_CORD_B, "length_m": "3"},
            {"product": ADAPTER_KUKU},
            {"product": TRUNK_B, "length_m": "60"},
            {"product": ADAPTER_KUKU},
            {"product": array_cord_b, "length_m": "3"},
        ],
        "b": {"transceiver": SR4},
    }


def dr4_breakout() -> dict[str, Any]:
    """400GBASE-DR4 to 4 x 100GBASE-DR through an MPO-12/APC to 4 x LC/UPC breakout harness."""
    return {
        "shape": "breakout",
        "parent": {"transceiver": DR4},
        "elements": [{"product": HARNESS_DR4, "length_m": "5"}],
        "branches": [
            {"exit": f"B{leg}", "lanes": [leg - 1], "end": {"transceiver": DR}}
            for leg in range(1, 5)
        ],
    }


# name -> (request, expected ok, the finding codes of severity error it must produce)
CASES: dict[str, tuple[dict[str, Any], bool, set[str]]] = {
    "method-b-sr4": (method_b_sr4(), True, set()),
    "method-b-sr4-wrong-cord": (
        method_b_sr4(array_cord_b=ARRAY_CORD_A),
        False,
        {"POLARITY_REVERSED"},
    ),
    "dr4-breakout": (dr4_breakout(), True, set()),
}

ALL = [
    OpenApiExample(
        "100GBASE-SR4, Method B (passes)",
        value=CASES["method-b-sr4"][0],
        request_only=True,
    ),
    OpenApiExample(
        "100GBASE-SR4 with a type A cord at the far end (POLARITY_REVERSED)",
        value=CASES["method-b-sr4-wrong-cord"][0],
        request_only=True,
    ),
    OpenApiExample(
        "400GBASE-DR4 breakout to 4 x 100GBASE-DR",
        value=CASES["dr4-breakout"][0],
        request_only=True,
    ),
]
