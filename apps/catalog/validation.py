"""The stateless channel validation behind POST /api/v1/validate/.

Turns a shape-checked request into the engine's channel, runs the engine against the catalog as
it is in the database, and returns the report as plain data. Input the engine finds impossible
(an unknown product, a leg that does not exist) becomes an ApplicationError: a 400 naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from apps.catalog.adapters import engine_catalog
from apps.core.exceptions import ApplicationError
from apps.engine.catalog import Catalog
from apps.engine.channel import Aggregate, Branch, Breakout, ElementSpec, End, Options
from apps.engine.errors import ChannelError
from apps.engine.validate import validate


def channel_validate(*, request: Mapping[str, Any]) -> dict[str, Any]:
    """Validate one channel given as the API's validated request; return the report as a dict."""
    catalog = engine_catalog()
    try:
        catalog, channel = _channel(catalog, request)
        options = Options(**_plain_decimals(request.get("options", {})))
        report = validate(channel, catalog, options)
    except ChannelError as error:
        raise ApplicationError(
            error.message, code=error.code.lower(), attr=_attr(error.pointer)
        ) from error
    return report.as_dict()


def _channel(catalog: Catalog, request: Mapping[str, Any]) -> tuple[Catalog, Aggregate | Breakout]:
    if request["shape"] == "aggregate":
        catalog, elements = _elements(catalog, request["elements"], "/elements")
        return catalog, Aggregate(a=_end(request["a"]), elements=elements, b=_end(request["b"]))
    catalog, elements = _elements(catalog, request["elements"], "/elements")
    branches = []
    for index, branch in enumerate(request["branches"]):
        pointer = f"/branches/{index}/elements"
        catalog, branch_elements = _elements(catalog, branch["elements"], pointer)
        branches.append(
            Branch(
                exit=branch["exit"],
                lanes=tuple(branch["lanes"]),
                elements=branch_elements,
                end=_end(branch["end"]),
            )
        )
    return catalog, Breakout(
        parent=_end(request["parent"]), elements=elements, branches=tuple(branches)
    )


def _end(data: Mapping[str, Any]) -> End:
    return End(
        transceiver=data["transceiver"],
        receptacle=data.get("receptacle") or "1",
        application=data.get("application"),
    )


def _elements(
    catalog: Catalog, items: Sequence[Mapping[str, Any]], pointer: str
) -> tuple[Catalog, tuple[ElementSpec, ...]]:
    elements = []
    for index, item in enumerate(items):
        code = item.get("product")
        if code is None:
            catalog, code = catalog.with_inline(item["inline"], pointer=f"{pointer}/{index}/inline")
        elements.append(
            ElementSpec(
                product=code,
                length_m=_plain(item.get("length_m")),
                enter=item.get("enter"),
                exit=item.get("exit"),
            )
        )
    return catalog, tuple(elements)


def _plain(value: Decimal | None) -> Decimal | None:
    """3.000 -> 3 and 1.500 -> 1.5: the request's own figures, without the form's padding."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def _plain_decimals(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) if isinstance(v, Decimal) else v for k, v in data.items()}


def _attr(pointer: str | None) -> str | None:
    """ "/elements/3/product" -> "elements.3.product", the attr style of our error bodies."""
    if not pointer:
        return None
    return ".".join(part for part in pointer.split("/") if part)
