"""OpenAPI decorations of the plant API: summaries, examples, the 409 answers of writes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers

from apps.catalog.models import Product
from apps.core.api.brief import BRIEF, brief_or_full
from apps.core.api.openapi import ErrorResponse409Serializer
from apps.plant.models import Cable, Device, Link, LinkEnd

CONFLICT: dict[int | str, Any] = {
    409: OpenApiResponse(
        ErrorResponse409Serializer,
        description="Occupied or in use: a named code (`u_occupied`, `port_mated`, `in_use`, ...).",
        examples=[
            OpenApiExample(
                "U range taken",
                value={
                    "type": "client_error",
                    "errors": [
                        {
                            "code": "u_occupied",
                            "detail": "U40-U40 overlaps R01-U40.",
                            "attr": "u_position",
                        }
                    ],
                },
                status_codes=["409"],
            )
        ],
    )
}

# One create request per resource, as a DCIM integration would send it.
CREATE_EXAMPLES: dict[str, dict[str, Any]] = {
    "sites": {"project": 1, "name": "FRA1"},
    "halls": {
        "site": 1,
        "name": "Hall A",
        "polarity_method": "B",
        "standard_duplex_cord": "PCD-LC-AB-OS2-UPC",
        "cable_slack_mm": 500,
    },
    "rows": {"hall": 1, "name": "Row 1", "index": 0},
    "racks": {"row": 1, "name": "R01", "position": 0, "height_u": 42},
    "devices": {"rack": 1, "name": "leaf01", "kind": "switch", "u_position": 20, "height_u": 1},
    "transceivers": {"device": 1, "cage": "Ethernet1", "product": "QSFP28-100G-SR4"},
    "enclosures": {"rack": 1, "name": "R01-U40", "product": "ENC-1U-4SLOT", "u_position": 40},
    "modules": {"enclosure": 1, "slot": 1, "product": "PNL-1U-12MPO-B", "orientation": "normal"},
    "cables": {
        "hall": 1,
        "label": "TRK-0001",
        "product": "TRK-B12-MPO12-B-FF-OM4",
        "length_mm": 30000,
        "status": "planned",
    },
    "matings": {"leg": 17, "port": 42, "side": "rear"},
    "links": {"name": "leaf01:Et1 - leaf02:Et1", "a_port": 11, "b_port": 12},
}

BREAKOUT_EXAMPLE = {
    "name": "spine01:Et1 breakout",
    "parent_port": 21,
    "children": [
        {"port": 22, "lanes": [0]},
        {"port": 23, "lanes": [1]},
        {"port": 24, "lanes": [2]},
        {"port": 25, "lanes": [3]},
    ],
}

UPDATE_EXAMPLES: dict[str, dict[str, Any]] = {
    "halls": {"polarity_method": "A", "cable_slack_mm": 1000},
    "devices": {"name": "leaf01-new"},
    "modules": {"orientation": "inverted"},
    "cables": {"length_mm": 35000, "status": "installed"},
}

CONNECT_EXAMPLES = [
    OpenApiExample(
        "Trunk leg into a panel's rear",
        value={"leg": "A1", "port": 42, "side": "rear"},
        request_only=True,
    )
]
MOVE_EXAMPLES = [
    OpenApiExample("Two U down", value={"rack": 1, "u_position": 38}, request_only=True)
]


def _brief_example(path: str, pk: int, display: str, **names: Any) -> dict[str, Any]:
    url = f"https://fiber.example/api/v1/{path}/{pk}/"
    return {"id": pk, "url": url, "display": display, **names}


# The brief form of one record per resource (`?brief=true`), as the API answers it.
BRIEF_EXAMPLES: dict[str, dict[str, Any]] = {
    "sites": _brief_example("sites", 1, "FRA1", name="FRA1"),
    "halls": _brief_example("halls", 1, "Hall A", name="Hall A"),
    "rows": _brief_example("rows", 1, "Row 1", name="Row 1"),
    "racks": _brief_example("racks", 1, "R01", name="R01"),
    "devices": _brief_example("devices", 1, "leaf01", name="leaf01"),
    "transceivers": _brief_example("transceivers", 3, "1/Ethernet1", cage="Ethernet1"),
    "enclosures": _brief_example("enclosures", 1, "R01-U40", name="R01-U40"),
    "modules": _brief_example("modules", 2, "1/slot 1", slot=1),
    "ports": _brief_example("ports", 42, "module 2 port 1", label="1"),
    "cables": _brief_example("cables", 3, "TRK-0001", label="TRK-0001"),
    "cable legs": _brief_example("cable-legs", 17, "3 A1", face="A1"),
    "matings": _brief_example("matings", 9, "leg 17 in port 42 (rear)"),
    "links": _brief_example(
        "links", 7, "leaf01:Et1 - leaf02:Et1", name="leaf01:Et1 - leaf02:Et1", status="ok"
    ),
}


def _next(example: dict[str, Any]) -> dict[str, Any]:
    """The next object of a bulk example: names end one higher, places and ids are one up."""
    following = dict(example)
    for key in ("name", "label", "cage"):
        if key in following:
            stem = following[key].rstrip("0123456789")
            digits = following[key][len(stem) :]
            following[key] = f"{stem}{int(digits) + 1:0{len(digits)}d}"
    for key in ("position", "u_position", "slot", "leg", "port"):
        if key in following:
            following[key] += 1
    return following


def _one_or_list(*forms: type[serializers.Serializer]) -> PolymorphicProxySerializer:
    """A bulk create's body or answer: one object, or a list (of one form: full or brief)."""
    name = forms[0].__name__.removesuffix("Serializer") + ("OrBrief" if len(forms) > 1 else "")
    return PolymorphicProxySerializer(
        component_name=f"{name}OneOrList",
        serializers=[*forms, *(form(many=True) for form in forms)],
        resource_type_field_name=None,
        many=False,
    )


