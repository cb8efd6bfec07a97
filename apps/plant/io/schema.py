"""The hall document's constants, its error and the import report (see apps/plant/io)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apps.core.exceptions import ApplicationError
from apps.plant.models import Cable, Device, Hall, Link, Module

FORMAT = "fiber-hall"
VERSION = 1
KINDS = (
    "halls",
    "rows",
    "racks",
    "devices",
    "transceivers",
    "enclosures",
    "modules",
    "cables",
    "matings",
    "links",
)
HALL_FIELDS = (
    "polarity_method",
    "rack_pitch_mm",
    "row_pitch_mm",
    "tray_height_mm",
    "rack_floor_offset_mm",
    "cable_slack_mm",
)
HALL_DEFAULTS: dict[str, Any] = {
    "polarity_method": Hall.PolarityMethod.B,
    "rack_pitch_mm": 600,
    "row_pitch_mm": 2400,
    "tray_height_mm": 2600,
    "rack_floor_offset_mm": 0,
    "cable_slack_mm": None,
}

_DEVICE_KIND = frozenset(Device.Kind.values)
_MODULE_ORIENTATION = frozenset(Module.Orientation.values)
_CABLE_STATUS = frozenset(Cable.Status.values)
_LINK_SHAPE = frozenset(Link.Shape.values)
_HALL_POLARITYMETHOD = frozenset(Hall.PolarityMethod.values)

# ("t", device, cage, label) | ("m", enclosure, slot, label), with the hall name first ("" = here)
PortKey = tuple[str, str, str, Any, str]


class DocumentInvalid(ApplicationError):
    """A hall document that cannot be imported; `errors` lists every problem with its pointer."""

    def __init__(self, errors: list[dict[str, str]]):
        shown = "; ".join(f"{e['pointer']}: {e['detail']}" for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(
            f"The hall document has {len(errors)} error(s): {shown}{more}",
            code="invalid_document",
            attr="document",
        )
        self.errors = errors


@dataclass
class ImportReport:
    """What an import changed, per kind of object."""

    hall: Hall
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    deleted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @property
    def changed(self) -> bool:
        """Whether anything was written."""
        return any(self.totals().values())

    def totals(self) -> dict[str, int]:
        """Created, updated and deleted objects of every kind."""
        return {
            "created": sum(self.created.values()),
            "updated": sum(self.updated.values()),
            "deleted": sum(self.deleted.values()),
        }

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "hall": self.hall.pk,
            "created": dict(self.created),
            "updated": dict(self.updated),
            "deleted": dict(self.deleted),
            **self.totals(),
        }


@dataclass(frozen=True, slots=True)
class _Revision:
    pk: int
    code: str
    number: int
    kind: str
    spec: dict[str, Any]
    product: int


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, pointer: str, detail: str, code: str = "invalid") -> None:
        item = {"pointer": pointer, "code": code, "detail": detail}
        if item not in self.items[-3:]:
            self.items.append(item)
