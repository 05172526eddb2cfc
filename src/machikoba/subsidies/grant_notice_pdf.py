"""The 交付決定通知書 (notice of the grant decision) as an A4 PDF with the Japanese font
embedded: to whom, for which project, the decided amount (and the reason when it is below
the amount applied for), and the conditions of the grant, as a ward issues it."""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.core.fiscal import wareki_date, wareki_fiscal_year
from machikoba.core.money import format_yen
from machikoba.core.pdf import a4_document, grid, styles

if TYPE_CHECKING:
    from machikoba.subsidies.selectors.grant_steps import GrantNotice


def grant_conditions() -> list[str]:
    """The conditions every grant carries (交付の条件)."""
    return [
        _(
            "補助事業の内容や経費の配分を変えるときは、あらかじめ計画変更申請をして区の承認を受けること。"
        ),
        _("交付決定の日より前に発注・契約・支払った経費は、補助の対象としない。"),
        _(
            "補助事業が終わったときは、実際の経費に領収書と支払の証憑を添えて、実績報告を提出すること。"
        ),
        _(
            "補助金の額は、確定検査のうえ、実際に支払った補助対象経費により確定する。"
            "確定する額は、この交付決定額を超えない。"
        ),
        _("補助事業が終わった年度から5年間、毎年度が終わったあとに事業化状況報告を提出すること。"),
        _("補助事業の帳簿と証拠書類を、補助事業が終わった年度の翌年度から5年間保存すること。"),
    ]


def grant_notice_pdf(notice: GrantNotice) -> bytes:
    """The notice for ``notice`` (``selectors.grant_steps.grant_notice``)."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table

    style = styles()
    application = notice.application
    decided_on = timezone.localtime(notice.decided_at).date()
    heading = ParagraphStyle("heading", parent=style.body, fontSize=12, leading=18)

    def p(text: str, st: ParagraphStyle = style.body) -> Paragraph:
        return Paragraph(escape(text), st)

    addressee = [notice.company_name]
    if notice.representative:
        addressee.append(notice.representative)
    addressee[-1] = _("%(name)s 様") % {"name": addressee[-1]}
    requested_at = timezone.localtime(
        notice.grant_requested_at or application.submitted_at or notice.decided_at
    ).date()
    rows = [
        [p(_("補助事業の名称")), p(application.title or "—")],
        [
            p(_("公募")),
            p(
                _("%(call)s (%(year)s)")
                % {"call": notice.call_name, "year": wareki_fiscal_year(notice.fiscal_year)}
            ),
        ],
        [p(_("ステージ・補助率")), p(f"{notice.stage_label} ({notice.rate_label})")],
        [p(_("計画の経費 (税抜)")), p(format_yen(notice.planned_total))],
        [p(_("交付申請額")), p(format_yen(notice.requested))],
        [
            p(_("交付決定額")),
            Paragraph(escape(format_yen(notice.decided)), ParagraphStyle("amount", parent=heading)),
        ],
    ]
    if notice.reason:
        rows.append([p(_("申請額から減額した理由")), p(notice.reason)])
    facts = Table(rows, colWidths=[45 * mm, 125 * mm], style=grid(font_size=10))
    conditions = [p(f"{number}. {text}") for number, text in enumerate(grant_conditions(), start=1)]
    story = [
        p(
            _("受付番号 %(reference)s") % {"reference": application.reference or application.pk},
            style.right,
        ),
        p(wareki_date(decided_on), style.right),
        Spacer(1, 6 * mm),
        *[p(line, heading) for line in addressee],
        Spacer(1, 4 * mm),
        p(_("%(ward)s長") % {"ward": notice.ward_name}, style.right),
        Spacer(1, 10 * mm),
        Paragraph(escape(_("補助金交付決定通知書")), style.title),
        Spacer(1, 8 * mm),
        p(
            _(
                "%(requested_on)s付けで申請のあった「%(title)s」について、下記のとおり補助金を"
                "交付することに決定したので通知します。"
            )
            % {
                "requested_on": wareki_date(requested_at),
                "title": application.title or "—",
            }
        ),
        Spacer(1, 6 * mm),
        Paragraph(escape(_("記")), ParagraphStyle("centre", parent=heading, alignment=1)),
        Spacer(1, 4 * mm),
        facts,
        Spacer(1, 8 * mm),
        p(_("交付の条件"), heading),
        Spacer(1, 2 * mm),
        *conditions,
        Spacer(1, 8 * mm),
        p(
            _(
                "この通知の内容について不明な点があるときは、%(ward)sの補助金の担当窓口へ"
                "お問い合わせください。"
            )
            % {"ward": notice.ward_name},
            style.small,
        ),
    ]
    return a4_document(
        story,
        title=_("補助金交付決定通知書") + " " + str(application.reference or application.pk),
    )
