"""Fixes: re-trace with ONE element swapped for a catalog sibling (or a cassette port moved).

The smallest fix wins: fewest changes, then the sibling that differs from the original in the
fewest attributes (map, gender, end-face, grade, adapter key, cable type). Among equally small
fixes the one that names the odd part wins: first the fix after which the most labelled parts fit
one polarity method of reference §5.2/§5.3 (a Method-B channel is all type B: B trunk, B modules,
B array cords or A-to-B cords, key-up/key-up adapters), then the one after which the parts of the
same kind share one label (gender, end-face, grade, and polarities the method table does not
know), then the element nearest the fault, then the lowest index. When no single change clears
every error, changes are chained greedily (at most three).
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
MAX_SWAP_CHILDREN = 16  # graph breakout leg swaps tried: pairs among the first 16 children
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

    def rank(changes: tuple[Candidate, ...], result: int, after: Flat) -> tuple[Any, ...]:
        distance = sum(min(abs(c[0] - f) for f in faults) for c in changes)
        difference = sum(_difference(flat, c, catalog) for c in changes)
        odd = _consistency(after, catalog) if result == 0 else (0, 0)
        return (result, difference, *odd, distance, tuple(c[0] for c in changes), str(changes))

    scored = []
    for candidate in candidates:
        trial = _apply(flat, candidate, catalog)
        if trial is not None:
            failures = _failures(trial, catalog, options)
            scored.append((rank((candidate,), failures, trial), candidate, trial))
    scored.sort(key=lambda item: item[0])
    if scored and scored[0][0][0] == 0:
        best_single = scored[0][1]
        return FixDraft(
            _expand(flat, (best_single,)),
            _message(flat, best_single, catalog),
            _remates(flat, (best_single,)),
        )
    if len(candidates) <= PAIR_SEARCH_LIMIT:
        pairs = []
        for i, (_r1, first, trial) in enumerate(scored):
            for _r2, second, _t in scored[i + 1 :]:
                if second[0] == first[0]:
                    continue
                both = _apply(trial, second, catalog)
                if both is not None and _failures(both, catalog, options) == 0:
                    pairs.append((rank((first, second), 0, both), (first, second)))
        if pairs:
            chosen = min(pairs)[1]
            message = "; ".join(_message(flat, c, catalog) for c in chosen)
            return FixDraft(_expand(flat, chosen), message, _remates(flat, chosen))
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
            odd = _consistency(trial, catalog) if result == 0 else (0, 0)
            difference = _difference(current, candidate, catalog)
            score = (result, difference, *odd, distance, node, str(candidate))
            if best is None or score < best[0]:
                best = (score, candidate, trial)
        if best is None:
            return None
        _rank, candidate, current = best
        changes.append(candidate)
        failures = _rank[0]
        if failures == 0:
            message = "; ".join(_message(flat, c, catalog) for c in changes)
            return FixDraft(_expand(flat, tuple(changes)), message, _remates(flat, tuple(changes)))
    return None


# Polarity methods each labelled part fits (reference §5.2 duplex, §5.3 parallel; U1-style
# parallel: type B trunk, type A adapters, type A cords). Unlabelled parts fit every method.
METHODS: dict[tuple[str, str], frozenset[str]] = {
    ("trunk", "A"): frozenset({"A"}),
    ("trunk", "B"): frozenset({"B", "U1", "U2"}),
    ("trunk", "C"): frozenset({"C"}),
    ("array_cord", "A"): frozenset({"A", "U1"}),
    ("array_cord", "B"): frozenset({"A", "B", "U2"}),
    ("patch_cord", "A-to-B"): frozenset({"A", "B", "C", "U1", "U2"}),
    ("patch_cord", "A-to-A"): frozenset({"A"}),
    ("cassette", "A"): frozenset({"A", "C"}),
    ("cassette", "B"): frozenset({"B"}),
    ("cassette", "U1"): frozenset({"U1"}),
    ("cassette", "U2"): frozenset({"U2"}),
    ("adapter", "key-up-key-down"): frozenset({"A", "C", "U1"}),
    ("adapter", "key-up-key-up"): frozenset({"B", "U2"}),
}
ALL_METHODS = ("A", "B", "C", "U1", "U2")


def _labels(product: Product) -> tuple[str, str | None, tuple[Any, ...]]:
    """A part's kind, its polarity label (method table key) and its uniformity labels."""
    record = product.record
    faces = product.faces.values()
    if product.kind == "cable":
        kind = str(record.get("cable_type") or "cable")
    elif product.kind == "panel":
        kind = "adapter"
    else:
        kind = product.kind
    polarity: str | None = None
    if kind in ("adapter",):
        keys = {f.adapter for f in faces} - {None, "duplex"}
        polarity = str(next(iter(keys))) if len(keys) == 1 else None
    elif record.get("polarity"):
        polarity = str(record["polarity"]).split(" ")[0].rstrip(",")
    genders = tuple(sorted(str(f.gender) for f in faces))
    endfaces = tuple(sorted({str(f.endface) for f in faces}))
    # a polarity the method table knows is judged by the method fit (Method A mixes its cords)
    label = None if (kind, polarity or "") in METHODS else polarity
    return kind, polarity, (label, genders, endfaces, product.grade)


