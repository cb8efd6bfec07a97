"""Import, bulk writes: ids from one `nextval` query, rows in one COPY per table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from apps.plant.io.schema import _Revision

# --- import: bulk writes -------------------------------------------------------------------------


def _insert(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """Insert rows (column values in `columns` order) in two queries; returns their new ids.

    One `nextval` query reserves the ids, one COPY writes the rows with their timestamps: a fixed
    number of queries per table whatever the count, and no model instances.
    """
    if not rows:
        return []
    table = model._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
        names = ", ".join(
            connection.ops.quote_name(c) for c in ["id", "created", "updated", *columns]
        )
        stamp = now.isoformat()
        with cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN"
        ) as copy:
            # COPY's text format written by hand: several times faster than write_row per row
            chunk: list[str] = []
            for pk, row in zip(ids, rows, strict=True):
                chunk.append(f"{pk}\t{stamp}\t{stamp}\t" + "\t".join(map(_copy_text, row)) + "\n")
                if len(chunk) == 10_000:
                    copy.write("".join(chunk))
                    chunk.clear()
            copy.write("".join(chunk))
    return ids


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str:
        return str(value).translate(_ESCAPES)
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "{" + ",".join(str(int(v)) for v in value) + "}"
    return str(value).translate(_ESCAPES)


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
