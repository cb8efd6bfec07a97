"""What installers take away, per hall: bill of materials, patch schedule, trunk port maps.

Each table is plain rows (`Table`: title, header, rows) built in a fixed number of queries, then
written as CSV or XLSX (openpyxl) by the same two writers.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from apps.catalog.adapters import engine_catalog
from apps.plant.models import Cable, Enclosure, Hall, Mating, Module, Port, Transceiver

from .selectors import Place, port_places


@dataclass(frozen=True, slots=True)
class Table:
    """A downloadable table."""

    title: str
    header: tuple[str, ...]
    rows: list[tuple[object, ...]]


def _m(mm: int | None) -> str:
    return "" if mm is None else f"{(Decimal(mm) / 1000).normalize():f}"


def bom(*, hall: Hall) -> Table:
    """Products and quantities; cables per product and length, with the total length: 4 queries."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for model, kind in ((Enclosure, "enclosure"), (Module, "module"), (Transceiver, "transceiver")):
        for code, name in model.objects.filter(hall=hall).values_list(
            "product_revision__product__code", "product_revision__product__name"
        ):
            counts[(kind, code, name)] += 1
    rows: list[tuple[object, ...]] = [
        (kind, code, name, qty, "", "") for (kind, code, name), qty in sorted(counts.items())
    ]
    cables: Counter[tuple[str, str, int | None]] = Counter()
    for code, name, length in Cable.objects.filter(hall=hall).values_list(
        "product_revision__product__code", "product_revision__product__name", "length_mm"
    ):
        cables[(code, name, length)] += 1
    for (code, name, length), qty in sorted(cables.items(), key=lambda i: (i[0][0], i[0][2] or 0)):
        total = "" if length is None else _m(length * qty)
        rows.append(("cable", code, name, qty, _m(length), total))
    return Table(
        f"Bill of materials – {hall.name}",
        ("kind", "product", "name", "quantity", "length_m", "total_length_m"),
        rows,
    )


def _ends(hall: Hall) -> tuple[dict[int, dict[str, list[tuple[int, Place]]]], dict[int, Place]]:
    matings = list(
        Mating.objects.filter(leg__cable__hall=hall).values_list(
            "leg__cable_id", "leg__end", "leg__index", "port_id"
        )
    )
    places = port_places(ports=Port.objects.filter(pk__in=[m[3] for m in matings]))
    ends: dict[int, dict[str, list[tuple[int, Place]]]] = defaultdict(lambda: defaultdict(list))
    for cable_id, end, index, port_id in matings:
        ends[cable_id][end].append((index, places[port_id]))
    return ends, places


def _where(items: list[tuple[int, Place]], part: str) -> str:
    values = []
    for _index, place in sorted(items, key=lambda i: i[0]):
        values.append(
            {"rack": place.rack, "u": f"U{place.u}", "panel": place.owner, "port": place.label}[
                part
            ]
        )
    return "; ".join(values)


def patch_schedule(*, hall: Hall) -> Table:
    """Every cable: label, A end and B end (rack, U, panel, port), product, length: 4 queries."""
    ends, _places = _ends(hall)
    rows: list[tuple[object, ...]] = []
    for pk, label, code, length, polarity, status in (
        Cable.objects.filter(hall=hall)
        .order_by("label")
        .values_list(
            "pk",
            "label",
            "product_revision__product__code",
            "length_mm",
            "product_revision__product__polarity",
            "status",
        )
    ):
        a, b = ends[pk]["A"], ends[pk]["B"]
        rows.append(
            (
                label,
                _where(a, "rack"),
                _where(a, "u"),
                _where(a, "panel"),
                _where(a, "port"),
                _where(b, "rack"),
                _where(b, "u"),
                _where(b, "panel"),
                _where(b, "port"),
                code,
                _m(length),
                polarity,
                status,
            )
        )
    return Table(
        f"Patch schedule – {hall.name}",
        (
            "cable",
            "a_rack",
            "a_u",
            "a_panel",
            "a_port",
            "b_rack",
            "b_u",
            "b_panel",
            "b_port",
            "product",
            "length_m",
            "polarity",
            "status",
        ),
        rows,
    )


def port_maps(*, hall: Hall) -> Table:
    """Per trunk and leg: the two ends and each fibre position A -> B (catalog map): 4 queries."""
    ends, _places = _ends(hall)
    catalog = engine_catalog()
    rows: list[tuple[object, ...]] = []
    for pk, label, code in (
        Cable.objects.filter(hall=hall, product_revision__product__cable_type="trunk")
        .order_by("label")
        .values_list("pk", "label", "product_revision__product__code")
    ):
        product = catalog.products.get(code)
        legs = sorted({i for end in ("A", "B") for i, _p in ends[pk][end]})
        for index in legs or [1]:
            a = [item for item in ends[pk]["A"] if item[0] == index]
            b = [item for item in ends[pk]["B"] if item[0] == index]
            fibres = []
            if product is not None:
                for (face, position), (other, far) in sorted(product.map.items()):
                    if face == f"A{index}" and other.startswith("B"):
                        fibres.append(f"{position}→{far}")
            rows.append(
                (
                    label,
                    code,
                    f"A{index}",
                    str(a[0][1]) if a else "(free)",
                    f"B{index}",
                    str(b[0][1]) if b else "(free)",
                    ", ".join(fibres),
                )
            )
    return Table(
        f"Trunk port map – {hall.name}",
        ("trunk", "product", "leg_a", "a_end", "leg_b", "b_end", "fibres_a_to_b"),
        rows,
    )


def as_csv(table: Table) -> bytes:
    """The table as UTF-8 CSV with a header row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(table: Table) -> bytes:
    """The table as an XLSX workbook: bold header, frozen first row, sensible column widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.title.split(" – ")[0][:31]
    sheet.append(list(table.header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_cell(v) for v in row])
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, str) and value.replace(".", "", 1).isdigit() and value.count(".") <= 1:
        return Decimal(value) if "." in value else int(value)
    return value


TABLES = {"bom": bom, "patch-schedule": patch_schedule, "port-map": port_maps}
