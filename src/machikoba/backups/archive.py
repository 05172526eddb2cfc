"""The archive format: one tar file (plain, gzip or zstd) holding the database copy, the
stored files under ``media/`` and ``manifest.json`` last. Written and read as a stream,
so an archive of any size needs no more memory than one buffer and no random access.

    database/db.sqlite3 | database/db.pgdump    the database, taken in one snapshot
    media/<storage path>                          every stored file the rows reference
    manifest.json                                 what the archive holds, with SHA-256s
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

FORMAT = "machikoba-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DATABASE_MEMBERS = {"sqlite": "database/db.sqlite3", "postgresql": "database/db.pgdump"}

SUFFIXES = {".tar": "none", ".tar.gz": "gzip", ".tgz": "gzip", ".tar.zst": "zstd"}
COMPRESSIONS = ("zstd", "gzip", "none")
_EXTENSION = {"none": ".tar", "gzip": ".tar.gz", "zstd": ".tar.zst"}
_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_CHUNK = 1 << 20


class BackupError(Exception):
    """Something the operator must fix; the commands print it and exit non-zero."""


# --- the manifest ------------------------------------------------------------------


@dataclass
class StoredFile:
    path: str
    size: int
    sha256: str
    fields: list[str]

    @property
    def member(self) -> str:
        return MEDIA_PREFIX + self.path


@dataclass
class Manifest:
    created_at: str
    app: dict[str, Any]
    database: dict[str, Any]
    migrations: dict[str, list[str]]
    tables: dict[str, int]
    files: list[StoredFile]
    # Referenced by a row of the snapshot but absent from storage (with --allow-missing,
    # or removed by a purge that ran after the snapshot): not in the archive.
    missing: list[dict[str, Any]] = field(default_factory=list)
    # In storage but referenced by no row of the snapshot: left out on purpose.
    unreferenced: list[str] = field(default_factory=list)
    storage: str = ""

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "app": self.app,
            "database": self.database,
            "storage": self.storage,
            "migrations": self.migrations,
            "tables": self.tables,
            "files": [
                {"path": f.path, "size": f.size, "sha256": f.sha256, "fields": f.fields}
                for f in self.files
            ],
            "missing": self.missing,
            "unreferenced": self.unreferenced,
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise BackupError("manifest.json is not a machikoba backup manifest")
            if data.get("format_version") != FORMAT_VERSION:
                raise BackupError(
                    f"archive format version {data.get('format_version')!r} is not supported "
                    f"(this code reads version {FORMAT_VERSION})"
                )
            files = [
                StoredFile(
                    path=safe_path(str(f["path"])),
                    size=int(f["size"]),
                    sha256=str(f["sha256"]),
                    fields=[str(x) for x in f["fields"]],
                )
                for f in data["files"]
            ]
            database = dict(data["database"])
            if database.get("vendor") not in DATABASE_MEMBERS:
                raise BackupError(f"unknown database vendor {database.get('vendor')!r}")
            return cls(
                created_at=str(data["created_at"]),
                app=dict(data["app"]),
                database=database,
                migrations={str(k): list(v) for k, v in data["migrations"].items()},
                tables={str(k): int(v) for k, v in data["tables"].items()},
                files=files,
                missing=list(data.get("missing", [])),
                unreferenced=list(data.get("unreferenced", [])),
                storage=str(data.get("storage", "")),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BackupError(f"manifest.json is malformed: {error!r}") from error


def safe_path(name: str) -> str:
    """A storage path as stored in a FileField, refused when it could leave the media
    root (absolute, ``..``, empty parts, NUL) — from the database or from an archive."""
    pure = PurePosixPath(name)
    if (
        not name
        or "\x00" in name
        or "\\" in name
        or pure.is_absolute()
        or any(part in ("", ".", "..") for part in name.split("/"))
    ):
        raise BackupError(f"unsafe storage path {name!r}")
    return name


# --- hashing ------------------------------------------------------------------------


class HashingReader:
    """Wraps a readable binary stream; the SHA-256 and size of what was read."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._hash = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n)
        self._hash.update(data)
        self.size += len(data)
        return data

    def drain(self) -> None:
        while self.read(_CHUNK):
            pass

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


def sha256_of(stream: IO[bytes]) -> tuple[str, int]:
    reader = HashingReader(stream)
    reader.drain()
    return reader.sha256, reader.size


# --- writing ------------------------------------------------------------------------


def compression_for(output: Path, requested: str | None) -> tuple[Path, str]:
    """The archive's path and compression: a name ending in .tar, .tar.gz or .tar.zst is
    the archive itself; anything else is a directory that gets a timestamped archive."""
    for suffix, compression in SUFFIXES.items():
        if output.name.endswith(suffix):
            if requested and requested != compression:
                raise BackupError(
                    f"--compress {requested} contradicts the archive name {output.name}"
                )
            if compression == "zstd":
                _require_zstd()
            if not output.parent.is_dir():
                raise BackupError(f"the folder {output.parent} does not exist")
            return output, compression
    compression = requested or ("zstd" if shutil.which("zstd") else "gzip")
    if compression == "zstd":
        _require_zstd()
    if output.exists() and not output.is_dir():
        raise BackupError(
            f"{output} is neither a folder nor a name ending in .tar, .tar.gz or .tar.zst"
        )
    output.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return output / f"machikoba-backup-{stamp}{_EXTENSION[compression]}", compression


