"""The database half of a backup: one consistent copy of the database, and from that same
copy the row count of every table, the applied migrations and every stored file a row
references; and, on the way back, loading a copy into an empty database.

SQLite is copied with its online backup API (one step, under a read lock: a consistent
file however busy the server is). PostgreSQL is read in a REPEATABLE READ transaction
whose snapshot ``pg_dump --snapshot`` shares: the dump, the counts and the file list
describe one instant."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import environ
import psycopg
from django.apps import apps
from django.conf import settings
from django.db import models
from psycopg import sql

from machikoba.backups.archive import BackupError, safe_path

# OPTIONS keys Django's PostgreSQL backend consumes itself; the rest go to libpq.
_DJANGO_ONLY_OPTIONS = {"isolation_level", "server_side_binding", "pool", "assume_role"}
_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")

Row = Sequence[Any]


@dataclass(frozen=True)
class Database:
    """A database to back up or restore into, as a Django DATABASES entry."""

    config: dict[str, Any]

    @classmethod
    def configured(cls) -> Database:
        return cls(dict(settings.DATABASES["default"]))

    @classmethod
    def from_url(cls, url: str) -> Database:
        try:
            config = environ.Env.db_url_config(url)
        except Exception as error:  # django-environ raises several kinds
            raise BackupError(f"cannot read the database URL ({error})") from error
        return cls(config)

    @property
    def vendor(self) -> str:
        engine = str(self.config.get("ENGINE", ""))
        if engine.endswith("sqlite3"):
            return "sqlite"
        if "postgresql" in engine or "postgis" in engine:
            return "postgresql"
        raise BackupError(f"backups support SQLite and PostgreSQL, not {engine}")

    @property
    def label(self) -> str:
        """Where it is, without the password."""
        if self.vendor == "sqlite":
            return f"SQLite {self.config['NAME']}"
        host = self.config.get("HOST") or "local socket"
        port = self.config.get("PORT") or 5432
        return f"PostgreSQL {self.config['NAME']} on {host}:{port}"

    # --- PostgreSQL connection parameters ---------------------------------------

    def libpq(self) -> dict[str, str]:
        params = {
            "dbname": self.config.get("NAME"),
            "user": self.config.get("USER"),
            "password": self.config.get("PASSWORD"),
            "host": self.config.get("HOST"),
            "port": self.config.get("PORT"),
        }
        for key, value in (self.config.get("OPTIONS") or {}).items():
            if key not in _DJANGO_ONLY_OPTIONS and isinstance(value, str | int):
                params[key] = value
        return {k: str(v) for k, v in params.items() if v not in (None, "")}

    def connect(self, *, autocommit: bool = False) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(
                psycopg.conninfo.make_conninfo("", **self.libpq()), autocommit=autocommit
            )
        except psycopg.OperationalError as error:
            raise BackupError(f"cannot connect to {self.label}: {error}".strip()) from error

    def client_args(self) -> tuple[str, dict[str, str]]:
        """A conninfo for pg_dump/pg_restore (the password goes in the environment, not on
        the command line where ``ps`` would show it) and that environment."""
        params = self.libpq()
        password = params.pop("password", None)
        env = dict(os.environ)
        if password is not None:
            env["PGPASSWORD"] = password
        return psycopg.conninfo.make_conninfo("", **params), env


# --- which rows hold files ------------------------------------------------------------


def file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    """Every FileField (ImageField included) of every installed model with a table of
    its own, through the app registry: a new one is backed up without a change here."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for f in model._meta.local_concrete_fields:
            if isinstance(f, models.FileField):
                found.append((model, f))
    return found


def field_label(model: type[models.Model], f: models.Field[Any, Any]) -> str:
    return f"{model._meta.label}.{f.name}"


@dataclass
class Snapshot:
    """What one consistent read of the database found."""

    vendor: str
    dump: Path
    server_version: str
    tables: dict[str, int]
    references: dict[str, list[str]]  # storage path → the fields that name it
    migrations: dict[str, list[str]]


