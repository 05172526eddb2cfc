"""Notices to the people of a company, in the app and by e-mail, each as they choose.

A service calls ``notify_company`` inside its transaction; after commit a task renders the
text in the ward's language, stores an in-app notice for everyone who wants one and
e-mails everyone who wants that, through the e-mail delivery backend (SMTP in production).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import EDITOR_ROLES, MEMBER_ROLES
from machikoba.core.models import Notification, NotificationPreference

if TYPE_CHECKING:
    # accounts.User, a layer above core (see core.access).
    from django.contrib.auth.models import _User as User
from machikoba.core.queueing import enqueue_on_commit

# kind → (label for the settings page, subject, body). Bodies end with the link.
KINDS = {
    "rfq_received": (
        _("見積依頼が届いたとき"),
        _("見積依頼が届きました: %(part)s"),
        _(
            "%(buyer)s から「%(part)s」(%(steps)s) の見積依頼が届きました。"
            "回答期限は %(deadline)s です。"
        ),
    ),
    "quote_received": (
        _("見積が届いたとき"),
        _("見積が届きました: %(part)s"),
        _("%(supplier)s から「%(part)s」の見積が届きました (%(price)s)。"),
    ),
    "rfq_question": (
        _("見積依頼に質問が届いたとき"),
        _("質問が届きました: %(part)s"),
        _("%(supplier)s から「%(part)s」の見積依頼について質問が届きました。"),
    ),
    "rfq_answer": (
        _("質問に回答があったとき"),
        _("質問への回答: %(part)s"),
        _("%(buyer)s が「%(part)s」の見積依頼の質問に回答しました。"),
    ),
    "awarded": (
        _("受注が決まったとき"),
        _("受注が決まりました: %(part)s"),
        _(
            "%(buyer)s から「%(part)s」を受注しました。"
            "注文書 %(order)s を確認して、請けてください。"
        ),
    ),
    "not_awarded": (
        _("見積が選ばれなかったとき"),
        _("見積の結果: %(part)s"),
        _("%(buyer)s の「%(part)s」は、ほかの企業に決まりました。%(note)s"),
    ),
    "order_accepted": (
        _("注文が請けられたとき"),
        _("注文が請けられました: %(order)s"),
        _("%(supplier)s が注文書 %(order)s (%(part)s) を請けました。"),
    ),
    "order_changed": (
        _("注文が変更されたとき"),
        _("注文が変更されました: %(order)s"),
        _(
            "%(buyer)s が注文書 %(order)s を変更しました (理由: %(reason)s)。"
            "内容を確認して、請けてください。"
        ),
    ),
    "order_cancelled": (
        _("注文が取り消されたとき"),
        _("注文が取り消されました: %(order)s"),
        _("%(buyer)s が注文書 %(order)s を取り消しました (理由: %(reason)s)。"),
    ),
    "step_shipped": (
        _("品物が出荷されたとき"),
        _("品物が出荷されました: %(part)s"),
        _(
            "%(sender)s が「%(part)s」を %(quantity)s出荷しました (%(step)s)。"
            "届いたら受け入れを記録してください。"
        ),
    ),
    "step_no_receiver": (
        _("次の工程の担当が決まっていないとき"),
        _("出荷先が決まっていません: %(part)s"),
        _(
            "「%(part)s」の工程 %(step)s が完了しましたが、次の工程 %(next)s の担当企業が"
            "決まっていないため、品物を出荷できません。担当を決めてください。"
        ),
    ),
    "step_late": (
        _("工程が遅れたとき"),
        _("工程が遅れています: %(part)s"),
        _("「%(part)s」の工程 %(step)s (%(performer)s) が完了予定日 %(date)s を過ぎています。"),
    ),
    "request_invited": (
        _("引き合いが届いたとき"),
        _("引き合いが届きました: %(part)s"),
        _(
            "「%(part)s」(%(processes)s) の引き合いが届きました。回答期限は %(date)s です。"
            "秘密保持に同意すると、図面と発注企業を見られます。"
        ),
    ),
    "board_hand": (
        _("引き合いに手が挙がったとき"),
        _("手が挙がりました: %(part)s"),
        _("「%(part)s」の工程 %(process)s に %(company)s が手を挙げました。"),
    ),
    "board_admission": (
        _("引き合いの詳細の閲覧申請があったとき"),
        _("詳細の閲覧申請: %(part)s"),
        _(
            "%(company)s が秘密保持に同意して、「%(part)s」の詳細の閲覧を申請しました。"
            "承認するか見送るかを選んでください。"
        ),
    ),
    "board_admitted": (
        _("引き合いの詳細を見られるようになったとき"),
        _("詳細を見られます: %(part)s"),
        _("「%(part)s」の詳細 (図面・発注企業) を見られるようになりました。"),
    ),
    "team_invited": (
        _("共同受注チームに誘われたとき"),
        _("チームへの参加依頼: %(part)s"),
        _("%(lead)s から「%(part)s」の共同受注チームへの参加依頼が届きました。"),
    ),
    "team_member_quote": (
        _("チームのメンバーが見積を出したとき"),
        _("メンバーの見積: %(part)s"),
        _("%(company)s が「%(part)s」のチーム内の見積を出しました。"),
    ),
    "team_quote_received": (
        _("共同受注の見積が届いたとき"),
        _("見積が届きました: %(part)s"),
        _("%(lead)s のチームから「%(part)s」の見積が届きました (%(price)s)。"),
    ),
    "team_awarded": (
        _("チームで受注したとき"),
        _("チームで受注しました: %(part)s"),
        _(
            "「%(part)s」をチームで受注しました。案件と、メンバーへの注文書を作りました。"
            "発注企業からの注文書 %(order)s を確認して、請けてください。"
        ),
    ),
    "team_not_awarded": (
        _("チームの見積が選ばれなかったとき"),
        _("見積の結果: %(part)s"),
        _("「%(part)s」は、ほかの企業に決まりました。"),
    ),
    "team_member_removed": (
        _("チームから外れたとき"),
        _("チームから外れました: %(part)s"),
        _("「%(part)s」の共同受注チームから外れました (理由: %(reason)s)。"),
    ),
    "request_cancelled": (
        _("引き合いが取り下げられたとき"),
        _("引き合いの取り下げ: %(part)s"),
        _("「%(part)s」の引き合いが取り下げられました (理由: %(reason)s)。"),
    ),
    "profile_stale": (
        _("企業のプロフィールが1年間更新されていないとき"),
        _("プロフィールを見直しませんか: %(company)s"),
        _(
            "%(company)s のプロフィールは1年以上更新されていません。工程・設備・認証・写真・PR を"
            "いまの姿に合わせると、仲間から仕事が届きやすくなります。"
        ),
    ),
    "message_digest": (
        _("未読のメッセージがあるとき (まとめて)"),
        _("未読のメッセージが %(count)s 件あります"),
        _("%(threads)s"),
    ),
    # The people of a company (companies.services_people): the owners hear who joined;
    # the person whose place changed hears it, even once removed.
    "member_joined": (
        _("招待した人が参加したとき"),
        _("メンバーが参加しました: %(company)s"),
        _("%(person)s が招待を受けて、%(company)s に「%(role)s」として参加しました。"),
    ),
    "member_role_changed": (
        _("自分の役割が変わったとき"),
        _("役割が変わりました: %(company)s"),
        _(
            "%(actor)s が、%(company)s でのあなたの役割を"
            "「%(before)s」から「%(after)s」に変えました。"
        ),
    ),
    "member_removed": (
        _("企業のメンバーから外れたとき"),
        _("メンバーから外れました: %(company)s"),
        _(
            "%(actor)s が、あなたを %(company)s のメンバーから外しました。"
            "%(company)s の案件や図面は、もう見られません。"
        ),
    ),
    "ownership_transferred": (
        _("経営者の権限を引き継いだとき"),
        _("経営者になりました: %(company)s"),
        _(
            "%(actor)s から %(company)s の経営者の権限を引き継ぎました。"
            "メンバーの招待や役割の変更ができます。"
        ),
    ),
    # --- programmes (DX道場, リーダー講座) -------------------------------------------------
    "application_accepted": (
        _("講座の受講が決まったとき"),
        _("受講が決まりました: %(program)s"),
        _("%(person)s さんの「%(program)s %(cohort)s」の受講が決まりました。%(next)s"),
    ),
    "application_waitlisted": (
        _("講座がキャンセル待ちになったとき"),
        _("キャンセル待ちになりました: %(program)s"),
        _(
            "「%(program)s %(cohort)s」は定員に達したため、%(person)s さんは"
            "キャンセル待ち %(position)s 番目です。席が空くと自動で繰り上がり、お知らせします。"
        ),
    ),
    "application_promoted": (
        _("キャンセル待ちから繰り上がったとき"),
        _("繰り上げで受講が決まりました: %(program)s"),
        _(
            "席が空いたため、%(person)s さんの「%(program)s %(cohort)s」の"
            "受講が決まりました。%(next)s"
        ),
    ),
    "application_declined": (
        _("講座を受講できなくなったとき"),
        _("受講できません: %(program)s"),
        _("%(person)s さんの「%(program)s %(cohort)s」の申込は受講できません (理由: %(reason)s)。"),
    ),
    "homework_commented": (
        _("課題にコメントが届いたとき"),
        _("課題にコメントが届きました: %(homework)s"),
        _("%(author)s さんが「%(homework)s」にコメントしました: %(excerpt)s"),
    ),
    "plan_submitted": (
        _("担当する講座のDX計画書が提出されたとき"),
        _("DX計画書が提出されました: %(company)s"),
        _(
            "%(company)s が「%(cohort)s」のDX計画書 (第%(revision)s版) を"
            "提出しました。確認してください。"
        ),
    ),
    "plan_returned": (
        _("DX計画書に修正依頼があったとき"),
        _("DX計画書の修正依頼: %(program)s"),
        _("DX計画書に修正の依頼がありました: %(comment)s"),
    ),
    "plan_accepted": (
        _("DX計画書が承認されたとき"),
        _("DX計画書が承認されました: %(program)s"),
        _("「%(program)s %(cohort)s」のDX計画書が承認されました。"),
    ),
    "graduated": (
        _("講座を修了したとき"),
        _("修了おめでとうございます: %(program)s"),
        _(
            "%(person)s さんが「%(program)s %(cohort)s」を修了しました。"
            "修了証はこのページからダウンロードできます。"
        ),
    ),
    "follow_up_due": (
        _("修了から1年のアンケートのとき"),
        _("修了から1年がたちました: DX投資についてお聞かせください"),
        _(
            "「%(program)s」の修了から1年がたちました。この1年にDXへの投資"
            "(補助金の申請を含む) をしたかどうか、1分で回答してください。"
        ),
    ),
    # --- advisor dispatch (伴走型アドバイザー派遣) ------------------------------------------
    "support_proposed": (
        _("区からアドバイザー派遣の提案があったとき"),
        _("アドバイザー派遣のご提案: %(ward)s"),
        _(
            "%(ward)s から、専門家 (アドバイザー) の派遣の提案が届きました。"
            "受けるかどうか回答してください。"
        ),
    ),
    "engagement_assigned": (
        _("アドバイザーが決まったとき"),
        _("アドバイザーが決まりました"),
        _("%(company)s の伴走支援の担当が決まりました: %(advisors)s。期間は %(period)s です。"),
    ),
    "support_declined": (
        _("アドバイザー派遣の申込が受けられなかったとき"),
        _("アドバイザー派遣の申込について"),
        _("アドバイザー派遣の申込は、今回はお受けできませんでした (理由: %(reason)s)。"),
    ),
    "visit_logged": (
        _("アドバイザーの訪問記録が届いたとき"),
        _("訪問記録の確認をお願いします: %(date)s"),
        _(
            "%(advisor)s さんが %(date)s の訪問記録 (%(hours)s) を登録しました。"
            "内容を確認して、確認ボタンを押してください。"
        ),
    ),
    # --- the DX subsidy (DX導入補助金) ----------------------------------------------------
    "subsidy_consent_requested": (
        _("アドバイザーが補助金の申請を作成したとき"),
        _("補助金申請への同意のお願い: %(title)s"),
        _(
            "%(advisor)s さんが %(company)s の補助金申請「%(title)s」を作成しました。"
            "内容を確認して、よければ「同意する」を押してください。"
        ),
    ),
    "subsidy_returned": (
        _("補助金の申請が差し戻されたとき"),
        _("申請が差し戻されました: %(title)s"),
        _(
            "「%(call)s」への申請「%(title)s」が差し戻されました。区のコメント: %(comment)s"
            " 修正して、もう一度提出してください。"
        ),
    ),
    "subsidy_ineligible": (
        _("補助金の申請が要件を満たさなかったとき"),
        _("申請は要件を満たしていません: %(title)s"),
        _(
            "「%(call)s」への申請「%(title)s」は、要件を満たしていないため審査に進めません。"
            "理由: %(reason)s"
        ),
    ),
    "subsidy_review_assigned": (
        _("補助金の審査を依頼されたとき"),
        _("審査の依頼: %(call)s"),
        _(
            "「%(call)s」の申請 %(reference)s の審査を依頼します。"
            "申請を開く前に、申請企業との利害関係の有無を申告してください。"
        ),
    ),
    "subsidy_selected": (
        _("補助金に採択されたとき"),
        _("採択されました: %(title)s"),
        _(
            "「%(call)s」%(stage)s への申請「%(title)s」が採択され、交付候補になりました。"
            "このページから交付申請をしてください (交付決定のあとに事業を始めます)。"
        ),
    ),
    "subsidy_not_selected": (
        _("補助金が不採択になったとき"),
        _("審査の結果: %(title)s"),
        _("「%(call)s」への申請「%(title)s」は、残念ながら不採択となりました。理由: %(reason)s"),
    ),
    "subsidy_granted": (
        _("補助金の交付が決定したとき"),
        _("交付決定: %(title)s"),
        _(
            "「%(title)s」の交付が決定しました。交付決定額は %(amount)s 円です。"
            "交付決定通知書はこのページからダウンロードできます。"
        ),
    ),
    "subsidy_change_decided": (
        _("計画変更申請の結果が出たとき"),
        _("計画変更申請の結果: %(title)s"),
        _("「%(title)s」の計画変更申請は「%(result)s」となりました。%(comment)s"),
    ),
    "subsidy_report_returned": (
        _("実績報告が差し戻されたとき"),
        _("実績報告が差し戻されました: %(title)s"),
        _("「%(title)s」の実績報告が差し戻されました。区のコメント: %(comment)s"),
    ),
    "subsidy_amount_confirmed": (
        _("補助金の額が確定したとき"),
        _("補助金の額が確定しました: %(title)s"),
        _("確定検査が終わり、「%(title)s」の補助金の額は %(amount)s 円に確定しました。"),
    ),
    "subsidy_paid": (
        _("補助金が支払われたとき"),
        _("補助金を支払いました: %(title)s"),
        _("「%(title)s」の補助金 %(amount)s 円を %(date)s に支払いました。"),
    ),
    "business_report_requested": (
        _("事業化状況報告のお願いが届いたとき"),
        _("事業化状況報告のお願い (%(year)s年目)"),
        _(
            "「%(title)s」の事業化状況報告 (%(year)s年目、%(fiscal_year)s) をお願いします。"
            "売上高・外部購入費用・従業員数の3つだけです。期限: %(due)s"
        ),
    ),
    "business_report_overdue": (
        _("事業化状況報告の期限が過ぎたとき"),
        _("事業化状況報告の期限が過ぎています (%(year)s年目)"),
        _("「%(title)s」の事業化状況報告 (%(year)s年目) の期限 %(due)s が過ぎています。"),
    ),
    "kpi_survey_requested": (
        _("区の企業調査が届いたとき"),
        _("企業調査のお願い: %(fiscal_year)s"),
        _(
            "%(ward)s から企業調査 (%(fiscal_year)s: DXの取り組みと直近の決算期の数字) の"
            "お願いです。期限: %(due)s"
        ),
    ),
    "value_added_survey_requested": (
        _("区の年次調査が届いたとき"),
        _("年次調査のお願い: %(fiscal_year)s"),
        _(
            "%(ward)s から年次調査 (%(fiscal_year)s の売上高・外部購入費用・従業員数) の"
            "お願いです。1分で回答できます。期限: %(due)s"
        ),
    ),
}

EVERYONE = MEMBER_ROLES  # the name network's services import


def notify_company(
    *,
    company: models.Model,
    kind: str,
    params: Mapping[str, object],
    path: str = "",
    roles: tuple[str, ...] = EDITOR_ROLES,
) -> None:
    """After the current transaction commits, notify ``company``'s people in ``roles``."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    values = {key: str(value) for key, value in params.items()}
    enqueue_on_commit(
        "machikoba.core.tasks.deliver_notification", company.pk, kind, values, path, list(roles)
    )


