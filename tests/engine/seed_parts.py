"""Find a method's parts in any catalog by what the seed says they are (labels and faces).

The real seed's codes are the seed-data developer's, so the real-seed tests pick products by their
declared attributes: kind, cable type, polarity label, connector families, genders, end-faces,
fibre type. The map is then the product's own: a product labelled "type A" whose map is not
straight fails the method test, and the test names the product.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from decimal import Decimal
from typing import Any

from apps.engine.catalog import Catalog, Face, Product
from apps.engine.channel import Aggregate, Branch, Breakout, ElementSpec, End
from apps.engine.seed import SeedContext, normalise_product
from apps.engine.types import SeedError

MULTIMODE_50 = ("OM4", "OM3", "OM5")

# polarity label (normalised) -> the map rule the reference defines for it (§5.1, convention)
CABLE_RULES = {
    "A": "straight",
    "B": "reversed",
    "C": "pair-flip",
    "AB": "duplex-ab",
    "AA": "duplex-aa",
}
MODULE_RULES = {"A": "module-a", "B": "module-b", "U1": "module-u1", "U2": "module-u2"}


def label(product: Product) -> str:
    """The product's polarity label, normalised: "Type A" -> "A", "A-to-B" -> "AB"."""
    text = str(product.record.get("polarity") or "").upper().replace(" ", "").replace("_", "-")
    text = text.removeprefix("TYPE").removeprefix("-").removeprefix("METHOD")
    return {"A-TO-B": "AB", "A-B": "AB", "A-TO-A": "AA", "A-A": "AA"}.get(text, text)


def products(catalog: Catalog, kind: str) -> list[Product]:
    """Every product of `kind`, in code order."""
    return [p for code, p in sorted(catalog.products.items()) if p.kind == kind]


def legs(product: Product, end: str) -> list[Face]:
    """The legs of a cable at end "A" or "B"."""
    return [f for f in product.faces.values() if f.side == end]


def family(face: Face) -> str | None:
    """The connector family of a face."""
    return face.connector.code if face.connector else None


def is_apc(face: Face) -> bool:
    """True for an APC end-face."""
    return face.endface == "APC"


def transceiver(
    catalog: Catalog, applications: Collection[str], families: Collection[str]
) -> Product | None:
    """The first transceiver running one of `applications` with receptacle "1" of `families`."""
    for app in applications:
        for product in products(catalog, "transceiver"):
            face = product.faces.get("1")
            if product.application == app and face is not None and family(face) in families:
                return product
    return None


def cables(
    catalog: Catalog,
    polarity: str,
    a_family: Collection[str],
    b_family: Collection[str],
    fiber: Collection[str],
    *,
    b_legs: int = 1,
) -> list[Product]:
    """Cables with this polarity label, one A leg, `b_legs` B legs, these families and fibres."""
    out = []
    for product in products(catalog, "cable"):
        a, b = legs(product, "A"), legs(product, "B")
        if label(product) != polarity or len(a) != 1 or len(b) != b_legs:
            continue
        families = family(a[0]) in a_family and all(family(x) in b_family for x in b)
        if families and product.fiber_type in fiber:
            out.append(product)
    return out


def cassettes(catalog: Catalog, polarity: str, fiber: Collection[str]) -> list[Product]:
    """MPO-to-LC modules with this polarity label and fibre, with six (or four) front ports."""
    out = []
    for product in products(catalog, "cassette"):
        rear = [f for f in product.faces.values() if f.side == "rear"]
        front = [f for f in product.faces.values() if f.side == "front"]
        if label(product) != polarity or product.fiber_type not in fiber or len(rear) != 1:
            continue
        if (
            family(rear[0]) in ("MPO-12", "MPO-8")
            and front
            and all(family(f) == "LC" for f in front)
        ):
            out.append(product)
    return out


def adapter(catalog: Catalog, key: str, fam: str = "MPO-12") -> Product | None:
    """A bare adapter of this key geometry and family."""
    for product in products(catalog, "adapter"):
        face = product.faces["1"]
        if face.adapter == key and family(face) in (fam, "MPO-8" if fam == "MPO-12" else fam):
            return product
    return None


def mates(plug: Face, other: Face) -> bool:
    """Gender and end-face allow `plug` to meet `other` (a port, or a plug across an adapter)."""
    gendered = plug.connector is not None and plug.connector.gendered
    if gendered and plug.gender is not None and plug.gender == other.gender:
        return False
    return other.endface is None or plug.endface is None or is_apc(plug) == is_apc(other)


# --- duplex methods (§5.2) -----------------------------------------------------------------------

DUPLEX_METHODS = {
    # method: (module label, trunk label, cord at end 1, cord at end 2)
    "A": ("A", "A", "AB", "AA"),
    "B": ("B", "B", "AB", "AB"),
    "C": ("A", "C", "AB", "AB"),
    "U1": ("U1", "B", "AB", "AB"),
    "U2": ("U2", "B", "AB", "AB"),
}


