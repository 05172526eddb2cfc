"""Local file storage that leaves nothing behind when a save fails (the disk is full).

Django's ``FileSystemStorage`` creates the file (O_EXCL: a new name, ours) and then writes
it; when the disk fills half-way the exception leaves a truncated file that no row names.
This subclass removes it. (An object store writes a file whole or not at all.)"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Any

from django.core.files.storage import FileSystemStorage


class CleanFileSystemStorage(FileSystemStorage):
    _saving = threading.local()

    def path(self, name: str) -> str:
        full_path = super().path(name)
        tried = getattr(self._saving, "paths", None)
        if tried is not None:
            tried.append(full_path)
        return full_path

    def _save(self, name: str, content: Any) -> str:
        tried: list[str] = []
        self._saving.paths = tried
        try:
            saved: str = super()._save(name, content)  # type: ignore[misc]
            return saved
        except OSError as error:
            # The last name tried is the one being written: FileExistsError makes Django
            # try another, so any other error came after our own O_EXCL create (or before
            # anything was created at all).
            if tried and not isinstance(error, FileExistsError):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(tried[-1])
            raise
        finally:
            self._saving.paths = None
