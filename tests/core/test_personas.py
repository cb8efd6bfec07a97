"""The project-wide personas are what their names say."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_personas_have_the_rights_their_names_say(user, staff, catalog_manager):
    assert (user.is_staff, staff.is_staff, catalog_manager.is_staff) == (False, True, True)
    assert (user.is_superuser, staff.is_superuser, catalog_manager.is_superuser) == (
        False,
        False,
        False,
    )
    assert list(catalog_manager.groups.values_list("name", flat=True)) == ["catalog managers"]
    assert all(
        codename.split(".")[0] == "catalog" for codename in catalog_manager.get_all_permissions()
    )


@pytest.mark.django_db
def test_authed_client_is_signed_in_as_the_persona(authed_client, staff):
    # when
    response = authed_client(staff).get("/api/v1/does-not-exist/")
    # then: a signed-in request still gets a 404 (not a 403) for an unknown URL
    assert response.status_code == 404
    assert response.wsgi_request.user == staff
