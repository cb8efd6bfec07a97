"""Fixes: re-trace with ONE element swapped for a catalog sibling (or a cassette port moved).

The smallest fix wins: fewest changes, then the element nearest the fault, then the sibling that
differs from the original in the fewest attributes (map, gender, end-face, grade, adapter key).
When no single change clears every error, changes are chained greedily (at most three).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apps.engine.catalog import Catalog, Product
from apps.engine.channel import ElementSpec, Options
from apps.engine.findings import severity
from apps.engine.graph import Flat

if TYPE_CHECKING:
    from apps.engine.validate import FixDraft, Verdict

MAX_CHANGES = 3
SWAP = "<swap>"
PAIR_SEARCH_LIMIT = 60
NOUNS = {
    "trunk": "trunk",
    "array_cord": "array cord",
    "patch_cord": "cord",
    "harness": "harness",
    "conversion": "conversion cable",
}

Candidate = tuple[int, str | None, str | None, str | None]


def find_fix(flat: Flat, catalog: Catalog, options: Options, verdict: Verdict) -> FixDraft | None:
    """The smallest change set (swapped siblings, moved ports) that clears every error."""
    from apps.engine.validate import FixDraft

    faults = [
        d.node for d in verdict.drafts if severity(d.code) == "error" and d.consequence_of is None
    ] or [0]
    candidates = _candidates(flat, catalog, verdict)

    def rank(changes: tuple[Candidate, ...], result: int) -> tuple[Any, ...]:
        distance = sum(min(abs(c[0] - f) for f in faults) for c in changes)
        difference = sum(_difference(flat, c, catalog) for c in changes)
        return (result, difference, distance, str(changes))

    scored = []
    for candidate in candidates:
        trial = _apply(flat, candidate, catalog)
        if trial is not None:
            scored.append(
                (rank((candidate,), _failures(trial, catalog, options)), candidate, trial)
            )
    scored.sort(key=lambda item: item[0])
    if scored and scored[0][0][0] == 0:
        best_single = scored[0][1]
        return FixDraft(_expand(flat, (best_single,)), _message(flat, best_single, catalog))
    if len(candidates) <= PAIR_SEARCH_LIMIT:
        pairs = []
        for i, (_r1, first, trial) in enumerate(scored):
            for _r2, second, _t in scored[i + 1 :]:
                if second[0] == first[0]:
                    continue
                both = _apply(trial, second, catalog)
                if both is not None and _failures(both, catalog, options) == 0:
                    pairs.append((rank((first, second), 0), (first, second)))
        if pairs:
            chosen = min(pairs)[1]
            message = "; ".join(_message(flat, c, catalog) for c in chosen)
            return FixDraft(_expand(flat, chosen), message)
    changes: list[Candidate] = []
    current = flat
    failures = verdict.failures
    for _ in range(MAX_CHANGES):
        best: tuple[Any, ...] | None = None
        for candidate in _candidates(current, catalog, verdict):
            trial = _apply(current, candidate, catalog)
            if trial is None:
                continue
            result = _failures(trial, catalog, options)
            if result >= failures:
                continue
            node = candidate[0]
            distance = min(abs(node - f) for f in faults)
            score = (result, _difference(current, candidate, catalog), distance, str(candidate))
            if best is None or score < best[0]:
                best = (score, candidate, trial)
        if best is None:
            return None
        _rank, candidate, current = best
        changes.append(candidate)
        failures = _rank[0]
        if failures == 0:
            message = "; ".join(_message(flat, c, catalog) for c in changes)
            return FixDraft(_expand(flat, tuple(changes)), message)
    return None


def _failures(flat: Flat, catalog: Catalog, options: Options) -> int:
    from apps.engine.errors import ChannelError
    from apps.engine.validate import verdict_for

    try:
        return verdict_for(flat, catalog, options, fixes=False).failures
    except ChannelError:
        return 10**6


def _expand(flat: Flat, changes: tuple[Candidate, ...]) -> tuple[Candidate, ...]:
    """Branch swaps become two changes: each branch (index -1 - j) takes the other's exit."""
    out: list[Candidate] = []
    for change in changes:
        index, _product, enter, exit_ = change
        if index >= 0 or enter != SWAP:
            out.append(change)
            continue
        j, k = -1 - index, int(str(exit_))
        branches = flat.extra[1]
        out.append((-1 - j, None, None, branches[k][0]))
        out.append((-1 - k, None, None, branches[j][0]))
    return tuple(out)


def _candidates(flat: Flat, catalog: Catalog, verdict: Verdict) -> list[Candidate]:
    out: list[Candidate] = []
    if flat.shape == "breakout":
        # swapped legs: exchange two branches' exits (lanes stay with their ends)
        count = len(flat.extra[1])
        out.extend((-1 - j, None, SWAP, str(k)) for j in range(count) for k in range(j + 1, count))
    for node in verdict.graph.nodes:
        if node.is_end:
            continue
        spec = flat.specs[node.index]
        assert isinstance(spec, ElementSpec)
        for sibling in catalog.siblings(node.product.code):
            out.append((node.index, sibling.code, None, None))
        if node.product.kind == "cassette" and not flat.shape.startswith("graph"):
            faces = node.product.faces
            for which, current in (("enter", node.enter), ("exit", node.exit)):
                if current is None or current not in faces:
                    continue
                here = faces[current]
                for label, face in faces.items():
                    if label in (node.enter, node.exit) or face.side != here.side:
                        continue
                    if face.connector != here.connector:
                        continue
                    if which == "enter":
                        out.append((node.index, None, label, None))
                    else:
                        out.append((node.index, None, None, label))
    return out


