#!/usr/bin/env python3
"""Translations stay complete: every string the code marks for translation has an
English msgstr, nothing is fuzzy, and the committed .mo matches the .po.

    python scripts/check_messages.py            # check (used by `make test`)
    python scripts/check_messages.py --compile  # rewrite the .mo files from the .po files

Extraction needs GNU gettext (xgettext); without it the "missing strings" part is
skipped with a notice, except in CI where it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
LOCALE_DIR = ROOT / "src" / "machikoba" / "locale"
LANGUAGES = ["en"]


def compiled_bytes(po: polib.POFile) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "django.mo"
        po.save_as_mofile(str(target))
        return target.read_bytes()


def extracted_msgids(language: str) -> set[tuple[str | None, str]] | None:
    """The msgids makemessages would write now, extracted into a scratch copy of the
    locale folder (the committed .po is never touched)."""
    if shutil.which("xgettext") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "locale"
        shutil.copytree(LOCALE_DIR, scratch)
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="machikoba.config.settings",
            MACHIKOBA_LOCALE_DIR=str(scratch),
        )
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "makemessages",
                "--locale",
                language,
                "--no-obsolete",
                "--no-location",
                "--ignore",
                "*/tests/*",
                "--ignore",
                "static/*",
                "--ignore",
                "locale/*",
                "--ignore",
                "*.egg-info",
            ],
            # Run from src/, which has no locale/ folder of its own: from src/machikoba,
            # makemessages would also write into the committed locale/ next to it.
            cwd=ROOT / "src",
            env=env,
            check=True,
            capture_output=True,
        )
        po = polib.pofile(str(scratch / language / "LC_MESSAGES" / "django.po"))
        return {(e.msgctxt, e.msgid) for e in po if not e.obsolete}


def main() -> int:
    compile_only = "--compile" in sys.argv
    problems: list[str] = []
    for language in LANGUAGES:
        po_path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
        mo_path = po_path.with_suffix(".mo")
        if not po_path.exists():
            problems.append(f"{po_path} is missing")
            continue
        po = polib.pofile(str(po_path))
        if compile_only:
            mo_path.write_bytes(compiled_bytes(po))
            print(f"compiled {mo_path.relative_to(ROOT)}")
            continue
        for entry in po:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                problems.append(f"{language}: fuzzy translation for {entry.msgid!r}")
            elif entry.msgid_plural:
                if not all(entry.msgstr_plural.values()):
                    problems.append(f"{language}: untranslated plural {entry.msgid!r}")
            elif not entry.msgstr:
                problems.append(f"{language}: untranslated {entry.msgid!r}")
        if not mo_path.exists() or mo_path.read_bytes() != compiled_bytes(po):
            problems.append(f"{mo_path.relative_to(ROOT)} is stale: run `make messages`")
        wanted = extracted_msgids(language)
        if wanted is None:
            notice = "gettext (xgettext) not found: cannot check for strings missing from the .po"
            if os.environ.get("CI") == "true":
                problems.append(notice)
            else:
                print(f"SKIPPED part of the message check: {notice}")
        else:
            present = {(e.msgctxt, e.msgid) for e in po if not e.obsolete}
            for _context, msgid in sorted(wanted - present, key=lambda x: x[1]):
                problems.append(f"{language}: not in the .po yet (run `make messages`): {msgid!r}")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} translation problem(s)", file=sys.stderr)
        return 1
    if not compile_only:
        print("translations complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
