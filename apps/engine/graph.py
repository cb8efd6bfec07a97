"""Compile a channel into a face graph: nodes (transceivers and elements), faces, matings.

Every shape becomes the same graph, so tracing, mating checks and loss never look at the shape.
`flatten()` is the cheap part run on every call (memo key, refs, lengths); `compile_graph()` runs
only when the memo misses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from apps.engine.catalog import Application, Catalog, Layout, Product
from apps.engine.channel import (
    Aggregate,
    Breakout,
    Channel,
    ElementSpec,
    End,
    GraphBreakout,
    GraphChannel,
)
from apps.engine.errors import ChannelError
from apps.engine.units import m_to_mm

FaceKey = tuple[int, str]


@dataclass(frozen=True, slots=True)
class Node:
    """A transceiver end or a passive element, with the faces the channel uses."""

    index: int
    product: Product
    is_end: bool
    enter: str | None
    exit: str | None
    declared: frozenset[str]
    application: Application | None = None
    layout: Layout | None = None
    fiber: tuple[str, str, str] | None = None  # (mode, core, fibre type) of cables and cassettes


@dataclass(frozen=True, slots=True)
class Group:
    """A loss/limits group: the paths between two ends (the channel, or one branch)."""

    label: str
    ends: tuple[int, int]
    report_node: int


@dataclass(frozen=True, slots=True)
class Graph:
    """The compiled channel: nodes, symmetric matings, lane targets and loss groups."""

    shape: str
    nodes: tuple[Node, ...]
    mates: Mapping[FaceKey, FaceKey]
    matings: tuple[tuple[FaceKey, FaceKey], ...]
    targets: Mapping[tuple[int, int], tuple[int, int, bool]]
    ends: tuple[int, ...]
    groups: tuple[Group, ...]
    branch_lanes: tuple[tuple[int, tuple[int, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class Flat:
    """A channel walked in node order: specs, their refs and pointers, the memo key."""

    shape: str
    specs: tuple[End | ElementSpec, ...]
    refs: tuple[str, ...]
    pointers: tuple[str, ...]
    key: tuple[Any, ...]
    extra: tuple[Any, ...]


def flatten(channel: Channel, catalog: Catalog) -> Flat:
    """Walk the channel in node order: the memo key (codes, revisions, faces) and the refs."""
    specs: list[End | ElementSpec] = []
    pointers: list[str] = []
    extra: tuple[Any, ...]
    if isinstance(channel, Aggregate):
        shape = "aggregate"
        specs.append(channel.a)
        pointers.append("/a")
        for i, element in enumerate(channel.elements):
            specs.append(element)
            pointers.append(f"/elements/{i}")
        specs.append(channel.b)
        pointers.append("/b")
        extra = ()
    elif isinstance(channel, Breakout):
        shape = "breakout"
        specs.append(channel.parent)
        pointers.append("/parent")
        for i, element in enumerate(channel.elements):
            specs.append(element)
            pointers.append(f"/elements/{i}")
        counts = []
        for j, branch in enumerate(channel.branches):
            for i, element in enumerate(branch.elements):
                specs.append(element)
                pointers.append(f"/branches/{j}/elements/{i}")
            specs.append(branch.end)
            pointers.append(f"/branches/{j}/end")
            counts.append((branch.exit, tuple(branch.lanes), len(branch.elements)))
        extra = (len(channel.elements), tuple(counts))
    elif isinstance(channel, GraphChannel | GraphBreakout):
        if isinstance(channel, GraphChannel):
            shape = "graph"
            specs.extend((channel.a, channel.b))
            pointers.extend(("/a", "/b"))
            lanes: tuple[tuple[int, ...], ...] = ()
        else:
            shape = "graph-breakout"
            specs.append(channel.parent)
            pointers.append("/parent")
            for j, child in enumerate(channel.children):
                specs.append(child.end)
                pointers.append(f"/children/{j}/end")
            lanes = tuple(tuple(child.lanes) for child in channel.children)
        for i, element in enumerate(channel.elements):
            specs.append(element)
            pointers.append(f"/elements/{i}")
        matings = _graph_matings(specs, pointers, channel.elements, channel.matings)
        extra = (matings, lanes, _open_faces(specs, pointers, channel.open_faces))
    else:
        raise ChannelError(
            "INVALID_CHANNEL",
            "a channel is an Aggregate, Breakout, GraphChannel or GraphBreakout",
        )
    key: list[Any] = [shape]
    products = catalog.products
    for spec, pointer in zip(specs, pointers, strict=True):
        product = products.get(spec.transceiver if isinstance(spec, End) else spec.product)
        if product is None:
            code = spec.transceiver if isinstance(spec, End) else spec.product
            product = catalog.product(code, _field(pointer, spec))
        if isinstance(spec, End):
            key.append((product.code, product.revision, spec.receptacle, spec.application))
        else:
            key.append((product.code, product.revision, spec.enter, spec.exit))
    key.append(extra)
    refs = tuple(
        spec.ref if spec.ref is not None else pointer
        for spec, pointer in zip(specs, pointers, strict=True)
    )
    return Flat(shape, tuple(specs), refs, tuple(pointers), tuple(key), extra)


def _graph_matings(
    specs: list[End | ElementSpec],
    pointers: list[str],
    elements: tuple[ElementSpec, ...],
    matings: tuple[tuple[str, str, str, str], ...],
) -> tuple[tuple[int, str, int, str], ...]:
    """The matings by node index: the memo key holds the graph's shape, not the plant's refs."""
    refs = [
        spec.ref if spec.ref is not None else pointer
        for spec, pointer in zip(specs, pointers, strict=True)
    ]
    by_ref = {ref: i for i, ref in enumerate(refs)}
    if any(e.ref is None for e in elements) or len(by_ref) != len(refs):
        raise ChannelError(
            "INVALID_CHANNEL", "graph channel elements need unique refs", "/elements"
        )
    out = []
    for k, (ref_a, face_a, ref_b, face_b) in enumerate(matings):
        left, right = by_ref.get(ref_a), by_ref.get(ref_b)
        if left is None or right is None:
            raise ChannelError(
                "UNKNOWN_REF", f"mating {k + 1} names an unknown ref", f"/matings/{k}"
            )
        out.append((left, str(face_a), right, str(face_b)))
    return tuple(out)


def _open_faces(
    specs: list[End | ElementSpec], pointers: list[str], faces: frozenset[tuple[str, str]]
) -> tuple[tuple[int, str], ...]:
    """The free faces as (node index, face), sorted: the memo key holds no plant refs."""
    if not faces:
        return ()
    by_ref = {
        (spec.ref if spec.ref is not None else pointer): i
        for i, (spec, pointer) in enumerate(zip(specs, pointers, strict=True))
    }
    out = []
    for k, (ref, face) in enumerate(sorted((str(r), str(f)) for r, f in faces)):
        node = by_ref.get(ref)
        if node is None:
            raise ChannelError(
                "UNKNOWN_REF", f"open face {k + 1} names an unknown ref", f"/open_faces/{k}"
            )
        out.append((node, face))
    return tuple(sorted(out))


def lengths_mm(flat: Flat) -> tuple[int | None, ...]:
    """Each node's length in mm (None for ends, non-cables and unknown lengths)."""
    out: list[int | None] = []
    for spec, pointer in zip(flat.specs, flat.pointers, strict=True):
        if isinstance(spec, End) or spec.length_m is None:
            out.append(None)
            continue
        try:
            mm = m_to_mm(spec.length_m)
        except (ValueError, ArithmeticError) as error:
            raise ChannelError("INVALID_LENGTH", str(error), f"{pointer}/length_m") from error
        out.append(mm)
        if mm < 0:
            raise ChannelError(
                "INVALID_LENGTH", "a length cannot be negative", f"{pointer}/length_m"
            )
    return tuple(out)


