"""A link's fibre trace, loss budget and findings (with fixes), and the link builder."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.catalog.models import Product
from apps.plant.selectors import cable_list, hall_list, link_list, link_validate

from .. import builder, forms, selectors, services, svg
from .common import require_design, run_service, signed_in


def findings_view(report: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    """Findings with refs named, their fix and, for a one-cable fix, what to apply."""
    out = []
    for index, finding in enumerate(report.get("findings") or []):
        fix = finding.get("fix") or None
        apply = None
        if fix and len(fix.get("changes") or []) == 1:
            change = fix["changes"][0]
            ref = change.get("ref") or ""
            if ref.startswith("cable:") and (change.get("product") or change.get("length_m")):
                apply = {
                    "cable": ref[6:],
                    "product": change.get("product") or "",
                    "length_m": change.get("length_m") or "",
                }
        out.append(
            {
                "index": index,
                "code": finding["code"],
                "severity": finding["severity"],
                "where": names.get(finding.get("ref") or "", finding.get("ref") or ""),
                "face": finding.get("face") or "",
                "positions": finding.get("positions") or [],
                "message": svg.ref_names(finding.get("message") or "", names),
                "fix": svg.ref_names(fix["message"], names) if fix else "",
                "apply": apply,
                "consequence_of": finding.get("consequence_of"),
                "order": finding.get("next_orderable_m"),
            }
        )
    return out


def report_context(
    report: dict[str, Any],
    names: dict[str, str],
    urls: dict[str, str] | None = None,
    kinds: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the report partial draws: trace, loss charts, findings."""
    return {
        "report": report,
        "trace": svg.trace_layout(report, names, urls or {}, kinds),
        "losses": [svg.loss_layout(path, names) for path in report.get("loss") or []],
        "findings": findings_view(report, names),
        "errors": sum(1 for f in report.get("findings") or [] if f["severity"] == "error"),
        "warnings": sum(1 for f in report.get("findings") or [] if f["severity"] == "warning"),
    }


@signed_in
@require_http_methods(["GET"])
def link(request: HttpRequest, pk: int) -> HttpResponse:
    """The link as it is in the store now: per-lane trace, loss budget, findings with fixes."""
    obj = get_object_or_404(
        link_list(user=request.user).select_related("hall__project"),  # type: ignore[arg-type]
        pk=pk,
    )
    report = link_validate(link=obj)
    names = dict(report.get("elements") or {})
    urls = selectors.element_urls(elements=names)
    context = {
        "link": obj,
        "hall": obj.hall,
        "project": obj.hall.project,
        "ends": selectors.link_ends(link=obj),
        "stored_status": selectors.link_status(obj.status, obj.needs_revalidation),
        "live_status": report.get("status"),
        "can_design": selectors.can_design(user=request.user, project=obj.hall.project),  # type: ignore[arg-type]
        **report_context(report, names, urls),
    }
    page = "configurator/partials/report.html" if request.htmx else "configurator/link.html"  # type: ignore[attr-defined]
    return render(request, page, context)


