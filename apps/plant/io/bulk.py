"""Import, bulk writes: ids from one `nextval` query, rows in one binary COPY per table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from apps.plant.io.schema import _Revision
from apps.plant.models import (
    Cable,
    CableLeg,
    Device,
    Enclosure,
    Link,
    LinkEnd,
    Mating,
    Module,
    Port,
    Rack,
    Row,
    Transceiver,
)

# The columns each table's new rows are written with, in COPY order: one list for both writers
# (the import's apply.py and the generator's trusted.py), so that they cannot drift apart.
COLUMNS: dict[type[Model], tuple[str, ...]] = {
    Row: ("hall_id", "project_id", "name", "index"),
    Rack: ("row_id", "hall_id", "project_id", "name", "position", "height_u"),
    Device: ("rack_id", "hall_id", "project_id", "name", "kind", "u_position", "height_u"),
    Transceiver: ("device_id", "hall_id", "project_id", "cage", "product_revision_id"),
    Enclosure: (
        "rack_id",
        "hall_id",
        "project_id",
        "name",
        "product_revision_id",
        "u_position",
        "height_u",
    ),
    Module: ("enclosure_id", "hall_id", "project_id", "slot", "product_revision_id", "orientation"),
    Port: ("hall_id", "project_id", "transceiver_id", "module_id", "label", "face", "family"),
    Cable: ("project_id", "hall_id", "product_revision_id", "label", "length_mm", "status"),
    CableLeg: ("cable_id", "hall_id", "project_id", "end", "index", "label"),
    Mating: ("project_id", "hall_id", "leg_id", "port_id", "side", "created_by_id"),
    Link: (
        "project_id",
        "hall_id",
        "name",
        "shape",
        "status",
        "status_revision",
        "needs_revalidation",
        "last_report",
        "touched_cable_ids",
        "touched_port_ids",
        "created_by_id",
    ),
    LinkEnd: ("link_id", "project_id", "hall_id", "role", "port_id", "lanes", "application_id"),
}

# --- import: bulk writes -------------------------------------------------------------------------


def _insert(
    model: type[Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    keys: KeyCheck | None = None,
    background: Background | None = None,
) -> Sequence[int]:
    """Insert rows (column values in `columns` order) in two queries; returns their new ids.

    One `nextval` query reserves the ids, one binary COPY writes the rows with their timestamps:
    a fixed number of queries per table whatever the count, no model instances, and nothing for
    the server to parse. With `keys` (see `unchecked_foreign_keys`), the rows' foreign keys are
    recorded for its set-wise check; with `background` (see `copies_in_background`), the COPY
    runs in a worker thread and this returns the ids at once.
    """
    if not rows:
        return []
    if background is not None:
        background.wait()  # the previous COPY's error, if any, surfaces here
    table = model._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        ids = _reserve_ids(cursor, table, len(rows))
        types = _column_types(cursor, table)
        raw = cursor.cursor.connection  # psycopg's: thread-safe, one operation at a time
    if keys is not None:
        keys.record(model, columns, ids, rows)
    names = ["id", "created", "updated", *columns]
    quoted = ", ".join(connection.ops.quote_name(c) for c in names)
    sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN (FORMAT BINARY)"
    errors = connection.wrap_database_errors  # IntegrityError and co. as Django's, like execute()

    def copy_rows() -> None:
        with errors, raw.cursor() as cursor, cursor.copy(sql) as copy:
            copy.set_types([types[name] for name in names])
            write = copy.write_row  # psycopg's C dumpers, one call per row
            for pk, row in zip(ids, rows, strict=True):
                write((pk, now, now, *row))

    if background is None:
        copy_rows()
    else:
        background.pending = background.pool.submit(copy_rows)
    return ids


class Background:
    """One COPY at a time in a worker thread, while the caller builds the next table's rows.

    PostgreSQL writes one table while Python prepares the next (two cores instead of one taking
    turns). The COPY uses this thread's connection and transaction; psycopg's connection lock
    makes any other query on it wait until the COPY is done.
    """

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="plant-copy")
        self.pending: Future[None] | None = None

    def wait(self) -> None:
        """Wait for the COPY under way, raising its error."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()


@contextmanager
def copies_in_background() -> Iterator[Background]:
    """A `Background` for `_insert`; every COPY has finished (or failed) when this exits."""
    background = Background()
    try:
        yield background
        background.wait()
    finally:
        background.pool.shutdown(wait=True)  # after an error too: the connection is free again


_TYPES: dict[str, dict[str, int]] = {}  # table -> column -> type oid (the schema of this process)


def _column_types(cursor: Any, table: str) -> dict[str, int]:
    found = _TYPES.get(table)
    if found is None:
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute"
            " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        found = _TYPES[table] = dict(cursor.fetchall())
    return found


def _reserve_ids(cursor: Any, table: str, count: int) -> Sequence[int]:
    """`count` new ids from the table's sequence, ascending, in one query.

    The ids usually come as one block (a range, nothing to transfer); when another session took
    ids from the sequence meanwhile, they come as a sorted array.
    """
    cursor.execute(  # the sequence looked up once, not per row
        "SELECT min(v), max(v), CASE WHEN max(v) - min(v) + 1 = count(*) THEN NULL"
        " ELSE array_agg(v ORDER BY v) END"
        " FROM (SELECT nextval(q.seq) AS v FROM"
        " (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq OFFSET 0) AS q,"
        " generate_series(1, %s)) AS s",
        [table, count],
    )
    low, high, scattered = cursor.fetchone()
    return range(low, high + 1) if scattered is None else scattered