def _field(pointer: str, spec: End | ElementSpec) -> str:
    return f"{pointer}/transceiver" if isinstance(spec, End) else f"{pointer}/product"


def compile_graph(flat: Flat, catalog: Catalog) -> Graph:
    """Build the face graph of a flattened channel, raising ChannelError on impossible input."""
    nodes: list[Node] = []
    used: dict[int, set[str]] = {}
    fan_index = flat.extra[0] if flat.shape == "breakout" else -1
    for index, (spec, pointer) in enumerate(zip(flat.specs, flat.pointers, strict=True)):
        shape = "fan-out" if index == fan_index else flat.shape.removesuffix("-breakout")
        nodes.append(_node(index, spec, pointer, catalog, shape))
    mates: dict[FaceKey, FaceKey] = {}
    order: list[tuple[FaceKey, FaceKey]] = []

    def mate(left: FaceKey, right: FaceKey, pointer: str) -> None:
        for key in (left, right):
            if key in mates:
                raise ChannelError("FACE_IN_USE", f"face {key[1]} is mated twice", pointer)
        mates[left] = right
        mates[right] = left
        order.append((left, right))
        used.setdefault(left[0], set()).add(left[1])
        used.setdefault(right[0], set()).add(right[1])

    targets: dict[tuple[int, int], tuple[int, int, bool]] = {}
    groups: list[Group] = []
    branch_lanes: list[tuple[int, tuple[int, ...]]] = []
    if flat.shape == "aggregate":
        _chain(nodes, list(range(len(nodes))), flat.pointers, mate)
        a, b = 0, len(nodes) - 1
        _aggregate_targets(nodes, a, b, targets)
        groups.append(Group("channel", (a, b), b))
    elif flat.shape == "breakout":
        parent_count, branches = flat.extra
        if parent_count == 0:
            raise ChannelError("FAN_OUT_MISSING", "a breakout needs a fan-out element", "/elements")
        fan = parent_count
        fan_node = nodes[fan]
        nodes[fan] = Node(
            fan,
            fan_node.product,
            False,
            fan_node.enter,
            None,
            frozenset({fan_node.enter or ""}),
            fiber=fan_node.fiber,
        )
        _chain(nodes, list(range(parent_count + 1)), flat.pointers, mate)
        parent_app = nodes[0].application
        assert parent_app is not None
        start = parent_count + 1
        seen_lanes: set[int] = set()
        for j, (exit_face, lanes, count) in enumerate(branches):
            chain = list(range(start, start + count + 1))
            end = chain[-1]
            start += count + 1
            if exit_face not in nodes[fan].product.faces or exit_face == nodes[fan].enter:
                raise ChannelError(
                    "UNKNOWN_FACE",
                    f"the fan-out has no leg or port {exit_face!r} to branch from",
                    f"/branches/{j}/exit",
                )
            nodes[fan] = _declare(nodes[fan], exit_face)
            first = nodes[chain[0]]
            mate((fan, exit_face), (chain[0], _enter(first)), f"/branches/{j}")
            _chain(nodes, chain, flat.pointers, mate)
            _branch_targets(parent_app, end, lanes, seen_lanes, targets, f"/branches/{j}/lanes")
            groups.append(Group(f"branch {j + 1}", (0, end), end))
            branch_lanes.append((end, tuple(lanes)))
    else:
        matings, lanes_per_child, _open = flat.extra
        for k, (left, face_a, right, face_b) in enumerate(matings):
            pointer = f"/matings/{k}"
            for i, face in ((left, face_a), (right, face_b)):
                if face not in nodes[i].product.faces:
                    raise ChannelError(
                        "UNKNOWN_FACE", f"{flat.refs[i]} has no face {face!r}", pointer
                    )
                nodes[i] = _declare(nodes[i], face)
            mate((left, face_a), (right, face_b), pointer)
        ordered = sorted((flat.refs[n], f) for n, f in flat.extra[2])
        for node_index, face in flat.extra[2]:
            pointer = f"/open_faces/{ordered.index((flat.refs[node_index], face))}"
            if face not in nodes[node_index].product.faces:
                raise ChannelError(
                    "UNKNOWN_FACE", f"{flat.refs[node_index]} has no face {face!r}", pointer
                )
            if (node_index, face) in mates:
                raise ChannelError(
                    "FACE_IN_USE", f"face {face} is mated and listed as open", pointer
                )
            nodes[node_index] = _declare(nodes[node_index], face)
        if flat.shape == "graph":
            _aggregate_targets(nodes, 0, 1, targets)
            groups.append(Group("channel", (0, 1), 1))
        else:
            parent_app = nodes[0].application
            assert parent_app is not None
            seen: set[int] = set()
            for j, lanes in enumerate(lanes_per_child):
                end = 1 + j
                _branch_targets(parent_app, end, lanes, seen, targets, f"/children/{j}/lanes")
                groups.append(Group(f"branch {j + 1}", (0, end), end))
                branch_lanes.append((end, tuple(lanes)))
    ends = tuple(n.index for n in nodes if n.is_end)
    return Graph(
        shape="breakout" if flat.shape == "graph-breakout" else flat.shape,
        nodes=tuple(nodes),
        mates=mates,
        matings=tuple(order),
        targets=targets,
        ends=ends,
        groups=tuple(groups),
        branch_lanes=tuple(branch_lanes),
    )


