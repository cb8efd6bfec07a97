"""`?brief=true` on the catalog API: every list and detail answers what the schema's Brief<Model>
component says (id, url, code, name), and the full form without it."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.core.openapi_support import brief_operations, brief_reads_check

pytestmark = pytest.mark.django_db


def test_every_catalog_read_answers_the_schemas_brief_form_and_the_full_form_without(
    catalog: Any, django_user_model: Any
) -> None:
    # given: the seed catalog, a signed-in reader and the catalog reads that declare brief
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_user(username="reader"))
    operations = list(brief_operations("/api/v1/catalog/"))
    assert len(operations) == 2 * 6
    assert all(op.method == "get" for op in operations)
    # when
    checked, failures = brief_reads_check(client, operations)
    # then
    assert not failures, failures
    assert checked >= 3 * len(operations)


def test_product_brief_form_is_named_apart_from_the_plant_s_nested_product() -> None:
    # given: products nest in plant records as {id, code, name} (component BriefProduct)
    detail = next(
        op for op in brief_operations("/api/v1/catalog/") if op.path.endswith("products/{id}/")
    )
    # then: the catalog's own brief form, with url, has its own component
    assert (detail.full, detail.brief) == ("ProductDetail", "BriefCatalogProduct")
