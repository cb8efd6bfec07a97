"""Micro-benchmark: 10,000 validations of a Method-B channel with varying lengths.

Run: `python -m apps.engine.bench [seed_dir] [count]` (default: the real seed if present, else the
engine test fixtures). Not a test: it prints the time per validation.
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal
from pathlib import Path

from apps.engine.catalog import Catalog
from apps.engine.channel import Aggregate, ElementSpec, End
from apps.engine.seed import load_records

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests/engine/fixtures/seed"


def main(argv: list[str]) -> None:
    """Time `count` validations of the fixture Method-B channel."""
    from apps.engine.validate import validate

    seed_dir = Path(argv[0]) if argv else FIXTURES
    count = int(argv[1]) if len(argv) > 1 else 10_000
    catalog = Catalog.from_records(load_records(seed_dir))
    sfp = End("SFP-10G-SR")
    channels = [
        Aggregate(
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
        for i in range(count)
    ]
    start = time.perf_counter()
    failures = sum(1 for channel in channels if not validate(channel, catalog).ok)
    elapsed = time.perf_counter() - start
    print(
        f"{count} validations in {elapsed:.2f} s: {elapsed / count * 1e6:.0f} µs each "
        f"({failures} failing, memo {len(catalog.verdicts)} verdicts)"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