def notify_users(
    *, users: Iterable[models.Model], kind: str, params: Mapping[str, object], path: str = ""
) -> None:
    """After the current transaction commits, notify these people themselves (an
    instructor, an advisor), each as they choose, like ``notify_company``."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    user_ids = sorted({user.pk for user in users})
    if not user_ids:
        return
    values = {key: str(value) for key, value in params.items()}
    enqueue_on_commit(
        "machikoba.core.tasks.deliver_user_notification", user_ids, kind, values, path
    )


def deliver(company_id: int, kind: str, params: dict[str, str], path: str, roles: list[str]) -> int:
    """Store and send one notice to each wanting member; the number of people reached."""
    # The app registry, not an import: companies is a layer above core.
    membership = apps.get_model("companies", "Membership")
    members = (
        membership.objects.filter(company_id=company_id, role__in=roles, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    users = list({m.user_id: m.user for m in members}.values())
    return _deliver_to(users, kind, params, path)


def deliver_to_users(user_ids: list[int], kind: str, params: dict[str, str], path: str) -> int:
    """Store and send one notice to each of these people who wants it."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    users = list(user_model.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))
    return _deliver_to(users, kind, params, path)


def _deliver_to(users: list[User], kind: str, params: dict[str, str], path: str) -> int:
    preferences = {
        p.user_id: p for p in NotificationPreference.objects.filter(user__in=users, kind=kind)
    }
    url = settings.MACHIKOBA_SITE_URL.rstrip("/") + path if path else ""
    with translation.override(settings.LANGUAGE_CODE):
        _label, subject, body = KINDS[kind]
        title = str(subject) % params
        text = str(body) % params
    messages = []
    reached = 0
    for user in users:
        preference = preferences.get(user.pk)
        in_app = preference.in_app if preference else True
        email = preference.email if preference else True
        if in_app:
            Notification.objects.create(user=user, kind=kind, title=title, body=text, url=path)
        if email and user.email:
            messages.append(
                EmailMessage(
                    subject=f"[machikoba] {title}",
                    body=f"{text}\n\n{url}\n" if url else f"{text}\n",
                    to=[user.email],
                )
            )
        reached += in_app or bool(email and user.email)
    if messages:
        with get_connection(settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND) as connection:
            connection.send_messages(messages)
    return reached
