from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("順番待ち")
    RUNNING = "running", _("計画中")
    DONE = "done", _("完了")
    FAILED = "failed", _("失敗")


class PlanObjective(models.TextChoices):
    # Lexicographic: first no late orders (weighted tardiness), then finish early.
    DUE_DATES = "due_dates", _("納期を守る (そのうえで早く終える)")
    MAKESPAN = "makespan", _("全部の仕事をできるだけ早く終える")


OBJECTIVES = {
    PlanObjective.DUE_DATES: ["tardiness", "makespan"],
    PlanObjective.MAKESPAN: ["makespan"],
}

# The plan form says the objectives at more length (the model keeps the short labels the
# plan's summary shows).
PLAN_OBJECTIVE_CHOICES = [
    (
        PlanObjective.DUE_DATES.value,
        _("納期を守る (おすすめ): 遅れる仕事をできるだけ減らし、そのうえで早く終える"),
    ),
    (PlanObjective.MAKESPAN.value, _("全部の仕事をできるだけ早く終える (納期は二の次)")),
]

# The plan's search time the owner may choose, in seconds.
TIME_LIMIT_CHOICES = [
    (10, _("10 秒 (急ぎ・だいたいの計画)")),
    (30, _("30 秒 (ふつう・おすすめ)")),
    (60, _("60 秒 (じっくり・仕事が多いとき)")),
]

WEEKDAY_CHOICES = [
    (0, _("月")),
    (1, _("火")),
    (2, _("水")),
    (3, _("木")),
    (4, _("金")),
    (5, _("土")),
    (6, _("日")),
]


class ReasonKind(models.TextChoices):
    STOP = "stop", _("停止の理由")
    DEFECT = "defect", _("不良の理由")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("記入中")
    SUBMITTED = "submitted", _("提出済み")
    APPROVED = "approved", _("承認済み")
    RETURNED = "returned", _("差し戻し")
