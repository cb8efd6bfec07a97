"""Micro-benchmark: repeated chains as a hall audit sees them (varying lengths, plant refs).

Run: `python -m apps.engine.bench [seed_dir] [count]` (default: the engine test fixtures). Not a
test: it prints the time per validation for three shapes:

* a Method-B duplex channel (`Aggregate`), lengths varying (about a third over budget, so the
  loss fixes run too);
* the same channel as the plant builds it (`GraphChannel`, refs "cable:<i>" unique per link);
* a DR4 -> 4 × DR harness breakout, lengths varying;
* the plant graph again with `trace=False` (what audits store: findings and loss, no lane traces);
* memory: the verdict memo's size per verdict (tracemalloc), over channels of distinct shapes
  (every cassette port pair and cord/trunk/module sibling of the Method-B channel).
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from apps.engine.catalog import Catalog
from apps.engine.channel import (
    Aggregate,
    Branch,
    Breakout,
    Channel,
    ElementSpec,
    End,
    GraphChannel,
)
from apps.engine.seed import load_records

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests/engine/fixtures/seed"


def method_b(i: int) -> Aggregate:
    """[SFP]-cord-[CAS-B 1|R1]==B trunk==[R1|CAS-B 6]-cord-[SFP], lengths varying with i."""
    sfp = End("SFP-10G-SR")
    return Aggregate(
        sfp,
        (
            ElementSpec("CRD-LC-AB-OM4", Decimal(1 + i % 5)),
            ElementSpec("CAS-B-OM4", enter="1", exit="R1"),
            ElementSpec("TRK-B-MPO12-FF-OM4", Decimal(i % 300) + Decimal("0.5")),
            ElementSpec("CAS-B-OM4", enter="R1", exit="6"),
            ElementSpec("CRD-LC-AB-OM4", Decimal(1 + i % 7)),
        ),
        sfp,
    )


def plant_graph(i: int) -> GraphChannel:
    """The Method-B channel as the plant adapter builds it: refs unique to each link."""
    chain = method_b(i)
    refs = [
        f"cord:{2 * i}",
        f"cassette:{i}",
        f"trunk:{i}",
        f"cassette:{i + 1}",
        f"cord:{2 * i + 1}",
    ]
    elements = tuple(
        ElementSpec(e.product, e.length_m, e.enter, e.exit, ref)
        for e, ref in zip(chain.elements, refs, strict=True)
    )
    a, b = End("SFP-10G-SR", ref=f"port:{i}:a"), End("SFP-10G-SR", ref=f"port:{i}:b")
    matings = (
        (a.ref, "1", refs[0], "A1"),
        (refs[0], "B1", refs[1], "1"),
        (refs[1], "R1", refs[2], "A1"),
        (refs[2], "B1", refs[3], "R1"),
        (refs[3], "6", refs[4], "A1"),
        (refs[4], "B1", b.ref, "1"),
    )
    return GraphChannel(a, b, elements, matings)  # type: ignore[arg-type]


def breakout(i: int) -> Breakout:
    """[QSFP-DD DR4]--harness--4 × [QSFP28 DR], harness length varying with i."""
    return Breakout(
        End("QSFPDD-400G-DR4"),
        (ElementSpec("HRN-MPO12F-4LC-OS2", Decimal(1 + i % 400)),),
        tuple(Branch(f"B{k + 1}", (k,), (), End("QSFP28-100G-DR")) for k in range(4)),
    )


def run(name: str, channels: Sequence[Channel], catalog: Catalog, *, trace: bool = True) -> float:
    """Validate every channel; print and return µs per validation."""
    from apps.engine.validate import validate

    start = time.perf_counter()
    failures = sum(1 for channel in channels if not validate(channel, catalog, trace=trace).ok)
    elapsed = time.perf_counter() - start
    each = elapsed / len(channels) * 1e6
    print(
        f"{name}: {len(channels)} validations in {elapsed:.2f} s: {each:.0f} µs each "
        f"({failures} failing, memo {len(catalog.verdicts)} verdicts)"
    )
    return each


def main(argv: list[str]) -> None:
    """Time `count` validations of each shape."""
    seed_dir = Path(argv[0]) if argv else FIXTURES
    count = int(argv[1]) if len(argv) > 1 else 10_000
    catalog = Catalog.from_records(load_records(seed_dir))
    run("method B aggregate", [method_b(i) for i in range(count)], catalog)
    run("method B plant graph", [plant_graph(i) for i in range(count)], catalog)
    run("DR4 breakout", [breakout(i) for i in range(count)], catalog)
    plant = [plant_graph(i) for i in range(count)]
    run("method B plant graph, trace=False", plant, catalog, trace=False)
    memory(seed_dir)


def shapes(catalog: Catalog) -> list[Channel]:
    """Method-B channels of distinct memo keys: port pairs, and each element's siblings."""
    out: list[Channel] = []
    base = method_b(3)
    for enter in "123456":
        for exit_ in "123456":
            elements = list(base.elements)
            elements[1] = ElementSpec("CAS-B-OM4", enter=enter, exit="R1")
            elements[3] = ElementSpec("CAS-B-OM4", enter="R1", exit=exit_)
            for index in (0, 2, 4):
                for sibling in ((elements[index].product,),) + tuple(
                    (s.code,) for s in catalog.siblings(elements[index].product)
                ):
                    changed = list(elements)
                    changed[index] = ElementSpec(sibling[0], elements[index].length_m)
                    out.append(Aggregate(base.a, tuple(changed), base.b))
    return out


def memory(seed_dir: Path) -> None:
    """Print the memo's bytes per verdict (verdicts of distinct shapes, fixes searched)."""
    from apps.engine.validate import validate

    catalog = Catalog.from_records(load_records(seed_dir))
    channels = shapes(catalog)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for channel in channels:
        validate(channel, catalog)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    count = len(catalog.verdicts)
    print(
        f"memory: {len(channels)} channels, {count} verdicts (incl. fix trials) hold "
        f"{(after - before) / 1e6:.1f} MB: {(after - before) / count / 1e3:.1f} kB per verdict; "
        f"memo cap {catalog.verdicts.limit}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
