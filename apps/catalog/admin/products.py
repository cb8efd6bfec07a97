"""Products (edited like datasheets, imported from spreadsheets), their revisions, the version.

A product's record lives in its current revision. Saving a changed record makes a new revision
(`product_update`): installed rows keep theirs until a designer adopts the new one in a hall.
Products are retired rather than deleted; one in use cannot be deleted, and the refusal says where
it is used (from the protecting foreign keys, `apps.catalog.usage`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from apps.catalog.admin.base import BOOKKEEPING, CatalogAdmin
from apps.catalog.fibermap import MapLayout, fiber_colour, map_layout
from apps.catalog.forms import ProductForm
from apps.catalog.models import CatalogVersion, ConnectorType, Product, ProductRevision
from apps.catalog.resources import ProductResource
from apps.catalog.services import product_create, product_retire, product_update
from apps.catalog.usage import product_uses, product_uses_text
from apps.core.exceptions import ApplicationError


def connector_geometry() -> dict[str, dict[str, Any]]:
    """Connector families as the drawing needs them: rows, columns, lit positions."""
    return {
        row["code"]: dict(row)
        for row in ConnectorType.objects.values("code", "rows", "columns", "lit")
    }


def spec_layout(spec: dict[str, Any] | None) -> MapLayout | None:
    """The preview drawing of a normalised record (None for kinds without a map)."""
    return None if spec is None else map_layout(spec, connector_geometry())


class ProductRevisionInline(admin.TabularInline):
    model = ProductRevision
    extra = 0
    fields = ("number", "is_current", "origin", "content_hash", "created")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(ImportExportMixin, SimpleHistoryAdmin, CatalogAdmin):
    form = ProductForm
    change_form_template = "admin/catalog/product/change_form.html"
    resource_classes = [ProductResource]
    import_formats = [CSV, XLSX]  # choice "0" is CSV, "1" is XLSX
    export_formats = [CSV, XLSX]
    list_display = (
        "code",
        "kind",
        "name",
        "vendor",
        "cable_type",
        "polarity",
        "fiber_type",
        "application",
        "families",
        "revision",
        "retired",
        "origin",
    )
    list_filter = ("kind", "retired", "origin", "cable_type", "fiber_type", "application")
    list_select_related = ("fiber_type", "application")
    search_fields = ("code", "name", "vendor", "description")
    inlines = (ProductRevisionInline,)
    actions = ("retire", "unretire")
    fieldsets = (
        (None, {"fields": ("code", "kind", "name", "vendor", "description", "retired")}),
        (
            "Record",
            {
                "fields": (
                    "form_factor",
                    "application",
                    "cable_type",
                    "polarity",
                    "fiber_type",
                    "fiber_count",
                    "grade",
                    "height_slots",
                    "applications",
                ),
                "description": "What the engine reads. A change makes a new revision.",
            },
        ),
        ("Fibre map", {"fields": ("map_rule",)}),
        ("More of the record", {"fields": ("other",), "classes": ("collapse",)}),
        ("Bookkeeping", {"fields": BOOKKEEPING, "classes": ("collapse",)}),
    )

    # --- list ------------------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        return super().get_queryset(request).with_revision_number()  # type: ignore[attr-defined]

    @admin.display(description="rev", ordering="revision_number")
    def revision(self, obj: Product) -> Any:
        return getattr(obj, "revision_number", None)

    @admin.action(description="Retire the selected products (hidden from designers)")
    def retire(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        for product in queryset:
            product_retire(product=product, retired=True)
        self.message_user(request, f"Retired {len(queryset)} products.", messages.SUCCESS)

    @admin.action(description="Offer the selected products again")
    def unretire(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        for product in queryset:
            product_retire(product=product, retired=False)
        self.message_user(request, f"{len(queryset)} products are offered again.", messages.SUCCESS)

    # --- permissions -----------------------------------------------------------------------------

    def has_import_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("catalog.import_product")

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("catalog.export_product")

    def get_import_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    # --- the form --------------------------------------------------------------------------------

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("kind")
        return readonly

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            if change:
                uses = product_uses(product_ids=[obj.pk])[obj.pk]
                revision = product_update(
                    product=obj,
                    spec=form.spec,
                    retired=form.cleaned_data["retired"],
                    by=request.user,
                )
                if revision is not None:
                    self._report_revision(request, obj, revision, uses)
                product = Product.objects.get(pk=obj.pk)
            else:
                product = product_create(spec=form.spec, by=request.user)
                if form.cleaned_data.get("retired"):
                    product_retire(product=product)
        except ApplicationError as error:  # a race: the form validated the same record
            raise PermissionDenied(error.detail) from error
        for field in Product._meta.concrete_fields:
            setattr(obj, field.attname, getattr(product, field.attname))
        obj._state.adding = False

    def _report_revision(
        self, request: HttpRequest, obj: Product, revision: ProductRevision, uses: list[Any]
    ) -> None:
        if uses:
            old = sorted({n for use in uses for n in use.revision_numbers})
            where = product_uses_text(uses)
            self.message_user(
                request,
                f"{obj.code} is in use ({where}): the change is revision r{revision.number}. "
                f"Installed rows keep {', '.join(f'r{n}' for n in old) or 'their revision'} "
                "until a designer adopts the new revision in their hall.",
                messages.WARNING,
            )
        else:
            self.message_user(request, f"Saved as revision r{revision.number}.", messages.INFO)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The services wrote the product and bumped the catalog version; no inline is editable.
        admin.ModelAdmin.save_related(self, request, form, formsets, change)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        form = context["adminform"].form
        spec = form.normalised
        uses: list[Any] = []
        if obj is not None and obj.pk:
            uses = product_uses(product_ids=[obj.pk])[obj.pk]
            if spec is None:
                revision = obj.revisions.filter(is_current=True).first()
                spec = revision.spec if revision else None
        context.update(
            product_form=form,
            layout=spec_layout(spec),
            uses=uses,
            uses_text=product_uses_text(uses),
            preview_url="../map-preview/" if obj is not None else "map-preview/",
            colours=[(p, fiber_colour(p)) for p in range(1, 25)],
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- the fibre map preview -------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        info = (self.opts.app_label, self.opts.model_name)
        own = [
            path(
                "map-preview/",
                self.admin_site.admin_view(self.map_preview_view),
                name="{}_{}_map_preview".format(*info),
            ),
            path(
                "<path:object_id>/map-preview/",
                self.admin_site.admin_view(self.map_preview_view),
                name="{}_{}_map_preview_change".format(*info),
            ),
        ]
        return own + super().get_urls()

    def map_preview_view(self, request: HttpRequest, object_id: str | None = None) -> HttpResponse:
        """The SVG of the map the form describes (POST: the unsaved form), or its first error."""
        obj = self.get_object(request, object_id) if object_id else None
        allowed = (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        )
        if request.method != "POST" or not allowed:
            raise PermissionDenied
        data = request.POST.copy()
        if obj is None and not data.get("code"):
            data["code"] = "PREVIEW"
        form_class = self.get_form(request, obj, change=obj is not None)
        form: Any = form_class(data, instance=obj)
        form.is_valid()
        errors = [str(e) for e in form.non_field_errors()] + [
            f"{name}: {', '.join(str(e) for e in errs)}"
            for name, errs in form.errors.items()
            if name != "__all__" and name != "code"
        ]
        layout = spec_layout(form.normalised) if form.normalised else None
        return TemplateResponse(
            request,
            "admin/catalog/product/fibermap_preview.html",
            {"layout": layout, "preview_errors": errors, "map_error": form.map_error},
        )

    # --- deleting --------------------------------------------------------------------------------

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # A product's revisions go with it (nobody deletes a revision on its own).
        perms_needed = set(perms_needed) - {str(ProductRevision._meta.verbose_name)}
        uses = product_uses(product_ids=[obj.pk for obj in objs])
        where = [
            f"{code} is in use: {product_uses_text(uses[pk])}. Retire it instead."
            for pk, code in ((obj.pk, obj.code) for obj in objs)
            if uses.get(pk)
        ]
        if where:
            protected = [*where, *protected]
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        uses = product_uses(product_ids=[obj.pk])[obj.pk]
        if uses:  # get_deleted_objects already refused; a race ends here
            raise PermissionDenied(f"{obj.code} is in use: {product_uses_text(uses)}")
        super().delete_model(request, obj)


@admin.register(ProductRevision)
class ProductRevisionAdmin(SimpleHistoryAdmin):
    """Revisions are written by saving their product; never edited."""

    list_display = ("product", "number", "is_current", "origin", "content_hash", "created")
    list_filter = ("is_current", "origin", "product__kind")
    list_select_related = ("product",)
    search_fields = ("product__code",)
    readonly_fields = (
        "product",
        "number",
        "is_current",
        "spec",
        "content_hash",
        "origin",
        "seed_hash",
        "created",
        "updated",
    )
    change_form_template = "admin/catalog/productrevision/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        context["layout"] = spec_layout(obj.spec) if obj is not None else None
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(CatalogVersion)
class CatalogVersionAdmin(admin.ModelAdmin):
    list_display = ("value", "token", "updated")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
