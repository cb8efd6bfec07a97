"""validate(channel, catalog, options) -> Report: the one entry point of the engine.

The verdict (trace, mating and application findings, fixes, loss plans) depends only on the
products (code + revision), the faces entered and left, the applications and the options: it is
memoised per catalog under that key. Lengths change per link, so the loss itself is evaluated on
every call, in integers (milli-dB/km × mm = nano-dB).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from apps.engine.catalog import Catalog
from apps.engine.channel import Channel, Options, human
from apps.engine.findings import BLOCKING, TRACE_CODES, Draft, severity
from apps.engine.graph import Flat, Graph, compile_graph, flatten, lengths_mm
from apps.engine.loss import GroupPlan, group_plans
from apps.engine.lossfix import LossFix, loss_fix, reach_fix
from apps.engine.mating import mating_checks
from apps.engine.report import (
    Basis,
    Change,
    Finding,
    Fix,
    Hop,
    LaneTrace,
    LossItem,
    Outcome,
    PathLoss,
    Report,
)
from apps.engine.tracing import LaneTrace as RawTrace
from apps.engine.tracing import trace_all
from apps.engine.units import db_to_ndb, fiber_colour, mm_to_m, ndb_to_db


@dataclass(frozen=True, slots=True)
class FixDraft:
    """A fix before rendering: (node, product, enter, exit) changes and a `{n<i>}` message."""

    changes: tuple[tuple[int, str | None, str | None, str | None], ...]
    message: str
    # graph breakout swaps: (node, face, child node, child face): plug that face into that child
    remates: tuple[tuple[int, str, int, str], ...] = ()


@dataclass(slots=True)
class Verdict:
    """Everything about a channel that does not depend on lengths."""

    graph: Graph
    traces: tuple[RawTrace, ...]
    drafts: tuple[Draft, ...]
    plans: tuple[GroupPlan, ...]
    failures: int
    fix: FixDraft | None
    fix_searched: bool
    # per-verdict caches: blocking matings and grade upgrades (ref-free), and the rendered
    # findings and traces of the last few refs (bounded: plant refs rarely repeat)
    cache: dict[Any, Any] = field(default_factory=dict)
    rendered: dict[Any, Any] = field(default_factory=dict)


def validate(
    channel: Channel, catalog: Catalog, options: Options | None = None, *, trace: bool = True
) -> Report:
    """Trace, check and budget one channel against the catalog.

    `trace=False` (audits): the same findings, fixes and loss, but `Report.trace` is empty; the
    lane traces (the per-hop rendering with refs and colours) are not built.
    """
    options = options or Options()
    flat = flatten(channel, catalog)
    lengths = lengths_mm(flat)
    verdict = verdict_for(flat, catalog, options, fixes=True)
    return _render(verdict, flat, lengths, options, catalog, trace=trace)


def verdict_for(flat: Flat, catalog: Catalog, options: Options, *, fixes: bool) -> Verdict:
    """The memoised verdict of a flattened channel (searching a fix if asked and needed)."""
    key = (flat.key, options)
    memo = catalog.verdicts
    verdict: Verdict | None = memo.get(key)
    if verdict is None:
        verdict = _verdict(flat, catalog, options)
        memo[key] = verdict
        if len(memo) > memo.limit:
            memo.popitem(last=False)  # least recently used
    else:
        memo.move_to_end(key)
    if fixes and not verdict.fix_searched:
        verdict.fix_searched = True
        if verdict.failures:
            from apps.engine.fixes import find_fix

            verdict.fix = find_fix(flat, catalog, options, verdict)
    return verdict


def _verdict(flat: Flat, catalog: Catalog, options: Options) -> Verdict:
    graph = compile_graph(flat, catalog)
    traces = trace_all(graph)
    drafts = mating_checks(graph)
    drafts.extend(_application_checks(graph))
    drafts.extend(_parallel_split(graph, traces))
    plans = group_plans(catalog, graph, traces, options)
    for plan in plans:
        drafts.extend(plan.drafts)
    for trace in traces:
        if trace.code is not None:
            node, face, position = trace.at
            drafts.append(
                Draft(
                    trace.code,
                    node,
                    face,
                    [position],
                    f"lane {trace.lane} ({trace.band_nm} nm) from {{n{trace.source}}} "
                    + trace.detail,
                    path_matings=tuple(c.mating for c in trace.crossings),
                )
            )
    grouped = _group(drafts, graph, traces)
    failures = sum(1 for t in traces if t.code is not None and severity(t.code) == "error")
    failures += sum(1 for d in grouped if severity(d.code) == "error" and d.code not in TRACE_CODES)
    return Verdict(graph, tuple(traces), tuple(grouped), plans, failures, None, False)


def _application_checks(graph: Graph) -> list[Draft]:
    out: list[Draft] = []
    first = graph.nodes[graph.ends[0]].application
    assert first is not None
    if graph.shape != "breakout":
        other = graph.nodes[graph.ends[1]].application
        assert other is not None
        if first.code != other.code and not (
            other.code in first.interoperates or first.code in other.interoperates
        ):
            out.append(
                Draft("APPLICATION_MISMATCH", graph.ends[1], None,
                      detail=f"{first.code} at one end, {other.code} at the other")
            )  # fmt: skip
        return out
    for end, lanes in graph.branch_lanes:
        child = graph.nodes[end].application
        assert child is not None
        allowed = any(child.code in children for children, _legs, _per_leg in first.breakouts)
        if not allowed:
            allowed = any(
                code in child.interoperates
                for children, _l, _p in first.breakouts
                for code in children
            )
        reason = ""
        if first.wdm:
            reason = f"{first.code} is WDM: no breakout is possible"
        elif not allowed:
            reason = f"{first.code} has no breakout to {child.code}"
        elif len(lanes) != child.lanes:
            reason = f"the branch carries {len(lanes)} lanes, {child.code} has {child.lanes}"
        if reason:
            out.append(Draft("BREAKOUT_UNSUPPORTED", end, None, detail=reason))
    return out


def _parallel_split(graph: Graph, traces: list[RawTrace]) -> list[Draft]:
    """One parallel (multi-lane, single-wavelength) channel over different cables: skew risk."""
    if graph.shape == "breakout":
        return _parallel_split_breakout(graph, traces)
    app = graph.nodes[graph.ends[0]].application
    assert app is not None
    if app.lanes < 2 or app.wdm:
        return []
    sets = [
        frozenset(n for n in t.nodes if graph.nodes[n].product.kind == "cable")
        for t in traces
        if t.code is None or t.code == "LANE_ORDER"
    ]
    if len(set(sets)) <= 1:
        return []
    common = frozenset.intersection(*sets)
    split = sorted(set().union(*sets) - common)
    return [
        Draft("PARALLEL_SPLIT", split[0], None,
              detail=f"the lanes run over {len(split)} different cables: skew risk")
    ]  # fmt: skip


def _parallel_split_breakout(graph: Graph, traces: list[RawTrace]) -> list[Draft]:
    """A breakout's parent side, and each multi-lane branch, must keep its lanes together.

    Parent side: a cable carrying lanes of two or more branches is before the fan-out; every
    parent lane must run through it. A branch of several lanes: all on the same cables.
    """
    parent = graph.ends[0]
    app = graph.nodes[parent].application
    assert app is not None
    if app.lanes < 2 or app.wdm:
        return []
    cables: dict[int, frozenset[int]] = {}
    branch_of: dict[int, int] = {}
    for trace in traces:
        if trace.source != parent or trace.code not in (None, "LANE_ORDER"):
            continue
        target = graph.targets.get((parent, trace.lane))
        if target is None:
            continue
        cables[trace.lane] = frozenset(
            n for n in trace.nodes if graph.nodes[n].product.kind == "cable"
        )
        branch_of[trace.lane] = target[0]
    if len(cables) < 2:
        return []
    carried: dict[int, set[int]] = {}
    for lane, nodes in cables.items():
        for node in nodes:
            carried.setdefault(node, set()).add(branch_of[lane])
    shared = sorted(n for n, branches in carried.items() if len(branches) > 1)
    split = [n for n in shared if any(n not in nodes for nodes in cables.values())]
    if split:
        return [
            Draft("PARALLEL_SPLIT", split[0], None,
                  detail=f"the parent's lanes run over {len(split) + 1} or more different cables"
                  " before the fan-out: skew risk")
        ]  # fmt: skip
    for end in sorted(set(branch_of.values())):
        sets = {nodes for lane, nodes in cables.items() if branch_of[lane] == end}
        if len(sets) > 1:
            odd = sorted(set().union(*sets) - frozenset.intersection(*sets))
            return [
                Draft("PARALLEL_SPLIT", odd[0], None,
                      detail=f"the lanes of {{n{end}}} run over different cables: skew risk")
            ]  # fmt: skip
    return []


def _group(drafts: list[Draft], graph: Graph, traces: list[RawTrace]) -> list[Draft]:
    """Merge identical findings (same code, same element) and mark consequences."""
    merged: dict[tuple[str, int], Draft] = {}
    details: dict[tuple[str, int], list[str]] = {}
    for draft in drafts:
        key = (draft.code, draft.node)
        found = merged.get(key)
        if found is None:
            merged[key] = Draft(
                draft.code, draft.node, draft.face, list(draft.positions), draft.detail,
                draft.matings, draft.sources, draft.verified, None, draft.path_matings,
            )  # fmt: skip
            details[key] = [draft.detail]
            continue
        found.positions.extend(p for p in draft.positions if p not in found.positions)
        found.matings = found.matings | draft.matings
        if draft.detail not in details[key]:
            details[key].append(draft.detail)
    out = list(merged.values())
    for key, draft in zip(merged, out, strict=True):
        if len(details[key]) > 1 and draft.code in TRACE_CODES:
            draft.detail = f"{len(details[key])} fibres: " + "; ".join(details[key][:4])
        elif len(details[key]) > 1:
            draft.detail = "; ".join(details[key])
    # mating findings: the positions that cross them
    for draft in out:
        if draft.matings and not draft.positions:
            positions: set[int] = set()
            for trace in traces:
                for crossing in trace.crossings:
                    if crossing.mating in draft.matings:
                        left, right = graph.matings[crossing.mating]
                        if left[0] == draft.node:
                            positions.add(crossing.left)
                        elif right[0] == draft.node and crossing.right is not None:
                            positions.add(crossing.right)
            draft.positions = sorted(positions)
    blocking: dict[int, int] = {}
    for index, draft in enumerate(out):
        if draft.code in BLOCKING:
            for mating in draft.matings:
                blocking.setdefault(mating, index)
    if blocking:
        for draft in out:
            if draft.code in TRACE_CODES:
                for mating in draft.path_matings:
                    if mating in blocking:
                        draft.consequence_of = blocking[mating]
                        break
    _unsupported_after_mismatch(out, graph)
    return out


def _unsupported_after_mismatch(out: list[Draft], graph: Graph) -> None:
    """A fibre of the wrong mode or core is one fault: FIBER_TYPE_UNSUPPORTED on an element
    that is part of a FIBER_TYPE_MISMATCH is marked as its consequence."""
    causes: dict[int, int] = {}
    for index, draft in enumerate(out):
        if draft.code == "FIBER_TYPE_MISMATCH":
            causes.setdefault(draft.node, index)
            for mating in draft.matings:
                left, right = graph.matings[mating]
                causes.setdefault(left[0], index)
                causes.setdefault(right[0], index)
    for draft in out:
        if draft.code == "FIBER_TYPE_UNSUPPORTED" and draft.consequence_of is None:
            draft.consequence_of = causes.get(draft.node)


# --- rendering -----------------------------------------------------------------------------------


def _render(
    verdict: Verdict,
    flat: Flat,
    lengths: tuple[int | None, ...],
    options: Options,
    catalog: Catalog,
    *,
    trace: bool = True,
) -> Report:
    refs = flat.refs
    names = _Names(refs)
    cache = verdict.cache
    renders = verdict.rendered
    if len(renders) >= RENDER_CACHE_LIMIT:
        renders.clear()
    rendered = renders.get(refs)
    if rendered is None:
        fix = _fix(verdict.fix, refs, names)
        rendered = renders[refs] = tuple(_finding(d, refs, fix, names) for d in verdict.drafts)
    lanes: tuple[LaneTrace, ...] = ()
    if trace:
        cached: tuple[LaneTrace, ...] | None = renders.get((refs, "trace"))
        if cached is None:
            cached = renders[(refs, "trace")] = tuple(
                _lane(t, verdict.graph, refs) for t in verdict.traces
            )
        lanes = cached
    findings = list(rendered)
    loss: list[PathLoss] = []
    blocking = cache.get("blocking")
    if blocking is None:
        blocking = cache["blocking"] = _blocking(verdict)
    for number, plan in enumerate(verdict.plans):
        path_loss, drafts = _evaluate(plan, verdict.graph, lengths, refs, options)
        loss.append(path_loss)
        if not drafts:
            continue
        cause = _loss_cause(plan, verdict, blocking)
        for draft in drafts:
            own: Fix | None = None
            if draft.code in LOSS_CONSEQUENCES and cause is not None:
                draft.consequence_of = cause
            elif draft.code == "LOSS_BUDGET_EXCEEDED":
                own = _length_fix(loss_fix(flat, catalog, options, verdict, lengths, number),
                                  refs, names)  # fmt: skip
            elif draft.code == "REACH_EXCEEDED":
                own = _length_fix(reach_fix(plan, lengths), refs, names)
            findings.append(_finding(draft, refs, own, names))
    ok = not any(f.severity == "error" for f in findings)
    return Report(ok=ok, findings=tuple(findings), trace=lanes, loss=tuple(loss), options=options)


RENDER_CACHE_LIMIT = 4  # rendered entries per verdict: the last refs' findings and traces


class _Names(dict[str, str]):
    """`{n<i>}` placeholders -> a node's ref in words, computed only when a message needs it."""

    def __init__(self, refs: tuple[str, ...]) -> None:
        super().__init__()
        self.refs = refs

    def __missing__(self, key: str) -> str:
        value = human(self.refs[int(key[1:])])
        self[key] = value
        return value


