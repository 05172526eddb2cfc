"""The restore drill: the demo (seed_demo) plus drawings with previews, photos and a file
with a Japanese name, backed up, restored into a FRESH database (a new PostgreSQL database
when the suite runs on PostgreSQL, a new SQLite file otherwise) and a fresh media folder;
then every table's row count and every stored file's SHA-256 compared with the source,
read independently of the backup code."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from machikoba.backups.tests.helpers import (
    counts_in,
    files_in,
    referenced_files,
    sha256_in_folder,
    sha256_in_storage,
    source_counts,
)
from machikoba.companies.models import Company
from machikoba.core.testing.factories import jpeg_bytes, make_photo
from machikoba.core.testing.factories_lab import make_item_photo
from machikoba.drawings.tests.factories import make_document
from machikoba.lab.models import Item, ItemPhoto

# Committed rows: pg_dump and SQLite's backup read through a connection of their own.
pytestmark = pytest.mark.usefixtures("transactional_db")


def _seed(media: Path) -> str:
    call_command("seed_demo", stdout=io.StringIO())
    company = Company.objects.order_by("pk").first()
    make_document(company, title="フランジ", drawing_number="F-7", pages=3)
    make_photo(company)
    item = Item.objects.order_by("pk").first()
    make_item_photo(item)
    data = jpeg_bytes(color=(200, 30, 30))
    named = ItemPhoto(
        item=item,
        title="正面",
        original_name="外観写真 (正面).jpg",
        mime="image/jpeg",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    named.file.save("外観写真 (正面).jpg", ContentFile(data), save=True)  # a UTF-8 name in the tar
    # A file no row references (an upload whose row never committed): left out.
    return default_storage.save("drawings/originals/orphan.pdf", ContentFile(b"%PDF-1.4 orphan"))


def _manifest(archive: Path) -> dict:
    out = subprocess.run(["zstd", "-dcq", str(archive)], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(out)) as tar:
        return json.load(tar.extractfile("manifest.json"))


def test_the_demo_restores_into_a_fresh_database_with_every_row_and_every_byte(
    media, fresh_database_url, tmp_path
):
    orphan = _seed(media)
    before_counts = source_counts()
    referenced = referenced_files()
    before_sha = {name: sha256_in_storage(name) for name in referenced}
    fields = {"drawings.Revision.file", "drawings.PreviewPage.zoom", "lab.ItemPhoto.file"}

    started = time.monotonic()
    out = io.StringIO()
    call_command("backup", output=tmp_path / "backups", compress="zstd", stdout=out)
    backup_seconds = time.monotonic() - started
    (archive,) = (tmp_path / "backups").iterdir()
    assert archive.name.startswith("machikoba-backup-")
    assert archive.suffixes[-2:] == [
        ".tar",
        ".zst",
    ]
    assert archive.stat().st_mode & 0o077 == 0  # every company's drawings: owner only
    assert "skipped 1 stored files no row references" in out.getvalue()

    manifest = _manifest(archive)
    assert manifest["tables"] == before_counts
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == before_sha
    assert fields <= {label for f in manifest["files"] for label in f["fields"]}
    assert manifest["unreferenced"] == [orphan]
    assert manifest["migrations"]["drawings"][0] == "0001_initial"

    restored_media = tmp_path / "restored-media"
    started = time.monotonic()
    out = io.StringIO()
    call_command(
        "restore",
        str(archive),
        database_url=fresh_database_url,
        media_root=restored_media,
        stdout=out,
    )
    restore_seconds = time.monotonic() - started
    assert "Restored and verified" in out.getvalue()

    # Independently of the command's own check: every table, every byte.
    assert counts_in(fresh_database_url) == before_counts
    assert files_in(restored_media) == referenced
    assert {n: sha256_in_folder(restored_media, n) for n in referenced} == before_sha
    assert len(referenced) > 100
    assert before_counts["drawings_previewpage"] == 3
    assert any("外観写真" in name for name in referenced)
    print(  # the figure in the drill's output (pytest -s)
        f"\ndrill: {sum(before_counts.values())} rows in {len(before_counts)} tables, "
        f"{len(referenced)} files; backup {backup_seconds:.1f} s, restore "
        f"{restore_seconds:.1f} s, archive {archive.stat().st_size} bytes"
    )
