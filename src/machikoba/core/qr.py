"""QR codes drawn as inline SVG for pages (invitations, session check-in codes)."""

from __future__ import annotations

import itertools

from django.utils.html import format_html
from django.utils.safestring import SafeString
from reportlab.graphics.barcode import qrencoder


def qr_svg(text: str, *, label: str, testid: str = "invite-qr", width: int = 264) -> SafeString:
    """``text`` as a QR code in inline SVG, from the encoder the traveler tags (現品票) use
    (reportlab's, error correction M): one path of the dark modules in a 4-module quiet
    zone, drawn with presentation attributes only (the page's CSP allows no ``style``)."""
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(text)
    qr.make()
    border = 4
    size = qr.getModuleCount() + 2 * border
    runs = []
    for row_index, row in enumerate(qr.modules):
        column = 0
        for dark, cells in itertools.groupby(bool(cell) for cell in row):
            run = len(list(cells))
            if dark:
                runs.append(f"M{column + border} {row_index + border}h{run}v1h-{run}z")
            column += run
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{width}" '
        'height="{width}" role="img" aria-label="{label}" shape-rendering="crispEdges" '
        'data-testid="{testid}"><rect width="{size}" height="{size}" fill="#fff"/>'
        '<path d="{path}" fill="#000"/></svg>',
        size=size,
        label=label,
        width=width,
        testid=testid,
        path="".join(runs),
    )
