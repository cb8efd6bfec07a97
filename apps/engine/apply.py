"""Apply a fix to a channel: the channel as it would be with every change of the fix made."""

from __future__ import annotations

from dataclasses import replace

from apps.engine.channel import (
    Aggregate,
    Breakout,
    Channel,
    ElementSpec,
    GraphBreakout,
    GraphChannel,
)
from apps.engine.errors import ChannelError
from apps.engine.report import Change, Fix

Mating = tuple[str, str, str, str]


def fix_apply(channel: Channel, fix: Fix) -> Channel:
    """The channel with the fix's products, ports, lengths, branch exits and re-matings made.

    A change names an element by its ref, or by its pointer ("/elements/<i>",
    "/branches/<j>/elements/<i>"); "/branches/<j>" takes a new exit. A re-mating (`face` and
    `mate`) plugs face `face` of `ref` into `mate` in place of what `mate` is plugged into now.
    """
    if isinstance(channel, Breakout):
        return _breakout(channel, fix.changes)
    elements = tuple(
        _element(spec, f"/elements/{i}", fix.changes) for i, spec in enumerate(channel.elements)
    )
    if isinstance(channel, Aggregate):
        return replace(channel, elements=elements)
    matings = _remated(channel, fix.changes)
    return replace(channel, elements=elements, matings=matings)


def _element(spec: ElementSpec, pointer: str, changes: tuple[Change, ...]) -> ElementSpec:
    for change in changes:
        if change.mate is None and change.ref in (spec.ref, pointer):
            spec = replace(
                spec,
                product=change.product or spec.product,
                length_m=change.length_m if change.length_m is not None else spec.length_m,
                enter=change.enter or spec.enter,
                exit=change.exit or spec.exit,
            )
    return spec


def _breakout(channel: Breakout, changes: tuple[Change, ...]) -> Breakout:
    branches = []
    for j, branch in enumerate(channel.branches):
        exit_ = branch.exit
        for change in changes:
            if change.ref == f"/branches/{j}" and change.exit is not None:
                exit_ = change.exit
        elements = tuple(
            _element(spec, f"/branches/{j}/elements/{i}", changes)
            for i, spec in enumerate(branch.elements)
        )
        branches.append(replace(branch, exit=exit_, elements=elements))
    elements = tuple(
        _element(spec, f"/elements/{i}", changes) for i, spec in enumerate(channel.elements)
    )
    return replace(channel, elements=elements, branches=tuple(branches))


def _remated(
    channel: GraphChannel | GraphBreakout, changes: tuple[Change, ...]
) -> tuple[Mating, ...]:
    """The matings with every re-mating made at once (a swap is two re-matings)."""
    matings = list(channel.matings)
    found: list[tuple[int, Mating]] = []
    for change in changes:
        if change.mate is None or change.face is None:
            continue
        mate = change.mate
        index = next(
            (k for k, m in enumerate(matings) if mate in ((m[0], m[1]), (m[2], m[3]))), None
        )
        if index is None:
            raise ChannelError(
                "UNKNOWN_REF", f"no mating plugs {mate[0]} face {mate[1]}", "/matings"
            )
        found.append((index, (change.ref, change.face, mate[0], mate[1])))
    for index, mating in found:
        matings[index] = mating
    return tuple(matings)
