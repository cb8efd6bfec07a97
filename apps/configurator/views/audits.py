"""Hall audits: start one, watch its progress (htmx polling), then filter its findings and see
what changed since the previous complete run. Runs and findings come from apps.audits.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from apps.audits.models import AuditRun
from apps.audits.selectors import (
    audit_diff,
    audit_finding_list,
    audit_run_is_stale,
    audit_run_list,
)
from apps.audits.services import audit_start
from apps.core.exceptions import ApplicationError
from apps.plant.selectors import hall_list

from .. import forms, selectors
from .common import require_design, signed_in


@signed_in
@require_http_methods(["GET", "POST"])
def hall_audits(request: HttpRequest, pk: int) -> HttpResponse:
    """The hall's audit runs; designers start one (or land on the one already running)."""
    hall = get_object_or_404(
        hall_list(user=request.user).select_related("project"),  # type: ignore[arg-type]
        pk=pk,
    )
    if request.method == "POST":
        require_design(request.user, hall.project)  # type: ignore[arg-type]
        try:
            run, created = audit_start(hall=hall, by=request.user)  # type: ignore[arg-type]
        except ApplicationError as error:
            messages.error(request, error.detail)
            return redirect("configurator:hall-audits", pk=hall.pk)
        if not created:
            messages.info(request, "An audit of this hall is already running.")
        return redirect("configurator:audit", pk=run.pk)
    runs = list(audit_run_list(user=request.user, hall_id=hall.pk)[:20])  # type: ignore[arg-type]
    context = {
        "hall": hall,
        "project": hall.project,
        "runs": runs,
        "can_design": selectors.can_design(user=request.user, project=hall.project),  # type: ignore[arg-type]
    }
    return render(request, "configurator/audits.html", context)


@signed_in
@require_http_methods(["GET"])
def audit(request: HttpRequest, pk: int) -> HttpResponse:
    """One run: live progress while it runs; then findings filtered by code, severity, row, rack,
    and the difference to the previous complete run."""
    run = get_object_or_404(
        audit_run_list(user=request.user).select_related("hall__project"),  # type: ignore[arg-type]
        pk=pk,
    )
    progress = selectors.audit_progress(run=run)
    active = run.status in AuditRun.ACTIVE
    if request.htmx and request.GET.get("poll"):  # type: ignore[attr-defined]
        if not active:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(
            request, "configurator/partials/progress.html", {"run": run, "progress": progress}
        )
    hall = run.hall
    place = selectors.hall_rows_and_racks(hall=hall)
    filters = forms.FindingFilterForm(request.GET or None)
    data: dict[str, Any] = filters.cleaned_data if filters.is_valid() else {}
    row_id = _id(data.get("row"), place.rows)
    rack_id = _id(data.get("rack"), place.racks)
    findings = audit_finding_list(
        run=run,
        code=data.get("code") or None,
        severity=data.get("severity") or None,
        rack_id=rack_id,
        row_id=row_id,
    )
    diff = audit_diff(run=run)
    new = set(diff.new.values_list("fingerprint", flat=True)) if diff.previous else set()
    page = Paginator(findings, 100).get_page(request.GET.get("page"))
    context = {
        "run": run,
        "hall": hall,
        "project": hall.project,
        "progress": progress,
        "here": f"Audit #{run.pk}",
        "active": active,
        "stale": audit_run_is_stale(run=run),
        "filters": filters,
        "codes": sorted((run.counts or {}).get("by_code", {}).items()),
        "rows": sorted(place.rows.items(), key=lambda i: i[1]),
        "racks": sorted(place.racks.items(), key=lambda i: i[1]),
        "page": page,
        "row_names": place.rows,
        "rack_names": place.racks,
        "new": new,
        "diff": diff,
        "fixed": list(diff.fixed[:50]) if diff.previous else [],
    }
    return render(request, "configurator/audit.html", context)


def _id(value: str | None, names: dict[int, str]) -> int | None:
    """A row or rack filter: its id as text, or its name."""
    if not value:
        return None
    if value.isdigit() and int(value) in names:
        return int(value)
    return next((pk for pk, name in names.items() if name == value), -1)
