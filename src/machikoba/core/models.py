from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from machikoba.core.access import (
    AccessManager,
    ScopedPolicy,
    audit_event_scope,
    nobody_scope,
    own_rows_scope,
)

# What each audit verb means, for people reading the trail. Apps add their verbs here.
AUDIT_VERB_LABELS = {
    "company.create": _("企業を登録"),
    "company.switch": _("作業中の企業を切り替え"),
    "company.update": _("企業情報を変更"),
    "company.deactivate": _("企業の利用を停止"),
    "company.reactivate": _("企業の利用を再開"),
    "membership.create": _("メンバーを追加"),
    "membership.update": _("メンバーの役割を変更"),
    "membership.delete": _("メンバーを外す"),
    "capability.create": _("加工能力を追加"),
    "capability.update": _("加工能力を変更"),
    "capability.delete": _("加工能力を削除"),
    "equipment.create": _("設備を追加"),
    "equipment.update": _("設備を変更"),
    "equipment.delete": _("設備を削除"),
    "certification.create": _("認証を追加"),
    "certification.update": _("認証を変更"),
    "certification.delete": _("認証を削除"),
    "photo.create": _("写真を追加"),
    "photo.delete": _("写真を削除"),
    "dx_stage.record": _("DX段階を記録"),
    "import.create": _("企業リストをアップロード"),
    "import.start": _("企業リストの取り込みを開始"),
    "import.done": _("企業リストを取り込み"),
    "import.fail": _("企業リストの取り込みに失敗"),
    "directory.export": _("企業一覧を書き出し"),
    "document.create": _("図面を登録"),
    "document.grant": _("図面を共有"),
    "document.revoke": _("図面の共有を取り消し"),
    "document.retention": _("図面の保存期間を設定"),
    "document.destroy": _("図面を破棄"),
    "job.create": _("案件を登録"),
    "job.update": _("案件を変更"),
    "job.close": _("案件を完了"),
    "job.cancel": _("案件を中止"),
    "step.add": _("工程を追加"),
    "step.update": _("工程を変更"),
    "step.move": _("工程の順番を変更"),
    "step.remove": _("工程を削除"),
    "step.start": _("工程を開始"),
    "step.allow_early_start": _("前工程の受け入れ前の開始を許可"),
    "step.finish": _("工程の加工完了"),
    "step.ship": _("工程の出荷"),
    "step.receive": _("工程の受け入れ"),
    "claim.open": _("不足・不良を記録"),
    "claim.resolve": _("不足・不良の記録を解決"),
    "rating.submit": _("取引相手を評価"),
    "rating.respond": _("評価に返信"),
    "rfq.send": _("見積依頼を送信"),
    "quote.submit": _("見積を提出"),
    "quote.decline": _("見積を辞退"),
    "rfq.award": _("発注先を決定"),
    "rfq.question": _("見積依頼に質問"),
    "rfq.answer": _("見積依頼の質問に回答"),
    "order.accept": _("注文請書"),
    "order.change": _("注文を変更"),
    "order.cancel": _("注文を取り消し"),
    "company.register_buyer": _("発注企業として登録"),
    "request.post": _("引き合いを掲示"),
    "request.post_job": _("案件の工程を掲示板に掲示"),
    "request.cancel": _("引き合いを取り下げ"),
    "request.award": _("引き合いの発注先を決定"),
    "admission.request": _("引き合いの詳細の閲覧を申請"),
    "admission.admit": _("引き合いの詳細の閲覧を承認"),
    "admission.refuse": _("引き合いの詳細の閲覧を見送り"),
    "hand.raise": _("工程に手を挙げる"),
    "hand.withdraw": _("手挙げを取り下げ"),
    "hand.rfq": _("手を挙げた企業に見積依頼"),
    "team.form": _("共同受注チームを結成"),
    "team.invite": _("チームに企業を招待"),
    "team.join": _("チームに参加"),
    "team.decline": _("チームへの参加を辞退"),
    "team.assign": _("チームの担当を割り当て"),
    "team.member_quote": _("チーム内の見積を提出"),
    "team.terms": _("チームの内訳を設定"),
    "team.quote": _("チームの見積を提出"),
    "team.withdraw": _("チームの見積を取り下げ"),
    "team.remove_member": _("チームからメンバーを外す"),
    "guest_link.issue": _("アカウントのない企業に回答用リンクを発行"),
    "guest_link.open": _("回答用リンクを開いた"),
    "guest_link.refused": _("回答用リンクを拒否"),
    "guest_link.claim": _("回答用リンクから企業のアカウントを作成"),  # before 2026-12 only
    "company.contact_email": _("企業の登録メールアドレス (区の台帳) を変更"),
    "company_claim.request": _("企業アカウントを申請"),
    "company_claim.approve": _("企業アカウントの申請を承認"),
    "company_claim.reject": _("企業アカウントの申請を見送り"),
    "company_claim.complete": _("申請から企業アカウントを作成"),
    "company_claim.join": _("企業への参加を申請"),
    "company_claim.code_wrong": _("参加の確認コードの入力まちがい"),
    "company_claim.verified": _("参加の確認が済み、経営者として登録"),
    "company_claim.letter": _("参加の確認コードの手紙を印刷"),
    "company.ward": _("企業の所管の自治体を変更"),
    "invitation.create": _("メンバーを招待"),
    "invitation.revoke": _("招待を取り消し"),
    "invitation.accept": _("招待を受けて参加"),
    "ownership.transfer": _("経営者の権限を渡す"),
    "nda.publish": _("秘密保持の条項を公開"),
    "nda.accept": _("秘密保持に同意"),
    "ward_role.grant": _("区の役割を付与"),
    "ward_role.revoke": _("区の役割を解除"),
    "ward_role.update": _("区の役割の期限を変更"),
    "schedule.calendar": _("稼働カレンダーを変更"),
    "schedule.step_work": _("工程の加工時間・設備を設定"),
    "schedule.plan": _("設備の計画を作成"),
    "schedule.move": _("計画した作業を移動"),
    "programs.application.submit": _("講座に申し込み"),
    "programs.application.withdraw": _("講座の申込を取り下げ"),
    "programs.application.decline": _("講座の申込を受講不可に"),
    "programs.application.promote": _("キャンセル待ちから繰り上げ"),
    "programs.attendance.check_in": _("講座にQRコードでチェックイン"),
    "programs.attendance.record": _("講座の出欠を記録"),
    "programs.session.rotate_code": _("講義回のチェックインコードを再発行"),
    "programs.program.create": _("講座のプログラムを作成"),
    "programs.program.update": _("講座のプログラムを変更"),
    "programs.cohort.create": _("講座の期を作成"),
    "programs.cohort.update": _("講座の期を変更"),
    "programs.cohort.instructors": _("講座の期の講師を設定"),
    "programs.session.create": _("講義回を作成"),
    "programs.session.update": _("講義回を変更"),
    "programs.material.upload": _("講義資料を登録"),
    "programs.material.delete": _("講義資料を削除"),
    "programs.report.export": _("講座の集計を書き出し"),
    # 伴走型アドバイザー派遣 (advisory)
    "advisor.create": _("アドバイザーを名簿に追加"),
    "advisor.update": _("アドバイザーの登録内容を変更"),
    "support_request.create": _("アドバイザー派遣を申込"),
    "support_request.propose": _("アドバイザー派遣を提案"),
    "support_request.accept": _("派遣の提案を受ける"),
    "support_request.decline_proposal": _("派遣の提案を辞退"),
    "support_request.decline": _("派遣の申込をお断り"),
    "support_request.withdraw": _("派遣の申込を取り下げ"),
    "engagement.assign": _("派遣の担当を割り当て"),
    "engagement.dates": _("派遣の期間を変更"),
    "engagement.close": _("派遣を完了"),
    "engagement.cancel": _("派遣を中止"),
    "phase.start": _("派遣のフェーズを開始"),
    "phase.complete": _("派遣のフェーズを完了"),
    "phase.note": _("派遣のフェーズのメモを変更"),
    "evidence.add": _("派遣のフェーズに証跡を登録"),
    "visit.log": _("訪問記録を登録"),
    "visit.update": _("訪問記録を修正"),
    "visit.sign_off": _("訪問記録を確認"),
    "measurement.add": _("効果の指標を追加"),
    "measurement.after": _("効果の指標に導入後の値を記録"),
    "advisory.export": _("アドバイザー派遣の表を書き出し"),
    "admin.view": _("管理画面で閲覧"),
    "programs.worksheet_item.create": _("課題の棚卸しに項目を追加"),
    "programs.worksheet_item.update": _("課題の棚卸しの項目を変更"),
    "programs.worksheet_item.delete": _("課題の棚卸しの項目を削除"),
    "programs.roi.save": _("投資対効果の試算を保存"),
    "programs.plan.save": _("DX計画書を保存"),
    "programs.plan.submit": _("DX計画書を提出"),
    "programs.plan.return": _("DX計画書を差し戻し"),
    "programs.plan.accept": _("DX計画書を承認"),
    "programs.homework_comment.create": _("課題にコメント"),
    "programs.graduation.run": _("修了を判定"),
    "programs.graduation.create": _("修了を記録し修了証を発行"),
    "programs.follow_up.answer": _("修了後のフォローアップに回答"),
    "programs.follow_up.update": _("修了後のフォローアップの回答を変更"),
    "programs.follow_up.ask": _("修了後のフォローアップを依頼"),
    "programs.follow_up.remind": _("修了後のフォローアップを催促"),
    "gbizid.connect": _("GビズIDを連携"),
    "gbizid.disconnect": _("GビズIDの連携を解除"),
    "subsidy_call.create": _("補助金の公募を作成"),
    "subsidy_call.update": _("補助金の公募を変更"),
    "subsidy_call.copy": _("補助金の公募を複製"),
    "subsidy_call.export": _("補助金の申請一覧を書き出し"),
    "subsidy_stage.create": _("補助金のステージを追加"),
    "subsidy_stage.update": _("補助金のステージを変更"),
    "subsidy_stage.delete": _("補助金のステージを削除"),
    "subsidy_category.add": _("経費区分を追加"),
    "subsidy_category.update": _("経費区分を変更"),
    "subsidy_category.remove": _("経費区分を削除"),
    "subsidy_attachment.add": _("必要書類を追加"),
    "subsidy_attachment.remove": _("必要書類を削除"),
    "subsidy_rubric.add": _("審査項目を追加"),
    "subsidy_rubric.update": _("審査項目を変更"),
    "subsidy_rubric.remove": _("審査項目を削除"),
    "subsidy_bonus.add": _("加点項目を追加"),
    "subsidy_bonus.update": _("加点項目を変更"),
    "subsidy_bonus.remove": _("加点項目を削除"),
    "subsidy_bonus.auto_verify": _("DX道場修了の加点を記録から確認"),
    "subsidy_bonus.claim": _("加点を申告"),
    "subsidy_bonus.verify": _("加点を確認"),
    "subsidy_bonus.reject": _("加点を認めない"),
    "subsidy_application.start": _("補助金の申請を作成"),
    "subsidy_application.update": _("補助金の申請を保存"),
    "subsidy_application.consent": _("補助金の申請に同意"),
    "subsidy_application.consent_request": _("補助金の申請への同意を依頼"),
    "subsidy_application.consent_reset": _("申請の変更で同意を取り消し"),
    "subsidy_application.submit": _("補助金の申請を提出"),
    "subsidy_application.submitted": _("申請を受付"),
    "subsidy_application.returned": _("申請を差し戻し"),
    "subsidy_application.screening": _("要件を確認し審査へ"),
    "subsidy_application.ineligible": _("申請を要件不適合に"),
    "subsidy_application.selected": _("採択 (交付候補)"),
    "subsidy_application.not_selected": _("不採択"),
    "subsidy_application.grant_requested": _("交付申請"),
    "subsidy_application.granted": _("交付決定"),
    "subsidy_application.reported": _("実績報告を受付"),
    "subsidy_application.confirmed": _("補助金の額を確定"),
    "subsidy_application.paid": _("補助金を支払"),
    "subsidy_application.withdrawn": _("申請を取下げ"),
    "subsidy_document.add": _("申請の書類を追加"),
    "subsidy_document.remove": _("申請の書類を削除"),
    "subsidy_expense.add": _("申請の経費を追加"),
    "subsidy_expense.update": _("申請の経費を変更"),
    "subsidy_expense.remove": _("申請の経費を削除"),
    "subsidy_reviewer.assign": _("審査員を割り当て"),
    "subsidy_reviewer.unassign": _("審査員の割り当てを解除"),
    "subsidy_conflict.declare": _("利害関係を申告"),
    "subsidy_scores.save": _("採点を保存"),
    "subsidy_scores.submit": _("採点を提出"),
    "subsidy_selection.confirm": _("採択を確定"),
    "subsidy_change_request.file": _("計画変更を申請"),
    "subsidy_change_request.approve": _("計画変更を承認"),
    "subsidy_change_request.reject": _("計画変更を不承認"),
    "subsidy_report.save": _("実績報告を保存"),
    "subsidy_report.submit": _("実績報告を提出"),
    "subsidy_report.accept": _("確定検査を完了"),
    "subsidy_report.return": _("実績報告を差し戻し"),
    "subsidy_actual_expense.add": _("実績の経費を追加"),
    "subsidy_actual_expense.remove": _("実績の経費を削除"),
    "subsidy_proof.add": _("証憑を追加"),
    "subsidy_proof.remove": _("証憑を削除"),
    "subsidy_payment.record": _("補助金の支払を記録"),
    "subsidy_business_report.schedule": _("事業化状況報告を予定"),
    "subsidy_business_report.request": _("事業化状況報告を依頼"),
    "subsidy_value_added.submit": _("付加価値額の報告を提出"),
    "subsidy_value_added.correct": _("付加価値額の報告を訂正"),
    "subsidy_value_added.remind": _("付加価値額の報告を催促"),
    "subsidy_value_added_survey.send": _("年次調査を送付"),
}


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyModel(models.Model):
    """A log row: written once, never changed or deleted through the ORM."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError(f"{type(self).__name__} rows are append-only")


class AuditEvent(AppendOnlyModel):
    """An append-only record of something a service did: who, what, to which object, when."""

    occurred_at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("実行者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("実行者 (記録時)"), max_length=254, blank=True)
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("企業"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verb = models.CharField(_("操作"), max_length=80, db_index=True)
    target_type = models.ForeignKey(
        ContentType,
        verbose_name=_("対象の種類"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_id = models.CharField(_("対象ID"), max_length=64, blank=True)
    target_repr = models.CharField(_("対象"), max_length=200, blank=True)
    before = models.JSONField(_("変更前"), null=True, blank=True)
    after = models.JSONField(_("変更後"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IPアドレス"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(audit_event_scope)

    class Meta:
        verbose_name = _("監査ログ")
        verbose_name_plural = _("監査ログ")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        constraints = [
            models.CheckConstraint(condition=~Q(verb=""), name="auditevent_verb_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb}"

    @property
    def verb_label(self) -> str:
        return str(AUDIT_VERB_LABELS.get(self.verb, self.verb))


class UploadedDocument(models.Model):
    """A file someone uploaded for others to read beside a record (a session's handout, an
    engagement's evidence): described from its content, served only through a view that
    checks access. A subclass adds ``file`` (with its ``upload_to``) and what it belongs
    to; ``drawings.uploads`` checks and stores it."""

    title = models.CharField(_("件名"), max_length=120)
    original_name = models.CharField(_("元のファイル名"), max_length=160)
    mime = models.CharField(_("MIMEタイプ"), max_length=60)
    size = models.PositiveBigIntegerField(_("サイズ (バイト)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登録者"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title


class ScheduledRun(models.Model):
    """When the scheduler last queued each periodic task (``settings.PERIODIC_TASKS``).

    Kept in the database so a restarted scheduler, or two of them, never queue a task twice
    within its interval. Nobody reads it through the UI: the access policy denies all."""

    name = models.CharField(_("名前"), max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(_("最後に登録した日時"))

    objects = AccessManager()
    access_policy = ScopedPolicy(nobody_scope)

    class Meta:
        verbose_name = _("定期実行")
        verbose_name_plural = _("定期実行")

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """An in-app notice for one person (the same text may also go out by e-mail)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("宛先"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("種類"), max_length=30)
    title = models.CharField(_("件名"), max_length=200)
    body = models.TextField(_("本文"), max_length=2000)
    url = models.CharField(_("リンク"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("既読日時"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(own_rows_scope)

    class Meta:
        verbose_name = _("お知らせ")
        verbose_name_plural = _("お知らせ")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """Whether one person wants one kind of notice in the app and by e-mail (both on
    unless turned off)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("種類"), max_length=30)
    in_app = models.BooleanField(_("画面で知らせる"), default=True)
    email = models.BooleanField(_("メールで知らせる"), default=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(own_rows_scope)

    class Meta:
        verbose_name = _("お知らせの設定")
        verbose_name_plural = _("お知らせの設定")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="unique_notification_preference")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


from machikoba.core.models_tasks import TaskEffect, TaskWorker  # noqa: F401,E402
