"""What a backup or restore refuses, and that a refusal changes nothing: a flipped byte, a
file left out of the archive, a file lost from storage, a target that already holds data,
the live targets without --yes, bad archives and URLs; and the verification after a
restore catching what went wrong while writing."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import tarfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from machikoba.backups import databases, files, operations
from machikoba.backups.tests.helpers import counts_in, files_in, source_counts
from machikoba.core.testing.factories import CompanyFactory, make_photo
from machikoba.drawings.services import document_destroy
from machikoba.drawings.tests.factories import make_document

# Committed rows: pg_dump and SQLite's backup read through a connection of their own.
pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def documents(media):
    company = CompanyFactory()
    document = make_document(company, pages=2)
    make_photo(company)
    return document


def _backup(tmp_path: Path, name: str = "backup.tar", **options) -> Path:
    archive = tmp_path / name
    call_command("backup", output=archive, stdout=io.StringIO(), **options)
    return archive


def _restore(archive: Path, url: str, media_root: Path, **options) -> str:
    out = io.StringIO()
    call_command(
        "restore",
        str(archive),
        database_url=url,
        media_root=media_root,
        stdout=out,
        stderr=out,
        **options,
    )
    return out.getvalue()


def _exists(url: str) -> bool:
    return not url.startswith("sqlite:") or Path(url.removeprefix("sqlite:///")).exists()


def files_in_or_none(root: Path) -> set[str]:
    return files_in(root) if root.exists() else set()


def _nothing_restored(url: str, media_root: Path) -> None:
    if _exists(url):
        assert counts_in(url) == {}
    assert files_in_or_none(media_root) == set()


def _rewrite(archive: Path, change) -> None:
    """Rewrite an uncompressed archive member by member through ``change(name, data)``,
    which returns the new bytes or None to leave the member out."""
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(archive, "w") as tar:
        for info, data in members:
            data = change(info.name, data)
            if data is not None:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


def test_a_flipped_byte_in_a_file_is_reported_and_nothing_is_restored(
    documents, fresh_database_url, tmp_path
):
    archive = _backup(tmp_path)
    victim = documents.revisions.get().file.name
    with tarfile.open(archive) as tar:
        offset = tar.getmember(f"media/{victim}").offset_data
    raw = bytearray(archive.read_bytes())
    raw[offset + 10] ^= 0x01
    archive.write_bytes(bytes(raw))
    target = tmp_path / "restored-media"

    with pytest.raises(CommandError) as refused:
        _restore(archive, fresh_database_url, target)

    assert f"media/{victim}: SHA-256" in str(refused.value)
    assert "nothing was restored" in str(refused.value)
    _nothing_restored(fresh_database_url, target)
    with pytest.raises(CommandError, match="does not match its manifest"):
        call_command(
            "restore", str(archive), check=True, stdout=io.StringIO(), stderr=io.StringIO()
        )


def test_a_file_left_out_of_the_archive_is_reported_and_nothing_is_restored(
    documents, fresh_database_url, tmp_path
):
    archive = _backup(tmp_path)
    victim = documents.revisions.get().file.name
    _rewrite(archive, lambda name, data: None if name == f"media/{victim}" else data)
    target = tmp_path / "restored-media"

    with pytest.raises(
        CommandError, match=f"media/{victim}: in the manifest but not in the archive"
    ):
        _restore(archive, fresh_database_url, target)
    _nothing_restored(fresh_database_url, target)


def test_a_changed_database_copy_or_manifest_is_refused(documents, fresh_database_url, tmp_path):
    archive = _backup(tmp_path)

    def add_a_row_count(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["files"].append({"path": "drawings/x.pdf", "size": 1, "sha256": "0", "fields": []})
        return json.dumps(manifest).encode()

    _rewrite(archive, add_a_row_count)
    with pytest.raises(CommandError, match=r"media/drawings/x\.pdf: in the manifest but not"):
        _restore(archive, fresh_database_url, tmp_path / "m")
    _nothing_restored(fresh_database_url, tmp_path / "m")


def test_a_file_lost_from_storage_fails_the_backup_loudly_and_writes_no_archive(
    documents, tmp_path
):
    lost = documents.revisions.get().file.name
    default_storage.delete(lost)
    output = tmp_path / "backups"

    with pytest.raises(CommandError) as failed:
        call_command("backup", output=output, stdout=io.StringIO())

    assert lost in str(failed.value)
    assert "drawings.Revision.file" in str(failed.value)
    assert list(output.iterdir()) == []  # not even a .partial

    archive = _backup(tmp_path, "kept.tar", allow_missing=True)
    assert _manifest(archive)["missing"] == [
        {"path": lost, "fields": ["drawings.Revision.file"], "reason": "missing"}
    ]


def test_a_purge_between_the_snapshot_and_the_copy_is_not_a_loss(documents, tmp_path, monkeypatch):
    """The retention purge removes files before their rows: a file the snapshot names may
    be gone by the time it is copied. The live database no longer names it either."""
    take = databases.snapshot

    def snapshot_then_purge(source, workdir):
        taken = take(source, workdir)
        document_destroy(actor=None, document=documents, reason="保存期間の満了")
        return taken

    monkeypatch.setattr(databases, "snapshot", snapshot_then_purge)
    out = io.StringIO()
    archive = tmp_path / "backup.tar"
    call_command("backup", output=archive, stdout=out)

    missing = _manifest(archive)["missing"]
    assert {m["reason"] for m in missing} == {"purged after the snapshot"}
    assert len(missing) == 5  # the original and two pages × (screen, zoom)
    assert "purged after the snapshot" in out.getvalue()


def test_a_target_holding_data_is_refused_without_force_and_replaced_with_it(
    documents, fresh_database_url, tmp_path
):
    archive = _backup(tmp_path)
    target = tmp_path / "restored-media"
    _restore(archive, fresh_database_url, target)
    before = counts_in(fresh_database_url)
    (target / "note.txt").write_text("kept")

    with pytest.raises(CommandError, match="already hold data; nothing was restored"):
        _restore(archive, fresh_database_url, target)
    assert counts_in(fresh_database_url) == before

    with pytest.raises(CommandError, match="already hold data"):
        _restore(archive, fresh_database_url, tmp_path / "empty-media")
    assert files_in_or_none(tmp_path / "empty-media") == set()

    output = _restore(archive, fresh_database_url, target, force=True)
    assert "Restored and verified" in output
    assert counts_in(fresh_database_url) == _manifest(archive)["tables"]


def test_restoring_into_the_live_database_or_storage_needs_yes(documents, tmp_path):
    archive = _backup(tmp_path)
    before = source_counts()
    with pytest.raises(CommandError, match="pass --yes"):
        call_command("restore", str(archive), stdout=io.StringIO())
    with pytest.raises(CommandError, match="configured file storage; pass --yes"):
        call_command(
            "restore",
            str(archive),
            database_url="sqlite:////nonexistent/x.sqlite3",
            stdout=io.StringIO(),
        )
    # With --yes, the live database holds data: refused all the same without --force.
    with pytest.raises(CommandError, match="already hold data"):
        call_command("restore", str(archive), yes=True, stdout=io.StringIO())
    assert source_counts() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no archive at"),
        (b"", "not a readable backup archive"),
        (b"\x1f\x8b\x08\x00 not really gzip", "not a readable backup archive"),
        (b"plain words, not a tar file at all" * 40, "not a readable backup archive"),
    ],
)
def test_bad_archives_are_refused_with_a_clear_message(
    tmp_path, fresh_database_url, content, message
):
    archive = tmp_path / "input.tar"
    if content is not None:
        archive.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        _restore(archive, fresh_database_url, tmp_path / "m")
    _nothing_restored(fresh_database_url, tmp_path / "m")


def test_a_tar_without_a_manifest_or_with_a_link_is_refused(tmp_path, fresh_database_url):
    plain = tmp_path / "plain.tar"
    with tarfile.open(plain, "w") as tar:
        info = tarfile.TarInfo("media/a.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"a"))
    with pytest.raises(CommandError, match=r"has no manifest\.json"):
        _restore(plain, fresh_database_url, tmp_path / "m")

    linked = tmp_path / "linked.tar"
    with tarfile.open(linked, "w") as tar:
        info = tarfile.TarInfo("media/evil")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(CommandError, match="not a regular file"):
        _restore(linked, fresh_database_url, tmp_path / "m")
    _nothing_restored(fresh_database_url, tmp_path / "m")


def test_a_manifest_naming_a_path_outside_the_media_root_is_refused(
    documents, tmp_path, fresh_database_url
):
    archive = _backup(tmp_path)

    def escape(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["files"][0]["path"] = "../../outside.txt"
        return json.dumps(manifest).encode()

    _rewrite(archive, escape)
    with pytest.raises(CommandError, match=re.escape("unsafe storage path '../../outside.txt'")):
        _restore(archive, fresh_database_url, tmp_path / "m")
    assert not (tmp_path / "outside.txt").exists()


def test_the_wrong_kind_of_target_database_is_refused(documents, tmp_path, fresh_database_url):
    archive = _backup(tmp_path)
    other = (
        "postgres://nobody@127.0.0.1:1/nothing"
        if fresh_database_url.startswith("sqlite:")
        else f"sqlite:///{tmp_path / 'x.sqlite3'}"
    )
    with pytest.raises(CommandError, match="cannot be restored into"):
        _restore(archive, other, tmp_path / "m")
    with pytest.raises(CommandError, match="backups support SQLite and PostgreSQL, not mysql-ish"):
        _restore(archive, "mysql-ish://what", tmp_path / "m")
    assert not (tmp_path / "x.sqlite3").exists()
    assert not (tmp_path / "m").exists()


def test_the_check_after_writing_catches_a_file_the_storage_changed(
    documents, fresh_database_url, tmp_path, monkeypatch
):
    archive = _backup(tmp_path)
    write = files.write

    def bad_disk(storage, path, stream, size, *, replace):
        if path.startswith("drawings/originals/"):
            data = stream.read()
            stream = io.BytesIO(data[:-1] + bytes([data[-1] ^ 0xFF]))
        write(storage, path, stream, size, replace=replace)

    monkeypatch.setattr(files, "write", bad_disk)
    with pytest.raises(CommandError, match="restore finished with 1 mismatches"):
        _restore(archive, fresh_database_url, tmp_path / "m")


def test_the_check_after_writing_catches_a_missing_row(documents, fresh_database_url, tmp_path):
    archive = _backup(tmp_path)
    target = tmp_path / "m"
    _restore(archive, fresh_database_url, target)
    if fresh_database_url.startswith("sqlite:"):
        with sqlite3.connect(fresh_database_url.removeprefix("sqlite:///")) as restored:
            restored.execute("DELETE FROM companies_companyphoto")
    else:
        import psycopg

        with psycopg.connect(fresh_database_url.replace("postgres://", "postgresql://", 1)) as pg:
            pg.execute("DELETE FROM companies_companyphoto")
    manifest, problems = operations.check_archive(archive)
    assert problems == []
    report = operations.verify_restored(
        manifest, databases.Database.from_url(fresh_database_url), files.Media(target)
    )
    assert report.mismatches == ["table companies_companyphoto: 0 rows, the manifest says 1"]


@pytest.mark.parametrize("name", ["backup.tar.gz", "backup.tar.zst", "backup.tar"])
def test_every_compression_round_trips(documents, fresh_database_url, tmp_path, name):
    archive = _backup(tmp_path, name)
    assert "Restored and verified" in _restore(archive, fresh_database_url, tmp_path / "m")
    assert len(files_in(tmp_path / "m")) == 5 + 1  # a drawing, 2 pages × 2, a photo


def test_every_file_field_in_the_registry_is_backed_up():
    labels = {databases.field_label(m, f) for m, f in databases.file_fields()}
    assert {
        "drawings.Revision.file",
        "drawings.PreviewPage.screen",
        "drawings.PreviewPage.zoom",
        "companies.CompanyPhoto.image",
        "subsidies.ApplicationDocument.file",
        "programs.SessionMaterial.file",
        "lab.ItemPhoto.file",
        "shopfloor.ReportPhoto.image",
    } <= labels