_COUNT = "SELECT COUNT(*) FROM {t}"
_REFERENCES = "SELECT DISTINCT {c} FROM {t} WHERE {c} IS NOT NULL AND {c} <> ''"
_MIGRATIONS = "SELECT app, name FROM {t} ORDER BY app, id"


@dataclass(frozen=True)
class Dialect:
    """Builds the few statements a backup runs, quoting names the vendor's way."""

    vendor: str

    def __call__(self, template: str, **names: str) -> Any:
        if self.vendor == "sqlite":
            quoted = {k: '"' + v.replace('"', '""') + '"' for k, v in names.items()}
            return template.format(**quoted)
        return sql.SQL(template).format(**{k: _pg_identifier(v) for k, v in names.items()})


def _pg_identifier(name: str) -> sql.Identifier:
    schema, _, table = name.rpartition(".")
    return sql.Identifier(schema, table) if schema else sql.Identifier(table)


SQLITE, POSTGRESQL = Dialect("sqlite"), Dialect("postgresql")


def _read(
    query: Callable[[Any], list[Row]], dialect: Dialect, tables: list[str]
) -> tuple[dict[str, int], dict[str, list[str]], dict[str, list[str]]]:
    counts = {table: int(query(dialect(_COUNT, t=table))[0][0]) for table in tables}
    references: dict[str, list[str]] = {}
    for model, f in file_fields():
        table = model._meta.db_table
        if table not in counts:
            raise BackupError(f"the table {table} of {model._meta.label} is missing: migrate first")
        for (name,) in query(dialect(_REFERENCES, t=table, c=f.column or f.name)):
            references.setdefault(safe_path(str(name)), []).append(field_label(model, f))
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in counts:
        for app, name in query(dialect(_MIGRATIONS, t="django_migrations")):
            migrations.setdefault(str(app), []).append(str(name))
    return counts, references, migrations


# --- taking the snapshot --------------------------------------------------------------


def snapshot(source: Database, workdir: Path) -> Snapshot:
    if source.vendor == "sqlite":
        return _sqlite_snapshot(source, workdir)
    return _postgres_snapshot(source, workdir)


def _sqlite_snapshot(source: Database, workdir: Path) -> Snapshot:
    path = Path(source.config["NAME"])
    if not path.is_file():
        raise BackupError(f"no SQLite database at {path}")
    copy = workdir / "db.sqlite3"
    origin = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=60)
    target = sqlite3.connect(copy)
    try:
        origin.backup(target)  # pages=-1: the whole database in one consistent step
    finally:
        origin.close()
    try:
        counts, references, migrations = _read(
            lambda q: target.execute(q).fetchall(), SQLITE, sqlite_tables(target)
        )
        version = sqlite3.sqlite_version
    finally:
        target.close()
    return Snapshot("sqlite", copy, version, counts, references, migrations)


def sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\' ORDER BY name"
    ).fetchall()
    return [str(name) for (name,) in rows]


def postgres_tables(connection: psycopg.Connection[Any]) -> list[str]:
    """Every base table outside the system schemas; those of ``public`` by bare name."""
    rows = connection.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_type = 'BASE TABLE' AND table_schema <> ALL(%s) "
        "AND table_schema NOT LIKE 'pg\\_%%' ORDER BY 1, 2",
        [list(_SYSTEM_SCHEMAS)],
    ).fetchall()
    return [name if schema == "public" else f"{schema}.{name}" for schema, name in rows]


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client of the server's major "
            "version (Debian: apt-get install postgresql-client)"
        )
    return tool