def _apply(flat: Flat, candidate: Candidate, catalog: Catalog) -> Flat | None:
    index, product, enter, exit_ = candidate
    if index < 0:
        j, k = -1 - index, int(str(exit_))
        parent_count, branches = flat.extra
        swapped: list[Any] = list(branches)
        swapped[j] = (branches[k][0], *branches[j][1:])
        swapped[k] = (branches[j][0], *branches[k][1:])
        extra = (parent_count, tuple(swapped))
        memo_key = (*flat.key[:-1], extra)
        return Flat(flat.shape, flat.specs, flat.refs, flat.pointers, memo_key, extra)
    spec = flat.specs[index]
    if not isinstance(spec, ElementSpec):
        return None
    new = ElementSpec(
        product=product or spec.product,
        length_m=spec.length_m,
        enter=enter or spec.enter,
        exit=exit_ or spec.exit,
        ref=spec.ref,
    )
    code = catalog.product(new.product)
    specs = list(flat.specs)
    specs[index] = new
    key = list(flat.key)
    key[index + 1] = (code.code, code.revision, new.enter, new.exit)
    return Flat(flat.shape, tuple(specs), flat.refs, flat.pointers, tuple(key), flat.extra)


def _faces(product: Product) -> list[tuple[Any, ...]]:
    return [(f.gender, f.endface, f.grade, f.adapter) for f in product.faces.values()]


def _difference(flat: Flat, candidate: Candidate, catalog: Catalog) -> int:
    index, product, _enter, _exit = candidate
    if product is None or index < 0:
        return 1
    spec = flat.specs[index]
    assert isinstance(spec, ElementSpec)
    old, new = catalog.product(spec.product), catalog.product(product)
    score = int(dict(old.map) != dict(new.map)) + int(old.grade != new.grade)
    for a, b in zip(_faces(old), _faces(new), strict=False):
        score += sum(1 for x, y in zip(a, b, strict=True) if x != y)
    return score


def describe(product: Product, old: Product | None = None) -> str:
    """A product in words, stressing what differs from `old`: "a type B array cord"."""
    record = product.record
    words: list[str] = []
    if old is not None:
        genders = {f.gender for f in product.faces.values()} - {None}
        old_genders = {f.gender for f in old.faces.values()} - {None}
        if genders != old_genders and genders:
            words.append(
                "unpinned" if genders == {"female"} else "pinned" if genders == {"male"} else ""
            )
        endfaces = {f.endface for f in product.faces.values()} - {None}
        if endfaces != {f.endface for f in old.faces.values()} - {None}:
            words.append("/".join(sorted(str(e) for e in endfaces)))
        if product.grade != old.grade and product.grade:
            words.append(product.grade)
        adapters = {f.adapter for f in product.faces.values()} - {None, "duplex"}
        if adapters != {f.adapter for f in old.faces.values()} - {None, "duplex"} and adapters:
            words.append("/".join(sorted(str(a).replace("-key", "/key") for a in adapters)))
    polarity = record.get("polarity")
    if polarity and (old is None or dict(old.map) != dict(product.map)):
        label = str(polarity)
        words.append(f"type {label}" if len(label) == 1 else label)
    kind = product.kind
    noun = NOUNS.get(str(record.get("cable_type")), "cable") if kind == "cable" else kind
    if kind == "cassette":
        noun = "module"
    text = " ".join(w for w in [*words, noun] if w)
    article = "an" if text[:1].lower() in "aeiou" or text[:2] in ("A-", "U1", "U2") else "a"
    return f"{article} {text}"


def _message(flat: Flat, candidate: Candidate, catalog: Catalog) -> str:
    index, product, enter, exit_ = candidate
    if index < 0:
        j, k = -1 - index, int(str(exit_))
        exit_j, exit_k = flat.extra[1][j][0], flat.extra[1][k][0]
        return (
            f"swap the legs of branch {j + 1} and branch {k + 1}: branch {j + 1} from {exit_k},"
            f" branch {k + 1} from {exit_j}"
        )
    spec = flat.specs[index]
    assert isinstance(spec, ElementSpec)
    where = f"{{n{index}}}"
    old = catalog.product(spec.product)
    if product is None:
        face, new = (spec.enter, enter) if enter else (spec.exit, exit_)
        return f"use port {new} of {where} instead of port {face}"
    replacement = catalog.product(product)
    polarity = str(old.record.get("polarity") or "")
    if "-to-" in polarity and dict(old.map) != dict(replacement.map):
        return (
            f"replace the {describe(old).split(' ', 1)[1]} at {where} with "
            f"{describe(replacement, old)} ({replacement.code})"
        )
    return f"use {describe(replacement, old)} at {where} ({replacement.code})"
