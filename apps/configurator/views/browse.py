"""Projects, halls (floor plan), racks (elevation) and enclosures, with the forms that build them.

Every object comes from the plant's scoped selectors: another project's pages answer 404. Writes
go through plant services (designer or owner role); their refusals show next to the field.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apps.accounts.selectors import project_list
from apps.catalog.models import ProductRevision
from apps.core.exceptions import ApplicationError
from apps.plant import services as plant
from apps.plant.selectors import device_list as plant_device_list
from apps.plant.selectors import enclosure_list, hall_list, port_list, rack_list, row_list

from .. import forms, selectors, services, svg
from .common import dry_run, require_design, run_service, signed_in


def _revision(product: Any) -> ProductRevision:
    revision = ProductRevision.objects.filter(product=product, is_current=True).first()
    if revision is None:
        raise ApplicationError(
            f"{product} has no current catalog revision.", code="invalid_product", attr="product"
        )
    return revision


@signed_in
def home(request: HttpRequest) -> HttpResponse:
    """The projects the user may see, with their sites and halls."""
    cards = selectors.project_cards(user=request.user)  # type: ignore[arg-type]
    return render(request, "configurator/home.html", {"cards": cards})


@signed_in
@require_http_methods(["GET", "POST"])
def project(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's sites and halls; designers add sites and halls here."""
    obj = get_object_or_404(project_list(user=request.user), pk=pk)  # type: ignore[arg-type]
    site_form = forms.SiteForm(prefix="site")
    hall_form = forms.HallForm(prefix="hall")
    sites = list(obj.plant_sites.order_by("name"))
    status = 200
    if request.method == "POST":
        require_design(request.user, obj)  # type: ignore[arg-type]
        if request.POST.get("form") == "site":
            site_form = forms.SiteForm(request.POST, prefix="site")
            if site_form.is_valid() and run_service(
                site_form,
                lambda: plant.site_create(project=obj, name=site_form.cleaned_data["name"]),
            ):
                messages.success(request, "Site added.")
                return redirect("configurator:project", pk=obj.pk)
        else:
            hall_form = forms.HallForm(request.POST, prefix="hall")
            site = next((s for s in sites if str(s.pk) == request.POST.get("site")), None)
            if site is None:
                hall_form.add_error(None, "Choose the site the hall is in.")
            elif hall_form.is_valid():
                data = hall_form.cleaned_data
                hall = run_service(
                    hall_form,
                    lambda: plant.hall_create(
                        site=site,
                        name=data["name"],
                        polarity_method=data["polarity_method"],
                        standard_duplex_cord=data["standard_duplex_cord"],
                        standard_array_cord=data["standard_array_cord"],
                    ),
                )
                if hall is not None:
                    messages.success(request, f"Hall {hall.name} added.")
                    return redirect("configurator:hall", pk=hall.pk)
        status = 400
    halls = list(hall_list(user=request.user).filter(project=obj))  # type: ignore[arg-type]
    context = {
        "project": obj,
        "sites": [(s, [h for h in halls if h.site_id == s.pk]) for s in sites],
        "site_form": site_form,
        "hall_form": hall_form,
        "can_design": selectors.can_design(user=request.user, project=obj),  # type: ignore[arg-type]
    }
    return render(request, "configurator/project.html", context, status=status)


LINKS_SHOWN = 20  # worst first; the audit page lists everything
CABLES_SHOWN = 200


def _hall_context(request: HttpRequest, hall: Any, **forms_: Any) -> dict[str, Any]:
    plan = selectors.hall_plan(hall=hall)
    audited = selectors.audit_rack_status(hall=hall, plan=plan)
    by_audit = audited[1] if audited else {}
    rows = [
        (
            row.name,
            [
                svg.RackInput(
                    rack.pk,
                    rack.name,
                    rack.position,
                    by_audit.get(rack.pk, status),
                    reverse("configurator:rack", args=[rack.pk]),
                    f"{count} link path{'s' if count != 1 else ''}",
                )
                for rack, status, count in racks
            ],
        )
        for row, racks in plan.rows
    ]
    sides = [
        (f"{place.port_id}:{side}", f"{place} ({side})")
        for place, side in selectors.free_port_sides(hall=hall)
    ]
    order = {status: i for i, status in enumerate(selectors.STATUS_ORDER)}
    worst_first = sorted(plan.links, key=lambda link: order.get(link.shown_status, 9))  # type: ignore[attr-defined]
    cables = list(selectors.cables_for_hall(hall=hall)[: CABLES_SHOWN + 1])
    return {
        "hall": hall,
        "project": hall.project,
        "plan": plan,
        "links_shown": worst_first[:LINKS_SHOWN],
        "links_more": max(len(plan.links) - LINKS_SHOWN, 0),
        "cables": cables[:CABLES_SHOWN],
        "cables_more": len(cables) > CABLES_SHOWN,
        "layout": svg.floor_layout(rows),
        "audit": audited[0] if audited else None,
        "status_labels": svg.STATUS_LABELS,
        "row_form": forms_.get("row_form") or forms.RowForm(prefix="row"),
        "rack_form": forms_.get("rack_form")
        or forms.RackForm(prefix="rack", rows=[(r.pk, r.name) for r, _ in plan.rows]),
        "cable_form": forms_.get("cable_form") or forms.CableForm(prefix="cable", sides=sides),
        "can_design": selectors.can_design(user=request.user, project=hall.project),  # type: ignore[arg-type]
        "downloads": [
            ("bom", "Bill of materials"),
            ("patch-schedule", "Patch schedule"),
            ("port-map", "Trunk port map"),
        ],
    }