def _fix(draft: FixDraft | None, refs: tuple[str, ...], names: dict[str, str]) -> Fix | None:
    if draft is None:
        return None
    changes = tuple(
        Change(_ref(refs, i), product, enter, exit_) for i, product, enter, exit_ in draft.changes
    ) + tuple(
        Change(refs[node], face=face, mate=(refs[child], child_face))
        for node, face, child, child_face in draft.remates
    )
    return Fix(draft.message.format_map(names), changes)


def _ref(refs: tuple[str, ...], index: int) -> str:
    """A node's ref; negative indices name breakout branches (-1 - j: "/branches/<j>")."""
    return refs[index] if index >= 0 else f"/branches/{-1 - index}"


LOSS_CONSEQUENCES = frozenset({"LOSS_BUDGET_EXCEEDED", "LOW_MARGIN"})


def _blocking(verdict: Verdict) -> dict[int, int]:
    """Mating index -> index of the first blocking finding on it."""
    out: dict[int, int] = {}
    for index, draft in enumerate(verdict.drafts):
        if draft.code in BLOCKING:
            for mating in draft.matings:
                out.setdefault(mating, index)
    return out


def _loss_cause(plan: GroupPlan, verdict: Verdict, blocking: dict[int, int]) -> int | None:
    """The blocking finding on a path of this group: its loss figure means nothing."""
    if not blocking:
        return None
    for path in plan.paths:
        for crossing in verdict.traces[path.trace].crossings:
            if crossing.mating in blocking:
                return blocking[crossing.mating]
    return None


