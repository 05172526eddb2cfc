"""A fictional part drawing for the demo ward (drawn in code: no binary in the repo)."""

from __future__ import annotations

import io

from machikoba.core.pdf import FONT, register_pdf_font


def shaft_drawing_pdf(
    *, drawing_number: str, title: str, company: str, material: str, quantity: int
) -> bytes:
    """An A3 landscape two-sheet drawing of a stepped shaft (φ30 h7, φ45 h7, φ25 h7) with a
    title block naming the same material and quantity as the job it belongs to."""
    from reportlab.lib.pagesizes import A3, landscape
    from reportlab.pdfgen import canvas

    register_pdf_font()
    width, height = landscape(A3)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=True)
    for sheet in (1, 2):
        pdf.setLineWidth(1.2)
        pdf.rect(20, 20, width - 40, height - 40)
        # Title block
        pdf.rect(width - 320, 20, 300, 90)
        pdf.setFont(FONT, 16)
        pdf.drawString(width - 310, 85, title)
        pdf.setFont(FONT, 10)
        pdf.drawString(width - 310, 65, f"図番 {drawing_number}   シート {sheet}/2")
        pdf.drawString(width - 310, 48, f"{company}   材質 {material}   数量 {quantity}")
        pdf.drawString(width - 310, 31, "一般公差 JIS B 0405-m   単位 mm")
        # A stepped shaft: three diameters along the axis
        cy = height / 2 + 40
        x = 120
        pdf.setLineWidth(1.5)
        for length, diameter in ((180, 60), (260, 90), (200, 50)):
            pdf.rect(x, cy - diameter, length, diameter * 2)
            pdf.setFont(FONT, 12)
            pdf.drawString(x + length / 2 - 20, cy + diameter + 18, f"φ{diameter // 2 * 1}h7")
            pdf.line(x, cy - diameter - 30, x + length, cy - diameter - 30)
            pdf.drawString(x + length / 2 - 10, cy - diameter - 46, f"{length // 2}")
            x += length
        pdf.setDash(12, 4)
        pdf.setLineWidth(0.6)
        pdf.line(90, cy, x + 30, cy)
        pdf.setDash()
        pdf.setFont(FONT, 12)
        note = "注記: 1. 指示なき角部は C0.5   2. 焼入れ HRC55±2 (シート2参照)"
        pdf.drawString(
            60, 140, note if sheet == 1 else "熱処理: 高周波焼入れ 有効硬化層深さ 1.5 以上"
        )
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
