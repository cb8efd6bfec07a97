"""load_demo: every good link is ok, every mistake link fails with exactly its code; idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.accounts.models import ProjectMembership, Role
from apps.plant.demo import MISTAKES, PROJECT
from apps.plant.io import hall_export
from apps.plant.models import Hall, Link

pytestmark = pytest.mark.django_db


def _hall() -> Hall:
    return Hall.objects.get(project__slug=PROJECT[1])


def test_good_links_are_ok_and_each_mistake_shows_its_own_code(catalog):
    # when
    call_command("load_demo")
    # then
    links = Link.objects.filter(hall=_hall())
    assert links.count() == 29
    assert set(MISTAKES) <= set(links.values_list("name", flat=True))
    for link in links:
        assert not link.needs_revalidation
        assert link.last_report is not None
        primary = {
            f["code"]
            for f in link.last_report["findings"]
            if f["severity"] == "error" and f["consequence_of"] is None
        }
        if link.name in MISTAKES:
            expected = MISTAKES[link.name]
            assert link.status == Link.Status.ERROR, link.name
            assert primary == {expected}, (link.name, primary)
        else:
            assert link.status == Link.Status.OK, (link.name, link.last_report["findings"])


def test_running_it_twice_changes_nothing(catalog, capsys, django_user_model):
    call_command("load_demo")
    hall = _hall()
    document = hall_export(hall=hall)
    statuses = dict(Link.objects.filter(hall=hall).values_list("name", "updated"))
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "0 created, 0 updated, 0 deleted; 0 links validated" in out
    assert hall_export(hall=hall) == document
    assert dict(Link.objects.filter(hall=hall).values_list("name", "updated")) == statuses
    assert Hall.objects.get(pk=hall.pk).plant_revision == hall.plant_revision


def test_the_demo_user_owns_the_project_once_it_exists(catalog, django_user_model):
    django_user_model.objects.create_user(username="demo", password="x")
    call_command("load_demo")
    membership = ProjectMembership.objects.get(user__username="demo", project__slug=PROJECT[1])
    assert membership.role == Role.OWNER
    assert _hall().polarity_method == "B"
    assert _hall().rows.count() == 2