def _consistency(flat: Flat, catalog: Catalog) -> tuple[int, int]:
    """How far a channel is from one polarity method, and from uniform parts (0 is best).

    (labelled parts that do not fit the best-fitting method, Σ over kinds and labels of the
    distinct values − 1): the fix that restores a textbook channel names the odd part.
    """
    fits = dict.fromkeys(ALL_METHODS, 0)
    groups: dict[tuple[str, int], set[Any]] = {}
    for spec in flat.specs:
        if not isinstance(spec, ElementSpec):
            continue
        product = catalog.products.get(spec.product)
        if product is None or product.kind == "splice":
            continue
        kind, polarity, labels = _labels(product)
        methods = METHODS.get((kind, polarity or ""))
        if methods is not None:
            for method in ALL_METHODS:
                fits[method] += method not in methods
        for number, label in enumerate(labels):
            groups.setdefault((kind, number), set()).add(label)
    return min(fits.values()), sum(len(values) - 1 for values in groups.values())


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
        if flat.shape == "graph-breakout":
            continue  # re-matings, see _remates
        j, k = -1 - index, int(str(exit_))
        branches = flat.extra[1]
        out.append((-1 - j, None, None, branches[k][0]))
        out.append((-1 - k, None, None, branches[j][0]))
    return tuple(out)


def _remates(flat: Flat, changes: tuple[Candidate, ...]) -> tuple[tuple[int, str, int, str], ...]:
    """Graph breakout swaps as re-matings: (node, face, child node, child face), two per swap.

    Children j and k (nodes 1 + j, 1 + k) swap what they are plugged into: the face that fed
    child k now feeds child j and the other way round. Chained swaps give the net re-matings.
    """
    if flat.shape != "graph-breakout":
        return ()
    current: Flat | None = flat
    for index, _product, enter, exit_ in changes:
        if index < 0 and enter == SWAP and current is not None:
            current = _swap_children(current, -1 - index, int(str(exit_)))
    if current is None:
        return ()
    out: list[tuple[int, str, int, str]] = []
    for j in range(len(flat.extra[1])):
        before, after = _child_mating(flat, 1 + j), _child_mating(current, 1 + j)
        if after is not None and before is not None and before[1:3] != after[1:3]:
            out.append((after[1], after[2], 1 + j, after[3]))
    return tuple(out)


def _child_mating(flat: Flat, child: int) -> tuple[int, int, str, str] | None:
    """A graph breakout child's only mating: (mating index, other node, its face, child face)."""
    found = [
        (m, right, face_b, face_a) if left == child else (m, left, face_a, face_b)
        for m, (left, face_a, right, face_b) in enumerate(flat.extra[0])
        if child in (left, right) and left != right
    ]
    return found[0] if len(found) == 1 else None


def _candidates(flat: Flat, catalog: Catalog, verdict: Verdict) -> list[Candidate]:
    out: list[Candidate] = []
    if flat.shape == "graph-breakout":
        # swapped legs or ports: two children exchange what they are plugged into
        plugged = [j for j in range(len(flat.extra[1])) if _child_mating(flat, 1 + j) is not None]
        out.extend(
            (-1 - j, None, SWAP, str(k))
            for n, j in enumerate(plugged[:MAX_SWAP_CHILDREN])
            for k in plugged[n + 1 : MAX_SWAP_CHILDREN]
        )
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
    if index < 0 and flat.shape == "graph-breakout":
        return _swap_children(flat, -1 - index, int(str(exit_)))
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


def _swap_children(flat: Flat, j: int, k: int) -> Flat | None:
    """A graph breakout with children j and k plugged into each other's faces."""
    mate_j, mate_k = _child_mating(flat, 1 + j), _child_mating(flat, 1 + k)
    if mate_j is None or mate_k is None:
        return None
    matings: list[tuple[int, str, int, str]] = list(flat.extra[0])
    for (m, _node, _face, child_face), (_m, node, face, _cf), child in (
        (mate_j, mate_k, 1 + j),
        (mate_k, mate_j, 1 + k),
    ):
        matings[m] = (node, face, child, child_face)
    extra = (tuple(matings), *flat.extra[1:])
    return Flat(flat.shape, flat.specs, flat.refs, flat.pointers, (*flat.key[:-1], extra), extra)


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
    score += int(old.record.get("cable_type") != new.record.get("cable_type"))
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
    if index < 0 and flat.shape == "graph-breakout":
        j, k = -1 - index, int(str(exit_))
        mate_j, mate_k = _child_mating(flat, 1 + j), _child_mating(flat, 1 + k)
        assert mate_j is not None
        assert mate_k is not None
        child_j, child_k = f"{{n{1 + j}}}", f"{{n{1 + k}}}"
        return (
            f"swap the legs of {child_j} and {child_k}: plug {{n{mate_k[1]}}} {mate_k[2]}"
            f" into {child_j} and {{n{mate_j[1]}}} {mate_j[2]} into {child_k}"
        )
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
