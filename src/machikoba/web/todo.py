"""The to-do list: what the signed-in person must do now, one selector for every home and
for the board's and the team's part of やること.

Web is the top layer, so it reads every app's pending work: the network's (steps, parts
to receive, RFQs, quotes, orders), the board's (applications to admit, team quotes to
decide), the team's (invitations, internal quotes to the lead), unread messages and, for
ward officers, account claims. Each kind is one query whatever the amount of work (pinned
by ``web/tests/test_todo.py``); a kind with nothing in it is left out.

Only work the person may do counts: decisions (quotes, orders, admissions, team answers)
for the company's owners and staff, the shop floor's work (steps, parts) for everybody
in the company.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _

from machikoba.board.choices import AdmissionStatus, MemberStatus, RequestStatus, TeamStatus
from machikoba.board.models import Admission, Request, TeamMember
from machikoba.companies.choices import ClaimStatus
from machikoba.companies.models_claims import CompanyClaim
from machikoba.core.access import CHANGE, EDITOR_ROLES, VIEW, has_role
from machikoba.messaging.selectors import unread_messages
from machikoba.network.choices import StepStatus
from machikoba.network.selectors import my_work

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import Company


@dataclass(frozen=True)
class TodoRow:
    """One piece of work: what, where it is done, and a short note (who, when)."""

    label: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class TodoItem:
    """One kind of work: its count, a Japanese label and the link where it is done (the
    piece of work itself when there is one, else its list on やること)."""

    kind: str
    label: str
    count: int
    url: str
    urgent: bool = False
    rows: list[TodoRow] = field(default_factory=list)


def _item(
    kind: str, label: str, rows: list[TodoRow], list_url: str, *, urgent: bool = False
) -> TodoItem | None:
    if not rows:
        return None
    url = rows[0].url if len(rows) == 1 else list_url
    return TodoItem(kind=kind, label=label, count=len(rows), url=url, urgent=urgent, rows=rows)


def _step_label(step: Any) -> str:
    return f"{step.job.part_name} — {step.process}"


def _network_items(user: User, company: Company, editor: bool) -> list[TodoItem | None]:
    work = my_work(user=user, company=company)
    my_work_url = reverse("network:my_work")

    def job_row(step: Any) -> TodoRow:
        note = "" if step.job.company_id == company.pk else step.job.company.name
        return TodoRow(_step_label(step), reverse("network:job_detail", args=[step.job_id]), note)

    def steps_in(*statuses: str) -> list[TodoRow]:
        return [job_row(s) for s in work["to_do"] if s.status in statuses]

    items: list[TodoItem | None] = [
        _item("late", _("遅れている工程"), [job_row(s) for s in work["late"]],
              f"{my_work_url}#late-heading", urgent=True),
    ]  # fmt: skip
    if editor:
        items += [
            _item(
                "decide",
                _("発注先を決める見積"),
                [
                    TodoRow(r.job.part_name, reverse("network:rfq_detail", args=[r.pk]))
                    for r in work["quotes_to_decide"]
                ],
                f"{my_work_url}#decide-heading",
            ),
            _item(
                "accept",
                _("請ける注文"),
                [
                    TodoRow(
                        f"{o.number} {o.job.part_name}",
                        reverse("network:order_detail", args=[o.pk]),
                        o.buyer.name,
                    )
                    for o in work["orders_to_accept"]
                ],
                f"{my_work_url}#accept-heading",
            ),
            _item(
                "answer",
                _("回答する見積依頼"),
                [
                    TodoRow(
                        r.rfq.job.part_name,
                        reverse("network:rfq_detail", args=[r.rfq_id]),
                        r.rfq.job.company.name,
                    )
                    for r in work["rfqs_to_answer"]
                ],
                f"{my_work_url}#answer-heading",
            ),
        ]
    items += [
        _item(
            "receive",
            _("受け入れる品物"),
            [
                TodoRow(
                    _step_label(s), reverse("network:step_progress", args=[s.pk, "receive"])
                )
                for s in work["to_receive"]
            ],
            f"{my_work_url}#receive-heading",
        ),
        _item("start", _("開始する工程"), steps_in(StepStatus.ORDERED, StepStatus.PLANNED),
              f"{my_work_url}#todo-heading"),
        _item("finish", _("加工中の工程"), steps_in(StepStatus.IN_PROGRESS),
              f"{my_work_url}#todo-heading"),
        _item("ship", _("出荷する工程"), steps_in(StepStatus.DONE),
              f"{my_work_url}#todo-heading"),
    ]  # fmt: skip
    return items


def _board_items(user: User, company: Company) -> list[TodoItem | None]:
    """The board's and the team's decisions: one query per kind, ids and names only."""
    my_work_url = reverse("network:my_work")

    def request_url(pk: int) -> str:
        return reverse("board:request_detail", args=[pk])

    def team_url(pk: int) -> str:
        return reverse("board:team_detail", args=[pk])

    quoted = (
        Request.objects.for_user(user, CHANGE)
        .filter(company=company, status=RequestStatus.OPEN, teams__status=TeamStatus.QUOTED)
        .distinct()
        .order_by("answer_by", "pk")
        .values_list("pk", "part_name")
    )
    admissions = (
        Admission.objects.for_user(user, CHANGE)
        .filter(
            request__company=company,
            request__status=RequestStatus.OPEN,
            status=AdmissionStatus.REQUESTED,
        )
        .order_by("created_at", "pk")
        .values_list("request_id", "request__part_name", "company__name")
    )
    members = (
        TeamMember.objects.for_user(user, CHANGE)
        .filter(company=company, team__status=TeamStatus.FORMING)
        .order_by("created_at", "pk")
        .values_list("team_id", "team__request__part_name", "team__lead__name", "status")
        .filter(status__in=(MemberStatus.INVITED, MemberStatus.JOINED), submitted_at__isnull=True)
    )
    member_rows = list(members)
    return [
        _item(
            "board_decide",
            _("発注先を決める引き合い (掲示板)"),
            [TodoRow(name, request_url(pk)) for pk, name in quoted],
            f"{my_work_url}#board_decide-heading",
        ),
        _item(
            "admissions",
            _("承認を待つ閲覧の申請 (掲示板)"),
            [TodoRow(name, request_url(pk), shop) for pk, name, shop in admissions],
            f"{my_work_url}#admissions-heading",
        ),
        _item(
            "team_invitations",
            _("チームへの参加依頼"),
            [
                TodoRow(name, team_url(pk), lead)
                for pk, name, lead, status in member_rows
                if status == MemberStatus.INVITED
            ],
            f"{my_work_url}#team_invitations-heading",
        ),
        _item(
            "team_quotes",
            _("チームの幹事に出す見積"),
            [
                TodoRow(name, team_url(pk), lead)
                for pk, name, lead, status in member_rows
                if status == MemberStatus.JOINED
            ],
            f"{my_work_url}#team_quotes-heading",
        ),
    ]


def _messages_item(user: User) -> TodoItem | None:
    count = unread_messages(user).count()
    if not count:
        return None
    url = reverse("messaging:inbox")
    return TodoItem(
        kind="messages",
        label=_("未読のメッセージ"),
        count=count,
        url=url,
        rows=[TodoRow(_("受信箱を開く"), url)],
    )


def _extra_items(user: User, company: Company, editor: bool) -> list[TodoItem | None]:
    items = _board_items(user, company) if editor else []
    return [*items, _messages_item(user)]


def todo(*, user: User, company: Company | None) -> list[TodoItem]:
    """What ``user`` must do now for ``company`` (their active company; None for ward
    officers and others with no company), most urgent first; empty kinds left out."""
    items: list[TodoItem | None] = []
    if company is not None:
        editor = has_role(user, company, EDITOR_ROLES)
        items += _network_items(user, company, editor)
        items += _extra_items(user, company, editor)
    else:
        waiting = (
            CompanyClaim.objects.for_user(user, VIEW)
            .filter(status=ClaimStatus.AWAITING_OFFICER)
            .count()
        )
        if waiting:
            items.append(
                TodoItem(
                    kind="claims",
                    label=_("審査を待つアカウント申請"),
                    count=waiting,
                    url=reverse("companies:claim_queue"),
                )
            )
    return [item for item in items if item is not None]


def work_sections(*, user: User, company: Company) -> list[dict[str, Any]]:
    """The board's, the team's and the inbox's part of やること (``network.work_extras``)."""
    return [
        {
            "id": item.kind,
            "heading": item.label,
            "rows": [{"label": r.label, "url": r.url, "note": r.note} for r in item.rows],
        }
        for item in _extra_items(user, company, has_role(user, company, EDITOR_ROLES))
        if item is not None
    ]