def _length_fix(draft: LossFix | None, refs: tuple[str, ...], names: dict[str, str]) -> Fix | None:
    if draft is None:
        return None
    changes = [Change(refs[node], product=code) for node, code in draft.swaps]
    changes.extend(Change(refs[node], length_m=mm_to_m(mm)) for node, mm in draft.cuts)
    return Fix(draft.message.format_map(names), tuple(changes))


def _finding(
    draft: Draft, refs: tuple[str, ...], fix: Fix | None, names: dict[str, str]
) -> Finding:
    level = severity(draft.code)
    positions = tuple(sorted(draft.positions))
    where = human(refs[draft.node]) + (f" ({draft.face})" if draft.face else "")
    if len(positions) == 1:
        where += f", position {positions[0]}"
    elif positions:
        where += ", positions " + ", ".join(str(p) for p in positions)
    primary = level == "error" and draft.consequence_of is None
    return Finding(
        code=draft.code,
        severity=level,
        ref=refs[draft.node],
        face=draft.face,
        position=positions[0] if positions else None,
        positions=positions,
        message=f"{where}: {draft.detail.format_map(names)}",
        fix=fix if primary else None,
        basis=Basis(draft.sources, draft.verified),
        consequence_of=draft.consequence_of,
    )


def _lane(trace: RawTrace, graph: Graph, refs: tuple[str, ...]) -> LaneTrace:
    target = graph.targets.get((trace.source, trace.lane))
    target_ref = refs[target[0]] if target else "?"
    hops = tuple(Hop(refs[n], face, p, fiber_colour(p)) for n, face, p in trace.hops)
    node, face, position = trace.at
    outcome = Outcome(
        status=trace.outcome,
        ref=refs[node],
        face=face,
        position=position,
        lane=trace.arrived_lane,
        ok=trace.code is None,
        code=trace.code,
    )
    return LaneTrace(
        direction=f"{refs[trace.source]} -> {target_ref}",
        source=refs[trace.source],
        target=target_ref,
        lane=trace.lane,
        band_nm=trace.band_nm,
        hops=hops,
        outcome=outcome,
    )