@signed_in
@require_http_methods(["GET", "POST"])
def hall(request: HttpRequest, pk: int) -> HttpResponse:
    """The floor plan: racks coloured by their links' status; add rows, racks and cables."""
    obj = get_object_or_404(
        hall_list(user=request.user).select_related("project"),  # type: ignore[arg-type]
        pk=pk,
    )
    if request.method == "GET":
        return render(request, "configurator/hall.html", _hall_context(request, obj))
    require_design(request.user, obj.project)  # type: ignore[arg-type]
    which = request.POST.get("form")
    if which == "revalidate":
        links = plant.links_revalidate(hall_id=obj.pk)
        messages.success(request, f"{len(links)} link(s) validated.")
        return redirect("configurator:hall", pk=obj.pk)
    extra: dict[str, Any] = {}
    form: Any
    if which == "row":
        form = forms.RowForm(request.POST, prefix="row")
        if form.is_valid() and run_service(
            form, lambda: plant.row_create(hall=obj, **form.cleaned_data)
        ):
            messages.success(request, "Row added.")
            return redirect("configurator:hall", pk=obj.pk)
        extra["row_form"] = form
    elif which == "rack":
        rows = list(row_list(user=request.user).filter(hall=obj))  # type: ignore[arg-type]
        form = forms.RackForm(request.POST, prefix="rack", rows=[(r.pk, r.name) for r in rows])
        if form.is_valid():
            data = dict(form.cleaned_data)
            row = next(r for r in rows if r.pk == data.pop("row"))
            if run_service(form, lambda: plant.rack_create(row=row, **data)):
                messages.success(request, f"Rack {data['name']} added.")
                return redirect("configurator:hall", pk=obj.pk)
        extra["rack_form"] = form
    else:
        sides = [(f"{p.port_id}:{s}", f"{p} ({s})") for p, s in selectors.free_port_sides(hall=obj)]
        form = forms.CableForm(request.POST, prefix="cable", sides=sides)
        if form.is_valid():
            data = form.cleaned_data
            ports = {
                p.pk: p
                for p in port_list(user=request.user).filter(  # type: ignore[arg-type]
                    hall=obj,
                    pk__in=[int(v.split(":")[0]) for v in (data["a_end"], data["b_end"]) if v],
                )
            }

            def end(value: str) -> Any:
                if not value:
                    return None
                port_id, side = value.split(":")
                return ports[int(port_id)], side

            length = data["length_m"]
            cable = run_service(
                form,
                lambda: services.cable_build(
                    hall=obj,
                    label=data["label"],
                    revision=_revision(data["product"]),
                    length_mm=None if length is None else int(length * 1000),
                    a=end(data["a_end"]),
                    b=end(data["b_end"]),
                    by=request.user,  # type: ignore[arg-type]
                ),
                {"port": "b_end", "side": "b_end", "leg": "a_end"},
            )
            if cable is not None:
                messages.success(request, f"Cable {cable.label} added.")
                return redirect(reverse("configurator:hall", args=[obj.pk]) + "#cables")
        extra["cable_form"] = form
    return render(
        request, "configurator/hall.html", _hall_context(request, obj, **extra), status=400
    )


def _rack_items(rack: Any, devices: list[Any], enclosures: list[Any]) -> list[svg.RackItem]:
    items = []
    for d in devices:
        codes = Counter(t.product_revision.product.code for t in d.transceivers.all())
        model = ", ".join(f"{n}× {code}" if n > 1 else code for code, n in codes.items())
        items.append(
            svg.RackItem(
                "device",
                d.pk,
                d.name,
                model or d.get_kind_display(),
                d.u_position,
                d.height_u,
                f"#device-{d.pk}",
                tuple(True for _ in range(sum(codes.values()))),
            )
        )
    items += [
        svg.RackItem(
            "enclosure",
            e.pk,
            e.name,
            e.product_revision.product.code,
            e.u_position,
            e.height_u,
            reverse("configurator:enclosure", args=[e.pk]),
            tuple(
                n in {m.slot for m in e.modules.all()}
                for n in range(1, int(e.product_revision.spec.get("slots") or 0) + 1)
            ),
        )
        for e in enclosures
    ]
    return items