def _branch_targets(
    parent_app: Application,
    end: int,
    lanes: tuple[int, ...],
    seen: set[int],
    targets: dict[tuple[int, int], tuple[int, int, bool]],
    pointer: str,
) -> None:
    """Child lane i of `end` carries parent lane lanes[i]; each parent lane goes to one child."""
    for i, lane in enumerate(lanes):
        if not 0 <= lane < parent_app.lanes or lane in seen:
            raise ChannelError(
                "INVALID_LANE",
                f"lane {lane} is not a free lane of {parent_app.code} (0..{parent_app.lanes - 1})",
                pointer,
            )
        seen.add(lane)
        targets[(0, lane)] = (end, i, True)
        targets[(end, i)] = (0, lane, True)


def _aggregate_targets(
    nodes: list[Node], a: int, b: int, targets: dict[tuple[int, int], tuple[int, int, bool]]
) -> None:
    for x, y in ((a, b), (b, a)):
        app = nodes[x].application
        assert app is not None
        for lane in range(app.lanes):
            targets[(x, lane)] = (y, lane, False)


def _enter(node: Node) -> str:
    assert node.enter is not None
    return node.enter


def _declare(node: Node, face: str) -> Node:
    return Node(
        node.index,
        node.product,
        node.is_end,
        node.enter,
        node.exit,
        node.declared | {face},
        node.application,
        node.layout,
        node.fiber,
    )


