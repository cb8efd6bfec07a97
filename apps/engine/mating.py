"""Checks at every mating: connector family and key, gender, end-face, fibre type.

A plug meets a port (transceiver receptacle, cassette port through its built-in adapter) or another
plug through a bare adapter. Two plugs with nothing between, or two ports, cannot mate. Fibre type
is checked across every mating, looking through adapters and splices, including the transceivers'
media (their application's mode and core).
"""

from __future__ import annotations

from apps.engine.catalog import Face, Product
from apps.engine.findings import Draft
from apps.engine.graph import FaceKey, Graph

KUKU = "key-up-key-up"


def _sources(product: Product) -> tuple[str, ...]:
    record = product.record
    out = [f"{product.code}:{path}={marker}" for path, marker in record.get("sources", {}).items()]
    if record.get("source"):
        out.append(f"{product.code}={record['source']}")
    return tuple(out)


def mating_checks(graph: Graph) -> list[Draft]:
    """Findings for every mating of the graph (at the later node of each mating)."""
    drafts: list[Draft] = []
    for k, (left, right) in enumerate(graph.matings):
        drafts.extend(_pair(graph, k, left, right))
    for node in graph.nodes:
        if node.product.kind in ("adapter", "panel"):
            drafts.extend(_through_adapter(graph, node.index))
    drafts.extend(_fiber_types(graph))
    return drafts


def _face(graph: Graph, key: FaceKey) -> Face:
    return graph.nodes[key[0]].product.faces[key[1]]


def _draft(graph: Graph, code: str, key: FaceKey, matings: set[int], detail: str) -> Draft:
    product = graph.nodes[key[0]].product
    return Draft(
        code=code,
        node=key[0],
        face=key[1],
        detail=detail,
        matings=frozenset(matings),
        sources=_sources(product),
        verified=product.verified,
    )


def _name(face: Face) -> str:
    family = face.connector.code if face.connector else "splice"
    return f"{family} {face.role} {face.label}"


def _pair(graph: Graph, k: int, left: FaceKey, right: FaceKey) -> list[Draft]:
    a, b = _face(graph, left), _face(graph, right)
    roles = (a.role, b.role)
    here = right
    if "splice" in roles:
        if set(roles) == {"splice", "plug"}:
            return []
        return [
            _draft(
                graph, "CONNECTOR_MISMATCH", here, {k}, f"a splice joins {_name(a)} and {_name(b)}"
            )
        ]
    if roles == ("plug", "plug"):
        return [
            _draft(graph, "CONNECTOR_MISMATCH", here, {k},
                   "two plugs meet with nothing between: an adapter is missing")
        ]  # fmt: skip
    if set(roles) not in ({"plug", "port"}, {"plug", "adapter"}):
        return [
            _draft(graph, "CONNECTOR_MISMATCH", here, {k},
                   f"{_name(a)} cannot mate with {_name(b)}: a cable is missing")
        ]  # fmt: skip
    assert a.connector is not None
    assert b.connector is not None
    out: list[Draft] = []
    if not a.connector.mates_with(b.connector):
        out.append(
            _draft(graph, "CONNECTOR_MISMATCH", here, {k},
                   f"a {a.connector.code} cannot mate with a {b.connector.code}")
        )  # fmt: skip
    if "adapter" in roles:
        return out  # gender and end-face are checked plug to plug across the adapter
    plug, port = (a, b) if a.role == "plug" else (b, a)
    out.extend(_gender_endface(graph, here, {k}, plug, port))
    if port.adapter == KUKU and plug.endface == "APC":
        out.append(
            _draft(graph, "CONNECTOR_MISMATCH", here, {k},
                   "an APC plug in a key-up/key-up adapter: the 8° faces meet as a wedge")
        )  # fmt: skip
    return out


