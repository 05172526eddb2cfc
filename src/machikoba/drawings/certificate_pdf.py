"""The 破棄証明 (certificate of destruction) as an A4 PDF, with the Japanese font embedded."""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.core.dates import format_datetime
from machikoba.core.pdf import a4_document, grid, styles


def _size(size: int) -> str:
    return f"{size:,} B"


def destruction_certificate_pdf(certificate) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table

    style = styles()
    body, small, title = style.body, style.small, style.title
    destroyed = timezone.localtime(certificate.destroyed_at)

    summary = [
        [_("証明書番号"), certificate.number],
        [_("所有企業"), certificate.company_name],
        [_("件名"), certificate.document_title],
        [_("図番"), certificate.drawing_number or "—"],
        [_("破棄日時"), f"{destroyed:%Y/%m/%d %H:%M:%S} JST"],
        [_("破棄の理由"), certificate.reason],
        [_("破棄を指示した人"), certificate.requested_by_label],
        [_("削除したファイル数"), str(certificate.files_removed)],
        [_("取り消した共有の数"), str(certificate.grants_revoked)],
    ]
    columns = [_("版"), _("元のファイル名"), _("形式"), _("サイズ"), _("SHA-256"), _("プレビュー")]
    revisions = [columns]
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
            style=grid(),
        ),
        Spacer(1, 6 * mm),
        Paragraph(_("破棄した版"), body),
        Spacer(1, 2 * mm),
        Table(
            revisions,
            colWidths=[10 * mm, 44 * mm, 13 * mm, 23 * mm, 58 * mm, 22 * mm],
            style=grid(font_size=8, shade="first_row"),
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
            _("発行: machikoba (%(now)s JST)") % {"now": format_datetime(timezone.localtime())},
            small,
        ),
    ]
    return a4_document(story, title=_("破棄証明書") + " " + certificate.number)
