from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.core.forms import ServiceForm
from machikoba.drawings.forms import ACCEPT
from machikoba.messaging.models import BODY_MAX_LENGTH


class MessageForm(ServiceForm):
    body = forms.CharField(
        label=_("メッセージ"),
        max_length=BODY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    file = forms.FileField(
        label=_("添付ファイル (任意)"),
        required=False,
        help_text=_(
            "PDF・DXF・PNG・JPEG・STEP。相手は透かし入りのビューアで見られます"
            " (ダウンロードはできません)。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args, can_attach: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_attach:
            del self.fields["file"]