def crud(
    name: str,
    output: type[serializers.Serializer],
    create: type[serializers.Serializer] | None = None,
    update: type[serializers.Serializer] | None = None,
    *,
    brief: type[serializers.Serializer],
    bulk: bool = False,
    delete: bool = True,
) -> dict[str, Any]:
    """extend_schema for list, retrieve and (where there are) create, PATCH and DELETE.

    Every answer that carries the record honours `?brief=true`: it is `oneOf` [output, brief]
    (apps/core/api/brief.py), with the brief form as an example.
    """
    answer = brief_or_full(output, brief)
    brief_example = OpenApiExample(
        "Brief (?brief=true)", value=BRIEF_EXAMPLES[name], response_only=True
    )
    found: dict[str, Any] = {
        "list": extend_schema(
            summary=f"List {name}",
            description=(
                "Only the projects you may see (with an API token: its projects). Filters: exact "
                "values (repeat for OR), `__n`, `__ic`... on names, `<parent>_id`, `?q=`, "
                "`?ordering=`, limit/offset; `?brief=true` for id, url, display and the name."
            ),
            parameters=[BRIEF],
            responses=answer,
            examples=[brief_example],
        ),
        "retrieve": extend_schema(
            summary=f"One of the {name}, by id (404 outside your projects)",
            parameters=[BRIEF],
            responses=answer,
            examples=[brief_example],
        ),
    }
    if create is not None:
        examples = [OpenApiExample("Create", value=CREATE_EXAMPLES[name], request_only=True)]
        if bulk:
            several = [CREATE_EXAMPLES[name], _next(CREATE_EXAMPLES[name])]
            examples.append(OpenApiExample("Create several", value=several, request_only=True))
        if name == "links":
            examples.append(OpenApiExample("Breakout", value=BREAKOUT_EXAMPLE, request_only=True))
        found["create"] = extend_schema(
            summary=f"Create {name}" + (" (one, or a list: all or nothing)" if bulk else ""),
            description=(
                "Designers and owners. Related ids resolve only within your projects."
                + (
                    " POST a JSON list of such objects to create several in one transaction;"
                    " the answer is then a list."
                    if bulk
                    else ""
                )
            ),
            request=_one_or_list(create) if bulk else create,
            examples=examples,
            responses={
                201: _one_or_list(output, brief) if bulk else answer,
                **CONFLICT,
            },
            parameters=[BRIEF],
        )
    if update is not None:
        example = UPDATE_EXAMPLES.get(name, {"name": "new name"})
        found["partial_update"] = extend_schema(
            summary=f"Change one of the {name} (names and settings; topology has actions)",
            request=update,
            examples=[OpenApiExample("Change", value=example, request_only=True)],
            responses={200: answer, **CONFLICT},
            parameters=[BRIEF],
        )
    if delete:
        found["destroy"] = extend_schema(
            summary=f"Delete one of the {name}", responses={204: None, **CONFLICT}
        )
    return found


LINK_REPORT_EXAMPLE: dict[str, Any] = {
    "link": 7,
    "status": "ok",
    "status_revision": 42,
    "needs_revalidation": False,
    "report": {
        "ok": True,
        "status": "ok",
        "findings": [],
        "trace": ["… see trace/ …"],
        "loss": ["… see loss-budget/ …"],
        "options": {"basis": "ieee", "count_transceiver_matings": False, "low_margin_db": "0.5"},
        "elements": {"port:11": "leaf01 Ethernet1 port 1", "cable:3": "TRK-0001"},
    },
}

TRACE_EXAMPLE: dict[str, Any] = {
    "link": 7,
    "ok": True,
    "trace": [
        {
            "direction": "/a -> /b",
            "lane": 0,
            "band_nm": 850,
            "hops": [
                {"ref": "port:11", "face": "1", "position": 1, "colour": "blue"},
                {"ref": "cable:2", "face": "A1", "position": 1, "colour": "blue"},
            ],
            "outcome": {"status": "rx", "ref": "port:12", "position": 12, "lane": 0, "ok": True},
        }
    ],
    "elements": {"port:11": "leaf01 Ethernet1 port 1", "cable:2": "CA-0001"},
}

LOSS_EXAMPLE: dict[str, Any] = {
    "link": 7,
    "ok": True,
    "loss": [
        {
            "label": "channel",
            "application": "100GBASE-SR4",
            "fiber_type": "OM4",
            "total_max_db": "1.6",
            "limit_db": "1.90",
            "margin_db": "0.30",
            "items": [{"ref": "cable:3", "kind": "fibre", "max_db": "0.105"}],
        }
    ],
    "elements": {"cable:3": "TRK-0001"},
}


# Choice sets named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] (their field names, "status",
# "kind", "role", are used by other apps for other choices).
CABLE_STATUS = Cable.Status.choices
LINK_STATUS = Link.Status.choices
LINK_END_ROLE = LinkEnd.Role.choices
DEVICE_KIND = Device.Kind.choices
PRODUCT_KIND = Product.Kind.choices  # keeps its old component name, KindEnum
