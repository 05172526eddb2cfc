"""`python manage.py backup --output DIR_OR_FILE`: the database and the stored files in one
archive with a manifest (docs/backup.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from machikoba.backups.archive import COMPRESSIONS, BackupError
from machikoba.backups.operations import create_backup


class Command(BaseCommand):
    help = (
        "Write one archive (tar, zstd or gzip) holding a consistent copy of the database, "
        "every stored file its rows reference and a manifest with row counts and SHA-256s. "
        "See docs/backup.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            required=True,
            type=Path,
            help="a folder (gets machikoba-backup-<UTC time>.tar.zst) or a file name ending "
            "in .tar, .tar.gz or .tar.zst",
        )
        parser.add_argument(
            "--compress",
            choices=COMPRESSIONS,
            help="compression for a folder output (default: zstd if installed, else gzip)",
        )
        parser.add_argument(
            "--allow-missing",
            action="store_true",
            help="write the archive even if files that rows reference are missing from "
            "storage (they are listed in the manifest); without it the backup fails",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = create_backup(
                options["output"],
                compression=options["compress"],
                allow_missing=options["allow_missing"],
                log=lambda message: self.stdout.write(message),
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written: {result.path} ({result.size:,} bytes) in "
                f"{result.seconds:.1f} s: {len(manifest.tables)} tables, {result.rows:,} rows, "
                f"{len(manifest.files)} files ({result.file_bytes:,} bytes)"
            )
        )
        if manifest.missing:
            self.stderr.write(
                self.style.WARNING(f"{len(manifest.missing)} referenced files are not in it.")
            )