def far_port(method: str, port: int, ports: int) -> int:
    """The front port a method joins port `port` to: B joins k to n+1-k, the others k to k."""
    return ports + 1 - port if method == "B" else port


def duplex_parts(catalog: Catalog, method: str) -> dict[str, Product] | str:
    """SFP, cords, modules and trunk of a duplex method from the catalog, or why not."""
    module_label, trunk_label, cord1_label, cord2_label = DUPLEX_METHODS[method]
    sfp = transceiver(catalog, ("10GBASE-SR", "25GBASE-SR"), ("LC",))
    if sfp is None:
        return "no 10GBASE-SR/25GBASE-SR transceiver with an LC receptacle"
    for fiber in MULTIMODE_50:
        cord1 = cables(catalog, cord1_label, ("LC",), ("LC",), (fiber,))
        cord2 = cables(catalog, cord2_label, ("LC",), ("LC",), (fiber,))
        cord1 = [c for c in cord1 if not is_apc(legs(c, "A")[0])]
        cord2 = [c for c in cord2 if not is_apc(legs(c, "A")[0])]
        for module in cassettes(catalog, module_label, (fiber,)):
            rear = next(f for f in module.faces.values() if f.side == "rear")
            for trunk in cables(
                catalog, trunk_label, ("MPO-12", "MPO-8"), ("MPO-12", "MPO-8"), (fiber,)
            ):
                if trunk.record.get("cable_type") not in (None, "trunk"):
                    continue
                if (
                    mates(legs(trunk, "A")[0], rear)
                    and mates(legs(trunk, "B")[0], rear)
                    and cord1
                    and cord2
                ):
                    return {
                        "sfp": sfp,
                        "cord1": cord1[0],
                        "module": module,
                        "trunk": trunk,
                        "cord2": cord2[0],
                    }
    return (
        f"no compatible method {method} set (cords {cord1_label}/{cord2_label},"
        f" {module_label} modules, {trunk_label} trunk)"
    )


def duplex_channel(
    parts: dict[str, Product], method: str, port: int, far: int | None = None
) -> Aggregate:
    """[SFP]--cord 2 m--[port module R1]==trunk 50 m==[R1 module far]--cord 2 m--[SFP]"""
    module = parts["module"]
    rear = next(label for label, f in module.faces.items() if f.side == "rear")
    front = [label for label, f in module.faces.items() if f.side == "front"]
    if far is None:
        far = far_port(method, port, len(front))
    sfp = End(parts["sfp"].code)
    return Aggregate(
        sfp,
        (
            ElementSpec(parts["cord1"].code, Decimal(2)),
            ElementSpec(module.code, enter=front[port - 1], exit=rear),
            ElementSpec(parts["trunk"].code, Decimal(50)),
            ElementSpec(module.code, enter=rear, exit=front[far - 1]),
            ElementSpec(parts["cord2"].code, Decimal(2)),
        ),
        sfp,
    )


def front_ports(module: Product) -> int:
    """The number of front ports of a module."""
    return sum(1 for f in module.faces.values() if f.side == "front")


# --- parallel methods (§5.3) ---------------------------------------------------------------------

PARALLEL_METHODS = {
    # method: (trunk label, adapter key, cord at end 1, cord at end 2)
    "A": ("A", "key-up-key-down", "A", "B"),
    "B": ("B", "key-up-key-up", "B", "B"),
}


def _oriented(cord: Product, port: Face) -> tuple[str, str] | None:
    """(enter, exit) so that the cord's plug entering the transceiver mates with its port."""
    a, b = legs(cord, "A")[0], legs(cord, "B")[0]
    if mates(a, port):
        return "A1", "B1"
    if mates(b, port):
        return "B1", "A1"
    return None


def parallel_parts(catalog: Catalog, method: str) -> dict[str, object] | str:
    """QSFP, cords, adapters and trunk of a parallel method from the catalog, or why not."""
    trunk_label, key, cord1_label, cord2_label = PARALLEL_METHODS[method]
    qsfp = transceiver(catalog, ("40GBASE-SR4", "100GBASE-SR4"), ("MPO-12",))
    if qsfp is None:
        return "no 40GBASE-SR4/100GBASE-SR4 transceiver with an MPO-12 receptacle"
    port = qsfp.faces["1"]
    bare = adapter(catalog, key)
    if bare is None:
        return f"no bare MPO-12 {key} adapter"
    mpo = ("MPO-12", "MPO-8")
    for fiber in MULTIMODE_50:
        for trunk in cables(catalog, trunk_label, mpo, mpo, (fiber,)):
            if trunk.record.get("cable_type") not in (None, "trunk"):
                continue
            picked = []
            for wanted, trunk_end in ((cord1_label, "A"), (cord2_label, "B")):
                found = None
                for cord in cables(catalog, wanted, mpo, mpo, (fiber,)):
                    faces = _oriented(cord, port)
                    if faces is None:
                        continue
                    far = cord.faces[faces[1]]
                    if mates(far, legs(trunk, trunk_end)[0]):
                        found = (cord, faces)
                        break
                picked.append(found)
            if all(picked):
                return {"qsfp": qsfp, "adapter": bare, "trunk": trunk, "cords": picked}
    return (
        f"no compatible parallel method {method} set"
        f" ({cord1_label}/{cord2_label} cords, {trunk_label} trunk)"
    )


