"""Serving a cached preview page to a partner, end to end through Django: session,
access layer (grant + NDA), reading the stored page, watermarking, PNG out.

Issue 4's target: p95 < 30 ms. Two pages: the worst case of ``drawing_previews.py`` (an A1
sheet with 3,000 random lines and 600 labels, which compresses badly) and the demo's line
drawing, which is what real drawings look like.
The p95 is in the run's extra info (``--benchmark-columns`` shows median and max).
"""

import hashlib
import importlib.util
import statistics
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.drawings.models import Document, Grant, NdaAcceptance, NdaText, PreviewPage, Revision


def _dense_page(tmp_path: Path):
    """Page 1 of the preview benchmark's A1 sheet: 3,000 random lines, 600 labels."""
    spec = importlib.util.spec_from_file_location(
        "drawing_previews", Path(__file__).with_name("drawing_previews.py")
    )
    bench = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("drawing_previews", bench)
    spec.loader.exec_module(bench)
    from machikoba.drawings.previews import iter_previews

    bench.PDF_PAGES = 1
    bench.make_pdf(tmp_path / "a1.pdf")
    return next(iter(iter_previews(tmp_path / "a1.pdf", "pdf")))


def _drawing_page(tmp_path: Path):
    """The demo ward's A3 shaft drawing: a real-looking line drawing with a title block."""
    from machikoba.drawings.demo import shaft_drawing_pdf
    from machikoba.drawings.previews import iter_previews

    path = tmp_path / "shaft.pdf"
    path.write_bytes(
        shaft_drawing_pdf(drawing_number="TK-2041", title="段付きシャフト", company="高田精機")
    )
    return next(iter(iter_previews(path, "pdf")))


@pytest.fixture(params=["dense-a1", "line-drawing"])
def partner_view(request, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    owner_company, partner_company = CompanyFactory(), CompanyFactory()
    MembershipFactory(company=owner_company, role=CompanyRole.OWNER)
    partner = MembershipFactory(company=partner_company, role=CompanyRole.STAFF).user
    page = _dense_page(tmp_path) if request.param == "dense-a1" else _drawing_page(tmp_path)
    document = Document.objects.create(company=owner_company, title="A1 図面")
    revision = Revision(
        document=document,
        number=1,
        original_name="a1.pdf",
        file_kind="pdf",
        mime="application/pdf",
        extension=".pdf",
        size=1,
        sha256=hashlib.sha256(b"").hexdigest(),
        preview_status="ready",
    )
    revision.file.save("a1.pdf", ContentFile(b"%PDF"), save=False)
    revision.save()
    preview = PreviewPage(revision=revision, number=1, width=page.width, height=page.height)
    preview.screen.save("s.png", ContentFile(page.screen_png), save=False)
    preview.zoom.save("z.png", ContentFile(page.zoom_png), save=False)
    preview.save()
    nda = NdaText.objects.create(company=owner_company, version=1, body="秘密保持")
    NdaAcceptance.objects.create(nda=nda, company=partner_company)
    Grant.objects.create(document=document, grantee=partner_company)
    client = Client()
    client.force_login(partner)
    url = reverse("drawings:page_image", kwargs={"pk": document.pk, "number": 1, "page": 1})
    return client, url


def test_partner_gets_a_watermarked_cached_page(benchmark, partner_view):
    client, url = partner_view
    client.get(url)  # the watermark pattern for this viewer and size is drawn once
    response = benchmark.pedantic(lambda: client.get(url), rounds=200, iterations=1)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    data = sorted(benchmark.stats.stats.data)
    benchmark.extra_info["p95_ms"] = round(data[int(len(data) * 0.95) - 1] * 1000, 1)
    benchmark.extra_info["p50_ms"] = round(statistics.median(data) * 1000, 1)
    info = benchmark.extra_info
    print(f"\npage view p50 {info['p50_ms']} ms, p95 {info['p95_ms']} ms")
