"""Request examples for POST /api/v1/validate/, shown in the OpenAPI schema and the README.

They use seed catalog codes (apps/catalog/seed/products/); tests/catalog/test_validate_api.py
posts every one of them and checks the verdict stated here, so the schema cannot drift from the
engine.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample

# -- the parts ---------------------------------------------------------------------------------
SR4 = "QSFP28-100G-SR4"  # QSFP28, MPO-12 male PC receptacle
ARRAY_CORD_B = "CRD-MPO12-B-FF-OM4-LL"  # type B, female both ends, low-loss
ARRAY_CORD_A = "CRD-MPO12-A-FF-OM4-LL"  # its type A sibling
ADAPTER_KUKU = "ADP-MPO12-KUKU"  # key-up/key-up ("type B") MPO adapter
TRUNK_B8 = "TRK-B8-MPO8-B-MM-OM4"  # Base-8 trunk, type B, pinned both ends
DR4 = "QSFPDD-400G-DR4"  # QSFP-DD, MPO-12 male APC receptacle
DR = "QSFP28-100G-DR"  # QSFP28, duplex LC/UPC
HARNESS_DR4 = "HRN-B8-MPO12F-4LC-OS2-APC"  # MPO-12/APC female to 4 x LC/UPC duplex legs
LC_ADAPTER = "ADP-LC-DUPLEX"
LC_CORD_AB = "PCD-LC-AB-OS2-UPC"


def method_b_sr4(*, far_cord: str = ARRAY_CORD_B) -> dict[str, Any]:
    """100GBASE-SR4 over a Base-8 trunk, TIA-568.3 parallel Method B (every part type B).

    [SR4]--cord B--|B|==trunk B 50 m==|B|--cord B--[SR4]   (|B| = key-up/key-up adapter)
    """
    return {
        "shape": "aggregate",
        "a": {"transceiver": SR4},
        "elements": [
            {"product": ARRAY_CORD_B, "length_m": "3"},
            {"product": ADAPTER_KUKU},
            {"product": TRUNK_B8, "length_m": "50"},
            {"product": ADAPTER_KUKU},
            {"product": far_cord, "length_m": "3"},
        ],
        "b": {"transceiver": SR4},
    }


def dr4_breakout() -> dict[str, Any]:
    """400GBASE-DR4 to 4 x 100GBASE-DR: a Base-8 breakout harness, then per leg a panel and cord.

    [DR4]==harness 5 m==< leg k --|LC|-- A-to-B cord 2 m -- [DR k]   (leg k carries lane k-1)
    """
    return {
        "shape": "breakout",
        "parent": {"transceiver": DR4},
        "elements": [{"product": HARNESS_DR4, "length_m": "5"}],
        "branches": [
            {
                "exit": f"B{leg}",
                "lanes": [leg - 1],
                "elements": [
                    {"product": LC_ADAPTER},
                    {"product": LC_CORD_AB, "length_m": "2"},
                ],
                "end": {"transceiver": DR},
            }
            for leg in range(1, 5)
        ],
    }


# name -> (request, expected ok, the finding codes of severity error it must produce)
CASES: dict[str, tuple[dict[str, Any], bool, set[str]]] = {
    "method-b-sr4": (method_b_sr4(), True, set()),
    "method-b-sr4-wrong-cord": (
        method_b_sr4(far_cord=ARRAY_CORD_A),
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
    OpenApiExample(
        "A passing report (abridged: one lane of eight)",
        response_only=True,
        status_codes=["200"],
        value={
            "ok": True,
            "findings": [],
            "trace": [
                {
                    "direction": "/a -> /b",
                    "source": "/a",
                    "target": "/b",
                    "lane": 0,
                    "band_nm": 850,
                    "hops": [
                        {"ref": "/a", "face": "1", "position": 1, "colour": "blue"},
                        {"ref": "/elements/0", "face": "A1", "position": 12, "colour": "aqua"},
                        {"ref": "/elements/0", "face": "B1", "position": 1, "colour": "blue"},
                        {"ref": "/b", "face": "1", "position": 12, "colour": "aqua"},
                    ],
                    "outcome": {
                        "status": "rx",
                        "ref": "/b",
                        "face": "1",
                        "position": 12,
                        "lane": 0,
                        "ok": True,
                        "code": None,
                    },
                }
            ],
            "loss": [
                {
                    "label": "channel",
                    "ends": ["/a", "/b"],
                    "application": "100GBASE-SR4",
                    "fiber_type": "OM4",
                    "total_max_db": "0.896",
                    "total_typ_db": "0.396",
                    "limit_db": "1.90",
                    "margin_db": "1.004",
                    "reach_m": "100.0",
                    "length_m": "56.0",
                    "min_length_m": "0.5",
                    "items": [
                        {
                            "ref": "/elements/1",
                            "kind": "mated pair",
                            "max_db": "0.35",
                            "typ_db": "0.10",
                            "grade": "low-loss",
                            "note": "MPO-12 adapter",
                        },
                        {
                            "ref": "/elements/2",
                            "kind": "fibre",
                            "max_db": "0.175",
                            "typ_db": "0.175",
                            "grade": None,
                            "note": "ieee α at 850 nm",
                        },
                    ],
                    "sources": ["100GBASE-SR4:limits.OM4.il_db=OK DER"],
                    "verified": False,
                }
            ],
            "options": {
                "basis": "ieee",
                "count_transceiver_matings": False,
                "low_margin_db": "0.5",
            },
        },
    ),
]
