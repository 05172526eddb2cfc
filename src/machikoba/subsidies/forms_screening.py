"""Forms of screening: the reviewer's scores, the applicant's bonus claim and the
officer's selection. They only parse input; ``services.screening`` checks it (ranges,
reasons, the budget) and its refusals are shown beside the fields they name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.core.forms import ServiceForm
from machikoba.subsidies.models import BonusCriterion
from machikoba.subsidies.selectors.ranking import RankedRow
from machikoba.subsidies.selectors.screening import RubricRow


class ScoreForm(ServiceForm):
    """One score and one comment per rubric criterion (``score_<id>``, ``comment_<id>``),
    and the reviewer's overall comment. Empty scores are allowed in a draft; the range is
    the service's to check, so an out-of-range number reaches it and is refused there."""

    comment = forms.CharField(
        label=_("総評 (任意)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, rubric: Iterable[RubricRow] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rubric = list(rubric)
        for row in self.rubric:
            criterion = row.criterion
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=_("%(name)s (0〜%(max)s 点)")
                % {"name": criterion.name, "max": criterion.max_score},
                required=False,
                help_text=criterion.description,
                initial=row.score,
                widget=forms.NumberInput(
                    attrs={"inputmode": "numeric", "min": 0, "max": criterion.max_score}
                ),
                error_messages={"invalid": _("半角の整数で入力してください。")},
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("%(name)s のコメント (任意)") % {"name": criterion.name},
                required=False,
                max_length=1000,
                initial=row.comment,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        # The overall comment last, after the criteria.
        self.fields["comment"] = self.fields.pop("comment")

    def pairs(self) -> list[tuple[Any, Any]]:
        """The (score, comment) bound fields of each criterion, in rubric order."""
        return [
            (self[f"score_{r.criterion.pk}"], self[f"comment_{r.criterion.pk}"])
            for r in self.rubric
        ]

    def scores(self) -> dict[int, tuple[int | None, str]]:
        data = self.cleaned_data
        return {
            row.criterion.pk: (
                data.get(f"score_{row.criterion.pk}"),
                data.get(f"comment_{row.criterion.pk}") or "",
            )
            for row in self.rubric
        }


class ConflictForm(ServiceForm):
    note = forms.CharField(
        label=_("どのような関係ですか"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("「利害関係があります」を選ぶときに書いてください。例: 取引先、親族が役員"),
    )


class BonusClaimForm(ServiceForm):
    criterion = forms.ChoiceField(
        label=_("加点項目"), widget=forms.RadioSelect(attrs={"class": "form-check"})
    )
    file = forms.FileField(
        label=_("根拠資料"),
        help_text=_("PDF・PNG・JPEG、20 MB まで。認定書や計画書の写しなど。"),
        error_messages={
            "required": _("根拠資料のファイルを選んでください。"),
            "empty": _("空のファイルはアップロードできません。"),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
    note = forms.CharField(
        label=_("説明 (任意)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, criteria: Iterable[BonusCriterion] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = {str(c.pk): c for c in criteria}
        field = self.fields["criterion"]
        if isinstance(field, forms.ChoiceField):  # declared so above
            field.choices = [
                (key, _("%(name)s (+%(points)s 点)") % {"name": c.name, "points": c.points})
                for key, c in self.criteria.items()
            ]

    def clean_criterion(self) -> BonusCriterion:
        return self.criteria[self.cleaned_data["criterion"]]


class SelectionForm(ServiceForm):
    """The applications to select (the proposal ticked), and the reason for an edit."""

    selected = forms.MultipleChoiceField(
        label=_("採択する申請"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check"}),
    )
    reason = forms.CharField(
        label=_("提案から変更する理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("提案のとおり確定するときは空欄のままで構いません。"),
    )

    def __init__(self, *args: Any, rows: Iterable[RankedRow] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        field = self.fields["selected"]
        if isinstance(field, forms.MultipleChoiceField):  # declared so above
            field.choices = [(str(r.application.pk), str(r.application)) for r in self.rows]

    def clean_selected(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["selected"]]
