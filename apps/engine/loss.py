"""Loss budget per fibre path (reference §3, §8): integer nano-dB inside.

A path's loss: every mated pair it crosses (the worse grade of the two plugs; max for the budget,
typical as information), a cassette's vendor figure instead of its two pairs, splices, and each
cable's length × α at the application's wavelength for the chosen basis. MDI matings count only if
the option says so (IEEE leaves them out). The channel's (or branch's) figure is its worst path.
The plan (everything but lengths) is memoised with the verdict; `evaluate()` runs per call.
"""

from __future__ import annotations

from dataclasses import dataclass

from apps.engine.catalog import Application, Catalog, FiberType, Limits
from apps.engine.channel import Options
from apps.engine.findings import Draft
from apps.engine.graph import Graph, Group
from apps.engine.tracing import LaneTrace

# (node, kind, max nano-dB, typ nano-dB, grade, note)
Item = tuple[int, str, int | None, int | None, str | None, str]


def fiber_of(graph: Graph, node: int) -> tuple[str, str, str] | None:
    """(mode, core, fibre type code) of a cable or cassette node, else None."""
    return graph.nodes[node].fiber


@dataclass(frozen=True, slots=True)
class PathPlan:
    """A path's loss without lengths: fixed items and its cables with their α."""

    trace: int
    items: tuple[Item, ...]
    fixed_max: int
    fixed_typ: int
    cables: tuple[tuple[int, int | None, str], ...]  # (node, α milli-dB/km, note)


@dataclass(frozen=True, slots=True)
class GroupPlan:
    """A channel's or branch's loss plan: its paths, limits and the fibre types present."""

    group: Group
    application: str
    paths: tuple[PathPlan, ...]
    fiber_type: str | None
    limits: Limits | None
    min_length_mm: int | None
    sources: tuple[str, ...]
    verified: bool
    drafts: tuple[Draft, ...]


def band(ft: FiberType, basis: str, wavelength_nm: int) -> int | None:
    """The attenuation band of `ft` that covers `wavelength_nm` (850, 1300, 1310, 1550)."""
    table = ft.attenuation.get(basis) or ft.attenuation.get("ieee") or {}
    if wavelength_nm in table:
        return wavelength_nm
    if 800 <= wavelength_nm <= 990:
        wanted = 850
    elif 1200 <= wavelength_nm <= 1400:
        wanted = 1300 if ft.mode == "multimode" else 1310
    else:
        wanted = 1550
    return wanted if wanted in table else None


def alpha(
    catalog: Catalog, fiber: str, app: Application, options: Options, cable_alpha: int | None
) -> tuple[int | None, str]:
    """α in milli-dB/km for a cable of `fiber` under `app` and the option's basis, with a note."""
    ft = catalog.fiber_types[fiber]
    basis = options.basis
    note = ""
    if basis == "datasheet":
        if cable_alpha is not None:
            return cable_alpha, "datasheet α"
        basis, note = "ieee", "no datasheet α: IEEE basis used"
    key = band(ft, basis, app.wavelength_nm)
    value = None if key is None else (ft.attenuation.get(basis) or {}).get(key)
    clause = app.attenuation_mdb_per_km
    if basis == "ieee" and clause is not None and (value is None or clause > value):
        return clause, (note or f"{app.code} clause α")
    return value, note or f"{basis} α at {key} nm"


def _grade(
    catalog: Catalog, codes: list[str | None], loss_class: str
) -> tuple[str | None, int | None, int | None, str]:
    known = [catalog.grades[c] for c in codes if c is not None and c in catalog.grades]
    note = ""
    if len(known) < len(codes):
        known = [max(catalog.grades.values(), key=lambda g: g.rank)] if catalog.grades else []
        note = "grade unknown: worst grade used"
    if not known:
        return None, None, None, "no loss grades in the catalog"
    worst = max(known, key=lambda g: g.rank)
    figures = worst.pairs.get(loss_class, (None, None))
    return worst.code, figures[0], figures[1], note


