"""Installer downloads per hall: BOM, patch schedule and trunk port map, as CSV or XLSX."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from apps.plant.selectors import hall_list

from .. import exports
from .common import signed_in

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@signed_in
@require_GET
def download(request: HttpRequest, pk: int, kind: str, fmt: str) -> HttpResponse:
    """One table of the hall as a file."""
    hall = get_object_or_404(hall_list(user=request.user), pk=pk)  # type: ignore[arg-type]
    if kind not in exports.TABLES or fmt not in CONTENT_TYPES:
        raise Http404("No such download.")
    table = exports.TABLES[kind](hall=hall)
    body = exports.as_csv(table) if fmt == "csv" else exports.as_xlsx(table)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    name = f"{slugify(hall.name)}-{kind}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