@signed_in
@require_http_methods(["GET", "POST"])
def rack(request: HttpRequest, pk: int) -> HttpResponse:
    """The rack elevation; place enclosures and devices (fit checked by the service, live)."""
    obj = get_object_or_404(
        rack_list(user=request.user).select_related("hall__project", "row"),  # type: ignore[arg-type]
        pk=pk,
    )
    devices, enclosures = selectors.rack_contents(rack=obj)
    enclosure_form = forms.EnclosureForm(prefix="enc")
    device_form = forms.DeviceForm(prefix="dev")
    choices = [(d.pk, d.name) for d in devices]
    transceiver_form = forms.TransceiverForm(prefix="trx", devices=choices)
    status = 200
    fits: str | None = None
    if request.method == "POST":
        require_design(request.user, obj.hall.project)  # type: ignore[arg-type]
        which = request.POST.get("form")
        check = request.POST.get("check") == "1"
        if which == "enclosure":
            enclosure_form = forms.EnclosureForm(request.POST, prefix="enc")
            if enclosure_form.is_valid():
                data = enclosure_form.cleaned_data

                def place() -> Any:
                    return plant.enclosure_place(
                        rack=obj,
                        name=data["name"],
                        revision=_revision(data["product"]),
                        u_position=data["u_position"],
                    )

                if check:
                    with dry_run():
                        done = run_service(enclosure_form, place)
                    fits = "It fits." if done is not None else None
                elif run_service(enclosure_form, place):
                    messages.success(request, f"Enclosure {data['name']} placed.")
                    return redirect("configurator:rack", pk=obj.pk)
        elif which == "device":
            device_form = forms.DeviceForm(request.POST, prefix="dev")
            if device_form.is_valid():
                data = device_form.cleaned_data

                def create() -> Any:
                    return plant.device_create(rack=obj, **data)

                if check:
                    with dry_run():
                        done = run_service(device_form, create)
                    fits = "It fits." if done is not None else None
                elif run_service(device_form, create):
                    messages.success(request, f"Device {data['name']} placed.")
                    return redirect("configurator:rack", pk=obj.pk)
        elif which == "transceiver":
            transceiver_form = forms.TransceiverForm(request.POST, prefix="trx", devices=choices)
            if transceiver_form.is_valid():
                data = transceiver_form.cleaned_data
                device = get_object_or_404(
                    plant_device_list(user=request.user).filter(rack=obj),  # type: ignore[arg-type]
                    pk=data["device"],
                )
                if run_service(
                    transceiver_form,
                    lambda: plant.transceiver_install(
                        device=device, cage=data["cage"], revision=_revision(data["product"])
                    ),
                    {"revision": "product"},
                ):
                    messages.success(request, f"Transceiver installed in {device.name}.")
                    return redirect(
                        reverse("configurator:rack", args=[obj.pk]) + f"#device-{device.pk}"
                    )
        if check and request.htmx:  # type: ignore[attr-defined]
            form = enclosure_form if which == "enclosure" else device_form
            return render(request, "configurator/partials/fit.html", {"form": form, "fits": fits})
        status = 400 if not check else 200
    layout = svg.rack_layout(obj.height_u, _rack_items(obj, devices, enclosures))
    context = {
        "rack": obj,
        "hall": obj.hall,
        "project": obj.hall.project,
        "layout": layout,
        "devices": devices,
        "enclosures": enclosures,
        "enclosure_form": enclosure_form,
        "device_form": device_form,
        "transceiver_form": transceiver_form,
        "fits": fits,
        "can_design": selectors.can_design(user=request.user, project=obj.hall.project),  # type: ignore[arg-type]
    }
    return render(request, "configurator/rack.html", context, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def enclosure(request: HttpRequest, pk: int) -> HttpResponse:
    """An enclosure's slots: modules (orientation), ports, each side's mate, fibres used/free."""
    obj = get_object_or_404(
        enclosure_list(user=request.user).select_related("rack__hall__project"),  # type: ignore[arg-type]
        pk=pk,
    )
    form = forms.ModuleForm(prefix="mod")
    status = 200
    if request.method == "POST":
        require_design(request.user, obj.rack.hall.project)  # type: ignore[arg-type]
        form = forms.ModuleForm(request.POST, prefix="mod")
        if form.is_valid():
            data = form.cleaned_data
            module = run_service(
                form,
                lambda: plant.module_install(
                    enclosure=obj,
                    slot=data["slot"],
                    revision=_revision(data["product"]),
                    orientation=data["orientation"],
                ),
                {"revision": "product"},
            )
            if module is not None:
                messages.success(
                    request, f"{data['product'].code} installed in slot {data['slot']}."
                )
                return redirect("configurator:enclosure", pk=obj.pk)
        status = 400
    slots = selectors.enclosure_detail(enclosure=obj)
    context = {
        "enclosure": obj,
        "rack": obj.rack,
        "hall": obj.rack.hall,
        "project": obj.rack.hall.project,
        "slots": slots,
        "form": form,
        "free_slots": [s.slot for s in slots if s.module is None],
        "can_design": selectors.can_design(user=request.user, project=obj.rack.hall.project),  # type: ignore[arg-type]
    }
    return render(request, "configurator/enclosure.html", context, status=status)