def _gender_endface(
    graph: Graph, here: FaceKey, matings: set[int], a: Face, b: Face
) -> list[Draft]:
    out = []
    gendered = a.connector is not None and a.connector.gendered
    gendered = gendered and b.connector is not None and b.connector.gendered
    if gendered and a.gender is not None and a.gender == b.gender:
        what = "pinned" if a.gender == "male" else "unpinned"
        out.append(
            _draft(graph, "GENDER_CONFLICT", here, matings,
                   f"two {what} ({a.gender}) connectors meet")
        )  # fmt: skip
    if a.endface and b.endface and (a.endface == "APC") != (b.endface == "APC"):
        out.append(
            _draft(graph, "ENDFACE_MISMATCH", here, matings,
                   f"an {a.endface} end-face meets an {b.endface} one")
        )  # fmt: skip
    return out


def _through_adapter(graph: Graph, node: int) -> list[Draft]:
    one, two = graph.mates.get((node, "1")), graph.mates.get((node, "2"))
    if one is None or two is None:
        return []
    a, b = _face(graph, one), _face(graph, two)
    if a.role != "plug" or b.role != "plug":
        return []
    index = {key: k for k, pair in enumerate(graph.matings) for key in pair}
    matings = {index[(node, "1")], index[(node, "2")]}
    here = (node, "2")
    out = _gender_endface(graph, here, matings, a, b)
    adapter = graph.nodes[node].product.faces["1"]
    apc_capable = graph.nodes[node].product.record.get("apc_capable", adapter.adapter != KUKU)
    if (adapter.adapter == KUKU or not apc_capable) and "APC" in (a.endface, b.endface):
        out.append(
                _draft(graph, "CONNECTOR_MISMATCH", here, matings,
                       "APC plugs in a key-up/key-up adapter: the 8° faces meet as a wedge")
            )  # fmt: skip
    return out


def medium(graph: Graph, node: int) -> tuple[str, str, str] | None:
    """(mode, core, fibre type or application) of a node; None for adapters and splices."""
    n = graph.nodes[node]
    if n.is_end:
        assert n.application is not None
        return n.application.mode, n.application.core_um, n.application.code
    return n.fiber


def _fiber_types(graph: Graph) -> list[Draft]:
    """FIBER_TYPE_MISMATCH across every mating, looking through adapters and splices.

    Fibre meets fibre: the mode and core must match (50 with 62.5 µm anywhere is a mismatch). A
    transceiver meets fibre: its application runs on every fibre type its limits list (10GBASE-SR
    on 62.5 µm OM1); an unlisted type of another mode is a mismatch, an unlisted type of the same
    mode is left to FIBER_TYPE_UNSUPPORTED (the loss plan).
    """

    def look(key: FaceKey) -> tuple[int, tuple[str, str, str]] | None:
        """Medium seen through `key`'s node, looking through adapters and splices."""
        for _ in range(len(graph.nodes)):
            node = graph.nodes[key[0]]
            found = medium(graph, key[0])
            if found is not None:
                return key[0], found
            if node.product.kind not in ("adapter", "panel", "splice"):
                return None
            other = "2" if key[1] == "1" else "1"
            nxt = graph.mates.get((key[0], other))
            if nxt is None:
                return None
            key = nxt
        return None

    out = []
    for k, (left, right) in enumerate(graph.matings):
        if graph.nodes[right[0]].product.kind in ("adapter", "panel", "splice"):
            continue
        seen_left = look(left)
        seen_right = look(right)
        if seen_left is None or seen_right is None:
            continue
        (node_a, (mode_a, core_a, name_a)), (node_b, (mode_b, core_b, name_b)) = (
            seen_left,
            seen_right,
        )
        end_a, end_b = graph.nodes[node_a], graph.nodes[node_b]
        if end_a.is_end != end_b.is_end:
            end, fibre_mode, fibre = (
                (end_a, mode_b, name_b) if end_a.is_end else (end_b, mode_a, name_a)
            )
            assert end.application is not None
            if fibre in end.application.limits or fibre_mode == end.application.mode:
                continue
        elif mode_a == mode_b and core_a == core_b:
            continue
        detail = f"{name_a} ({mode_a}, {core_a} µm) meets {name_b} ({mode_b}, {core_b} µm)"
        out.append(_draft(graph, "FIBER_TYPE_MISMATCH", right, {k}, detail))
    return out
