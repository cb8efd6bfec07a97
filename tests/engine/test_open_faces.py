"""Graph channels: a fibre leaving by a face declared free is OPEN_FIBER; by any other unmated
face (not on the channel, e.g. plugged into something outside it) PATH_MISROUTED."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from apps.engine.bench import plant_graph
from apps.engine.channel import ElementSpec, End, GraphBreakout, GraphChild
from apps.engine.errors import ChannelError
from apps.engine.validate import validate


def _unplugged(i: int, *, declared: bool):
    """Method B as the plant stores it, the far cord's B plug pulled from end B.

    [SFP]-cord-[CAS 1|R1]==trunk==[R1|CAS 6]-cord:<2i+1> B1   (free)   [SFP port:<i>:b]
    """
    channel = plant_graph(i)
    cord = f"cord:{2 * i + 1}"
    matings = tuple(m for m in channel.matings if m[0] != cord)
    free = frozenset({(cord, "B1"), (f"port:{i}:b", "1")}) if declared else frozenset()
    return replace(channel, matings=matings, open_faces=free)


def test_a_fibre_leaving_by_a_free_face_is_open_fiber(fixture_catalog):
    report = validate(_unplugged(3, declared=True), fixture_catalog)
    codes = {(f.code, f.ref, f.face) for f in report.findings if f.severity == "error"}
    assert codes == {("OPEN_FIBER", "cord:7", "B1"), ("OPEN_FIBER", "port:3:b", "1")}
    cord = next(f for f in report.findings if f.ref == "cord:7")
    assert "leaves B1 with nothing mated" in cord.message
    stopped = [t.outcome for t in report.trace if not t.outcome.ok]
    assert {(o.code, o.ref, o.face, o.status) for o in stopped} == {
        ("OPEN_FIBER", "cord:7", "B1", "open"),
        ("OPEN_FIBER", "port:3:b", "1", "open"),
    }


def test_an_undeclared_unmated_face_stays_path_misrouted(fixture_catalog):
    """Default (no open faces): the face is not on the channel; the end's receptacle is open."""
    report = validate(_unplugged(3, declared=False), fixture_catalog)
    codes = {(f.code, f.ref, f.face) for f in report.findings if f.severity == "error"}
    assert codes == {("PATH_MISROUTED", "cord:7", "B1"), ("OPEN_FIBER", "port:3:b", "1")}


def test_open_faces_share_one_verdict_across_plant_refs(fixture_catalog):
    validate(_unplugged(0, declared=True), fixture_catalog)
    before = len(fixture_catalog.verdicts)
    reports = [validate(_unplugged(i, declared=True), fixture_catalog) for i in range(1, 20)]
    assert len(fixture_catalog.verdicts) == before
    assert {f.ref for f in reports[4].findings if f.code == "OPEN_FIBER"} == {"cord:11", "port:5:b"}


@pytest.mark.parametrize(
    ("face", "code", "pointer"),
    [
        (("cord:99", "B1"), "UNKNOWN_REF", "/open_faces/0"),
        (("cord:7", "C9"), "UNKNOWN_FACE", "/open_faces/0"),
        (("cord:7", "A1"), "FACE_IN_USE", "/open_faces/0"),
    ],
)
def test_open_faces_must_be_real_free_faces(fixture_catalog, face, code, pointer):
    channel = replace(_unplugged(3, declared=False), open_faces=frozenset({face}))
    with pytest.raises(ChannelError) as raised:
        validate(channel, fixture_catalog)
    assert (raised.value.code, raised.value.pointer) == (code, pointer)


def test_a_free_harness_leg_of_a_graph_breakout_is_open_fiber(fixture_catalog):
    """[DR4]--harness B1..B3--[DR] × 3, leg B4 free, child 4's receptacle free."""
    dr = End("QSFP28-100G-DR")
    elements = (ElementSpec("HRN-MPO12F-4LC-OS2", Decimal("5"), ref="harness"),)
    matings = (("/parent", "1", "harness", "A1"),) + tuple(
        ("harness", f"B{k + 1}", f"/children/{k}/end", "1") for k in range(3)
    )
    children = tuple(GraphChild(dr, (k,)) for k in range(4))
    channel = GraphBreakout(End("QSFPDD-400G-DR4"), children, elements, matings)
    misrouted = validate(channel, fixture_catalog)
    assert ("PATH_MISROUTED", "harness") in {(f.code, f.ref) for f in misrouted.findings}
    free = frozenset({("harness", "B4"), ("/children/3/end", "1")})
    report = validate(replace(channel, open_faces=free), fixture_catalog)
    errors = {(f.code, f.ref, f.face) for f in report.findings if f.severity == "error"}
    assert errors == {("OPEN_FIBER", "harness", "B4"), ("OPEN_FIBER", "/children/3/end", "1")}
