import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from machikoba.accounts.choices import WardRole
from machikoba.companies import access
from machikoba.companies.choices import (
    CertificationKindGroup,
    CompanyKind,
    CompanyRole,
    DXStage,
    LocationSource,
    SuccessorStatus,
)
from machikoba.companies.validators import validate_corporate_number, validate_invoice_number
from machikoba.core.access import (
    OWNER_ROLES,
    AccessManager,
    ScopedPolicy,
    TenantPolicy,
    deactivation_grace,
)
from machikoba.core.models import TimeStampedModel

postal_code_validator = RegexValidator(
    r"^\d{3}-?\d{4}$", _("郵便番号は 123-4567 の形で入力してください。")
)


class Company(TimeStampedModel):
    """A 町工場 (or buyer): the tenant that owns jobs, drawings and shop-floor data."""

    name = models.CharField(_("企業名"), max_length=200)
    name_kana = models.CharField(_("企業名 (カナ)"), max_length=200, blank=True)
    name_en = models.CharField(_("企業名 (英語)"), max_length=200, blank=True)
    corporate_number = models.CharField(
        _("法人番号"),
        max_length=13,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_corporate_number],
        help_text=_("国税庁が指定する13桁の番号です。個人事業主の場合は空欄にします。"),
    )
    invoice_number = models.CharField(
        _("適格請求書発行事業者登録番号"),
        max_length=14,
        blank=True,
        validators=[validate_invoice_number],
        help_text=_("「T」と13桁の数字です。法人の場合は T + 法人番号になります。"),
    )
    postal_code = models.CharField(
        _("郵便番号"), max_length=8, blank=True, validators=[postal_code_validator]
    )
    prefecture = models.CharField(_("都道府県"), max_length=10, blank=True)
    municipality = models.CharField(_("市区町村"), max_length=50, blank=True, db_index=True)
    address_line = models.CharField(_("町名・番地・建物"), max_length=200, blank=True)
    # Double precision (as GeoDjango stores points): distance maths over every row of
    # the directory is several times faster than on exact decimals, and 1e-15° is ample.
    latitude = models.FloatField(
        _("緯度"), null=True, blank=True, validators=[MinValueValidator(20), MaxValueValidator(46)]
    )
    longitude = models.FloatField(
        _("経度"),
        null=True,
        blank=True,
        validators=[MinValueValidator(122), MaxValueValidator(154)],
    )
    location_source = models.CharField(
        _("位置の出典"), max_length=20, choices=LocationSource.choices, blank=True
    )
    employees = models.PositiveIntegerField(_("従業員数"), null=True, blank=True)
    founded_year = models.PositiveSmallIntegerField(
        _("創業年"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1600), MaxValueValidator(2100)],
    )
    representative_name = models.CharField(_("代表者名"), max_length=100, blank=True)
    representative_title = models.CharField(_("代表者の役職"), max_length=50, blank=True)
    successor_status = models.CharField(
        _("後継者"), max_length=20, choices=SuccessorStatus.choices, blank=True
    )
    website = models.URLField(_("ウェブサイト"), blank=True)
    # The address the ward holds for the company (its ledger): the only address a claim
    # of the company's first account is confirmed through. Never shown to other shops.
    contact_email = models.EmailField(
        _("登録メールアドレス (区の台帳)"),
        blank=True,
        help_text=_("区が把握している企業の連絡先です。他の企業には表示されません。"),
    )
    # The phone number the ward holds for the company (its ledger), for a verification
    # code by SMS and for finding the company when it signs up. Never shown to other shops.
    contact_phone = models.CharField(
        _("登録電話番号 (区の台帳)"),
        max_length=20,
        blank=True,
        help_text=_("区が把握している企業の電話番号です。他の企業には表示されません。"),
    )
    pr_text = models.TextField(_("PR・得意なこと"), max_length=2000, blank=True)
    is_active = models.BooleanField(_("有効"), default=True)
    # Set by ``company_deactivate`` (cleared by ``company_reactivate``): from then on its
    # people only read its own records, for MACHIKOBA_DEACTIVATED_READ_DAYS (core.access).
    deactivated_at = models.DateTimeField(_("利用停止日時"), null=True, blank=True)
    kind = models.CharField(
        _("企業の種類"), max_length=10, choices=CompanyKind.choices, default=CompanyKind.SHOP
    )
    # The registered municipality whose support office serves the company (its "ward"):
    # derived from the postal code, confirmed or corrected by an officer of that ward.
    # None outside every registered municipality (still a full network member). Changes
    # only through ``companies.services_wards``, each kept as a ``CompanyWardChange``.
    ward = models.ForeignKey(
        "wards.Municipality",
        verbose_name=_("所管の自治体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="companies",
    )
    ward_confirmed_at = models.DateTimeField(_("自治体の確認日時"), null=True, blank=True)
    # When the company was known to be who it says: registered or imported by the ward,
    # or a sign-up verified (``companies.services_join``). Until then only its own people
    # and its ward's officers see it; the network (directory, suggestions) does not.
    verified_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    # The profile checklist's score (0–6), stored so the directory ranks by a column
    # instead of six subqueries per company. Written only by
    # ``checklist.refresh_profile_score``, which every service changing one of its inputs
    # calls. A certificate's expiry changes it without a write: it holds until
    # ``profile_certified_until`` (see ``checklist.stored_profile_score``).
    profile_score = models.PositiveSmallIntegerField(
        _("プロフィール充実度"), default=0, editable=False
    )
    profile_certified_until = models.DateField(
        _("認証の項目の有効期限"), null=True, blank=True, editable=False
    )

    objects = AccessManager()
    access_policy = ScopedPolicy(access.company_scope, access.directory_anonymous_scope)

    class Meta:
        verbose_name = _("企業")
        verbose_name_plural = _("企業")
        ordering = ["name_kana", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="company_name_not_empty"),
            models.CheckConstraint(
                condition=Q(corporate_number__isnull=True) | Q(corporate_number__regex=r"^\d{13}$"),
                name="company_corporate_number_13_digits",
            ),
            models.CheckConstraint(
                condition=Q(invoice_number="") | Q(invoice_number__regex=r"^T\d{13}$"),
                name="company_invoice_number_format",
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__isnull=False) & Q(longitude__isnull=False)),
                name="company_location_complete",
                violation_error_message=_("緯度と経度は両方とも入力してください。"),
            ),
        ]
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        return f"{self.prefecture}{self.municipality}{self.address_line}"

    @property
    def read_only_until(self) -> dt.datetime | None:
        """Until when a deactivated company's people may still read its records (None
        for an active company, or one deactivated with no date recorded)."""
        if self.is_active or self.deactivated_at is None:
            return None
        return self.deactivated_at + deactivation_grace()

    @property
    def display_name(self) -> str:
        """The English name on English pages when there is one."""
        language = get_language() or "ja"
        return self.name_en if language.startswith("en") and self.name_en else self.name


