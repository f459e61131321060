"""The SQLite store's schema migrations: ``NNNN_<name>.sql`` files shipped as package data.

A migration's number is its schema version; the store applies the ones above the database's
``PRAGMA user_version`` in order, each in its own transaction.
"""

from __future__ import annotations

import re
import sqlite3
from importlib import resources
from typing import NamedTuple

_FILE_NAME = re.compile(r"(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql")


class Migration(NamedTuple):
    version: int
    name: str
    statements: tuple[str, ...]


def load_migrations() -> list[Migration]:
    """Every migration of this package, in version order; numbering must be gapless from 1."""
    migrations = []
    for entry in resources.files(__package__).iterdir():
        match = _FILE_NAME.fullmatch(entry.name)
        if match:
            statements = split_statements(entry.read_text(encoding="utf-8"))
            migrations.append(Migration(int(match["version"]), match["name"], statements))
    migrations.sort()
    versions = [migration.version for migration in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise RuntimeError(f"store migrations must be numbered 1..n without gaps, found {versions}")
    return migrations


def split_statements(script: str) -> tuple[str, ...]:
    """Split a SQL script into complete statements.

    ``executescript`` would commit any open transaction first, so a migration could not share
    one transaction with its version bump; statements are therefore run one by one.
    """
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if _strip_comment_lines(pending):
                statements.append(pending.strip())
            pending = ""
    if _strip_comment_lines(pending):
        raise ValueError(f"incomplete SQL statement at the end of a migration: {pending.strip()[:80]!r}")
    return tuple(statements)


def _strip_comment_lines(text: str) -> str:
    """``text`` without its ``--`` comment lines: empty when it holds no statement."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--")).strip()
