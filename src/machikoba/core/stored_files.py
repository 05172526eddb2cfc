"""Reading stored files the same way on local disk and on S3-compatible object storage."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.cache import cache
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile

# Previews are immutable (every file has a fresh random name), so a copy kept in the cache
# can never go stale; it spares object storage one round trip per page view.
_CACHE_SECONDS = 60 * 60
_CACHE_MAX_BYTES = 8_000_000


def _name(field_file: FieldFile) -> str:
    if not field_file.name:
        raise ValueError("the field holds no file")
    return field_file.name


def is_local(field_file: FieldFile) -> bool:
    return isinstance(field_file.storage, FileSystemStorage)


@contextmanager
def local_path(field_file: FieldFile) -> Iterator[Path]:
    """A path on this machine holding the stored file: the file itself on local storage, or
    a temporary copy streamed from object storage and removed afterwards."""
    if is_local(field_file):
        yield Path(field_file.path)
        return
    suffix = Path(_name(field_file)).suffix
    with tempfile.NamedTemporaryFile(prefix="machikoba-", suffix=suffix) as copy:
        with field_file.storage.open(_name(field_file), "rb") as source:
            shutil.copyfileobj(source, copy, 1 << 20)
        copy.flush()
        yield Path(copy.name)


def read_small(field_file: FieldFile) -> bytes:
    """The bytes of a small, never-rewritten stored file (a preview page)."""
    data: bytes | None
    if is_local(field_file):
        with field_file.storage.open(_name(field_file), "rb") as handle:
            data = handle.read()
            return data
    key = f"stored-file:{field_file.storage.__class__.__name__}:{field_file.name}"
    data = cache.get(key)
    if data is None:
        with field_file.storage.open(_name(field_file), "rb") as handle:
            data = handle.read()
        if len(data) <= _CACHE_MAX_BYTES:
            cache.set(key, data, _CACHE_SECONDS)
    return data


def delete_quietly(field_file: FieldFile) -> bool:
    """Remove the stored file if it is there; True when something was removed."""
    if not field_file.name:
        return False
    storage, name = field_file.storage, field_file.name
    existed = storage.exists(name)
    storage.delete(name)
    if not is_local(field_file):
        cache.delete(f"stored-file:{storage.__class__.__name__}:{name}")
    return existed