def _evaluate(
    plan: GroupPlan,
    graph: Graph,
    lengths: tuple[int | None, ...],
    refs: tuple[str, ...],
    options: Options,
) -> tuple[PathLoss, list[Draft]]:
    """The worst path of a group with these lengths, and the length/loss findings."""
    drafts: list[Draft] = []
    worst = None
    worst_total = -1
    longest = 0
    unknown: list[int] = []
    for path in plan.paths:
        total = path.fixed_max
        length = 0
        for node, value, _note in path.cables:
            mm = lengths[node]
            if mm is None:
                if node not in unknown:
                    unknown.append(node)
                continue
            length += mm
            if value is not None:
                total += value * mm
        longest = max(longest, length)
        if total > worst_total:
            worst, worst_total = path, total
    items: list[LossItem] = []
    total_typ = 0
    if worst is not None:
        total_typ = worst.fixed_typ
        for node, kind, mx, typ, grade, note in worst.items:
            items.append(
                LossItem(refs[node], kind, ndb_to_db(mx or 0), ndb_to_db(typ or 0), grade, note)
            )
        for node, value, note in worst.cables:
            mm = lengths[node]
            fibre = 0 if mm is None or value is None else value * mm
            total_typ += fibre
            text = note if mm is not None else "length unknown: counted as 0"
            items.append(
                LossItem(refs[node], "fibre", ndb_to_db(fibre), ndb_to_db(fibre), None, text)
            )
    worst_total = max(worst_total, 0)
    for node in unknown:
        drafts.append(
            Draft(
                "UNKNOWN_LENGTH",
                node,
                None,
                detail="no length: fibre loss counts as 0 and reach is not checked",
            )
        )
    report = plan.group.report_node
    limits = plan.limits
    limit_db = margin_db = reach_m = None
    basis = (plan.sources, plan.verified)
    if limits is not None:
        if limits.il_ndb is not None:
            limit_db = ndb_to_db(limits.il_ndb)
            margin = limits.il_ndb - worst_total
            margin_db = ndb_to_db(margin)
            if margin < 0:
                text = f"worst path {ndb_to_db(worst_total)} dB exceeds the {plan.fiber_type}"
                text += f" channel IL {limit_db} dB"
                drafts.append(_limit_draft("LOSS_BUDGET_EXCEEDED", report, basis, text))
            elif margin < db_to_ndb(options.low_margin_db):
                drafts.append(_limit_draft("LOW_MARGIN", report, basis,
                    f"margin {margin_db} dB is below {options.low_margin_db} dB"))  # fmt: skip
        if limits.reach_mm is not None:
            reach_m = mm_to_m(limits.reach_mm)
            if longest > limits.reach_mm:
                text = f"{mm_to_m(longest)} m exceeds the {plan.fiber_type} reach of {reach_m} m"
                text += f" by {mm_to_m(longest - limits.reach_mm)} m"
                drafts.append(_limit_draft("REACH_EXCEEDED", report, basis, text))
    if plan.min_length_mm is not None and not unknown and longest < plan.min_length_mm:
        text = f"{mm_to_m(longest)} m is shorter than the minimum {mm_to_m(plan.min_length_mm)} m"
        drafts.append(_limit_draft("BELOW_MIN_LENGTH", report, basis, text))
    x, y = plan.group.ends
    path_loss = PathLoss(
        label=plan.group.label,
        ends=(refs[x], refs[y]),
        application=plan.application,
        fiber_type=plan.fiber_type,
        total_max_db=ndb_to_db(worst_total),
        total_typ_db=ndb_to_db(total_typ),
        limit_db=limit_db,
        margin_db=margin_db,
        reach_m=reach_m,
        length_m=mm_to_m(longest),
        min_length_m=None if plan.min_length_mm is None else mm_to_m(plan.min_length_mm),
        items=tuple(items),
        sources=plan.sources,
        verified=plan.verified,
    )
    return path_loss, drafts


def _limit_draft(code: str, node: int, basis: tuple[tuple[str, ...], bool], detail: str) -> Draft:
    return Draft(code, node, None, detail=detail, sources=basis[0], verified=basis[1])


__all__ = ["validate", "Decimal"]
