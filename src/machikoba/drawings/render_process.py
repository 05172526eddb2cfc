"""Preview rendering in a child process, under a wall-clock and an address-space limit.

A hostile or merely huge file can make a renderer (pdfium, ezdxf, Pillow) run for hours or
eat the machine's memory. The task worker therefore renders in a child process: the child
limits its own address space, writes each page's PNGs to a private folder and reports it on
one JSON line; the parent stores the page and deletes the files, and kills the child when
the deadline passes. Whatever the child does, the worker goes on.

    python -m machikoba.drawings.render_process KIND SOURCE OUTDIR MEMORY_BYTES LANGUAGE
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from machikoba.drawings.previews import PreviewError, PreviewPage

# Native libraries must not open thread pools or malloc arenas that count against the limit.
_CHILD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}


def render_pages(
    path: str | os.PathLike, kind: str, *, seconds: float, memory_bytes: int
) -> Iterator[PreviewPage]:
    """The preview pages of ``path``, rendered by a child process, one at a time."""
    from django.utils import translation
    from django.utils.translation import gettext as _

    deadline = time.monotonic() + seconds
    with tempfile.TemporaryDirectory(prefix="machikoba-render-") as folder:
        log = Path(folder) / "stderr.log"
        with log.open("wb") as stderr:
            child = subprocess.Popen(  # noqa: S603 - our own module, arguments we built
                [
                    sys.executable,
                    "-m",
                    "machikoba.drawings.render_process",
                    kind,
                    os.fspath(path),
                    folder,
                    str(memory_bytes),
                    translation.get_language() or "ja",
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr,
                env={**os.environ, **_CHILD_ENV},
            )
        try:
            for report in _reports(child, deadline):
                if "error" in report:
                    raise PreviewError(report["error"])
                yield _collect(Path(folder), report)
            if child.wait() != 0:
                raise PreviewError(_("プレビューの作成中に予期しないエラーが起きました。"))
        except TimeoutError:
            raise PreviewError(
                _(
                    "プレビューの作成が制限時間 (%(seconds)d 秒) を超えたため中止しました。"
                    "ページ数や図形を減らしたファイルでお試しください。"
                )
                % {"seconds": seconds}
            ) from None
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            child.stdout.close()


def _reports(child: subprocess.Popen, deadline: float) -> Iterator[dict]:
    """JSON lines from the child's stdout until it closes; TimeoutError at the deadline."""
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                raise TimeoutError
            chunk = os.read(child.stdout.fileno(), 65536)
            if not chunk:
                return
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                if line.strip():
                    yield json.loads(line)


def _collect(folder: Path, report: dict) -> PreviewPage:
    number = int(report["number"])
    screen, zoom = folder / f"{number}-screen.png", folder / f"{number}-zoom.png"
    page = PreviewPage(
        number=number,
        screen_png=screen.read_bytes(),
        zoom_png=zoom.read_bytes(),
        width=int(report["width"]),
        height=int(report["height"]),
    )
    screen.unlink()
    zoom.unlink()
    return page


def _child(kind: str, source: str, folder: str, memory_bytes: int, language: str) -> int:
    import resource

    import django

    django.setup()
    from django.utils import translation
    from django.utils.translation import gettext as _

    from machikoba.drawings.previews import iter_previews  # after django.setup

    # The limit is the drawing's: set once the framework and the libraries are loaded, so
    # that the apps a platform installs never decide whether a preview can start.
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

    translation.activate(language)
    out = Path(folder)

    def report(payload: dict) -> None:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    try:
        for page in iter_previews(source, kind):
            (out / f"{page.number}-screen.png").write_bytes(page.screen_png)
            (out / f"{page.number}-zoom.png").write_bytes(page.zoom_png)
            report({"number": page.number, "width": page.width, "height": page.height})
    except (PreviewError, MemoryError) as error:
        # A library that fails to allocate says "cannot read"; the owner should hear why.
        if isinstance(error, MemoryError) or _peak_address_space() > memory_bytes * 0.9:
            report(
                {"error": str(_("ファイルが大きすぎるため、プレビューを作成できませんでした。"))}
            )
        else:
            report({"error": str(error.message)})
    return 0


def _peak_address_space() -> int:
    """This process's peak virtual memory in bytes (Linux), 0 where unknown."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "machikoba.config.settings")
    kind, source, folder, memory, language = sys.argv[1:6]
    sys.exit(_child(kind, source, folder, int(memory), language))
