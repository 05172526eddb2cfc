"""The 修了証 (certificate of completion) as an A4 PDF with the Japanese font embedded:
who completed which programme and cohort of which ward, on which day (in the Japanese
era), and the address (with its QR code) where anyone can check it is real."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from machikoba.core.pdf import a4_document, qr_flowable, styles

if TYPE_CHECKING:
    from machikoba.programs.models import Graduation

REIWA_STARTS = dt.date(2019, 5, 1)


def japanese_date(day: dt.date) -> str:
    """``令和8年12月9日`` (``令和元年`` for its first year); a Western year before Reiwa."""
    if day < REIWA_STARTS:
        return f"{day.year}年{day.month}月{day.day}日"
    year = day.year - 2018
    era_year = "元" if year == 1 else str(year)
    return f"令和{era_year}年{day.month}月{day.day}日"


def certificate_verify_url(code: str) -> str:
    return settings.MACHIKOBA_SITE_URL.rstrip("/") + reverse(
        "programs:certificate_verify", args=[code]
    )


def certificate_pdf(graduation: Graduation) -> bytes:
    """The certificate of ``graduation`` (read with its application, cohort, programme,
    ward, company and participant: ``selectors.graduates.graduation_for_certificate``)."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    style = styles()
    application = graduation.application
    cohort = application.cohort
    program = cohort.program
    ward = program.municipality.name
    url = certificate_verify_url(graduation.certificate_code)
    big = ParagraphStyle("big", parent=style.title, fontSize=36, leading=48)
    name = ParagraphStyle("name", parent=style.title, fontSize=24, leading=34)
    centre = ParagraphStyle("centre", parent=style.body, fontSize=13, leading=22, alignment=1)

    def p(text: str, st: ParagraphStyle = style.body) -> Paragraph:
        return Paragraph(escape(text), st)

    verification = Table(
        [
            [
                qr_flowable(url, 30 * mm),
                [
                    p(_("修了証番号: %(code)s") % {"code": graduation.certificate_code}),
                    Spacer(1, 2 * mm),
                    p(_("この修了証が本物かどうかは、次のページで確かめられます。"), style.small),
                    p(url, style.small),
                ],
            ]
        ],
        colWidths=[36 * mm, 134 * mm],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]),
    )
    story = [
        Spacer(1, 18 * mm),
        Paragraph(_("修了証"), big),
        Spacer(1, 16 * mm),
        Paragraph(escape(application.company.name), centre),
        Spacer(1, 3 * mm),
        Paragraph(
            escape(_("%(person)s 殿") % {"person": application.participant.get_full_name()}),
            name,
        ),
        Spacer(1, 14 * mm),
        Paragraph(
            escape(
                _(
                    "あなたは%(ward)sが実施する「%(program)s」%(year)s年度 %(cohort)s の"
                    "全課程を修め、修了の要件を満たしたことをここに証します。"
                )
                % {
                    "ward": ward,
                    "program": program.name,
                    "year": cohort.fiscal_year,
                    "cohort": cohort.name,
                }
            ),
            centre,
        ),
        Spacer(1, 6 * mm),
        Paragraph(
            escape(
                _("出席 %(attended)s 回 / 全 %(total)s 回")
                % {"attended": graduation.sessions_attended, "total": graduation.sessions_total}
            ),
            centre,
        ),
        Spacer(1, 16 * mm),
        Paragraph(escape(japanese_date(graduation.graduated_on)), centre),
        Spacer(1, 4 * mm),
        Paragraph(escape(ward), name),
        Spacer(1, 24 * mm),
        verification,
    ]
    return a4_document(story, title=_("修了証") + " " + graduation.certificate_code)
