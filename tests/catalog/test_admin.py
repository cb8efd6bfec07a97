"""The catalog admin: every model has a working changelist; edits bump the catalog version."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.catalog.models import FiberType, Product
from apps.catalog.selectors import catalog_version_get

MODELS = [
    "fibertype",
    "connectortype",
    "lossgrade",
    "splicetype",
    "layout",
    "application",
    "product",
    "productrevision",
    "catalogversion",
]


@pytest.fixture
def admin_user_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(username="admin", password="x")
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS)
def test_changelist_opens(admin_user_client, catalog, model):
    response = admin_user_client.get(reverse(f"admin:catalog_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_seed_product_change_page_keeps_the_code_read_only(admin_user_client, catalog):
    # given
    product = Product.objects.order_by("code")[0]
    # when
    response = admin_user_client.get(reverse("admin:catalog_product_change", args=[product.pk]))
    # then
    assert response.status_code == 200
    assert 'name="code"' not in response.content.decode()
    assert 'name="name"' in response.content.decode()


@pytest.mark.django_db
def test_admin_edit_bumps_the_catalog_version(admin_user_client, catalog):
    # given
    fiber = FiberType.objects.order_by("code")[0]
    version = catalog_version_get()
    url = reverse("admin:catalog_fibertype_change", args=[fiber.pk])
    # when
    response = admin_user_client.post(
        url,
        {
            "name": "Edited in the admin",
            "mode": fiber.mode,
            "core_um": fiber.core_um,
            "modal_bandwidth_mhz_km": fiber.modal_bandwidth_mhz_km or "",
            "jacket_color": fiber.jacket_color,
            "attenuation_db_per_km": '{"ieee": {"850": "3.5"}}',
            "sources": "{}",
            "source": "",
            "verified": "on",
            "unverified_fields": "[]",
            "attributes": "{}",
        },
    )
    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    assert FiberType.objects.get(pk=fiber.pk).name == "Edited in the admin"
    assert catalog_version_get() == version + 1
