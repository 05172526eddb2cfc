"""The network's paper: the order (注文書) as an A4 PDF and the traveler tag (現品票) as an
A6 PDF with a QR code, both with the Japanese font embedded (reportlab + IPAexGothic)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from machikoba.core.dates import format_date, format_datetime
from machikoba.core.money import format_yen
from machikoba.core.pdf import FONT, a4_document, grid, qr_flowable, styles
from machikoba.drawings.watermark import register_pdf_font


def _party(company) -> str:
    lines = [company.name]
    address = " ".join(
        p for p in (company.prefecture, company.municipality, company.address_line) if p
    )
    if address:
        lines.append(address)
    if company.invoice_number:
        lines.append(_("登録番号 %(number)s") % {"number": company.invoice_number})
    if company.corporate_number:
        lines.append(_("法人番号 %(number)s") % {"number": company.corporate_number})
    return "<br/>".join(escape(line) for line in lines)


def _date(day) -> str:
    return format_date(day)


def order_pdf(order) -> bytes:
    """注文書 with every item the 中小受託取引適正化法 requires of a written order."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table

    style = styles()

    def p(text, paragraph_style=style.body):
        return Paragraph(escape(str(text)).replace("\n", "<br/>"), paragraph_style)

    rows = [
        [_("発注者 (委託事業者)"), Paragraph(_party(order.buyer), style.body)],
        [_("受注者 (中小受託事業者)"), Paragraph(_party(order.supplier), style.body)],
        [_("発注日"), p(_date(order.ordered_on))],
        [_("給付の内容"), p(order.work_content)],
        [_("数量"), p(order.job.count(order.quantity))],
        [_("代金 (税抜)"), p(format_yen(order.price, get_language() or "ja"))],
        [_("納期 (受領日)"), p(_date(order.delivery_date))],
        [_("納入場所"), p(order.delivery_place)],
        [_("検査完了日"), p(_date(order.inspection_date))],
        [_("支払期日"), p(_date(order.payment_date))],
        [_("支払方法"), p(order.get_payment_method_display())],
    ]
    accepted = (
        _("注文請書: %(when)s に受注者が請けました。")
        % {"when": format_datetime(order.accepted_at)}
        if order.accepted_at
        else _("注文請書: 受注者の請書待ちです。")
    )
    number = f"{_('注文番号')} {order.number}"
    if order.version > 1:
        number += " (" + _("第%(version)s版") % {"version": order.version} + ")"
    story = [
        p(_("注文書"), style.title),
        Spacer(1, 2 * mm),
        p(number, style.right),
        Spacer(1, 5 * mm),
        p(_("下記のとおり注文します。")),
        Spacer(1, 4 * mm),
        Table(rows, colWidths=[48 * mm, 122 * mm], style=grid()),
        Spacer(1, 5 * mm),
        p(accepted),
        Spacer(1, 3 * mm),
        p(
            _(
                "この注文書は中小受託取引適正化法 (旧下請法) が書面で求める事項を記載しています。"
                "支払期日は受領日から60日以内とし、手形による支払いは行いません。"
            ),
            style.small,
        ),
    ]
    return a4_document(story, title=f"{_('注文書')} {order.number}")


def traveler_pdf(step, *, handoff_url: str, next_party: str) -> bytes:
    """現品票 (A6): what the parts are, which step, how many, and a QR code that opens the
    handoff page on a phone."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A6
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    register_pdf_font()
    job = step.job
    width, height = A6
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A6, invariant=True)
    pdf.setTitle(f"{_('現品票')} {job} #{step.position}")
    margin = 8 * mm
    y = height - margin - 14
    pdf.setFont(FONT, 16)
    pdf.drawString(margin, y, _("現品票"))
    pdf.setFont(FONT, 8)
    pdf.drawRightString(width - margin, y, f"{job.company.name}")
    lines = [
        (_("品名"), job.part_name),
        (_("図番"), job.drawing_number or "—"),
        (_("工程"), f"{step.position}. {step.process.name_ja}"),
        (_("担当"), step.performer.name if step.performer else "—"),
        (_("次の工程"), next_party),
        (_("数量"), job.count()),
        (_("納期"), _date(job.due_date)),
    ]
    y -= 10 * mm
    for label, value in lines:
        pdf.setFont(FONT, 7)
        pdf.drawString(margin, y, label)
        pdf.setFont(FONT, 10)
        pdf.drawString(margin + 16 * mm, y, value[:34])
        y -= 6.5 * mm
    size = 42 * mm
    widget = QrCodeWidget(handoff_url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, (width - size) / 2, margin + 8 * mm)
    pdf.setFont(FONT, 6)
    pdf.drawCentredString(width / 2, margin + 4 * mm, handoff_url)
    pdf.drawCentredString(
        width / 2, margin, _("スマートフォンで読み取ると、受け渡しを記録できます。")
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _qr(url: str, size: float):
    """A QR code of ``url`` as a flowable ``size`` points wide."""
    return qr_flowable(url, size)


def guest_link_pdf(link, *, url: str, contact: str) -> bytes:
    """見積依頼 (FAX 用, A4 one page) for a shop without an account: what is asked, by
    when, the one-time link as text and as a QR code, and whom to ask."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    style = styles()
    rfq = link.recipient.rfq
    job = rfq.job

    def p(text, paragraph_style=style.body):
        return Paragraph(escape(str(text)).replace("\n", "<br/>"), paragraph_style)

    steps = "\n".join(
        f"{step.position}. {step.process.name_ja}" + (f" — {step.spec}" if step.spec else "")
        for step in rfq.steps.select_related("process").order_by("position")
    )
    material = " ".join(str(v) for v in (job.material or "", job.material_note) if v) or "—"
    rows = [
        [_("依頼元"), p(contact)],
        [_("品名"), p(job.part_name)],
        [_("図番"), p(job.drawing_number or "—")],
        [_("材質"), p(material)],
        [_("数量"), p(job.count())],
        [_("工程"), p(steps)],
        [_("回答期限"), p(format_datetime(rfq.deadline))],
    ]
    if rfq.message:
        rows.append([_("依頼内容"), p(rfq.message[:600])])
    expires = format_datetime(link.expires_at)
    access = Table(
        [
            [
                _qr(url, 40 * mm),
                [
                    p(_("スマートフォンで QR コードを読み取るか、次のアドレスを開いてください。")),
                    Spacer(1, 2 * mm),
                    Paragraph(escape(url), style.body),
                    Spacer(1, 2 * mm),
                    p(_("有効期限: %(when)s") % {"when": expires}),
                ],
            ]
        ],
        colWidths=[46 * mm, 124 * mm],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]),
    )
    story = [
        p(_("見積依頼"), style.title),
        Spacer(1, 2 * mm),
        p(_("%(company)s 御中") % {"company": link.recipient.company.name}),
        Spacer(1, 3 * mm),
        p(
            _(
                "下記の見積をお願いします。アカウントがなくても、下のリンクから依頼の内容と"
                "図面 (閲覧のみ) を確認し、見積を出すか辞退できます。"
            )
        ),
        Spacer(1, 4 * mm),
        Table(rows, colWidths=[30 * mm, 140 * mm], style=grid()),
        Spacer(1, 6 * mm),
        access,
        Spacer(1, 4 * mm),
        p(
            _(
                "このリンクは貴社専用です。他の方に渡さないでください。回答すると使えなくなり、"
                "新しいリンクが発行されると、このリンクは無効になります。"
            ),
            style.small,
        ),
    ]
    return a4_document(story, title=f"{_('見積依頼')} {job.part_name}")
