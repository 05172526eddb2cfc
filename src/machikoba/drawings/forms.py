from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.core.forms import ServiceForm
from machikoba.drawings.choices import DocumentKind, RetentionRule

ACCEPT = ".pdf,.dxf,.png,.jpg,.jpeg,.step,.stp"


class DocumentUploadForm(ServiceForm):
    title = forms.CharField(label=_("件名"), max_length=200)
    drawing_number = forms.CharField(label=_("図番"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("種類"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("ファイル"),
        help_text=_("PDF・DXF・PNG・JPEG・STEP。種類はファイルの中身で判定します。"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    change_note = forms.CharField(label=_("メモ"), max_length=500, required=False)


class RevisionUploadForm(ServiceForm):
    file = forms.FileField(
        label=_("新しい版のファイル"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT})
    )
    change_note = forms.CharField(label=_("変更内容"), max_length=500)


class GrantForm(ServiceForm):
    grantee = forms.ModelChoiceField(label=_("共有先の企業"), queryset=None)
    revision = forms.ModelChoiceField(
        label=_("版"), queryset=None, required=False, empty_label=_("すべての版 (今後の版も)")
    )
    can_download = forms.BooleanField(
        label=_("ダウンロードを許可する (透かし入り)"), required=False
    )
    expires_at = forms.DateTimeField(
        label=_("有効期限"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("空欄なら、取り消すまで有効です。"),
    )

    def __init__(self, *args, companies, revisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grantee"].queryset = companies
        self.fields["revision"].queryset = revisions
        self.fields["revision"].label_from_instance = lambda r: f"rev.{r.label} {r.change_note}"


class NdaForm(ServiceForm):
    body = forms.CharField(
        label=_("秘密保持の条項"), max_length=20000, widget=forms.Textarea(attrs={"rows": 12})
    )


class RetentionForm(ServiceForm):
    rule = forms.ChoiceField(
        label=_("保存期間の決め方"), choices=RetentionRule.choices, widget=forms.RadioSelect
    )
    date = forms.DateField(
        label=_("破棄する日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("「指定した日に破棄」のときに入力します。"),
    )
    months = forms.IntegerField(
        label=_("取引終了から破棄までの月数"),
        required=False,
        min_value=1,
        max_value=600,
        help_text=_("「取引終了から指定の月数後に破棄」のときに入力します。例: 36 (3 年)"),
    )
    closed_on = forms.DateField(
        label=_("取引終了日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("取引が終わった日。未定なら空欄のままにし、決まったら入力します。"),
    )


class DestroyForm(ServiceForm):
    reason = forms.CharField(
        label=_("破棄の理由"),
        max_length=300,
        help_text=_("破棄証明に記載されます。例: 取引終了に伴う破棄"),
    )
    confirm = forms.BooleanField(
        label=_("原本とプレビューが削除され、元に戻せないことを理解しました。"),
        error_messages={"required": _("破棄する場合は、確認のチェックを入れてください。")},
    )
