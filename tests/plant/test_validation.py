"""Validation from the store: links built with the services, validated by the engine.

The small hall (tests/factories/plant.py `parallel_hall`):

    rack 0                                                     rack 1
    [sw QSFP28-SR4]--B cord--[panel 1 front|rear]==TRK-B 30 m==[rear|front panel 1]--B cord--[sw]
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.engine.channel import GraphBreakout, GraphChannel
from apps.engine.units import TIA598
from apps.plant import services
from apps.plant.models import Link
from apps.plant.selectors import (
    channel_for_link,
    link_loss_budget,
    link_trace,
    link_validate,
)
from tests.factories.plant import (
    RackFactory,
    RowFactory,
    breakout_link,
    leg,
    parallel_hall,
    parallel_link,
    port,
)

pytestmark = pytest.mark.django_db


def test_method_b_parallel_link_validates_ok_from_the_store(catalog):
    # given
    build = parallel_hall()
    link = build.links[0]
    # when
    channel = channel_for_link(link=link)
    report = link_validate(link=link)
    # then
    assert isinstance(channel, GraphChannel)
    assert len(channel.elements) == 5  # cord, panel port, trunk, panel port, cord
    assert report["ok"], report["findings"]
    assert report["status"] == "ok"
    assert all(lane["outcome"]["ok"] for lane in report["trace"])
    trunk = build.cables["trunk0"]
    assert report["elements"][f"cable:{trunk.pk}"] == trunk.label


def test_wrong_type_trunk_is_polarity_reversed(catalog):
    # given: the same hall with a Type A trunk where Method B needs Type B
    build = parallel_hall(links=0)
    link = parallel_link(build, 0, trunk_code="TRK-B12-MPO12-A-FF-OM4")
    # when
    report = link_validate(link=link)
    # then
    codes = [f["code"] for f in report["findings"]]
    assert "POLARITY_REVERSED" in codes
    assert report["status"] == "error"


def test_unplugged_cord_is_open_fiber_where_the_path_stops(catalog):
    # given: the far cord is pulled out of the far panel's front
    build = parallel_hall()
    link = build.links[0]
    cord_b = build.cables["cord_b0"]
    services.leg_disconnect(leg=leg(cord_b, "B1"))
    far_panel_port = port(build.panels[1][0], "1")
    # when
    report = link_validate(link=link)
    # then: light from A stops at the far panel port's front, light from B at the cord's B plug
    open_fibers = {(f["ref"], f["face"]) for f in report["findings"] if f["code"] == "OPEN_FIBER"}
    assert open_fibers == {(f"port:{far_panel_port.pk}", "2"), (f"cable:{cord_b.pk}", "B1")}
    assert "PATH_MISROUTED" not in [f["code"] for f in report["findings"]]
    message = next(f["message"] for f in report["findings"] if f["ref"] == f"cable:{cord_b.pk}")
    assert "leaves B1 with nothing mated" in message
    assert not report["ok"]


def test_link_with_nothing_plugged_still_validates_and_says_where(catalog):
    # given: a link between two transceivers with no cabling at all
    build = parallel_hall(links=0)
    parallel_link(build, 0)
    a, b = build.transceivers[0]
    services.link_delete(link=build.links[0])
    for transceiver in (a, b):
        mating = port(transceiver, "1").matings.get()
        services.leg_disconnect(leg=mating.leg)
    link = services.link_create(
        project=build.hall.project, name="bare", a_port=port(a, "1"), b_port=port(b, "1")
    )
    # when
    report = link_validate(link=link)
    # then
    refs = {f["ref"] for f in report["findings"] if f["code"] == "OPEN_FIBER"}
    assert refs == {f"transceiver:{a.pk}", f"transceiver:{b.pk}"}


def test_dr4_breakout_to_four_dr_from_the_store(catalog):
    # given
    build = parallel_hall(links=0)
    link, harness = breakout_link(build.hall, build.racks[0])
    # when
    channel = channel_for_link(link=link)
    report = link_validate(link=link)
    # then
    assert isinstance(channel, GraphBreakout)
    assert [child.lanes for child in channel.children] == [(0,), (1,), (2,), (3,)]
    assert report["ok"], report["findings"]
    assert [loss["label"] for loss in report["loss"]] == [f"branch {k}" for k in range(1, 5)]


def test_swapped_breakout_legs_are_a_lane_mismatch(catalog):
    build = parallel_hall(links=0)
    link, _harness = breakout_link(build.hall, build.racks[0], legs=(2, 1, 3, 4))
    report = link_validate(link=link)
    assert "LANE_MISMATCH" in [f["code"] for f in report["findings"]]


def test_breakout_child_without_a_path_is_open_fiber_naming_the_stop(catalog):
    # given: leg B4 of the harness is pulled from its child
    build = parallel_hall(links=0)
    link, harness = breakout_link(build.hall, build.racks[0])
    services.leg_disconnect(leg=leg(harness, "B4"))
    child = link.ends.get(role="child", lanes=[3]).port
    # when
    report = link_validate(link=link)
    # then: parent lane 3 stops at the free harness leg, the child's light at its receptacle
    opens = {(f["ref"], f["face"]) for f in report["findings"] if f["code"] == "OPEN_FIBER"}
    assert opens == {(f"cable:{harness.pk}", "B4"), (f"transceiver:{child.transceiver_id}", "1")}
    stopped = [lane for lane in report["trace"] if not lane["outcome"]["ok"]]
    assert {lane["outcome"]["code"] for lane in stopped} == {"OPEN_FIBER"}
    assert {
        lane["lane"]
        for lane in stopped
        if lane["source"].endswith(f":{link.ends.get(role='parent').port.transceiver_id}")
    } == {3}  # noqa: E501


def test_trace_has_positions_and_tia_colours(catalog):
    build = parallel_hall()
    trace = link_trace(link=build.links[0])
    first = trace["trace"][0]
    assert first["hops"][0]["colour"] in TIA598
    assert {hop["ref"].split(":")[0] for hop in first["hops"]} == {"transceiver", "cable", "port"}


def test_loss_budget_counts_the_panel_pairs_and_the_fibre(catalog):
    build = parallel_hall()
    budget = link_loss_budget(link=build.links[0])
    (channel,) = budget["loss"]
    assert channel["application"] == "100GBASE-SR4"
    assert Decimal(channel["length_m"]) == Decimal("36")
    kinds = sorted(item["kind"] for item in channel["items"])
    assert kinds.count("fibre") == 3


def test_cable_too_short_names_routed_length_and_next_orderable(catalog):
    """Trunk between rack (row 0, position 0) and rack (row 1, position 2), both ends at U40.

    height of U40 = 39 × 44.45 mm = 1733.55 -> 1733 mm; rise = 2600 - 1733 = 867 mm per end;
    run = 2 × 600 + 1 × 2400 = 3600 mm; slack 2 × 500 mm; routed = 867 × 2 + 3600 + 1000 = 6334 mm.
    A 5 m trunk is too short; the next orderable length is 7 m.
    """
    # given
    build = parallel_hall(links=0)
    far_row = RowFactory.create(hall=build.hall, index=1)
    far_rack = RackFactory.create(row=far_row, position=2)
    build.racks = (build.racks[0], far_rack)
    from tests.factories.plant import enclosure_make, module_make

    build.panels = (build.panels[0], [module_make(enclosure_make(far_rack), "PNL-1U-12MPO-B")])
    link = parallel_link(build, 0)
    trunk = build.cables["trunk0"]
    services.cable_update(cable=trunk, length_mm=5000)
    # when
    from apps.plant.selectors import cable_route_length

    routed = cable_route_length(cable=trunk)
    report = link_validate(link=link)
    # then
    assert routed is not None
    assert routed.routed_length_mm == 6334
    assert routed.next_orderable_m == Decimal("7")
    (short,) = [f for f in report["findings"] if f["code"] == "CABLE_TOO_SHORT"]
    assert short["ref"] == f"cable:{trunk.pk}"
    assert short["routed_length_m"] == "6.334"
    assert short["next_orderable_m"] == "7"
    assert short["severity"] == "error"


def test_links_revalidate_stores_status_and_report(catalog):
    # given
    build = parallel_hall(links=2)
    # when
    services.links_revalidate(hall_id=build.hall.pk)
    # then
    build.hall.refresh_from_db()
    for link in Link.objects.filter(hall=build.hall):
        assert link.status == "ok"
        assert link.needs_revalidation is False
        assert link.status_revision == build.hall.plant_revision
        assert link.last_report is not None
        assert link.last_report["ok"] is True
        assert (
            build.cables["trunk0"].pk in link.touched_cable_ids
            or build.cables["trunk1"].pk in link.touched_cable_ids
        )


def test_permanent_links_are_derived_with_their_tier1_limit(catalog):
    """Trunk 30 m OM4 between two MPO type-B panel ports (method B): 2 end connections.

    Tier-1 limit = 0.030 km × α(TIA, 850 nm) + 2 × 0.75 dB.
    """
    # given
    build = parallel_hall()
    trunk = build.cables["trunk0"]
    # when
    from apps.plant.selectors import permanent_links_for_hall

    (permanent,) = permanent_links_for_hall(hall_id=build.hall.pk)
    # then
    assert permanent.cable_id == trunk.pk
    assert permanent.ends == (
        f"port:{port(build.panels[0][0], '1').pk}",
        f"port:{port(build.panels[1][0], '1').pk}",
    )
    loss = permanent.report["loss"]
    assert loss["mated_pairs"] == 2
    fibre = Decimal(loss["fibre_db"])
    assert permanent.tier1_limit_db == fibre + 2 * Decimal("0.75")
    assert permanent.report["ok"], permanent.report["findings"]


def test_permanent_links_are_checked_with_the_halls_standard_cords(catalog):
    """The same trunk and MPO type-B panels, but the hall's standard array cord is an APC one.

    Closing the permanent link with that cord puts 8° APC plugs into key-up/key-up adapters
    against flat-polished trunk plugs: the hall's choice of cord is what is tested.
    """
    # given
    build = parallel_hall()
    from apps.catalog.models import Product
    from apps.plant.models import Hall
    from apps.plant.selectors import permanent_links_for_hall

    Hall.objects.filter(pk=build.hall.pk).update(
        standard_array_cord=Product.objects.get(code="CRD-MPO12-B-FF-OM4-APC")
    )
    # when
    (permanent,) = permanent_links_for_hall(hall_id=build.hall.pk)
    # then
    codes = {f["code"] for f in permanent.report["findings"]}
    assert not permanent.report["ok"]
    assert codes & {"ENDFACE_MISMATCH", "CONNECTOR_MISMATCH", "PERMANENT_LINK_POLARITY"}, codes
