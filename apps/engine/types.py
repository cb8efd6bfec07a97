"""Plain records shared by the seed loader, the catalog and the Django side.

`SeedRecords` is the normalised, JSON-serialisable shape of the catalog: `load_records()` returns
it from the YAML seed files, the catalog app builds the same shape from database rows, and
`Catalog.from_records()` accepts either. Decimals travel as strings, map rules as explicit maps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]


class SeedError(ValueError):
    """A seed file (or a record built like one) is invalid: names the file, the record and why."""

    def __init__(self, file: str, code: str | None, message: str) -> None:
        self.file = file
        self.code = code
        self.message = message
        where = f"{file}: {code}" if code else file
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class SeedRecords:
    """Every catalog record, normalised: lists of plain dicts (layouts: name -> layout)."""

    fiber_types: list[Record] = field(default_factory=list)
    connector_types: list[Record] = field(default_factory=list)
    loss_grades: list[Record] = field(default_factory=list)
    splices: list[Record] = field(default_factory=list)
    layouts: dict[str, Record] = field(default_factory=dict)
    applications: list[Record] = field(default_factory=list)
    products: list[Record] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The records as one JSON-friendly dict (the shape `Catalog.from_records` accepts)."""
        return {
            "fiber_types": self.fiber_types,
            "connector_types": self.connector_types,
            "loss_grades": self.loss_grades,
            "splices": self.splices,
            "layouts": self.layouts,
            "applications": self.applications,
            "products": self.products,
        }
