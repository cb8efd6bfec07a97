"""Small helpers for postgres:// URLs, including the socket form postgres://user@%2Fdir:port/db."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit


def psycopg_kwargs(database_url: str) -> dict[str, Any]:
    """Connection keywords for psycopg.connect() from a DATABASE_URL."""
    parts = urlsplit(database_url)
    # .hostname lowercases; read the host from the raw netloc so socket paths keep their case.
    host_port = parts.netloc.rpartition("@")[2]
    host, _, port = host_port.rpartition(":") if _has_port(host_port) else (host_port, "", "")
    kwargs: dict[str, Any] = {"dbname": unquote(parts.path.lstrip("/")) or "postgres"}
    if host:
        kwargs["host"] = unquote(host)
    if port:
        kwargs["port"] = int(port)
    if parts.username:
        kwargs["user"] = unquote(parts.username)
    if parts.password:
        kwargs["password"] = unquote(parts.password)
    return kwargs


def database_url_with_name(database_url: str, name: str) -> str:
    """The same server and credentials, another database."""
    parts = urlsplit(database_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _has_port(host_port: str) -> bool:
    _, colon, tail = host_port.rpartition(":")
    return bool(colon) and tail.isdigit()
