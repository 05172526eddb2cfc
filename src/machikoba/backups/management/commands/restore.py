"""`python manage.py restore ARCHIVE --database-url URL --media-root DIR`: load a backup into
an empty database and media folder and prove it arrived whole (docs/backup.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from machikoba.backups.archive import BackupError
from machikoba.backups.databases import Database
from machikoba.backups.files import Media
from machikoba.backups.operations import check_archive, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup archive: check it against its manifest, load the database, write "
        "the files, then compare every table's row count and every file's SHA-256 with the "
        "manifest. Exits non-zero on any difference. See docs/backup.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--database-url",
            help="the database to restore into (sqlite:////path or postgres://…); "
            "default: the configured DATABASE_URL (needs --yes)",
        )
        parser.add_argument(
            "--media-root",
            type=Path,
            help="a folder to write the files into; default: the configured storage, local "
            "MEDIA_ROOT or S3 (needs --yes)",
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help="confirm restoring into the configured database or storage",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace what a non-empty target holds (the PostgreSQL schema public is "
            "dropped; files of the same name are overwritten)",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only check the archive against its manifest; change nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["check"]:
                self._check(options["archive"])
                return
            configured = [
                name
                for name, given in (
                    ("the configured database", options["database_url"]),
                    ("the configured file storage", options["media_root"]),
                )
                if not given
            ]
            if configured and not options["yes"]:
                raise CommandError(
                    f"this would restore into {' and '.join(configured)}; pass --yes to "
                    "confirm, or name the targets with --database-url and --media-root"
                )
            target = (
                Database.from_url(options["database_url"])
                if options["database_url"]
                else Database.configured()
            )
            media_root = options["media_root"]
            report = restore_backup(
                options["archive"],
                target=target,
                media=Media(media_root.resolve() if media_root else None),
                force=options["force"],
                log=lambda message: self.stdout.write(message),
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"WARNING: {warning}"))
        for mismatch in report.mismatches:
            self.stderr.write(self.style.ERROR(f"MISMATCH: {mismatch}"))
        manifest = report.manifest
        summary = (
            f"backup of {manifest.created_at}: {report.tables} tables, {report.rows:,} rows, "
            f"{report.files}/{len(manifest.files)} files ({report.file_bytes:,} bytes) "
            f"verified in {report.seconds:.1f} s"
        )
        if not report.ok:
            raise CommandError(
                f"restore finished with {len(report.mismatches)} mismatches; {summary}"
            )
        self.stdout.write(self.style.SUCCESS(f"Restored and verified the {summary}"))

    def _check(self, archive: Path) -> None:
        manifest, problems = check_archive(archive)
        for problem in problems:
            self.stderr.write(self.style.ERROR(f"MISMATCH: {problem}"))
        if problems:
            raise CommandError(f"{archive} does not match its manifest ({len(problems)} problems)")
        self.stdout.write(
            self.style.SUCCESS(
                f"{archive} is whole: backup of {manifest.created_at}, "
                f"{len(manifest.tables)} tables, {sum(manifest.tables.values()):,} rows, "
                f"{len(manifest.files)} files"
            )
        )