def _r(revision: _Revision | None) -> _Revision:
    """A revision the validation has already checked exists."""
    assert revision is not None
    return revision


def _delete(model: type[Model], ids: Iterable[int]) -> int:
    ids = list(ids)
    if not ids:
        return 0
    model._default_manager.filter(pk__in=ids).delete()
    return len(ids)


# --- the generator's writes: foreign keys checked set-wise instead of per row --------------------


class KeyCheck:
    """The foreign keys of rows written by `_insert`, checked as sets instead of row by row.

    A key that names a row this check saw inserted is resolved in memory; every other key (the
    project, the hall, catalog revisions, applications, users, ...) is looked up at the end with one
    `SELECT ... FOR KEY SHARE` per referenced table, which also locks those rows against a
    concurrent delete as PostgreSQL's own per-row checks would. A key that does not resolve raises
    IntegrityError.
    """

    def __init__(self) -> None:
        self.new: dict[str, list[range | frozenset[int]]] = defaultdict(list)  # table -> new ids
        self.pending: dict[tuple[str, str], set[Any]] = defaultdict(set)  # (table, column) -> keys
        self.where: dict[tuple[str, str], str] = {}  # (table, column) -> first referencing column
        self.by_pk: set[tuple[str, str]] = set()  # the keys that name a primary key

    def record(
        self,
        model: type[Model],
        columns: Sequence[str],
        ids: Sequence[int],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        table = model._meta.db_table
        self.new[table].append(ids if isinstance(ids, range) else frozenset(ids))
        fields = {f.attname: f for f in model._meta.concrete_fields}
        for index, column in enumerate(columns):
            field = fields[column]
            if not field.is_relation or field.related_model is None:
                continue
            target = field.target_field  # type: ignore[attr-defined]
            key = (target.model._meta.db_table, target.column)
            values = set(map(itemgetter(index), rows))
            values.discard(None)
            if target.primary_key:
                self.by_pk.add(key)
                for block in self.new.get(key[0], ()):
                    values = _outside(values, block)
            self.pending[key] |= values
            self.where.setdefault(key, f"{table}.{column}")

    def verify(self) -> None:
        """Resolve and lock every key not written here; raise IntegrityError for a missing one."""
        with connection.cursor() as cursor:
            for (table, column), values in self.pending.items():
                if (table, column) in self.by_pk:  # rows written after the rows that named them
                    for block in self.new.get(table, ()):
                        values = _outside(values, block)
                if not values:
                    continue
                name, col = connection.ops.quote_name(table), connection.ops.quote_name(column)
                cursor.execute(
                    f"SELECT {col} FROM {name} WHERE {col} = ANY(%s) FOR KEY SHARE",  # noqa: S608
                    [sorted(values)],
                )
                missing = values - {row[0] for row in cursor.fetchall()}
                if missing:
                    raise IntegrityError(
                        f"{self.where[(table, column)]} names {len(missing)} missing "
                        f"{table}.{column} (e.g. {sorted(missing, key=repr)[0]!r})"
                    )


def _outside(values: set[Any], block: range | frozenset[int]) -> set[Any]:
    """The values that are not in the block of new ids."""
    if (
        isinstance(block, range)
        and values
        and block.start <= min(values) <= max(values) < block.stop
    ):
        return set()  # the usual case: every key names a row of one block
    return {v for v in values if v not in block}


@contextmanager
def unchecked_foreign_keys(models: Sequence[type[Model]]) -> Iterator[KeyCheck | None]:
    """Write new rows of `models` without PostgreSQL's per-row foreign-key triggers, if allowed.

    Inside, the transaction runs with `session_replication_role = replica` (which skips triggers,
    here only the foreign-key ones: it is not used when the tables have any other trigger), and the
    `KeyCheck` yielded must be passed to every `_insert`; on the way out the role is reset and the
    keys are checked set-wise (KeyCheck.verify). When the database user may not set the role,
    this yields None and the database checks every key itself, as usual. Only for inserts of
    new rows: a delete or an update inside would skip its cascades and checks. It is a savepoint:
    an error inside rolls back its writes and the role together.
    """
    tables = [model._meta.db_table for model in models]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t LEFT JOIN pg_constraint c ON c.oid = t.tgconstraint"
            " WHERE t.tgrelid = ANY(%s::regclass[]) AND c.contype IS DISTINCT FROM 'f'",
            [tables],
        )
        enabled = cursor.fetchone()[0] == 0
        if enabled:
            try:
                with transaction.atomic():  # a refusal must not end the transaction
                    cursor.execute("SET LOCAL session_replication_role = replica")
            except DatabaseError:
                enabled = False
        if not enabled:
            yield None
            return
        keys = KeyCheck()
        yield keys
        cursor.execute("SET LOCAL session_replication_role = origin")
        keys.verify()
