"""The 破棄証明 (certificate of destruction) as an A4 PDF, with the Japanese font embedded."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.drawings.watermark import register_pdf_font

PDF_FONT = "IPAexGothic"


def _size(size: int) -> str:
    return f"{size:,} B"


def destruction_certificate_pdf(certificate) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    register_pdf_font()
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=10, leading=16, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=10)
    title = ParagraphStyle("title", parent=body, fontSize=20, leading=28, alignment=1)
    destroyed = timezone.localtime(certificate.destroyed_at)

    summary = [
        [_("証明書番号"), certificate.number],
        [_("所有企業"), certificate.company_name],
        [_("件名"), certificate.document_title],
        [_("図番"), certificate.drawing_number or "—"],
        [_("破棄日時"), f"{destroyed:%Y-%m-%d %H:%M:%S} JST"],
        [_("破棄の理由"), certificate.reason],
        [_("破棄を指示した人"), certificate.requested_by_label],
        [_("削除したファイル数"), str(certificate.files_removed)],
        [_("取り消した共有の数"), str(certificate.grants_revoked)],
    ]
    revisions = [
        [_("版"), _("元のファイル名"), _("形式"), _("サイズ"), _("SHA-256"), _("プレビュー")]
    ]
    for item in certificate.revisions:
        revisions.append(
            [
                item["label"],
                Paragraph(escape(item["original_name"]), small),
                item["file_kind"].upper(),
                _size(item["size"]),
                Paragraph(item["sha256"], small),
                str(item["preview_pages"]),
            ]
        )
    grid = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), PDF_FONT, 9),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2")),
        ]
    )
    header_grid = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), PDF_FONT, 8),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F2F2F2")),
        ]
    )
    story = [
        Paragraph(_("破棄証明書"), title),
        Spacer(1, 6 * mm),
        Paragraph(
            _(
                "下記の図面・文書について、本システムの保存領域から原本ファイルとプレビュー画像を"
                "すべて削除し、他社への共有をすべて取り消したことを証明します。"
            ),
            body,
        ),
        Spacer(1, 5 * mm),
        Table(
            [[label, Paragraph(escape(value), body)] for label, value in summary],
            colWidths=[42 * mm, 128 * mm],
            style=grid,
        ),
        Spacer(1, 6 * mm),
        Paragraph(_("破棄した版"), body),
        Spacer(1, 2 * mm),
        Table(
            revisions,
            colWidths=[10 * mm, 44 * mm, 13 * mm, 23 * mm, 58 * mm, 22 * mm],
            style=header_grid,
            repeatRows=1,
        ),
        Spacer(1, 6 * mm),
        Paragraph(
            _(
                "SHA-256 は登録時のファイルの指紋です。手元に残る写しがこの図面と同じものかは、"
                "この値と照合して確かめられます。"
            ),
            small,
        ),
        Spacer(1, 3 * mm),
        Paragraph(
            _("発行: machikoba (%(now)s JST)") % {"now": f"{timezone.localtime():%Y-%m-%d %H:%M}"},
            small,
        ),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=_("破棄証明書") + " " + certificate.number,
        invariant=True,
    ).build(story)
    return buffer.getvalue()
