"""The OpenAPI schema documents every catalog route, its filters and the brief mode."""

from __future__ import annotations

from drf_spectacular.generators import SchemaGenerator


def test_schema_documents_catalog_routes_and_filters():
    # when
    schema = SchemaGenerator().get_schema(request=None, public=True)
    # then
    paths = schema["paths"]
    for name in ("fiber-types", "connector-types", "loss-grades", "applications", "products"):
        assert f"/api/v1/catalog/{name}/" in paths
        assert f"/api/v1/catalog/{name}/{{id}}/" in paths
    products = paths["/api/v1/catalog/products/"]["get"]
    parameters = {p["name"] for p in products["parameters"]}
    assert {
        "kind", "application", "fiber_type", "fiber_type_id", "cable_type", "polarity", "family",
        "q", "name__ic", "code__n", "code", "ordering", "retired", "brief", "limit", "offset",
    } <= parameters  # fmt: skip
    assert products["responses"]["200"]["content"]["application/json"]["examples"]
