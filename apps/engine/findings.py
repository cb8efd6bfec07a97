"""Finding codes (part of the API: a code's meaning never changes) and the internal draft form."""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR, WARNING = "error", "warning"

CODES: dict[str, tuple[str, str]] = {
    # mating checks (blocking: later findings on the same path are their consequence)
    "GENDER_CONFLICT": (ERROR, "male meets male or female meets female"),
    "ENDFACE_MISMATCH": (ERROR, "an APC end-face meets a PC/UPC one"),
    "CONNECTOR_MISMATCH": (ERROR, "cannot mate (family, key, APC in type B, nothing between)"),
    "FIBER_TYPE_MISMATCH": (ERROR, "single-mode meets multimode, or 50 µm meets 62.5 µm"),
    "FIBER_GRADE_MIXED": (WARNING, "OM grades are mixed; limits use the worst grade present"),
    # applications
    "APPLICATION_MISMATCH": (ERROR, "the ends run different applications that do not interoperate"),
    "BREAKOUT_UNSUPPORTED": (ERROR, "the parent application has no such breakout"),
    "FIBER_TYPE_UNSUPPORTED": (ERROR, "the application has no limits on this fibre type"),
    "REACH_EXCEEDED": (ERROR, "the channel is longer than the application's reach"),
    "BELOW_MIN_LENGTH": (WARNING, "the channel is shorter than the application's minimum length"),
    "LOSS_BUDGET_EXCEEDED": (ERROR, "the worst path's maximum loss exceeds the channel IL"),
    "LOW_MARGIN": (WARNING, "the loss margin is below the threshold"),
    "UNKNOWN_LENGTH": (WARNING, "a cable has no length: fibre loss counts 0, reach unchecked"),
    "LIMIT_UNKNOWN": (WARNING, "the reference gives no value the check needs"),
    "REFLECTANCE_RISK": (WARNING, "a PC/UPC MPO mating in a PAM4 single-mode channel"),
    "PARALLEL_SPLIT": (WARNING, "one parallel channel's lanes run over different trunk cables"),
    # trace outcomes
    "POLARITY_REVERSED": (ERROR, "a transmitter lands on a transmitter"),
    "LANE_MISMATCH": (ERROR, "lands on another lane's receiver or an unused position"),
    "LANE_ORDER": (WARNING, "lanes are permuted; the aggregate PMD re-orders them"),
    "OPEN_FIBER": (ERROR, "a lit fibre ends at an unmated face or a dark position"),
    "PATH_MISROUTED": (ERROR, "the fibre leaves an element by another face than the next hop"),
    # permanent links and halls (apps.engine.permanent)
    "PERMANENT_LINK_POLARITY": (ERROR, "with the method's standard cords, Tx meets Tx (or misses)"),
    "TIER1_LIMIT_EXCEEDED": (WARNING, "a link's worst-case loss exceeds its Tier-1 test limit"),
    "MIXED_POLARITY_METHODS": (WARNING, "a hall mixes polarity methods or module types"),
}  # fmt: skip

BLOCKING = frozenset(
    {"GENDER_CONFLICT", "ENDFACE_MISMATCH", "CONNECTOR_MISMATCH", "FIBER_TYPE_MISMATCH"}
)
TRACE_CODES = frozenset(
    {"POLARITY_REVERSED", "LANE_MISMATCH", "LANE_ORDER", "OPEN_FIBER", "PATH_MISROUTED"}
)


def severity(code: str) -> str:
    """The severity of a finding code."""
    return CODES[code][0]


@dataclass(slots=True)
class Draft:
    """A finding before rendering: node indices instead of refs, `{n<i>}` placeholders in text."""

    code: str
    node: int
    face: str | None
    positions: list[int] = field(default_factory=list)
    detail: str = ""
    matings: frozenset[int] = frozenset()
    sources: tuple[str, ...] = ()
    verified: bool = True
    consequence_of: int | None = None
    path_matings: tuple[int, ...] = ()
