"""Documents for tests, made directly (the upload path has its own tests)."""

import hashlib
import io

from django.core.files.base import ContentFile
from PIL import Image

from machikoba.drawings.models import Document, Grant, NdaAcceptance, NdaText, PreviewPage, Revision


def png_bytes(width=400, height=300, color=(255, 255, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def make_document(company, *, title="シャフト", drawing_number="D-100", pages=2) -> Document:
    document = Document.objects.create(company=company, title=title, drawing_number=drawing_number)
    data = png_bytes()
    revision = Revision(
        document=document,
        number=1,
        original_name="shaft.png",
        file_kind="png",
        mime="image/png",
        extension=".png",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        page_count=pages,
        preview_status="ready",
    )
    revision.file.save("shaft.png", ContentFile(data), save=False)
    revision.save()
    for number in range(1, pages + 1):
        page = PreviewPage(revision=revision, number=number, width=400, height=300)
        page.screen.save("s.png", ContentFile(data), save=False)
        page.zoom.save("z.png", ContentFile(data), save=False)
        page.save()
    return document


def share(document, grantee, *, nda=True, **fields) -> Grant:
    """Grant ``document`` to ``grantee``; with ``nda`` the owner has an NDA the grantee
    accepted, without it the owner has an NDA the grantee has not accepted."""
    text, _ = NdaText.objects.get_or_create(
        company=document.company, version=1, defaults={"body": "秘密保持の条項"}
    )
    if nda:
        NdaAcceptance.objects.get_or_create(nda=text, company=grantee)
    return Grant.objects.create(document=document, grantee=grantee, **fields)


def destroyed_document(company) -> Document:
    """A document whose owner destroyed it (files purged, certificate issued)."""
    from machikoba.drawings.services import document_destroy

    document = make_document(company, title="破棄した図面", drawing_number="X-1")
    document_destroy(actor=None, document=document, reason="テスト")
    document.refresh_from_db()
    return document