def _chain(nodes: list[Node], chain: list[int], pointers: tuple[str, ...], mate: Any) -> None:
    for left, right in zip(chain, chain[1:], strict=False):
        out = nodes[left].exit if not nodes[left].is_end else nodes[left].enter
        into = nodes[right].enter
        assert out is not None
        assert into is not None
        mate((left, out), (right, into), pointers[right])


def _node(index: int, spec: End | ElementSpec, pointer: str, catalog: Catalog, shape: str) -> Node:
    if isinstance(spec, End):
        product = catalog.product(spec.transceiver, f"{pointer}/transceiver")
        if product.kind != "transceiver":
            raise ChannelError(
                "NOT_A_TRANSCEIVER", f"{product.code} is a {product.kind}", f"{pointer}/transceiver"
            )
        face = product.faces.get(spec.receptacle)
        if face is None:
            raise ChannelError(
                "UNKNOWN_FACE",
                f"{product.code} has no receptacle {spec.receptacle!r}",
                f"{pointer}/receptacle",
            )
        app = catalog.application(
            spec.application or product.application or "", f"{pointer}/application"
        )
        layout_name = face.layout
        if layout_name is None:
            family = face.connector.code if face.connector else None
            layout_name = next((lay for fam, lay in app.mdi if fam == family), None)
        if layout_name is None or layout_name not in catalog.layouts:
            raise ChannelError(
                "NO_LAYOUT",
                f"{app.code} has no lane layout for this receptacle",
                f"{pointer}/receptacle",
            )
        return Node(
            index,
            product,
            True,
            spec.receptacle,
            None,
            frozenset({spec.receptacle}),
            app,
            catalog.layouts[layout_name],
        )
    product = catalog.product(spec.product, f"{pointer}/product")
    if product.kind in ("transceiver", "enclosure"):
        raise ChannelError(
            "NOT_AN_ELEMENT",
            f"{product.code} ({product.kind}) cannot be a channel element",
            f"{pointer}/product",
        )
    labels = list(product.faces)
    if product.kind == "cable":
        enter, exit_ = spec.enter or "A1", spec.exit or "B1"
    elif product.kind == "cassette":
        missing_exit = spec.exit is None and shape != "fan-out"
        if (spec.enter is None or missing_exit) and len(labels) != 2 and shape == "aggregate":
            raise ChannelError(
                "FACE_REQUIRED",
                f"{product.code} has {len(labels)} ports: name the enter and exit ports",
                f"{pointer}/{'enter' if spec.enter is None else 'exit'}",
            )
        enter = spec.enter or labels[0]
        exit_ = spec.exit or labels[-1]
    else:
        enter, exit_ = spec.enter or "1", spec.exit or "2"
    for name, label in (("enter", enter), ("exit", exit_)):
        if label not in product.faces:
            raise ChannelError(
                "UNKNOWN_FACE", f"{product.code} has no leg or port {label!r}", f"{pointer}/{name}"
            )
    if shape == "fan-out":
        exit_ = next((label for label in labels if label != enter), exit_)
    if enter == exit_:
        raise ChannelError("UNKNOWN_FACE", "enter and exit are the same face", f"{pointer}/exit")
    declared = frozenset() if shape == "graph" else frozenset({enter, exit_})
    fiber = None
    if product.fiber_type is not None and product.kind in ("cable", "cassette"):
        ft = catalog.fiber_types[product.fiber_type]
        fiber = (ft.mode, ft.core_um, ft.code)
    return Node(index, product, False, enter, exit_, declared, fiber=fiber)
