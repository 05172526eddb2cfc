"""The stored-files half: every file goes through Django's storage API (``open``,
``size``, ``save``, ``listdir``), so local disk and S3-compatible object storage are
backed up and restored the same way."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages
from django.db import models

from machikoba.backups.archive import BackupError


def storage_of(label: str) -> Storage:
    """The storage of the field ``app_label.Model.field``; the default storage for a
    field this code no longer has."""
    try:
        app_model, _, name = label.rpartition(".")
        model = apps.get_model(app_model)
        f = model._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return default_storage
    if isinstance(f, models.FileField):
        storage: Storage = f.storage
        return storage
    return default_storage


def _unwrap(storage: Storage) -> Storage:
    """The storage itself: ``default_storage`` is a lazy stand-in for ``storages["default"]``."""
    return storages["default"] if storage is default_storage else storage


def describe(storage: Storage) -> str:
    inner = _unwrap(storage)
    name = f"{inner.__class__.__module__}.{inner.__class__.__qualname__}"
    if isinstance(inner, FileSystemStorage):
        return f"{name} at {inner.location}"
    bucket = getattr(inner, "bucket_name", None)
    return f"{name} bucket {bucket}" if bucket else name


def list_stored(storage: Storage) -> Iterator[str]:
    """Every file in the storage, as storage paths."""
    inner = _unwrap(storage)
    if isinstance(inner, FileSystemStorage):
        root = Path(inner.location)
        if not root.is_dir():
            return
        for folder, _dirs, names in os.walk(root):
            for name in names:
                yield (Path(folder) / name).relative_to(root).as_posix()
        return
    yield from _walk(inner, "")


def _walk(storage: Storage, prefix: str) -> Iterator[str]:
    folders, names = storage.listdir(prefix)
    for name in names:
        yield f"{prefix}{name}"
    for folder in folders:
        yield from _walk(storage, f"{prefix}{folder}/")


def is_empty(storages: Iterable[Storage]) -> bool:
    return all(next(list_stored(s), None) is None for s in storages)


def write(storage: Storage, path: str, stream: Any, size: int, *, replace: bool) -> None:
    """Store ``stream`` under exactly ``path``."""
    if storage.exists(path):
        if not replace:
            raise BackupError(f"{path} already exists in the target storage")
        storage.delete(path)
    content = File(_Forward(stream), name=path)  # type: ignore[arg-type]  # any readable
    content.size = size  # a tar member stream cannot tell its own size
    saved = storage.save(path, content)
    if saved != path:
        raise BackupError(f"the storage saved {path} as {saved}")


class _Forward:
    """A stream read once, forwards: says so to storages that would rewind it (a tar
    member of a compressed archive cannot seek back)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def read(self, n: int = -1) -> bytes:
        data: bytes = self._stream.read(n)
        return data

    def seekable(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return bool(getattr(self._stream, "closed", False))


class Media:
    """Where restored files go: a folder given on the command line (every field's files
    under it), or each field's configured storage."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._fixed = FileSystemStorage(location=root) if root is not None else None

    def storage(self, fields: list[str]) -> Storage:
        if self._fixed is not None:
            return self._fixed
        return storage_of(fields[0]) if fields else default_storage

    def storages(self, field_lists: Iterable[list[str]]) -> list[Storage]:
        if self._fixed is not None:
            return [self._fixed]
        found: dict[int, Storage] = {}
        for fields in field_lists:
            s = self.storage(fields)
            found.setdefault(id(s), s)
        return list(found.values()) or [default_storage]

    @property
    def label(self) -> str:
        if self.root is not None:
            return f"the folder {self.root}"
        return f"the configured storage ({describe(default_storage)})"
