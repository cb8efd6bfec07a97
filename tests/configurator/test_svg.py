"""The layout functions are pure: report in, boxes and lines out (no database)."""

from __future__ import annotations

from apps.configurator import svg

REPORT = {
    "ok": False,
    "findings": [
        {
            "code": "POLARITY_REVERSED",
            "severity": "error",
            "ref": "transceiver:2",
            "fix": {"message": "replace cable:5", "changes": [{"ref": "cable:5"}]},
            "consequence_of": None,
        }
    ],
    "trace": [
        {
            "direction": "a -> b",
            "source": "transceiver:1",
            "target": "transceiver:2",
            "lane": 0,
            "band_nm": 850,
            "hops": [
                {"ref": "transceiver:1", "face": "1", "position": 1, "colour": "blue"},
                {"ref": "cable:5", "face": "A1", "position": 2, "colour": "orange"},
                {"ref": "cable:5", "face": "B1", "position": 2, "colour": "orange"},
                {"ref": "transceiver:2", "face": "1", "position": 1, "colour": "blue"},
            ],
            "outcome": {
                "status": "tx",
                "ref": "transceiver:2",
                "face": "1",
                "position": 1,
                "ok": False,
                "code": "POLARITY_REVERSED",
            },
        }
    ],
    "loss": [
        {
            "label": "channel",
            "application": "10GBASE-SR",
            "total_max_db": "1.5",
            "limit_db": "2.9",
            "margin_db": "1.4",
            "items": [
                {"ref": "cable:5", "kind": "fibre", "max_db": "0.5", "typ_db": "0.5"},
                {"ref": "module:1", "kind": "mated pair", "max_db": "1.0", "typ_db": "0.3"},
            ],
        }
    ],
}
NAMES = {"transceiver:1": "sw1 1", "transceiver:2": "sw2 1", "cable:5": "PC-1"}


def test_trace_layout_columns_lanes_failure_and_fix_target() -> None:
    layout = svg.trace_layout(REPORT, NAMES, {"cable:5": "/x/"})
    assert [e.name for e in layout.elements] == ["sw1 1", "PC-1", "sw2 1"]
    cable = layout.elements[1]
    assert (cable.culprit, cable.url, cable.positions[0][1]) == (True, "/x/", "A1·2 → B1·2")
    assert layout.elements[2].failed
    lane = layout.lanes[0]
    assert [d.label for d in lane.dots] == ["1", "2", "2", "1"]
    assert lane.dots[-1].failed
    assert not lane.dots[0].failed
    assert lane.dots[1].fill == svg.TIA598_HEX["orange"]
    assert [s.mating for s in lane.segments] == [True, False, True]
    assert "lands on a transmitter at sw2 1" in lane.outcome
    xs = [d.x for d in lane.dots]
    assert xs == sorted(xs)


def test_loss_layout_stacks_items_against_the_limit() -> None:
    loss = svg.loss_layout(REPORT["loss"][0], NAMES)  # type: ignore[index]
    first, second = loss.bars
    assert first.x + first.width == second.x
    assert abs(second.width - 2 * first.width) <= 2  # 1.0 dB is twice 0.5 dB (integer px)
    assert loss.limit_x > loss.total_x
    assert (loss.ok, loss.margin_db, loss.limit_db) == (True, "1.4", "2.9")


def test_rack_layout_shows_items_at_their_height_and_free_runs() -> None:
    items = [
        svg.RackItem("enclosure", 1, "E1", "ENC-2U", 40, 2, "/e/1/", (True, False)),
        svg.RackItem("device", 2, "sw1", "SFP", 20, 1, "#d2"),
    ]
    layout = svg.rack_layout(42, items)
    assert layout.free_u == 39
    assert [f.label for f in layout.free] == [
        "U42 free",
        "U21–U39 free (19 U)",
        "U1–U19 free (19 U)",
    ]
    enclosure = layout.items[0]
    assert (enclosure.units, enclosure.height) == ("U40–U41", 2 * svg.U_PX - 2)
    assert [m.filled for m in enclosure.marks] == [True, False]


def test_ref_names_for_plant_refs_and_draft_pointers() -> None:
    names = {"cable:3": "TRK-1", "/elements/0": "cord A", "/b": "sw2 1"}
    text = "replace element 1 at cable:3 towards end B (element 9 unknown)"
    assert svg.ref_names(text, names) == "replace cord A at TRK-1 towards sw2 1 (element 9 unknown)"
