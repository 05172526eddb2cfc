"""Forms of the company-list import. They only parse input; the services in
``importing`` check the file and the mapping and report with ApplicationError."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.companies.importing.fields import IMPORT_FIELDS, NAME_NOT_MAPPED
from machikoba.companies.importing.reading import MAX_ROWS, MAX_UPLOAD_BYTES, column_choice
from machikoba.core.forms import ServiceForm
from machikoba.wards.selectors import municipalities


class ImportUploadForm(ServiceForm):
    """The file, and for an officer of several wards, whose list it is (the first ward
    they serve unless they choose another). An officer of one ward is not asked: the
    page shows the ward, and the service takes it."""

    file = forms.FileField(
        label=_("企業の一覧ファイル"),
        # An empty file reaches the service, which refuses it in its own words.
        allow_empty_file=True,
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, user, wards, **kwargs):
        super().__init__(*args, **kwargs)
        if len(wards) > 1:
            # Any registered municipality parses, so the service refuses one the officer
            # does not serve in its own words (naming it); the select offers theirs.
            field = forms.ModelChoiceField(
                label=_("どの区の企業リストか"),
                queryset=municipalities(user),
                empty_label=None,
                initial=wards[0].pk,
                help_text=_(
                    "選んだ区の企業として登録・更新します。"
                    "ほかの区の住所の企業の行はエラーになります。"
                ),
                error_messages={
                    "required": _("取り込む一覧の区を選んでください。"),
                    "invalid_choice": _("担当する区から選んでください。"),
                },
            )
            field.widget.choices = [(str(w.pk), w.display_name) for w in wards]
            self.fields = {"ward": field, **self.fields}
        self.fields["file"].help_text = _(
            "CSV (UTF-8 または Shift_JIS) か Excel (.xlsx) のファイルで、"
            "%(size)s MB・%(rows)s 行まで。1行目を見出しにしてください。"
        ) % {"size": MAX_UPLOAD_BYTES // 1_000_000, "rows": f"{MAX_ROWS:,}"}


class ColumnMappingForm(ServiceForm):
    """One select per profile field; the options are the columns of the uploaded file."""

    prefix = "map"

    def __init__(self, *args, header: list[str], suggested: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("(取り込まない)"))] + [
            (str(index), column_choice(header, index)) for index in range(len(header))
        ]
        for import_field in IMPORT_FIELDS:
            initial = suggested.get(import_field.name)
            self.fields[import_field.name] = forms.TypedChoiceField(
                label=import_field.label,
                choices=choices,
                coerce=int,
                empty_value=None,
                # The name is the one field a company cannot be registered without.
                required=import_field.name == "name",
                error_messages={"required": NAME_NOT_MAPPED},
                initial="" if initial is None else str(initial),
            )

    def mapping(self) -> dict[str, int | None]:
        return {f.name: self.cleaned_data.get(f.name) for f in IMPORT_FIELDS}

    def current_mapping(self) -> dict[str, int]:
        """The mapping on screen right now, for the preview: the submitted selects (the
        valid ones, even while ``name`` is still missing), else the suggestion."""
        if self.is_bound:
            self.is_valid()
            return {k: v for k, v in self.cleaned_data.items() if v is not None}
        return {
            f.name: int(self[f.name].initial)
            for f in IMPORT_FIELDS
            if self[f.name].initial not in (None, "")
        }
