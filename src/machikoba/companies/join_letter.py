"""The letter a ward mails to a company's registered address (参加の確認コード): to whom,
the code, and a QR code that opens the claim's page with the code filled in."""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from machikoba.companies.services_claims import ward_label
from machikoba.core.dates import format_date
from machikoba.core.pdf import a4_document, qr_flowable, styles

if TYPE_CHECKING:
    from machikoba.companies.models_claims import CompanyClaim


def join_letter_pdf(claim: CompanyClaim, *, code: str, url: str) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    style = styles()
    company = claim.company

    def p(text: str, paragraph_style=style.body) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), paragraph_style)

    address = (
        f"〒{company.postal_code}\n{company.address}" if company.postal_code else company.address
    )
    story = [
        p(address),
        p(_("%(company)s 御中") % {"company": company.name}),
        Spacer(1, 12 * mm),
        p(_("machikoba 参加の確認コード"), style.title),
        Spacer(1, 8 * mm),
        p(
            _(
                "%(name)s さんから、%(company)s として machikoba (%(ward)s) に参加する申請があり"
                "ました。この手紙は、区が把握している所在地にお送りしています。\n"
                "お心当たりがあれば、申請した方のスマートフォンで下の QR コードを読み取るか、"
                "申請の画面で確認コードを入力してください。"
            )
            % {
                "name": claim.requester_name,
                "company": company.name,
                "ward": ward_label(company),
            }
        ),
        Spacer(1, 8 * mm),
        p(_("確認コード: %(code)s") % {"code": " ".join(code)}, style.title),
        p(
            _("有効期限: %(date)s まで。一度だけ使えます。")
            % {"date": format_date(claim.secret_expires_at)}
        ),
        Spacer(1, 6 * mm),
        qr_flowable(url, 40 * mm),
        p(url, style.small),
        Spacer(1, 8 * mm),
        p(
            _("お心当たりがなければ、この手紙は破棄し、%(ward)s の担当窓口にお知らせください。")
            % {"ward": ward_label(company)},
            style.small,
        ),
    ]
    return a4_document(story, title=_("参加の確認コード"))