def path_plan(
    catalog: Catalog,
    graph: Graph,
    number: int,
    trace: LaneTrace,
    app: Application,
    options: Options,
) -> PathPlan:
    """The loss plan of one traced path."""
    items: list[Item] = []
    for crossing in trace.crossings:
        left, right = graph.matings[crossing.mating]
        nodes = (graph.nodes[left[0]], graph.nodes[right[0]])
        faces = (nodes[0].product.faces[left[1]], nodes[1].product.faces[right[1]])
        roles = {faces[0].role, faces[1].role}
        if roles != {"plug", "port"}:
            continue
        port_side = 0 if faces[0].role == "port" else 1
        port_node = nodes[port_side]
        if port_node.is_end and not options.count_transceiver_matings:
            continue
        if port_node.product.vendor_loss is not None:
            continue
        connector = faces[port_side].connector
        assert connector is not None
        grade, mx, typ, note = _grade(
            catalog, [faces[0].grade, faces[1].grade], connector.loss_class
        )
        items.append(
            (
                port_node.index,
                "mated pair",
                mx,
                typ,
                grade,
                note or f"{connector.code} {faces[port_side].label}",
            )
        )
    cables: list[tuple[int, int | None, str]] = []
    for node_index in trace.nodes:
        node = graph.nodes[node_index]
        product = node.product
        if product.kind == "cable":
            assert product.fiber_type is not None
            value, note = alpha(
                catalog, product.fiber_type, app, options, product.attenuation_mdb_per_km
            )
            cables.append((node_index, value, note))
        elif product.kind == "cassette" and product.vendor_loss is not None:
            items.append(
                (
                    node_index,
                    "cassette",
                    product.vendor_loss[0],
                    product.vendor_loss[1],
                    product.grade,
                    "vendor figure replaces its two mated pairs",
                )
            )
        elif product.kind in ("adapter", "panel"):
            one, two = graph.mates.get((node_index, "1")), graph.mates.get((node_index, "2"))
            if one is None or two is None:
                continue
            plugs = [graph.nodes[k[0]].product.faces[k[1]] for k in (one, two)]
            connector = product.faces["1"].connector
            assert connector is not None
            grade, mx, typ, note = _grade(catalog, [p.grade for p in plugs], connector.loss_class)
            items.append(
                (node_index, "mated pair", mx, typ, grade, note or f"{connector.code} adapter")
            )
        elif product.kind == "splice":
            mx, typ = product.splice_loss or (None, None)
            items.append(
                (node_index, "splice", mx, typ, None, str(product.record.get("splice") or "splice"))
            )
    return PathPlan(
        trace=number,
        items=tuple(items),
        fixed_max=sum(i[2] or 0 for i in items),
        fixed_typ=sum(i[3] or 0 for i in items),
        cables=tuple(cables),
    )


def _in_group(graph: Graph, group: Group, trace: LaneTrace) -> bool:
    x, y = group.ends
    if trace.source == y:
        return True
    target = graph.targets.get((trace.source, trace.lane))
    return trace.source == x and target is not None and target[0] == y


def _limit_sources(app: Application, fiber: str) -> tuple[list[str], bool]:
    record = app.record
    prefixes = ("limits", f"limits.{fiber}", f"limits.{fiber}.il_db", f"limits.{fiber}.reach_m")
    sources = [
        f"{app.code}:{path}={marker}"
        for path, marker in record.get("sources", {}).items()
        if path in prefixes
    ]
    if record.get("source"):
        sources.append(f"{app.code}={record['source']}")
    unverified = set(record.get("unverified_fields", []))
    verified = not (unverified & {*prefixes, "*"})
    return sources, verified


def group_plans(
    catalog: Catalog, graph: Graph, traces: list[LaneTrace], options: Options
) -> tuple[GroupPlan, ...]:
    """The loss plan of every group (the channel, or each branch of a breakout)."""
    plans = []
    for group in graph.groups:
        x, y = group.ends
        app = graph.nodes[x].application
        assert app is not None
        members = [i for i, t in enumerate(traces) if _in_group(graph, group, t)]
        paths = tuple(path_plan(catalog, graph, i, traces[i], app, options) for i in members)
        drafts: list[Draft] = []
        present: dict[str, int] = {}
        for i in members:
            for node_index in traces[i].nodes:
                fiber = graph.nodes[node_index].fiber
                if fiber is not None:
                    present.setdefault(fiber[2], node_index)
        end_apps = [graph.nodes[n].application for n in (x, y)]
        apps = [a for a in end_apps if a is not None]
        for code, node_index in present.items():
            for end_app in apps:
                if code not in end_app.limits:
                    drafts.append(
                        Draft("FIBER_TYPE_UNSUPPORTED", node_index, None,
                              detail=f"{end_app.code} has no limits on {code}")
                    )  # fmt: skip
        by_medium: dict[tuple[str, str], list[str]] = {}
        for code in present:
            ft = catalog.fiber_types[code]
            by_medium.setdefault((ft.mode, ft.core_um), []).append(code)
        for codes in by_medium.values():
            if len(codes) > 1:
                drafts.append(
                    Draft("FIBER_GRADE_MIXED", present[codes[1]], None,
                          detail=f"{' and '.join(codes)} are mixed: limits use the worst grade")
                )  # fmt: skip
        worst, limits, sources, verified = _limits(catalog, graph, group, present, apps, drafts)
        min_lengths = [a.min_length_mm for a in apps if a.min_length_mm is not None]
        for path in paths:
            for node_index, kind, mx, _typ, grade, note in path.items:
                if mx is None:
                    drafts.append(
                        Draft("LIMIT_UNKNOWN", node_index, None,
                              detail=f"no maximum loss for this {kind} ({grade or note})")
                    )  # fmt: skip
            for node_index, value, note in path.cables:
                if value is None:
                    drafts.append(
                        Draft("LIMIT_UNKNOWN", node_index, None,
                              detail=f"no attenuation for this cable ({note}): fibre loss counts 0")
                    )  # fmt: skip
        drafts.extend(_reflectance(graph, apps, [traces[i] for i in members]))
        plans.append(
            GroupPlan(
                group=group,
                application=app.code,
                paths=paths,
                fiber_type=worst,
                limits=limits,
                min_length_mm=max(min_lengths) if min_lengths else None,
                sources=tuple(sources),
                verified=verified,
                drafts=tuple(drafts),
            )
        )
    return tuple(plans)


