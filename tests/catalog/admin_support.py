"""Helpers for the admin tests: the POST data of a product form from a record."""

from __future__ import annotations

import json
from typing import Any

from apps.catalog.forms import SPEC_FIELDS, spec_initial
from apps.catalog.models import Product


def product_post(spec: dict[str, Any], *, add: bool = False, **changes: Any) -> dict[str, Any]:
    """The product change (or add) form's POST data describing `spec`, with `changes` applied.

    `changes` may hold form fields (name, polarity, map_rule, ...), `faces` (a list of dicts) or
    `map` (a list of (from_face, from_position, to_face, to_position)).
    """
    initial = spec_initial(spec)
    data: dict[str, Any] = {
        "name": spec.get("name") or spec["code"],
        "vendor": spec.get("vendor") or "",
        "description": spec.get("description") or "",
        "other": json.dumps(initial["other"]),
        "map_rule": "",
    }
    if add:
        data.update(code=spec["code"], kind=spec["kind"])
    for name in SPEC_FIELDS:
        value = initial.get(name)
        if value is not None:
            data[name] = value
    faces = changes.pop("faces", initial["faces"])
    rows = changes.pop("map", None)
    if rows is None:
        rows = [
            (r["from_face"], r["from_position"], r["to_face"], r["to_position"])
            for r in initial["map"]
        ]
    data.update(changes)
    data.update(
        _formset(
            "faces",
            faces,
            ("end", "label", "family", "gender", "endface", "grade", "adapter", "layout"),
        )
    )
    data.update(
        _formset(
            "map",
            [
                dict(zip(("from_face", "from_position", "to_face", "to_position"), r, strict=True))
                for r in rows
            ],
            ("from_face", "from_position", "to_face", "to_position"),
        )
    )
    data.update({"revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0"})  # the inline
    if data.get("retired") is False:
        del data["retired"]
    return {k: v for k, v in data.items() if v is not None}


def _formset(prefix: str, rows: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key in keys:
            value = row.get(key)
            data[f"{prefix}-{index}-{key}"] = "" if value is None else str(value)
    return data


def current_spec(code: str) -> dict[str, Any]:
    """The current revision's spec of product `code`."""
    spec: dict[str, Any] = Product.objects.get(code=code).revisions.get(is_current=True).spec
    return spec


CASSETTE_MAP = [("R1", f, str((f + 1) // 2), 1 if f % 2 else 2) for f in range(1, 13)]


def new_cassette(code: str = "CAS-LOCAL-B12-6LC-B-OM4") -> dict[str, Any]:
    """A Type B Base-12 cassette record (rear MPO-12 pinned, six LC duplex fronts), no map yet."""
    return {
        "code": code,
        "kind": "cassette",
        "name": "Local Base-12 cassette, Type B",
        "vendor": "Acme",
        "description": "",
        "fiber_type": "OM4",
        "grade": "low-loss",
        "polarity": "B",
        "height_slots": 1,
        "ports": [
            {
                "label": "R1",
                "face": "rear",
                "family": "MPO-12",
                "adapter": "key-up-key-up",
                "gender": "male",
                "endface": "PC",
            },
            *(
                {
                    "label": str(k),
                    "face": "front",
                    "family": "LC",
                    "adapter": "duplex",
                    "gender": None,
                    "endface": "PC",
                }
                for k in range(1, 7)
            ),
        ],
        "map": [],
    }
