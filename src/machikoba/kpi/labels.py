"""The KPI app's audit verbs with their labels: they join core's table in
``KpiConfig.ready`` (core, a lower layer, cannot name them itself)."""

from django.utils.translation import gettext_lazy

AUDIT_VERBS = {
    "kpi.survey_round.create": gettext_lazy("企業調査を作成"),
    "kpi.survey_round.update": gettext_lazy("企業調査を変更"),
    "kpi.survey_round.send": gettext_lazy("企業調査を送付"),
    "kpi.survey_round.close": gettext_lazy("企業調査を締切"),
    "kpi.survey_response.remind": gettext_lazy("企業調査の回答を催促"),
    "kpi.survey_response.submit": gettext_lazy("企業調査に回答"),
    "kpi.survey_response.correct": gettext_lazy("企業調査の回答を訂正"),
    "kpi.definition.revise": gettext_lazy("指標の定義を改訂"),
    "kpi.target.set": gettext_lazy("区の目標を設定"),
    "kpi.target.clear": gettext_lazy("区の目標を取り消し"),
    "kpi.publication.set": gettext_lazy("KPIの公開ページを設定"),
}