def _limits(
    catalog: Catalog,
    graph: Graph,
    group: Group,
    present: dict[str, int],
    apps: list[Application],
    drafts: list[Draft],
) -> tuple[str | None, Limits | None, list[str], bool]:
    """The worst fibre type present and the tightest limits of the group's ends on it."""
    supported = [c for c in present if all(c in a.limits for a in apps)]
    if not supported or len(supported) < len(present):
        return None, None, [], True

    def rank(code: str) -> tuple[int, int, int]:
        ft = catalog.fiber_types[code]
        reach = min((a.limits[code].reach_mm or 10**12) for a in apps)
        il = min((a.limits[code].il_ndb or 10**15) for a in apps)
        return (ft.modal_bandwidth_mhz_km or 10**9, reach, il)

    worst = min(supported, key=rank)
    reaches: list[int | None] = []
    ils: list[int | None] = []
    sources: list[str] = []
    verified = True
    for node_index in group.ends:
        node = graph.nodes[node_index]
        assert node.application is not None
        base = node.application.limits[worst]
        override = node.product.overrides.get(worst)
        reach = override.reach_mm if override and override.reach_mm is not None else base.reach_mm
        il = override.il_ndb if override and override.il_ndb is not None else base.il_ndb
        reaches.append(reach)
        ils.append(il)
        more, ok = _limit_sources(node.application, worst)
        if override is not None:
            more.append(f"{node.product.code}:overrides.{worst}")
            ok = ok and node.product.verified
        sources.extend(s for s in more if s not in sources)
        verified = verified and ok
    known_reach = [r for r in reaches if r is not None]
    known_il = [v for v in ils if v is not None]
    report = group.report_node
    if len(known_reach) < len(reaches):
        drafts.append(
            Draft("LIMIT_UNKNOWN", report, None, detail=f"no reach on {worst} in the reference")
        )
    if len(known_il) < len(ils):
        drafts.append(
            Draft(
                "LIMIT_UNKNOWN", report, None, detail=f"no channel IL on {worst} in the reference"
            )
        )
    limits = Limits(
        reach_mm=min(known_reach) if known_reach else None,
        il_ndb=min(known_il) if known_il else None,
    )
    return worst, limits, sources, verified


def _reflectance(graph: Graph, apps: list[Application], traces: list[LaneTrace]) -> list[Draft]:
    if not any(a.modulation == "pam4" and a.mode == "singlemode" for a in apps):
        return []
    out: list[Draft] = []
    done: set[int] = set()
    for trace in traces:
        for crossing in trace.crossings:
            if crossing.mating in done:
                continue
            done.add(crossing.mating)
            left, right = graph.matings[crossing.mating]
            faces = [graph.nodes[k[0]].product.faces[k[1]] for k in (left, right)]
            mpo = any(f.connector is not None and f.connector.loss_class == "mpo" for f in faces)
            upc = [
                f.endface
                for f in faces
                if f.role in ("plug", "port") and f.endface in ("PC", "UPC")
            ]
            if mpo and upc:
                out.append(
                    Draft("REFLECTANCE_RISK", right[0], right[1],
                          detail=f"a {upc[0]} MPO mating in a PAM4 single-mode channel: use APC")
                )  # fmt: skip
    return out
