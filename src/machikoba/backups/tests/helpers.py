"""Independent ways to read what a database and a media folder hold, for the drills:
plain sqlite3/psycopg and the app registry, not the backup code under test."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import psycopg
from django.apps import apps
from django.core.files.storage import default_storage
from django.db import connection, models
from psycopg import sql


def counts_in(url: str) -> dict[str, int]:
    """Every table's row count in the database at ``url``, read without the app's code."""
    if url.startswith("sqlite:"):
        path = url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as db:
            tables = [
                name
                for (name,) in db.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            count = 'SELECT COUNT(*) FROM "{}"'
            return {t: db.execute(count.format(t)).fetchone()[0] for t in tables}
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        ]
        return {
            t: db.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(t))).fetchone()[
                0
            ]
            for t in tables
        }


def source_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute("SELECT COUNT(*) FROM " + connection.ops.quote_name(table))  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def referenced_files() -> set[str]:
    """Every storage path a row names, found by walking the models (not the app's code)."""
    names: set[str] = set()
    for model in apps.get_models():
        for f in model._meta.fields:
            if isinstance(f, models.FileField) and not model._meta.proxy:
                names |= set(
                    model._base_manager.exclude(**{f.name: ""})
                    .exclude(**{f"{f.name}__isnull": True})
                    .values_list(f.name, flat=True)
                )
    return names


def sha256_in_storage(name: str) -> str:
    with default_storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def sha256_in_folder(root: Path, name: str) -> str:
    return hashlib.sha256((root / name).read_bytes()).hexdigest()


def files_in(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
