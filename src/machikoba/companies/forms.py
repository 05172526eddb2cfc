"""Forms for profile editing and the directory filters. Saving goes through services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from machikoba.companies.choices import DXStage
from machikoba.companies.directory import SORTS, DirectoryQuery
from machikoba.companies.models import (
    Capability,
    CertificationKind,
    Company,
    CompanyCertification,
    Equipment,
    Material,
    ProcessCategory,
)
from machikoba.core.forms import ServiceForm, ServiceModelForm


class CompanyProfileForm(ServiceModelForm):
    website = forms.URLField(label=_("ウェブサイト"), required=False, assume_scheme="https")
    # People type hyphens, spaces and full-width digits; the service normalises and checks.
    corporate_number = forms.CharField(
        label=_("法人番号"),
        required=False,
        max_length=30,
        help_text=Company._meta.get_field("corporate_number").help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    invoice_number = forms.CharField(
        label=_("適格請求書発行事業者登録番号"),
        required=False,
        max_length=30,
        help_text=Company._meta.get_field("invoice_number").help_text,
    )
    postal_code = forms.CharField(
        label=_("郵便番号"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )

    class Meta:
        model = Company
        fields = [
            "name",
            "name_kana",
            "name_en",
            "corporate_number",
            "invoice_number",
            "postal_code",
            "prefecture",
            "municipality",
            "address_line",
            "latitude",
            "longitude",
            "employees",
            "founded_year",
            "representative_title",
            "representative_name",
            "successor_status",
            "website",
            "pr_text",
        ]
        widgets = {
            "pr_text": forms.Textarea(attrs={"rows": 6}),
            "latitude": forms.NumberInput(attrs={"step": "0.000001"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001"}),
        }
        help_texts = {
            "latitude": _(
                "空欄のままなら、郵便番号の地域の代表点を使います。工場の正確な位置を入れると、"
                "距離での検索が正確になります (例: 35.5625)。"
            ),
            "longitude": _("例: 139.7160"),
        }


class ProcessChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * obj.depth}{obj.name}"


class CapabilityForm(ServiceModelForm):
    process = ProcessChoiceField(
        queryset=ProcessCategory.objects.filter(is_active=True), label=_("工程")
    )
    materials = forms.ModelMultipleChoiceField(
        queryset=Material.objects.select_related("group"),
        required=False,
        label=_("対応材料"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("複数選べます。"),
    )

    class Meta:
        model = Capability
        fields = [
            "process",
            "materials",
            "max_length_mm",
            "max_width_mm",
            "max_height_mm",
            "max_weight_kg",
            "best_tolerance_mm",
            "best_roughness_ra",
            "lot_min",
            "lot_max",
            "lead_time_days",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class EquipmentForm(ServiceModelForm):
    process = ProcessChoiceField(
        queryset=ProcessCategory.objects.filter(is_active=True),
        label=_("主な工程"),
        required=False,
    )

    class Meta:
        model = Equipment
        fields = [
            "kind",
            "process",
            "maker",
            "model_name",
            "year",
            "axes",
            "stroke",
            "count",
            "notes",
        ]


class CertificationForm(ServiceModelForm):
    kind = forms.ModelChoiceField(queryset=CertificationKind.objects.all(), label=_("認証・資格"))

    class Meta:
        model = CompanyCertification
        fields = ["kind", "reference", "valid_until"]
        widgets = {"valid_until": forms.DateInput(attrs={"type": "date"})}


class PhotoForm(ServiceForm):
    image = forms.FileField(
        label=_("写真"),
        help_text=_("JPEG・PNG・WebP、10 MB まで。長辺 1600 px に縮小して保存します。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = forms.CharField(label=_("説明"), max_length=200, required=False)


class DXStageForm(ServiceForm):
    stage = forms.TypedChoiceField(
        label=_("いまの段階"), choices=DXStage.choices, coerce=int, widget=forms.RadioSelect
    )
    assessed_on = forms.DateField(label=_("評価日"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("メモ"), max_length=500, required=False)


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("キーワード"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("社名・得意なこと・設備など")}
        ),
    )
    process = forms.ChoiceField(label=_("工程"), required=False)
    material = forms.ChoiceField(label=_("材料"), required=False)
    envelope = forms.IntegerField(
        label=_("加工できる大きさ (mm 以上)"), required=False, min_value=1, max_value=100_000
    )
    tolerance = forms.DecimalField(
        label=_("精度 (公差 ±mm 以下)"), required=False, min_value=0, max_digits=7, decimal_places=4
    )
    certification = forms.ChoiceField(label=_("認証"), required=False)
    ward = forms.ChoiceField(label=_("地域 (区・市)"), required=False)
    within_km = forms.DecimalField(
        label=_("自社からの距離 (km 以内)"),
        required=False,
        min_value=Decimal("0.1"),
        max_value=500,
        decimal_places=1,
    )
    sort = forms.ChoiceField(
        label=_("並び順"),
        required=False,
        choices=[
            ("relevance", _("関連度")),
            ("distance", _("近い順")),
            ("name", _("名前順")),
            ("employees", _("従業員の多い順")),
        ],
    )

    def __init__(self, *args, processes=(), materials=(), certifications=(), wards=(), **kwargs):
        super().__init__(*args, **kwargs)
        any_choice = [("", _("指定しない"))]
        self.fields["process"].choices = any_choice + [
            (p.code, f"{'　' * p.depth}{p.name}") for p in processes
        ]
        self.fields["material"].choices = any_choice + [(m.code, str(m.code)) for m in materials]
        self.fields["certification"].choices = any_choice + [
            (c.code, c.name) for c in certifications
        ]
        self.fields["ward"].choices = any_choice + [
            (code, _("%(name)s (%(count)s 社)") % {"name": name, "count": count})
            for code, name, count in wards
        ]

    def to_query(self, *, origin) -> DirectoryQuery:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        sort = data.get("sort") or "relevance"
        within = data.get("within_km")
        return DirectoryQuery(
            text=data.get("q") or "",
            process=data.get("process") or "",
            material=data.get("material") or "",
            min_envelope_mm=data.get("envelope"),
            max_tolerance_mm=data.get("tolerance"),
            certification=data.get("certification") or "",
            ward=data.get("ward") or "",
            within_km=float(within) if within is not None else None,
            sort=sort if sort in SORTS else "relevance",
            origin=origin,
        )
