"""The closing report of an engagement (伴走支援 完了報告書) as an A4 PDF with the
Japanese font embedded: company, ward, period, team, phases with dates and status, visit
count and hours, measurements before/after with their change, and the closing summary.
It reads an ``EngagementPage`` (``advisory.selectors.engagement_page``), so it shows what
the person downloading it may see."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.advisory.choices import EngagementStatus
from machikoba.advisory.selectors.engagements import EngagementPage
from machikoba.core.dates import format_date
from machikoba.core.pdf import a4_document, grid, styles
from machikoba.core.templatetags.machikoba import plain_number


def _hours(minutes: int) -> str:
    return _("%(h)s 時間 %(m)02d 分") % {"h": minutes // 60, "m": minutes % 60}


def _change_text(row: Any) -> str:
    change = row.change
    if change is None:
        return "—"
    percent = f"{change.percent:+}%" if change.percent is not None else "—"
    if change.improved is None:
        verdict = _("変化なし")
    elif change.improved:
        verdict = _("改善")
    else:
        verdict = _("悪化")
    return f"{percent} ({verdict})"


def closing_report_pdf(page: EngagementPage) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table

    style = styles()
    body, small, title = style.body, style.small, style.title
    engagement = page.engagement

    def para(text: Any, s: Any = None) -> Any:
        return Paragraph(escape(str(text)), s or body)

    heading = (
        _("伴走支援 完了報告書")
        if engagement.status == EngagementStatus.CLOSED
        else _("伴走支援 報告書 (%(status)s)") % {"status": engagement.get_status_display()}
    )
    team = "、".join(
        f"{m.advisor.user.get_full_name()} ({m.advisor.get_kind_display()}"
        + (_("・主担当") if m.lead else "")
        + ")"
        for m in page.members
    )
    summary = [
        [_("企業"), engagement.company.name],
        [_("区"), engagement.municipality.name],
        [_("期間"), f"{format_date(engagement.starts_on)} 〜 {format_date(engagement.ends_on)}"],
        [_("状態"), str(engagement.get_status_display())],
        [_("完了日"), format_date(engagement.closed_at)],
        [_("担当"), team or "—"],
        [_("相談の分野"), engagement.request.topics],
        [
            _("訪問"),
            _("%(count)s 回・合計 %(hours)s (うち企業の確認済み %(signed)s)")
            % {
                "count": len(page.visits),
                "hours": _hours(page.hours.total_minutes),
                "signed": _hours(page.hours.signed_minutes),
            },
        ],
    ]
    phases = [[_("フェーズ"), _("期限"), _("開始"), _("完了"), _("状態")]]
    for row in page.phases:
        phase = row.phase
        status = str(phase.get_status_display())
        if row.overdue:
            status += _(" (期限超過)")
        phases.append(
            [
                str(phase.get_kind_display()),
                format_date(phase.due_on),
                format_date(phase.started_at),
                format_date(phase.completed_at),
                status,
            ]
        )
    measures = [[_("指標"), _("導入前"), _("導入後"), _("変化")]]
    for m_row in page.measurements:
        m = m_row.measurement
        before = f"{plain_number(m.before_value)} {m.unit} ({format_date(m.before_on)})"
        after = (
            f"{plain_number(m.after_value)} {m.unit} ({format_date(m.after_on)})"
            if m.after_value is not None
            else "—"
        )
        measures.append(
            [
                para(f"{m.name} ({m.get_better_display()})", small),
                para(before, small),
                para(after, small),
                para(_change_text(m_row), small),
            ]
        )
    story: list[Any] = [
        Paragraph(escape(heading), title),
        Spacer(1, 6 * mm),
        Table(
            [[label, para(value)] for label, value in summary],
            colWidths=[32 * mm, 138 * mm],
            style=grid(),
        ),
        Spacer(1, 6 * mm),
        para(_("フェーズ")),
        Spacer(1, 2 * mm),
        Table(
            phases,
            colWidths=[34 * mm, 30 * mm, 30 * mm, 30 * mm, 46 * mm],
            style=grid(shade="first_row"),
            repeatRows=1,
        ),
        Spacer(1, 6 * mm),
        para(_("効果の測定")),
        Spacer(1, 2 * mm),
    ]
    if len(measures) > 1:
        story.append(
            Table(
                measures,
                colWidths=[46 * mm, 44 * mm, 44 * mm, 36 * mm],
                style=grid(shade="first_row"),
                repeatRows=1,
            )
        )
    else:
        story.append(para(_("記録された指標はありません。"), small))
    story += [
        Spacer(1, 6 * mm),
        para(_("支援のまとめ")),
        Spacer(1, 2 * mm),
        Table(
            [[para(engagement.closing_summary or _("(まだ書かれていません)"))]],
            colWidths=[170 * mm],
            style=grid(shade="none"),
        ),
        Spacer(1, 6 * mm),
        para(
            _("作成日: %(date)s ・ machikoba 伴走型アドバイザー派遣")
            % {"date": format_date(timezone.localdate())},
            small,
        ),
    ]
    return a4_document(story, title=str(heading))
