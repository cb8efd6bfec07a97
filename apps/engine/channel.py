"""The engine's input: a channel in one of three shapes, and the options of a validation.

* `Aggregate(a, elements, b)`: two transceivers joined element by element;
* `Breakout(parent, elements, branches)`: the last element fans out; each `Branch` leaves by one
  of its legs/ports, carries some of the parent's lanes and ends at its own transceiver;
* `GraphChannel(a, b, elements, matings)`: any face graph (used for plant-built channels such as
  one parallel link over two trunks);
* `GraphBreakout(parent, children, elements, matings)`: a breakout as a face graph (the plant's
  stored matings: parent transceiver, harness or cassette fan-out, child transceivers), with the
  parent lanes each child carries.

Refs default to JSON-pointer-like paths into the request ("/elements/3"); callers may set their
own (the plant uses "cable:123").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Basis = Literal["ieee", "tia", "iso", "datasheet"]


@dataclass(frozen=True, slots=True)
class End:
    """A transceiver at one end of a channel (its application defaults to the product's)."""

    transceiver: str
    receptacle: str = "1"
    application: str | None = None
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class ElementSpec:
    """One passive element: cable, cassette/module, bare adapter (or panel port), splice."""

    product: str
    length_m: Decimal | None = None
    enter: str | None = None
    exit: str | None = None
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class Aggregate:
    """Transceiver a to transceiver b through `elements`, in order from a."""

    a: End
    elements: tuple[ElementSpec, ...]
    b: End


@dataclass(frozen=True, slots=True)
class Branch:
    """One branch of a breakout: leaves the fan-out by `exit`; child lane j = parent lanes[j]."""

    exit: str
    lanes: tuple[int, ...]
    elements: tuple[ElementSpec, ...]
    end: End


@dataclass(frozen=True, slots=True)
class Breakout:
    """A parent transceiver, elements ending with the fan-out element, and its branches."""

    parent: End
    elements: tuple[ElementSpec, ...]
    branches: tuple[Branch, ...]


@dataclass(frozen=True, slots=True)
class GraphChannel:
    """Any face graph between two transceivers: matings name (ref, face, ref, face).

    Every element must carry a ref; the ends' refs default to "/a" and "/b". `open_faces` names
    the (ref, face) pairs that are genuinely free (nothing plugged): a lit fibre leaving by one is
    OPEN_FIBER. A fibre leaving by any other unmated face is PATH_MISROUTED (it leaves the channel:
    the face is not on it, e.g. mated to something outside the channel).
    """

    a: End
    b: End
    elements: tuple[ElementSpec, ...]
    matings: tuple[tuple[str, str, str, str], ...]
    open_faces: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True, slots=True)
class GraphChild:
    """One child of a graph breakout: its transceiver; child lane j carries parent lane lanes[j]."""

    end: End
    lanes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class GraphBreakout:
    """A breakout as a face graph: matings name (ref, face, ref, face), like `GraphChannel`.

    Every element must carry a ref; the parent's ref defaults to "/parent", child j's to
    "/children/<j>/end". Findings and per-branch loss are those of the equivalent `Breakout`.
    `open_faces`: the genuinely free faces, as in `GraphChannel`.
    """

    parent: End
    children: tuple[GraphChild, ...]
    elements: tuple[ElementSpec, ...]
    matings: tuple[tuple[str, str, str, str], ...]
    open_faces: frozenset[tuple[str, str]] = frozenset()


Channel = Aggregate | Breakout | GraphChannel | GraphBreakout


@dataclass(frozen=True, slots=True)
class Options:
    """How to validate: attenuation basis, whether MDI matings count, low-margin threshold."""

    basis: Basis = "ieee"
    count_transceiver_matings: bool = False
    low_margin_db: Decimal = field(default=Decimal("0.5"))

    def __post_init__(self) -> None:
        if self.basis not in ("ieee", "tia", "iso", "datasheet"):
            from apps.engine.errors import ChannelError

            raise ChannelError("INVALID_OPTION", f"unknown basis {self.basis!r}", "/options/basis")
        if not isinstance(self.low_margin_db, Decimal):
            object.__setattr__(self, "low_margin_db", Decimal(str(self.low_margin_db)))


def human(ref: str) -> str:
    """A request ref in words, 1-based: "/elements/3" -> "element 4"."""
    parts = ref.strip("/").split("/")
    if ref == "/a":
        return "end A"
    if ref == "/b":
        return "end B"
    if ref == "/parent":
        return "the parent end"
    if len(parts) == 2 and parts[0] == "elements" and parts[1].isdigit():
        return f"element {int(parts[1]) + 1}"
    if len(parts) >= 3 and parts[0] == "branches" and parts[1].isdigit():
        branch = f"branch {int(parts[1]) + 1}"
        if parts[2] == "end":
            return f"the end of {branch}"
        if len(parts) == 4 and parts[2] == "elements" and parts[3].isdigit():
            return f"{branch} element {int(parts[3]) + 1}"
    if len(parts) == 3 and parts[0] == "children" and parts[1].isdigit() and parts[2] == "end":
        return f"child {int(parts[1]) + 1}"
    return ref