class Membership(TimeStampedModel):
    """A person's place in a company, with their company role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ユーザー"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    company = models.ForeignKey(
        Company, verbose_name=_("企業"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("社内の役割"), max_length=20, choices=CompanyRole.choices)

    objects = AccessManager()
    access_policy = TenantPolicy(change_roles=OWNER_ROLES, delete_roles=OWNER_ROLES)

    class Meta:
        verbose_name = _("所属")
        verbose_name_plural = _("所属")
        ordering = ["company__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "company"], name="unique_membership"),
            models.CheckConstraint(
                condition=Q(role__in=CompanyRole.values), name="membership_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company} ({self.get_role_display()})"


class ReferenceItem(models.Model):
    """A row of the ward's reference data: a stable code and names in both languages."""

    code = models.CharField(_("コード"), max_length=100, unique=True)
    name_ja = models.CharField(_("名称"), max_length=150)
    name_en = models.CharField(_("名称 (英語)"), max_length=150)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.reference_scope, access.reference_anonymous_scope)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the language of the current request."""
        language = get_language() or "ja"
        return self.name_en if language.startswith("en") and self.name_en else self.name_ja


class ProcessCategory(ReferenceItem):
    """A node of the process taxonomy (JIS B 0122 加工方法 categories), e.g. 切削 > 旋削 > NC旋盤.

    ``code`` spells the path (``cutting.turning.nc_lathe``), so a subtree is a prefix.
    """

    parent = models.ForeignKey(
        "self",
        verbose_name=_("上位の分類"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    jis_symbol = models.CharField(_("JIS記号"), max_length=10, blank=True)
    keywords = models.JSONField(_("検索語"), default=list, blank=True)
    is_active = models.BooleanField(_("有効"), default=True)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("工程分類")
        verbose_name_plural = _("工程分類")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[a-z0-9_]+(\.[a-z0-9_]+)*$"),
                name="process_code_slug",
                violation_error_message=_(
                    "コードは小文字の英数字と「_」を「.」でつないだ形にしてください "
                    "(例: cutting.turning.nc_lathe)。"
                ),
            ),
        ]

    @property
    def depth(self) -> int:
        return self.code.count(".")


class MaterialGroup(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("材料グループ")
        verbose_name_plural = _("材料グループ")


class Material(ReferenceItem):
    """A material by its JIS designation (SUS304, A5052 …)."""

    group = models.ForeignKey(
        MaterialGroup,
        verbose_name=_("グループ"),
        on_delete=models.PROTECT,
        related_name="materials",
    )
    aliases = models.JSONField(_("別名"), default=list, blank=True)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("材料")
        verbose_name_plural = _("材料")
        ordering = ["group__sort_order", "sort_order", "code"]

    def __str__(self) -> str:
        return self.code


class CertificationKind(ReferenceItem):
    group = models.CharField(
        _("種類"), max_length=20, choices=CertificationKindGroup.choices, default="other"
    )

    class Meta(ReferenceItem.Meta):
        verbose_name = _("認証・資格の種類")
        verbose_name_plural = _("認証・資格の種類")


class Capability(TimeStampedModel):
    """What a company can do in one process: materials, work envelope, precision, lots."""

    company = models.ForeignKey(
        Company, verbose_name=_("企業"), on_delete=models.CASCADE, related_name="capabilities"
    )
    process = models.ForeignKey(
        ProcessCategory, verbose_name=_("工程"), on_delete=models.PROTECT, related_name="+"
    )
    materials = models.ManyToManyField(
        Material, verbose_name=_("対応材料"), blank=True, related_name="+"
    )
    max_length_mm = models.PositiveIntegerField(_("最大長さ (mm)"), null=True, blank=True)
    max_width_mm = models.PositiveIntegerField(_("最大幅・径 (mm)"), null=True, blank=True)
    max_height_mm = models.PositiveIntegerField(_("最大高さ (mm)"), null=True, blank=True)
    envelope_mm = models.PositiveIntegerField(
        _("最大寸法 (mm)"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("長さ・幅・高さのうち最大のもの (検索用)。"),
    )
    max_weight_kg = models.DecimalField(
        _("最大重量 (kg)"),
        max_digits=9,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    best_tolerance_mm = models.DecimalField(
        _("最高精度 (公差 ±mm)"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    best_roughness_ra = models.DecimalField(
        _("最良面粗さ (Ra μm)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    lot_min = models.PositiveIntegerField(_("ロット (最小)"), null=True, blank=True)
    lot_max = models.PositiveIntegerField(_("ロット (最大)"), null=True, blank=True)
    lead_time_days = models.PositiveSmallIntegerField(_("標準納期 (日)"), null=True, blank=True)
    notes = models.TextField(_("備考"), max_length=1000, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.public_profile_scope, access.profile_part_anonymous_scope)

    class Meta:
        verbose_name = _("加工能力")
        verbose_name_plural = _("加工能力")
        ordering = ["process__sort_order", "process__code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "process"], name="unique_capability"),
            models.CheckConstraint(
                condition=Q(lot_min__isnull=True)
                | Q(lot_max__isnull=True)
                | Q(lot_min__lte=models.F("lot_max")),
                name="capability_lot_range",
                violation_error_message=_("ロットの最小は最大以下にしてください。"),
            ),
        ]
        indexes = [
            models.Index(fields=["process", "envelope_mm"]),
            models.Index(fields=["process", "best_tolerance_mm"]),
        ]

    def __str__(self) -> str:
        return f"{self.company} — {self.process}"


class Equipment(TimeStampedModel):
    """A machine on the equipment list (also the machines that monitoring will know)."""

    company = models.ForeignKey(
        Company, verbose_name=_("企業"), on_delete=models.CASCADE, related_name="equipment"
    )
    kind = models.CharField(_("設備の種類"), max_length=100)
    process = models.ForeignKey(
        ProcessCategory,
        verbose_name=_("主な工程"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    maker = models.CharField(_("メーカー"), max_length=100, blank=True)
    model_name = models.CharField(_("型式"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(
        _("導入年"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    axes = models.PositiveSmallIntegerField(
        _("軸数"), null=True, blank=True, validators=[MaxValueValidator(13)]
    )
    stroke = models.CharField(
        _("ストローク・テーブルサイズ"),
        max_length=100,
        blank=True,
        help_text=_("例: X1000 × Y500 × Z500 mm"),
    )
    count = models.PositiveSmallIntegerField(_("台数"), default=1)
    notes = models.CharField(_("備考"), max_length=300, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.public_profile_scope, access.profile_part_anonymous_scope)

    class Meta:
        verbose_name = _("設備")
        verbose_name_plural = _("設備")
        ordering = ["kind", "maker", "model_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(count__gte=1),
                name="equipment_count_positive",
                violation_error_message=_("台数は1以上にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return " ".join(p for p in (self.kind, self.maker, self.model_name) if p)


class CompanyCertification(TimeStampedModel):
    company = models.ForeignKey(
        Company, verbose_name=_("企業"), on_delete=models.CASCADE, related_name="certifications"
    )
    kind = models.ForeignKey(
        CertificationKind,
        verbose_name=_("認証・資格"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reference = models.CharField(_("登録番号・認証機関"), max_length=200, blank=True)
    valid_until = models.DateField(_("有効期限"), null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.public_profile_scope, access.profile_part_anonymous_scope)

    class Meta:
        verbose_name = _("取得認証")
        verbose_name_plural = _("取得認証")
        ordering = ["kind__sort_order", "kind__code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "kind"], name="unique_certification"),
        ]

    def __str__(self) -> str:
        return f"{self.company} — {self.kind}"

    @property
    def is_valid(self) -> bool:
        return self.valid_until is None or self.valid_until >= timezone.localdate()


def company_photo_path(instance, filename: str) -> str:
    # The name is ours, never the uploader's: no path tricks, no guessable names.
    import uuid

    return f"companies/{instance.company_id}/photos/{uuid.uuid4().hex}.jpg"


class CompanyPhoto(TimeStampedModel):
    company = models.ForeignKey(
        Company, verbose_name=_("企業"), on_delete=models.CASCADE, related_name="photos"
    )
    # Dimensions are set by the service from the re-encoded image.
    image = models.ImageField(_("写真"), upload_to=company_photo_path)
    width = models.PositiveIntegerField(_("幅 (px)"), editable=False, default=0)
    height = models.PositiveIntegerField(_("高さ (px)"), editable=False, default=0)
    caption = models.CharField(_("説明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.public_profile_scope, access.profile_part_anonymous_scope)

    class Meta:
        verbose_name = _("企業の写真")
        verbose_name_plural = _("企業の写真")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.caption or f"{self.company} #{self.pk}"


class DXStageAssessment(TimeStampedModel):
    """A dated self-assessment of the company's DX stage; the history feeds the KSI."""

    company = models.ForeignKey(
        Company, verbose_name=_("企業"), on_delete=models.CASCADE, related_name="dx_assessments"
    )
    stage = models.PositiveSmallIntegerField(_("DX段階"), choices=DXStage.choices)
    assessed_on = models.DateField(_("評価日"), default=timezone.localdate)
    note = models.CharField(_("メモ"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("記録者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AccessManager()
    # Members of the company and ward officers (for the KSI) see the history.
    access_policy = TenantPolicy(ward_view_roles=(WardRole.OFFICER,), delete_roles=())

    class Meta:
        verbose_name = _("DX段階の自己評価")
        verbose_name_plural = _("DX段階の自己評価")
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(stage__gte=0, stage__lte=4), name="dx_stage_range"),
        ]

    def __str__(self) -> str:
        return f"{self.company} {self.assessed_on}: {self.stage}"


class SearchGram(models.Model):
    """Character bigrams of a company's names and PR text, for free-text search that
    works for Japanese on SQLite and PostgreSQL alike (no word boundaries needed)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="search_grams")
    gram = models.CharField(max_length=2)
    weight = models.PositiveSmallIntegerField(default=1)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.public_profile_scope, access.profile_part_anonymous_scope)

    class Meta:
        verbose_name = _("検索索引")
        verbose_name_plural = _("検索索引")
        constraints = [
            models.UniqueConstraint(fields=["gram", "company"], name="unique_search_gram"),
        ]

    def __str__(self) -> str:
        return self.gram


from machikoba.companies.models_claims import CompanyClaim  # noqa: F401,E402
from machikoba.companies.models_coverage import MaterialCoverage, ProcessCoverage  # noqa: F401,E402
from machikoba.companies.models_io import ImportJob  # noqa: F401,E402
from machikoba.companies.models_people import Invitation  # noqa: F401,E402
from machikoba.companies.models_wards import CompanyWardChange  # noqa: F401,E402
