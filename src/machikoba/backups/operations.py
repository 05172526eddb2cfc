"""Backup and restore, end to end (docs/backup.md).

Consistency: a file is written before the row naming it commits, and removed only after
its row is gone (previews that failed) or by the retention purge. So the database is read
first, in one snapshot, and then every file a row of that snapshot references is copied:
each one exists, unless a purge removed it after the snapshot (told apart by looking at
the live database) or it was lost (a loud error). Files no row references yet (an upload
in flight) or any more (a failed preview) are left out and listed.

A restore checks the whole archive against its manifest before it changes anything, then
loads the database and writes the files, then reads every row count and every file back
from the targets and compares them with the manifest."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.metadata
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from machikoba.backups import databases, files
from machikoba.backups.archive import (
    DATABASE_MEMBERS,
    MANIFEST,
    ArchiveWriter,
    BackupError,
    Manifest,
    StoredFile,
    compression_for,
    read_members,
    sha256_of,
)

Log = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


# --- backup -----------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    size: int
    seconds: float
    manifest: Manifest

    @property
    def rows(self) -> int:
        return sum(self.manifest.tables.values())

    @property
    def file_bytes(self) -> int:
        return sum(f.size for f in self.manifest.files)


def create_backup(
    output: Path,
    *,
    compression: str | None = None,
    allow_missing: bool = False,
    source: databases.Database | None = None,
    log: Log = _quiet,
) -> BackupResult:
    started = time.monotonic()
    source = source or databases.Database.configured()
    path, compression = compression_for(output, compression)
    created_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    with tempfile.TemporaryDirectory(prefix="machikoba-backup-") as work:
        snap = databases.snapshot(source, Path(work))
        log(
            f"database: {source.label}, {len(snap.tables)} tables, "
            f"{sum(snap.tables.values())} rows, {len(snap.references)} stored files referenced"
        )
        writer = ArchiveWriter(path, compression)
        try:
            manifest = _write(writer, snap, source, created_at, allow_missing, log)
            size = writer.commit()
        except BaseException:
            writer.abort()
            raise
    return BackupResult(path, size, time.monotonic() - started, manifest)


def _write(
    writer: ArchiveWriter,
    snap: databases.Snapshot,
    source: databases.Database,
    created_at: str,
    allow_missing: bool,
    log: Log,
) -> Manifest:
    member = DATABASE_MEMBERS[snap.vendor]
    with snap.dump.open("rb") as dump:
        db_sha, db_size = writer.add_stream(member, snap.dump.stat().st_size, dump)
    stored: list[StoredFile] = []
    absent: dict[str, list[str]] = {}
    for path in sorted(snap.references):
        fields = snap.references[path]
        storage = files.storage_of(fields[0])
        try:
            size = storage.size(path)
            with storage.open(path, "rb") as handle:
                sha, written = writer.add_stream("media/" + path, size, handle)
        except Exception:
            if storage.exists(path):
                raise
            absent[path] = fields
            continue
        stored.append(StoredFile(path, written, sha, fields))
    missing = _explain_missing(absent, source, allow_missing, log)
    storages = {id(s): s for s in (files.storage_of(f[0]) for f in snap.references.values())}
    if not storages:
        storages = {id(default_storage): default_storage}
    unreferenced = sorted(
        name
        for s in storages.values()
        for name in files.list_stored(s)
        if name not in snap.references
    )
    if unreferenced:
        shown = ", ".join(unreferenced[:10]) + (" …" if len(unreferenced) > 10 else "")
        log(f"skipped {len(unreferenced)} stored files no row references: {shown}")
    manifest = Manifest(
        created_at=created_at,
        app=_app_version(),
        database={
            "vendor": snap.vendor,
            "member": member,
            "size": db_size,
            "sha256": db_sha,
            "server_version": snap.server_version,
        },
        migrations=snap.migrations,
        tables=snap.tables,
        files=stored,
        missing=missing,
        unreferenced=unreferenced,
        storage=" + ".join(files.describe(s) for s in storages.values()),
    )
    writer.add_bytes(MANIFEST, manifest.to_json())
    return manifest


def _explain_missing(
    absent: dict[str, list[str]], source: databases.Database, allow_missing: bool, log: Log
) -> list[dict[str, Any]]:
    if not absent:
        return []
    live = databases.still_referenced(source, list(absent))
    lost = sorted(p for p in absent if p in live)
    if lost and not allow_missing:
        listed = "\n  ".join(f"{p} ({', '.join(absent[p])})" for p in lost)
        raise BackupError(
            f"{len(lost)} stored files that rows reference are missing from storage; no "
            f"archive was written (--allow-missing records them and goes on):\n  {listed}"
        )
    missing = []
    for path in sorted(absent):
        reason = "missing" if path in live else "purged after the snapshot"
        log(f"WARNING: {path} ({', '.join(absent[path])}) is not in the archive: {reason}")
        missing.append({"path": path, "fields": absent[path], "reason": reason})
    return missing


def _app_version() -> dict[str, Any]:
    try:
        version = importlib.metadata.version("machikoba")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    commit = None
    git = shutil.which("git")
    if git is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            done = subprocess.run(  # noqa: S603 - git from PATH, fixed arguments
                [git, "rev-parse", "HEAD"],
                cwd=settings.BASE_DIR,
                capture_output=True,
                text=True,
                timeout=5,
            )
            if done.returncode == 0:
                commit = done.stdout.strip()
    return {"name": "machikoba", "version": version, "commit": commit}


# --- checking an archive ------------------------------------------------------------------


def check_archive(path: Path) -> tuple[Manifest, list[str]]:
    """Read the whole archive once: its manifest and every difference between the
    manifest and what the archive holds (a changed byte, a file left out or added)."""
    seen: dict[str, tuple[str, int]] = {}
    raw_manifest: bytes | None = None
    with read_members(path) as members:
        for member in members:
            if member.name == MANIFEST:
                raw_manifest = member.stream.read()
                continue
            if member.name in seen:
                raise BackupError(f"{path}: {member.name} appears twice")
            seen[member.name] = sha256_of(member.stream)
    if raw_manifest is None:
        raise BackupError(f"{path} has no manifest.json: not a complete machikoba backup")
    manifest = Manifest.from_json(raw_manifest)
    problems = []
    expected = {f.member: (f.sha256, f.size) for f in manifest.files}
    expected[manifest.database["member"]] = (
        manifest.database["sha256"],
        manifest.database["size"],
    )
    for name, (sha, size) in expected.items():
        if name not in seen:
            problems.append(f"{name}: in the manifest but not in the archive")
        elif seen[name] != (sha, size):
            problems.append(
                f"{name}: SHA-256 {seen[name][0]} ({seen[name][1]} bytes) in the archive, "
                f"{sha} ({size} bytes) in the manifest"
            )
    for name in sorted(set(seen) - set(expected)):
        problems.append(f"{name}: in the archive but not in the manifest")
    return manifest, problems


# --- restore ------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    manifest: Manifest
    tables: int = 0
    rows: int = 0
    files: int = 0
    file_bytes: int = 0
    seconds: float = 0.0
    mismatches: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def restore_backup(
    archive: Path,
    *,
    target: databases.Database,
    media: files.Media,
    force: bool = False,
    log: Log = _quiet,
) -> RestoreReport:
    started = time.monotonic()
    manifest, problems = check_archive(archive)
    if problems:
        raise BackupError(
            "the archive does not match its manifest; nothing was restored:\n  "
            + "\n  ".join(problems)
        )
    vendor = manifest.database["vendor"]
    log(f"archive checked: {len(manifest.files)} files and the {vendor} database match")
    databases.check_restorable(target, vendor)
    db_empty = databases.is_empty(target)
    storages = media.storages(f.fields for f in manifest.files)
    media_empty = files.is_empty(storages)
    if not force and not (db_empty and media_empty):
        full = [
            what
            for what, empty in ((target.label, db_empty), (media.label, media_empty))
            if not empty
        ]
        raise BackupError(
            f"{' and '.join(full)} already hold data; nothing was restored (--force replaces it)"
        )
    if target.config.get("NAME") == settings.DATABASES["default"]["NAME"]:
        connections.close_all()  # the live database is the one being replaced
    by_member = {f.member: f for f in manifest.files}
    with (
        tempfile.TemporaryDirectory(prefix="machikoba-restore-") as work,
        read_members(archive) as members,
    ):
        for member in members:
            if member.name == manifest.database["member"]:
                dump = Path(work) / Path(member.name).name
                with dump.open("wb") as out:
                    while chunk := member.stream.read(1 << 20):
                        out.write(chunk)
                databases.load(target, dump, replace=not db_empty)
                log(f"database loaded into {target.label}")
            elif member.name in by_member:
                stored = by_member[member.name]
                files.write(
                    media.storage(stored.fields),
                    stored.path,
                    member.stream,
                    member.size,
                    replace=not media_empty,
                )
    log(f"{len(manifest.files)} files written to {media.label}")
    report = verify_restored(manifest, target, media)
    report.warnings[:0] = [
        f"{m['path']} was not in the archive ({m['reason']}); rows still name it"
        for m in manifest.missing
    ]
    report.warnings += _migration_warnings(manifest)
    report.seconds = time.monotonic() - started
    return report


def verify_restored(
    manifest: Manifest, target: databases.Database, media: files.Media
) -> RestoreReport:
    """Compare what the targets now hold with the manifest: every table's row count and
    every file's size and SHA-256, read back through the storage."""
    report = RestoreReport(manifest)
    counts = databases.count_rows(target)
    for table, expected in sorted(manifest.tables.items()):
        found = counts.get(table)
        if found is None:
            report.mismatches.append(f"table {table}: missing after the restore")
        elif found != expected:
            report.mismatches.append(f"table {table}: {found} rows, the manifest says {expected}")
    for table in sorted(set(counts) - set(manifest.tables)):
        report.mismatches.append(f"table {table}: in the database but not in the archive")
    report.tables = len(counts)
    report.rows = sum(counts.values())
    for stored in manifest.files:
        storage = media.storage(stored.fields)
        try:
            with storage.open(stored.path, "rb") as handle:
                sha, size = sha256_of(handle)
        except (OSError, ValueError) as error:
            report.mismatches.append(f"{stored.path}: cannot be read back ({error})")
            continue
        if (sha, size) != (stored.sha256, stored.size):
            report.mismatches.append(
                f"{stored.path}: SHA-256 {sha} ({size} bytes) restored, "
                f"{stored.sha256} ({stored.size} bytes) in the manifest"
            )
            continue
        report.files += 1
        report.file_bytes += size
    return report


def _migration_warnings(manifest: Manifest) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    archived = {(app, name) for app, names in manifest.migrations.items() for name in names}
    warnings = []
    newer = sorted(archived - known)
    if newer:
        listed = ", ".join(f"{a}.{n}" for a, n in newer[:10])
        warnings.append(
            f"the archive has {len(newer)} migrations this code does not know ({listed}): "
            "deploy the version that made the backup"
        )
    older = sorted(known - archived)
    if older and archived:
        warnings.append(
            f"this code has {len(older)} migrations the archive lacks: run "
            "`python manage.py migrate` after the restore"
        )
    return warnings
