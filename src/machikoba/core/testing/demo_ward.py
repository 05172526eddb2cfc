"""The demo ward for the tests that start from it (the browser stories, the demo's own
checks): ``seed_demo``, built once per test process and restored after that
(core/testing/snapshots.py), the files in the test's own MEDIA_ROOT."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.management import call_command

from machikoba.core.testing.snapshots import restore_or_build


def demo_ward(settings, media_root: Path, *, worked: bool = False) -> None:
    """The demo ward in the database. ``worked``: also what the demo's task worker would
    have done by the time a person looks (the drawings' previews, the demo owner's machine
    plan), with links pointing at the test server."""
    settings.MEDIA_ROOT = media_root
    if worked:
        settings.MACHIKOBA_SITE_URL = "http://testserver"

    def build() -> None:
        call_command("seed_demo", stdout=io.StringIO())
        if worked:
            _work_done()

    restore_or_build("demo-worked" if worked else "demo", build, media_root=media_root)


def _work_done() -> None:
    from machikoba.accounts.models import User
    from machikoba.drawings.models import Document
    from machikoba.drawings.tasks import build_previews
    from machikoba.network.models import Job
    from machikoba.shopfloor import services as shopfloor

    for document in Document.objects.all():
        for revision in document.revisions.all():
            build_previews.call(revision.pk)
    job = Job.objects.get(drawing_number="TK-2026-014")
    owner = User.objects.get(email="owner@example.com", memberships__company=job.company)
    run = shopfloor.plan_request(actor=owner, company=job.company, time_limit=10)
    shopfloor.plan_execute(run_id=run.pk)
