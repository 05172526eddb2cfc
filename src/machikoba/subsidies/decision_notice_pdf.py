"""The 採択通知書 / 不採択通知書 as an A4 PDF with the Japanese font embedded: to whom, from
which ward, about which application of which call and stage, the decision, and for 不採択
the reason every company not selected reads (``selectors.ranking.NOT_SELECTED_REASON``:
never a rank, a score or the officer's reason for editing the proposal). A 採択 is not
yet a grant: the notice says that the company becomes a 交付候補 and that money is granted
only by the 交付決定 that follows its 交付申請. It reads a ``DecisionNotice``
(``selectors.screening.decision_notice``)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.core.money import format_yen
from machikoba.core.pdf import a4_document, grid, styles
from machikoba.programs.certificate_pdf import japanese_date
from machikoba.subsidies.selectors.screening import DecisionNotice


def _decided_on(notice: DecisionNotice) -> dt.date:
    moment = notice.decided_at
    if isinstance(moment, dt.datetime):
        return timezone.localtime(moment).date()
    if isinstance(moment, dt.date):
        return moment
    return timezone.localdate()


def decision_notice_pdf(notice: DecisionNotice) -> bytes:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table

    style = styles()
    centre = ParagraphStyle("centre", parent=style.body, fontSize=12, leading=18, alignment=1)
    application = notice.application

    def para(text: Any, s: Any = None) -> Any:
        return Paragraph(escape(str(text)).replace("\n", "<br/>"), s or style.body)

    title = _("採択通知書") if notice.selected else _("不採択通知書")
    addressee = notice.company_name
    if notice.representative:
        addressee = f"{addressee}\n{notice.representative}"
    if notice.selected:
        lead = _(
            "%(call)s について、貴社から提出のあった申請を審査した結果、"
            "下記のとおり採択し、交付候補とすることに決定しましたので通知します。"
        ) % {"call": notice.call_name}
        closing = _(
            "この通知は補助金の交付を決定するものではありません。交付申請を行い、"
            "交付決定の通知を受けてから事業に着手してください。交付決定の前に発注・契約した"
            "経費は補助の対象になりません。"
        )
    else:
        lead = _(
            "%(call)s について、貴社から提出のあった申請を審査した結果、"
            "誠に残念ながら下記のとおり不採択と決定しましたので通知します。"
        ) % {"call": notice.call_name}
        closing = _("次回以降の公募への申請をお待ちしています。")
    rows: list[list[Any]] = [
        [para(_("公募")), para(notice.call_name)],
        [para(_("ステージ")), para(notice.stage_label)],
        [para(_("事業の名称")), para(str(application))],
        [para(_("受付番号")), para(application.reference or "—")],
        [para(_("補助金申請額")), para(format_yen(notice.requested_amount))],
        [para(_("審査の結果")), para(_("採択 (交付候補)") if notice.selected else _("不採択"))],
    ]
    if not notice.selected:
        rows.append([para(_("理由")), para(notice.reason or "—")])
    story = [
        para(japanese_date(_decided_on(notice)), style.right),
        Spacer(1, 6 * mm),
        para(_("%(addressee)s 様") % {"addressee": addressee}),
        Spacer(1, 4 * mm),
        para(notice.ward_name, style.right),
        Spacer(1, 10 * mm),
        Paragraph(escape(title), style.title),
        Spacer(1, 8 * mm),
        para(lead),
        Spacer(1, 6 * mm),
        Paragraph(escape(_("記")), centre),
        Spacer(1, 4 * mm),
        Table(rows, colWidths=[40 * mm, 130 * mm], style=grid(font_size=10)),
        Spacer(1, 8 * mm),
        para(closing),
    ]
    return a4_document(story, title=f"{title} {application.reference or application.pk}")