def _require_zstd() -> str:
    program = shutil.which("zstd")
    if program is None:
        raise BackupError("zstd compression needs the zstd program (apt-get install zstd)")
    return program


class ArchiveWriter:
    """Writes ``<name>.partial`` (mode 0600: the archive holds every company's drawings)
    and renames it into place only when everything is in."""

    def __init__(self, path: Path, compression: str) -> None:
        if path.exists():
            raise BackupError(f"{path} already exists")
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file = os.fdopen(fd, "wb")
        self._process: subprocess.Popen[bytes] | None = None
        self._mtime = time.time()
        # The tar (and zstd) stay open across calls: commit() or abort() closes them.
        if compression == "zstd":
            self._process = subprocess.Popen(  # noqa: S603 - zstd from PATH, fixed arguments
                [_require_zstd(), "-q", "-T0", "-3", "-c"],
                stdin=subprocess.PIPE,
                stdout=self._file,
            )
            self._tar = tarfile.open(fileobj=self._process.stdin, mode="w|")  # noqa: SIM115
        elif compression == "gzip":
            self._tar = tarfile.open(fileobj=self._file, mode="w:gz", compresslevel=6)  # noqa: SIM115
        else:
            self._tar = tarfile.open(fileobj=self._file, mode="w")  # noqa: SIM115

    def _info(self, name: str, size: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o600, int(self._mtime)
        return info

    def add_stream(self, name: str, size: int, stream: IO[bytes]) -> tuple[str, int]:
        """Add ``size`` bytes read from ``stream``; their SHA-256 and size."""
        reader = HashingReader(stream)
        self._tar.addfile(self._info(name, size), reader)
        return reader.sha256, reader.size

    def add_bytes(self, name: str, data: bytes) -> None:
        self._tar.addfile(self._info(name, len(data)), io.BytesIO(data))

    def commit(self) -> int:
        """Close the archive, sync it to disk, move it into place; its size in bytes."""
        self._tar.close()
        if self._process is not None:
            if self._process.stdin is not None:
                self._process.stdin.close()
            if self._process.wait() != 0:
                raise BackupError("zstd failed while compressing the archive")
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.partial, self.path)
        with contextlib.suppress(OSError):  # make the rename durable where the OS allows
            directory = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        return self.path.stat().st_size

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._tar.close()
        if self._process is not None:
            with contextlib.suppress(Exception):
                if self._process.stdin is not None:
                    self._process.stdin.close()
            self._process.kill()
            self._process.wait()
        with contextlib.suppress(Exception):
            self._file.close()
        self.partial.unlink(missing_ok=True)


# --- reading ------------------------------------------------------------------------


@dataclass
class Member:
    name: str
    size: int
    stream: IO[bytes]


@contextlib.contextmanager
def read_members(path: Path) -> Iterator[Iterator[Member]]:
    """The archive's regular files in order, each readable once before the next. Links,
    devices and folders are refused: an archive is only ever files."""
    if not path.is_file():
        raise BackupError(f"no archive at {path}")
    with path.open("rb") as head:
        magic = head.read(4)
    process: subprocess.Popen[bytes] | None = None
    # Closed in the finally clause below, once the caller has read what it wanted.
    try:
        if magic.startswith(_ZSTD_MAGIC):
            process = subprocess.Popen(  # noqa: S603 - zstd from PATH, fixed arguments
                [_require_zstd(), "-dcq", str(path)],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            tar = tarfile.open(fileobj=process.stdout, mode="r|")  # noqa: SIM115
        elif magic.startswith(_GZIP_MAGIC):
            tar = tarfile.open(path, mode="r|gz")  # noqa: SIM115
        else:
            tar = tarfile.open(path, mode="r|")  # noqa: SIM115
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(f"{path} is not a readable backup archive ({error})") from error
    try:
        yield _members(tar, path)
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise BackupError(f"{path} is damaged and cannot be read ({error})") from error
    finally:
        tar.close()
        if process is not None:
            if process.stdout is not None:
                process.stdout.close()
            process.kill()
            process.wait()


def _members(tar: tarfile.TarFile, path: Path) -> Iterator[Member]:
    for info in tar:
        if not info.isfile():
            raise BackupError(f"{path}: unexpected entry {info.name!r} (not a regular file)")
        stream = tar.extractfile(info)
        if stream is None:  # a regular file always has one
            raise BackupError(f"{path}: {info.name!r} cannot be read")
        yield Member(info.name, info.size, stream)