def _postgres_snapshot(source: Database, workdir: Path) -> Snapshot:
    pg_dump = _pg_tool("pg_dump")
    dump = workdir / "db.pgdump"
    conninfo, env = source.client_args()
    with source.connect() as connection:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        # The first statement opens the transaction; its snapshot is the backup's instant.
        snapshot_id = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        done = subprocess.run(  # noqa: S603 - pg_dump from PATH, arguments we built
            [
                pg_dump,
                "--format=custom",
                f"--snapshot={snapshot_id}",
                "--no-password",
                f"--file={dump}",
                f"--dbname={conninfo}",
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")

        counts, references, migrations = _read(
            lambda q: connection.execute(q).fetchall(), POSTGRESQL, postgres_tables(connection)
        )
        version = str(connection.info.server_version)
        connection.rollback()
    return Snapshot("postgresql", dump, version, counts, references, migrations)


def still_referenced(source: Database, paths: list[str]) -> set[str]:
    """Which of ``paths`` a row of the database names now (outside the snapshot): a file
    gone from storage whose row went too was purged after the snapshot, not lost."""
    wanted = set(paths)
    found: set[str] = set()
    if source.vendor == "sqlite":
        connection = sqlite3.connect(
            Path(source.config["NAME"]).resolve().as_uri() + "?mode=ro", uri=True, timeout=60
        )
        try:
            for model, f in file_fields():
                q = SQLITE(_REFERENCES, t=model._meta.db_table, c=f.column or f.name)
                found |= {str(n) for (n,) in connection.execute(q).fetchall()} & wanted
        finally:
            connection.close()
        return found
    with source.connect(autocommit=True) as pg:
        for model, f in file_fields():
            q = POSTGRESQL(_REFERENCES, t=model._meta.db_table, c=f.column or f.name)
            found |= {str(n) for (n,) in pg.execute(q).fetchall()} & wanted
    return found


# --- restoring --------------------------------------------------------------------------


def is_empty(target: Database) -> bool:
    if target.vendor == "sqlite":
        path = Path(target.config["NAME"])
        if not path.exists() or path.stat().st_size == 0:
            return True
        connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            return not sqlite_tables(connection)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path} is not an SQLite database ({error})") from error
        finally:
            connection.close()
    with target.connect(autocommit=True) as pg:
        return not postgres_tables(pg)


def check_restorable(target: Database, vendor: str) -> None:
    """Refuse before anything changes: the wrong kind of database, a missing tool, an
    unreachable server or a folder that does not exist."""
    if target.vendor != vendor:
        raise BackupError(
            f"the archive holds a {vendor} database; it cannot be restored into {target.label}"
        )
    if vendor == "postgresql":
        _pg_tool("pg_restore")
        with target.connect(autocommit=True):
            pass
    else:
        parent = Path(target.config["NAME"]).parent
        if not parent.is_dir():
            raise BackupError(f"the folder {parent} does not exist")


def load(target: Database, dump: Path, *, replace: bool) -> None:
    """Load the copy into ``target``, which is empty unless ``replace`` (then everything
    in it goes first)."""
    if target.vendor == "sqlite":
        path = Path(target.config["NAME"])
        staged = path.with_name(path.name + ".restoring")
        shutil.copyfile(dump, staged)
        if replace:  # a stale journal beside the new file would corrupt it
            for suffix in ("-wal", "-shm", "-journal"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
        os.replace(staged, path)
        return
    pg_restore = _pg_tool("pg_restore")
    if replace:
        with target.connect(autocommit=True) as connection, connection.transaction():
            connection.execute("DROP SCHEMA IF EXISTS public CASCADE")
            connection.execute("CREATE SCHEMA public")
    conninfo, env = target.client_args()
    done = subprocess.run(  # noqa: S603 - pg_restore from PATH, arguments we built
        [
            pg_restore,
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            "--no-password",
            f"--dbname={conninfo}",
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")


def count_rows(target: Database) -> dict[str, int]:
    if target.vendor == "sqlite":
        connection = sqlite3.connect(
            Path(target.config["NAME"]).resolve().as_uri() + "?mode=ro", uri=True
        )
        try:
            return {
                t: int(connection.execute(SQLITE(_COUNT, t=t)).fetchone()[0])
                for t in sqlite_tables(connection)
            }
        finally:
            connection.close()
    with target.connect(autocommit=True) as pg:
        return {
            t: int(pg.execute(POSTGRESQL(_COUNT, t=t)).fetchone()[0])  # type: ignore[index]
            for t in postgres_tables(pg)
        }
