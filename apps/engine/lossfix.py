"""Fixes for loss and length: grade upgrades, or the exact length that fits (§8.6, §8.7).

LOSS_BUDGET_EXCEEDED: the smallest set of grade upgrades (siblings that differ only in grade:
same map, genders, end-faces and adapter keys, a better-ranked grade) that brings the group's
worst path within its IL, found by exact re-evaluation (singles, then pairs, then greedy). When
even every upgrade is not enough, the length that fits: L_max = (IL_max − Σ connections) / α
(the largest α on the path; never above the reach), and the cut on the path's longest cable.
REACH_EXCEEDED: the excess, and the same cut.

Runs per call (lengths vary); the trial verdicts are memoised like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from apps.engine.catalog import Catalog, Product
from apps.engine.channel import ElementSpec, Options
from apps.engine.graph import Flat
from apps.engine.loss import GroupPlan
from apps.engine.units import mm_to_m, ndb_to_db

if TYPE_CHECKING:
    from apps.engine.validate import Verdict

PAIR_LIMIT = 40


@dataclass(frozen=True, slots=True)
class LossFix:
    """Internal: product swaps (node, code), length cuts (node, new mm) and a `{n<i>}` message."""

    swaps: tuple[tuple[int, str], ...]
    cuts: tuple[tuple[int, int], ...]
    message: str


def group_totals(plan: GroupPlan, lengths: tuple[int | None, ...]) -> tuple[int, int, int]:
    """(worst path max nano-dB, longest length mm, index of the worst path) of a group."""
    worst_total, longest, worst = -1, 0, 0
    for index, path in enumerate(plan.paths):
        total, length = path.fixed_max, 0
        for node, value, _note in path.cables:
            mm = lengths[node]
            if mm is None:
                continue
            length += mm
            if value is not None:
                total += value * mm
        longest = max(longest, length)
        if total > worst_total:
            worst_total, worst = total, index
    return max(worst_total, 0), longest, worst


def loss_fix(
    flat: Flat,
    catalog: Catalog,
    options: Options,
    verdict: Verdict,
    lengths: tuple[int | None, ...],
    group: int,
) -> LossFix | None:
    """The smallest grade upgrade set that fits the IL, else the length that fits."""
    plan = verdict.plans[group]
    if plan.limits is None or plan.limits.il_ndb is None:
        return None
    il = plan.limits.il_ndb
    upgrades: dict[int, list[str]] | None = verdict.cache.get(("upgrades", group))
    if upgrades is None:  # depends on the verdict only, not on lengths
        upgrades = verdict.cache[("upgrades", group)] = _upgrades(flat, catalog, verdict, plan)

    def fits(swaps: tuple[tuple[int, str], ...]) -> int | None:
        trial = _swapped(flat, swaps, catalog)
        from apps.engine.validate import verdict_for

        other = verdict_for(trial, catalog, options, fixes=False)
        if len(other.plans) <= group:
            return None
        total, _longest, _worst = group_totals(other.plans[group], lengths)
        return total if total <= il else None

    def cost(swaps: tuple[tuple[int, str], ...]) -> tuple[int, int, str]:
        steps = sum(_rank(catalog, flat, node) - _grade_rank(catalog, code) for node, code in swaps)
        return (len(swaps), steps, str(swaps))

    Swaps = tuple[tuple[int, str], ...]
    singles: list[Swaps] = [((node, code),) for node, codes in upgrades.items() for code in codes]
    found: list[Swaps] = [s for s in singles if fits(s) is not None]
    if not found and len(singles) <= PAIR_LIMIT:
        found = [
            (a[0], b[0])
            for i, a in enumerate(singles)
            for b in singles[i + 1 :]
            if a[0][0] != b[0][0] and fits((a[0], b[0])) is not None
        ]
    if not found:
        best = tuple((node, codes[-1]) for node, codes in upgrades.items())
        if best and fits(best) is not None:
            chosen: list[tuple[int, str]] = []
            for swap in sorted(best, key=lambda s: s[0]):
                chosen.append(swap)
                if fits(tuple(chosen)) is not None:
                    break
            found = [tuple(chosen)]
    if found:
        swaps = min(found, key=cost)
        words = "; ".join(
            f"use {catalog.product(code).grade} {_noun(catalog.product(code))} at {{n{node}}}"
            f" ({code})"
            for node, code in swaps
        )
        return LossFix(swaps, (), words)
    why = "no grade upgrade in the catalog brings it within budget"
    current = _shorten(plan, lengths, il, why)
    best = tuple((node, codes[-1]) for node, codes in upgrades.items())
    if (current is None or current.cuts or not best) or fits(best) is not None:
        return current
    # the connections alone exceed the IL: the best grades everywhere, then the length that fits
    from apps.engine.validate import verdict_for

    upgraded = verdict_for(_swapped(flat, best, catalog), catalog, options, fixes=False)
    if len(upgraded.plans) <= group:
        return current
    words = "; ".join(f"use {{n{node}}} {code}" for node, code in best)
    shorter = _shorten(upgraded.plans[group], lengths, il, f"{why} alone: {words}")
    if shorter is None or not shorter.cuts:
        return current
    return LossFix(best, shorter.cuts, shorter.message)


def reach_fix(plan: GroupPlan, lengths: tuple[int | None, ...]) -> LossFix | None:
    """Cut the longest cable of the longest path by the excess over the reach."""
    if plan.limits is None or plan.limits.reach_mm is None:
        return None
    _total, longest, _worst = group_totals(plan, lengths)
    excess = longest - plan.limits.reach_mm
    path = max(plan.paths, key=lambda p: sum(lengths[n] or 0 for n, _v, _t in p.cables))
    return _cut(
        path.cables, lengths, excess, f"shorten the channel to ≤ {mm_to_m(plan.limits.reach_mm)} m"
    )


def _shorten(plan: GroupPlan, lengths: tuple[int | None, ...], il: int, why: str) -> LossFix | None:
    """L_max = (IL_max − Σ connections) / α on every path; the cut on the worst path."""
    limit_mm: int | None = None
    formula = ""
    for path in plan.paths:
        alphas = [v for _n, v, _t in path.cables if v is not None and v > 0]
        if not alphas:
            continue
        alpha = max(alphas)
        room = il - path.fixed_max
        fit = room // alpha if room >= 0 else -1
        if limit_mm is None or fit < limit_mm:
            limit_mm = fit
            formula = (
                f"L_max = ({ndb_to_db(il)} − {ndb_to_db(path.fixed_max)}) dB"
                f" / {ndb_to_db(alpha * 1_000_000)} dB/km"
            )
    if limit_mm is None:
        return None
    if limit_mm < 0:
        return LossFix(
            (), (), f"{why}, and the connections alone exceed the IL: remove a connection"
        )
    if plan.limits is not None and plan.limits.reach_mm is not None:
        limit_mm = min(limit_mm, plan.limits.reach_mm)
    _total, _longest, worst = group_totals(plan, lengths)
    path = plan.paths[worst]
    length = sum(lengths[n] or 0 for n, _v, _t in path.cables)
    text = f"{why}: shorten the channel to ≤ {mm_to_m(limit_mm)} m ({formula})"
    return _cut(path.cables, lengths, length - limit_mm, text)


def _cut(
    cables: tuple[tuple[int, int | None, str], ...],
    lengths: tuple[int | None, ...],
    excess: int,
    text: str,
) -> LossFix | None:
    known = [(lengths[n] or 0, n) for n, _v, _t in cables if lengths[n] is not None]
    if not known or excess <= 0:
        return LossFix((), (), text)
    mm, node = max(known)
    if mm <= excess:
        return LossFix((), (), text)
    return LossFix((), ((node, mm - excess),), f"{text}: {{n{node}}} to {mm_to_m(mm - excess)} m")


def _noun(product: Product) -> str:
    from apps.engine.fixes import describe

    return describe(product).split(" ", 1)[1]


def _grade_rank(catalog: Catalog, code: str) -> int:
    grade = catalog.product(code).grade
    return catalog.grades[grade].rank if grade in catalog.grades else 10**6


def _rank(catalog: Catalog, flat: Flat, node: int) -> int:
    spec = flat.specs[node]
    assert isinstance(spec, ElementSpec)
    return _grade_rank(catalog, spec.product)


def _faces(product: Product) -> list[tuple[object, ...]]:
    return [(f.gender, f.endface, f.adapter) for f in product.faces.values()]


def _upgrades(
    flat: Flat, catalog: Catalog, verdict: Verdict, plan: GroupPlan
) -> dict[int, list[str]]:
    """Per node on the group's paths: better-grade siblings, the smallest upgrade first."""
    nodes: set[int] = set()
    for path in plan.paths:
        nodes.update(verdict.traces[path.trace].nodes)
    out: dict[int, list[str]] = {}
    for node in sorted(nodes):
        spec = flat.specs[node]
        if not isinstance(spec, ElementSpec):
            continue
        product = catalog.product(spec.product)
        rank = _grade_rank(catalog, product.code)
        better = [
            other
            for other in catalog.siblings(product.code)
            if dict(other.map) == dict(product.map)
            and _faces(other) == _faces(product)
            and _grade_rank(catalog, other.code) < rank
        ]
        better.sort(key=lambda p: (-_grade_rank(catalog, p.code), p.code))
        if better:
            out[node] = [p.code for p in better]
    return out


def _swapped(flat: Flat, swaps: tuple[tuple[int, str], ...], catalog: Catalog) -> Flat:
    from apps.engine.fixes import _apply

    for node, code in swaps:
        trial = _apply(flat, (node, code, None, None), catalog)
        assert trial is not None
        flat = trial
    return flat