@signed_in
@require_POST
def link_fix(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply a finding's one-cable fix: the sibling product and/or length, same ports."""
    obj = get_object_or_404(
        link_list(user=request.user).select_related("hall__project"),  # type: ignore[arg-type]
        pk=pk,
    )
    require_design(request.user, obj.hall.project)  # type: ignore[arg-type]
    form = forms.FixForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That fix could not be read: " + form.errors.as_text())
        return redirect("configurator:link", pk=obj.pk)
    data = form.cleaned_data
    cable = get_object_or_404(cable_list(user=request.user), pk=data["cable"])  # type: ignore[arg-type]
    if data["product"] and not Product.objects.filter(code=data["product"]).exists():
        raise Http404("No such product.")
    done = run_service(
        form,
        lambda: services.cable_swap(
            cable=cable,
            code=data["product"] or None,
            length_m=data["length_m"],
            link=obj,
            by=request.user,  # type: ignore[arg-type]
        ),
    )
    if done is None:
        messages.error(request, " ".join(str(e) for e in form.non_field_errors()) or "Not applied.")
    else:
        messages.success(request, f"Fix applied to {done.label}.")
    return redirect("configurator:link", pk=obj.pk)


# --- the builder ---------------------------------------------------------------------------------


def _as_int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@signed_in
@require_http_methods(["GET", "POST"])
def link_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Build a link: ends, a proposed path over existing trunks, cords; validated live, saved once.

    The draft lives in the form. Every change re-posts it (`action=check`, htmx) and the page
    shows the engine's verdict from the same call as POST /api/v1/validate/; `action=save` writes
    the cords, matings and link through the plant services.
    """
    hall = get_object_or_404(
        hall_list(user=request.user).select_related("project"),  # type: ignore[arg-type]
        pk=pk,
    )
    require_design(request.user, hall.project)  # type: ignore[arg-type]
    ends = selectors.free_transceiver_ports(hall=hall)
    data: QueryDict = request.POST.copy() if request.method == "POST" else request.GET.copy()
    cord_keys = [k for k in data if k.startswith("cord_")]
    if data.get("reset") in ("cords", "path"):
        for key in cord_keys:
            data.pop(key, None)
    if data.get("reset") == "path":
        data.pop("path", None)
    end_choices = [("", "— choose a port —")] + [
        (str(p.port_id), f"{p}  ({p.family})") for p in ends.values()
    ]
    a_id, b_id = _as_int(data.get("a_port")), _as_int(data.get("b_port"))
    near, far = ends.get(a_id or 0), ends.get(b_id or 0)
    draft = report = None
    path_choices: list[tuple[str, str]] = [("direct", "Direct cord, no trunk")]
    # (form field prefix, label, product ids) of each cord of the path, in channel order
    cord_fields: list[tuple[str, str, list[int]]] = []
    if near is not None and far is not None and near.port_id != far.port_id:
        found = builder.paths(hall=hall, near=near, far=far)
        path_choices = [(p.key, str(p)) for p in found] + path_choices
        if not data.get("path") or data["path"] not in dict(path_choices):
            data["path"] = path_choices[0][0]
        path = next((p for p in found if p.key == data["path"]), None)
        hops = path.hops if path is not None else ()
        stops = [near, *(place for hop in hops for place in (hop.near, hop.far)), far]
        racks = {
            r.pk: r
            for r in hall.racks.select_related("row").filter(pk__in={s.rack_id for s in stops})
        }
        names = ["cord_a", *(f"cord_x{i + 1}" for i in range(len(hops) - 1))]
        names += ["cord_b"] if hops else []
        chosen: list[builder.CordChoice | None] = []
        for i, field in enumerate(names):
            here, there = stops[2 * i], stops[2 * i + 1]
            choices = builder.cord_choices(family_a=here.family, family_b=there.family)
            label = {"cord_a": "Cord at A", "cord_b": "Cord at B"}.get(
                field, f"Cross-connect cord in {there.owner.split(' ')[0]}"
            )
            cord_fields.append((field, label, [p.pk for p in choices]))
            if not data.get(field) and choices:
                default = builder.cord_default(hall=hall, choices=choices, fiber_type=None)
                data[field] = default.code if default else ""
            if not data.get(f"{field}_length"):
                data[f"{field}_length"] = str(
                    builder.cord_length_m(hall=hall, racks=racks, a=here, b=there)
                )
            product = {p.code: p for p in choices}.get(data.get(field) or "")
            side = {"cord_a": "a", "cord_b": "b"}.get(field)
            chosen.append(
                None
                if product is None
                else builder.CordChoice(
                    product,
                    _decimal(data.get(f"{field}_length")),
                    builder.orient(product, transceiver_side=side) if side else False,
                )
            )
        a_code, b_code = near.code, far.code
        if not data.get("name"):
            data["name"] = f"{near.owner.split(' ')[0]}-{far.owner.split(' ')[0]}-{near.label}"
        if all(c is not None for c in chosen):
            cords = [c for c in chosen if c is not None]
            draft = builder.Draft(
                near,
                far,
                a_code,
                b_code,
                hops,
                cords[0],
                cords[-1] if hops else None,
                tuple(cords[1:-1]) if hops else (),
            )
            report = builder.draft_validate(draft=draft)
    form = (
        forms.LinkBuilderForm(data)
        if request.method == "POST"
        else forms.LinkBuilderForm(initial=data.dict())
    )
    form.fields["a_port"].choices = end_choices  # type: ignore[attr-defined]
    form.fields["b_port"].choices = end_choices  # type: ignore[attr-defined]
    form.fields["path"].choices = path_choices  # type: ignore[attr-defined]
    ids = {field: pks for field, _label, pks in cord_fields}
    for field, label, pks in cord_fields:
        form.cord_field(field, label, Product.objects.filter(pk__in=pks).order_by("code"))
    for field in ("cord_a", "cord_b"):
        if field not in ids:
            form.fields[field].queryset = Product.objects.none()  # type: ignore[attr-defined]
    status = 200
    if request.method == "POST" and data.get("action") == "save":
        saved = _save_draft(
            request, form, hall, draft, services.link_build,
            {"a_port": "a_port", "b_port": "b_port", "port": "a_port"},
            noun="Link", missing="Choose both ends and the cords first.",
        )  # fmt: skip
        if saved is not None:
            return saved
        status = 400
    context: dict[str, Any] = {
        "hall": hall,
        "project": hall.project,
        "form": form,
        "draft": draft,
        "has_ends": bool(ends),
        "cord_rows": [(form[f], form[f"{f}_length"]) for f, _label, _pks in cord_fields]
        or [(form["cord_a"], form["cord_a_length"])],
    }
    if report is not None and draft is not None:
        context.update(report_context(report, draft.names(), kinds=builder.draft_kinds(draft)))
    page = "configurator/partials/builder.html" if request.htmx else "configurator/builder.html"  # type: ignore[attr-defined]
    return render(request, page, context, status=status)


def _decimal(value: str | None) -> Decimal | None:
    try:
        number = Decimal(value or "")
    except ArithmeticError:
        return None
    return number if number.is_finite() and Decimal("0.1") <= number <= 1000 else None


@signed_in
@require_http_methods(["GET", "POST"])
def breakout_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Build a breakout: a parent port, its children (in lane order) and a harness between them.

    Like the link builder: the draft lives in the form, is checked by the same engine call as
    POST /api/v1/validate/ on every change, and is written only by `action=save`.
    """
    hall = get_object_or_404(
        hall_list(user=request.user).select_related("project"),  # type: ignore[arg-type]
        pk=pk,
    )
    require_design(request.user, hall.project)  # type: ignore[arg-type]
    ends = selectors.free_transceiver_ports(hall=hall)
    data: QueryDict = request.POST.copy() if request.method == "POST" else request.GET.copy()
    choices = [(str(p.port_id), f"{p}  ({p.family}, {p.code})") for p in ends.values()]
    parent = ends.get(_as_int(data.get("parent")) or 0)
    child_ids = [_as_int(v) for v in data.getlist("children")]
    children = [ends[i] for i in child_ids if i in ends and (parent is None or i != parent.port_id)]
    draft = report = None
    harness_ids: list[int] = []
    if parent is not None and children:
        found = builder.harness_choices(parent=parent, children=children)
        harness_ids = [p.pk for p in found]
        by_code = {p.code: p for p in found}
        if not data.get("length_m"):
            racks = {
                r.pk: r
                for r in hall.racks.select_related("row").filter(
                    pk__in={parent.rack_id, *(c.rack_id for c in children)}
                )
            }
            data["length_m"] = str(
                max(
                    builder.cord_length_m(hall=hall, racks=racks, a=parent, b=child)
                    for child in children
                )
            )
        if not data.get("name"):
            data["name"] = f"{parent.owner.split(' ')[0]}-breakout-{parent.label}"
        lanes = builder.lanes_per_child(children=children)
        length = _decimal(data.get("length_m"))
        chosen = by_code.get(data.get("harness") or "")
        # the default harness: the first (by code) with which the engine finds no error
        for harness in [chosen] if chosen is not None else found:
            draft = builder.BreakoutDraft(parent, tuple(children), harness, length, lanes)
            report = builder.breakout_validate(draft=draft)
            if report["ok"]:
                break
        if chosen is None and found and report is not None and not report["ok"]:
            draft = builder.BreakoutDraft(parent, tuple(children), found[0], length, lanes)
            report = builder.breakout_validate(draft=draft)
        if draft is not None:
            data["harness"] = draft.harness.code
    form = (
        forms.BreakoutForm(data)
        if request.method == "POST"
        else forms.BreakoutForm(initial={**data.dict(), "children": child_ids})
    )
    form.fields["parent"].choices = [("", "— choose the parent —"), *choices]  # type: ignore[attr-defined]
    form.fields["children"].choices = choices  # type: ignore[attr-defined]
    form.fields["harness"].queryset = Product.objects.filter(pk__in=harness_ids).order_by("code")  # type: ignore[attr-defined]
    status = 200
    if request.method == "POST" and data.get("action") == "save":
        saved = _save_draft(
            request, form, hall, draft, services.breakout_build,
            {"parent_port": "parent", "children": "children", "port": "children"},
            noun="Breakout", missing="Choose the parent, its children and a harness first.",
        )  # fmt: skip
        if saved is not None:
            return saved
        status = 400
    context: dict[str, Any] = {"hall": hall, "project": hall.project, "form": form, "draft": draft}
    if report is not None and draft is not None:
        context.update(report_context(report, draft.names(), kinds=draft.kinds()))
    return render(request, "configurator/breakout.html", context, status=status)


def _save_draft(
    request: HttpRequest,
    form: Any,
    hall: Any,
    draft: Any,
    build: Callable[..., Any],
    fields: dict[str, str],
    *,
    noun: str,
    missing: str,
) -> HttpResponse | None:
    """Save a validated draft through `build` (a plant-writing service); None: stay on the form."""
    if form.is_valid() and draft is not None:
        saved = run_service(
            form,
            lambda: build(
                hall=hall,
                name=form.cleaned_data["name"],
                draft=draft,
                by=request.user,
            ),
            fields,
        )
        if saved is not None:
            messages.success(request, f"{noun} {saved.name} saved.")
            return redirect("configurator:link", pk=saved.pk)
    elif draft is None:
        form.add_error(None, missing)
    return None