def parallel_channel(parts: dict[str, object]) -> Aggregate:
    """[QSFP]-cord1 3 m-[adapter]==trunk 30 m==[adapter]-cord2 3 m-[QSFP]"""
    qsfp = parts["qsfp"]
    bare = parts["adapter"]
    trunk = parts["trunk"]
    cords: Any = parts["cords"]
    (cord1, (in1, out1)), (cord2, (in2, out2)) = cords
    assert isinstance(qsfp, Product)
    assert isinstance(bare, Product)
    assert isinstance(trunk, Product)
    end = End(qsfp.code)
    return Aggregate(
        end,
        (
            ElementSpec(cord1.code, Decimal(3), in1, out1),
            ElementSpec(bare.code),
            ElementSpec(trunk.code, Decimal(30)),
            ElementSpec(bare.code),
            ElementSpec(cord2.code, Decimal(3), out2, in2),
        ),
        end,
    )


# --- breakouts (§5.4) ----------------------------------------------------------------------------

BREAKOUTS = {
    # name: (parent applications, child applications, fibres, legs)
    "40GBASE-SR4 to 4x10GBASE-SR": (("40GBASE-SR4",), ("10GBASE-SR",), MULTIMODE_50, 4),
    "100GBASE-SR4 to 4x25GBASE-SR": (("100GBASE-SR4",), ("25GBASE-SR",), MULTIMODE_50, 4),
    "400GBASE-DR4 to 4x100GBASE-DR": (
        ("400GBASE-DR4",),
        ("100GBASE-DR", "100GBASE-FR1"),
        ("OS2", "OS1a"),
        4,
    ),
}


def breakout_parts(catalog: Catalog, name: str) -> dict[str, Product] | str:
    """Parent, harness and child of a 1-to-4 breakout from the catalog, or why not."""
    parents, children, fibers, count = BREAKOUTS[name]
    parent = transceiver(catalog, parents, ("MPO-12",))
    child = transceiver(catalog, children, ("LC",))
    if parent is None or child is None:
        return f"no {'/'.join(parents)} parent or no {'/'.join(children)} child transceiver"
    port = parent.faces["1"]
    for harness in products(catalog, "cable"):
        a, b = legs(harness, "A"), legs(harness, "B")
        if harness.record.get("cable_type") != "harness" or harness.fiber_type not in fibers:
            continue
        if not label(harness).startswith("BREAKOUT"):  # "breakout (Base-8, Type-B)", §5.4
            continue
        if len(a) != 1 or len(b) != count or family(a[0]) not in ("MPO-12", "MPO-8"):
            continue
        lc = all(family(x) == "LC" and mates(x, child.faces["1"]) for x in b)
        if lc and mates(a[0], port):
            return {"parent": parent, "harness": harness, "child": child}
    return f"no {count}-leg MPO-to-LC harness on {'/'.join(fibers)} mating {parent.code}"


def breakout_channel(
    parts: dict[str, Product], legs_order: tuple[int, ...] = (1, 2, 3, 4)
) -> Breakout:
    """[parent]--harness 5 m--+ B<leg> -- [child] lane k (leg k carries parent lane k-1)."""
    return Breakout(
        End(parts["parent"].code),
        (ElementSpec(parts["harness"].code, Decimal(5)),),
        tuple(
            Branch(f"B{leg}", (k,), (), End(parts["child"].code))
            for k, leg in enumerate(legs_order)
        ),
    )


# --- label checks --------------------------------------------------------------------------------


def expected_map(catalog: Catalog, product: Product) -> list[list[str]] | None:
    """The map the product's polarity label defines (§5.1, convention), or None if none applies."""
    rules = (
        CABLE_RULES
        if product.kind == "cable"
        else MODULE_RULES
        if product.kind == "cassette"
        else {}
    )
    rule = rules.get(label(product))
    if rule is None:
        return None
    if product.kind == "cable" and product.record.get("cable_type") in ("harness", "conversion"):
        return None
    raw = {k: v for k, v in product.record.items() if k not in ("map", "map_rule")}
    if product.kind == "cable":
        raw["ends"] = {
            end: [dict(item) for item in items] for end, items in product.record["ends"].items()
        }
    raw["map_rule"] = rule
    try:
        return list(normalise_product(raw, "check", SeedContext.of(catalog.records))["map"])
    except SeedError:
        return None


def labelled(catalog: Catalog) -> Iterator[Product]:
    """Every cable and cassette whose polarity label defines a map."""
    for product in products(catalog, "cable") + products(catalog, "cassette"):
        if expected_map(catalog, product) is not None:
            yield product
