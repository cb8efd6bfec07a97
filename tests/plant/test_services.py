"""Plant services: scoping, occupancy, revisions, PROTECT, and races with real transactions."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import ProtectedError

from apps.catalog.models import ProductRevision
from apps.core.exceptions import ApplicationError
from apps.plant import services
from apps.plant.models import Enclosure, Hall, Link, Mating, Transceiver
from tests.factories.accounts import ProjectFactory
from tests.factories.plant import (
    DeviceFactory,
    HallFactory,
    RackFactory,
    cable_make,
    enclosure_make,
    leg,
    module_make,
    parallel_hall,
    port,
    revision,
    transceiver_make,
)


def _new_revision(code: str) -> ProductRevision:
    """A new current revision of product `code` (same spec, renamed), as a catalog edit makes."""
    old = revision(code)
    ProductRevision.objects.filter(pk=old.pk).update(is_current=False)
    return ProductRevision.objects.create(
        product=old.product,
        number=old.number + 1,
        spec=dict(old.spec, name=f"{old.spec.get('name', code)} v2"),
        content_hash="x" * 64,
        is_current=True,
    )


@pytest.mark.django_db
def test_rejects_a_port_of_another_project_as_does_not_exist(catalog):
    # given
    build = parallel_hall(links=0)
    cable = cable_make(build.hall, "CRD-MPO12-B-FM-OM4-LL", "C-1", 3000)
    other = HallFactory.create(site__project=ProjectFactory.create())
    stranger = transceiver_make(
        DeviceFactory.create(rack=RackFactory.create(row__hall=other)), "QSFP28-100G-SR4"
    )
    # when
    with pytest.raises(ApplicationError) as error:
        services.leg_connect(leg=leg(cable, "A1"), port=port(stranger, "1"), side="front")
    # then
    assert error.value.code == "does_not_exist"
    assert error.value.status_code == 404
    assert not Mating.objects.filter(leg__cable=cable).exists()


@pytest.mark.django_db
def test_link_create_refuses_a_port_of_another_project(catalog):
    build = parallel_hall(links=0)
    mine = transceiver_make(DeviceFactory.create(rack=build.racks[0]), "QSFP28-100G-SR4")
    other = HallFactory.create()
    theirs = transceiver_make(
        DeviceFactory.create(rack=RackFactory.create(row__hall=other)), "QSFP28-100G-SR4"
    )
    with pytest.raises(ApplicationError) as error:
        services.link_create(
            project=build.hall.project, name="x", a_port=port(mine, "1"), b_port=port(theirs, "1")
        )
    assert error.value.code == "does_not_exist"
    assert error.value.attr == "b_port"
    assert not Link.objects.filter(name="x").exists()


@pytest.mark.django_db
def test_connect_bumps_the_plant_revision_and_marks_links_using_the_cable(catalog):
    # given: a validated link
    build = parallel_hall()
    services.links_revalidate(hall_id=build.hall.pk)
    before = Hall.objects.get(pk=build.hall.pk).plant_revision
    cord = build.cables["cord_b0"]
    # when
    services.leg_disconnect(leg=leg(cord, "A1"))
    # then
    assert Hall.objects.get(pk=build.hall.pk).plant_revision == before + 1
    assert Link.objects.get(pk=build.links[0].pk).needs_revalidation is True


@pytest.mark.django_db
def test_second_mating_on_the_same_port_side_is_a_409(catalog):
    build = parallel_hall()
    spare = cable_make(build.hall, "CRD-MPO12-B-FM-OM4-LL", "spare", 3000)
    transceiver = build.transceivers[0][0]
    with pytest.raises(ApplicationError) as error:
        services.leg_connect(leg=leg(spare, "A1"), port=port(transceiver, "1"), side="front")
    assert (error.value.code, error.value.status_code) == ("port_mated", 409)


@pytest.mark.django_db
def test_cassette_port_is_mated_only_on_its_own_face(catalog):
    build = parallel_hall(links=0)
    enclosure = enclosure_make(build.racks[0], u_position=10, name="cas-enc")
    cassette = module_make(enclosure, "CAS-B12-6LC-B-OM4")
    trunk = cable_make(build.hall, "TRK-B12-MPO12-B-FF-OM4", "T-9", 10000)
    with pytest.raises(ApplicationError) as error:
        services.leg_connect(leg=leg(trunk, "A1"), port=port(cassette, "R1"), side="front")
    assert error.value.code == "invalid_side"
    services.leg_connect(leg=leg(trunk, "A1"), port=port(cassette, "R1"), side="rear")


@pytest.mark.django_db
def test_module_install_creates_ports_from_the_product(catalog):
    build = parallel_hall(links=0)
    panel = build.panels[0][0]
    assert panel.ports.count() == 12
    assert set(panel.ports.values_list("face", flat=True)) == {"both"}
    enclosure = enclosure_make(build.racks[0], u_position=10, name="cas-enc")
    cassette = module_make(enclosure, "CAS-B12-6LC-B-OM4", slot=4)
    assert sorted(cassette.ports.values_list("label", "face")) == sorted(
        [("R1", "rear")] + [(str(k), "front") for k in range(1, 7)]
    )
    with pytest.raises(ApplicationError) as error:
        module_make(enclosure, "CAS-B12-6LC-B-OM4", slot=5)
    assert error.value.code == "slot_out_of_range"
    with pytest.raises(ApplicationError) as error:
        module_make(enclosure, "CAS-B12-6LC-B-OM4", slot=4)
    assert (error.value.code, error.value.status_code) == ("slot_occupied", 409)


@pytest.mark.django_db
def test_enclosure_place_refuses_overlap_and_a_rack_too_short(catalog):
    build = parallel_hall(links=0)  # enclosures at U40 in both racks
    rack = build.racks[0]
    with pytest.raises(ApplicationError) as error:
        enclosure_make(rack, u_position=40, name="again")
    assert (error.value.code, error.value.status_code) == ("u_occupied", 409)
    with pytest.raises(ApplicationError) as error:
        services.enclosure_place(
            rack=rack, name="top", revision=revision("ENC-2U-8SLOT"), u_position=42
        )
    assert error.value.code == "u_out_of_range"
    services.enclosure_place(
        rack=rack, name="below", revision=revision("ENC-2U-8SLOT"), u_position=38
    )


@pytest.mark.django_db
def test_new_revision_changes_nothing_installed_and_adopt_moves_the_hall(catalog):
    # given
    build = parallel_hall()
    old = revision("QSFP28-100G-SR4")
    # when: the catalog gets a new revision
    new = _new_revision("QSFP28-100G-SR4")
    # then: nothing installed moved
    assert set(
        Transceiver.objects.filter(hall=build.hall).values_list("product_revision", flat=True)
    ) == {old.pk}  # noqa: E501
    before = Hall.objects.get(pk=build.hall.pk).plant_revision
    # when: the hall adopts it
    moved = services.hall_adopt_revision(hall=build.hall, revision=new)
    # then
    assert moved == 2
    assert set(
        Transceiver.objects.filter(hall=build.hall).values_list("product_revision", flat=True)
    ) == {new.pk}  # noqa: E501
    assert Hall.objects.get(pk=build.hall.pk).plant_revision == before + 1


@pytest.mark.django_db
def test_deleting_an_installed_revision_is_protected(catalog):
    build = parallel_hall()
    del build
    with pytest.raises(ProtectedError):
        revision("QSFP28-100G-SR4").delete()


@pytest.mark.django_db
def test_deletes_refuse_what_users_would_lose(catalog):
    build = parallel_hall()
    with pytest.raises(ApplicationError) as error:
        services.transceiver_remove(transceiver=build.transceivers[0][0])
    assert error.value.code == "in_use"
    with pytest.raises(ApplicationError):
        services.enclosure_remove(enclosure=Enclosure.objects.filter(rack=build.racks[0]).get())
    services.link_delete(link=build.links[0])
    services.transceiver_remove(transceiver=build.transceivers[0][0])
    assert not Mating.objects.filter(leg=leg(build.cables["cord_a0"], "A1")).exists()


# --- races ---------------------------------------------------------------------------------------


def _race(first: Callable[[], Any], second: Callable[[], Any]) -> list[Any]:
    """Run `first` in a transaction held open until `second` (another connection) has started.

    `second` reaches the contested row while `first` has written but not committed, so it waits
    on the database (unique index or row lock) and decides only after `first` commits.
    """
    results: list[Any] = [None, None]
    written = threading.Event()

    def one() -> None:
        try:
            with transaction.atomic():
                results[0] = first()
                written.set()
                time.sleep(0.5)  # hold the transaction while the other one blocks
        except Exception as error:  # noqa: BLE001
            results[0] = error
            written.set()
        finally:
            connection.close()

    def two() -> None:
        written.wait(5)
        try:
            results[1] = second()
        except Exception as error:  # noqa: BLE001
            results[1] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=one), threading.Thread(target=two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_connects_to_the_same_port_side_one_wins_the_other_gets_409(catalog):
    # given
    build = parallel_hall(links=0)
    target = port(build.panels[0][0], "5")
    cords = [cable_make(build.hall, "CRD-MPO12-B-FM-OM4-LL", f"race-{k}", 3000) for k in (1, 2)]
    # when
    results = _race(
        lambda: services.leg_connect(leg=leg(cords[0], "B1"), port=target, side="front"),
        lambda: services.leg_connect(leg=leg(cords[1], "B1"), port=target, side="front"),
    )
    # then
    assert isinstance(results[0], Mating)
    assert isinstance(results[1], ApplicationError)
    assert (results[1].code, results[1].status_code) == ("port_mated", 409)
    assert Mating.objects.filter(port=target, side="front").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_enclosures_placed_in_overlapping_u_at_once_one_wins(catalog):
    build = parallel_hall(links=0)
    rack = build.racks[1]
    results = _race(
        lambda: services.enclosure_place(
            rack=rack, name="e1", revision=revision("ENC-2U-8SLOT"), u_position=10
        ),
        lambda: services.enclosure_place(
            rack=rack, name="e2", revision=revision("ENC-2U-8SLOT"), u_position=11
        ),
    )
    assert isinstance(results[0], Enclosure)
    assert isinstance(results[1], ApplicationError)
    assert (results[1].code, results[1].status_code) == ("u_occupied", 409)
    assert Enclosure.objects.filter(rack=rack, name__in=["e1", "e2"]).count() == 1
