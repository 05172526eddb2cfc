"""The profile fields an import fills, and the headers that name them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from machikoba.companies.error_codes import CompaniesErrorCode
from machikoba.companies.exporting import EXPORT_COLUMNS
from machikoba.companies.models import Company
from machikoba.core.errors import ApplicationError


@dataclass(frozen=True)
class ImportField:
    name: str
    kind: str  # "text", "integer", "year", "postal_code", "url", "number", "email"
    synonyms: tuple[str, ...]

    @property
    def label(self) -> str:
        return str(Company._meta.get_field(self.name).verbose_name)


IMPORT_FIELDS = [
    ImportField(
        "name",
        "text",
        ("企業名", "会社名", "事業者名", "事業所名", "法人名", "商号", "名称", "社名"),
    ),
    ImportField(
        "name_kana",
        "text",
        ("フリガナ", "ふりがな", "カナ", "企業名カナ", "企業名フリガナ", "会社名カナ", "よみがな"),
    ),
    ImportField("name_en", "text", ("企業名英語", "英語名", "英文社名", "会社名英語")),
    ImportField("corporate_number", "number", ("法人番号",)),
    ImportField(
        "invoice_number",
        "number",
        ("登録番号", "インボイス番号", "インボイス登録番号", "適格請求書発行事業者登録番号"),
    ),
    ImportField("postal_code", "postal_code", ("郵便番号", "〒")),
    ImportField("prefecture", "text", ("都道府県",)),
    ImportField("municipality", "text", ("市区町村", "市区町村名")),
    ImportField(
        "address_line", "text", ("住所", "所在地", "町名番地", "町名番地建物", "番地", "住所2")
    ),
    ImportField("employees", "integer", ("従業員数", "従業員", "社員数", "従業者数")),
    ImportField("founded_year", "year", ("創業", "創業年", "設立年", "設立", "創業年西暦")),
    ImportField("representative_title", "text", ("代表者役職", "役職")),
    ImportField("representative_name", "text", ("代表者", "代表者名", "代表者氏名")),
    ImportField("website", "url", ("url", "ホームページ", "ウェブサイト", "webサイト", "hp")),
    ImportField("pr_text", "text", ("pr", "事業内容", "pr文", "自社pr", "特徴")),
    # The ward's ledger address: confirmations of a claim of the company's first account go
    # there only (docs/guest-links.md); never shown to other shops.
    ImportField(
        "contact_email",
        "email",
        ("メールアドレス", "メール", "email", "電子メール", "登録メールアドレス", "連絡先メール"),
    ),
]
FIELDS_BY_NAME = {f.name: f for f in IMPORT_FIELDS}


def normalize_header(text: Any) -> str:
    """``企業名（英語）`` and ``企業名 (英語)`` and ``企業名(英語)`` all read ``企業名英語``."""
    text = unicodedata.normalize("NFKC", str(text or "")).lower()
    return re.sub(r"[\s()\[\]【】「」・:：_\-‐－/]+", "", text)


def _synonyms() -> dict[str, set[str]]:
    """Each field's synonyms, plus the export's own header in every UI language (so an
    exported file always maps back, whatever language it was exported in)."""
    result = {f.name: {normalize_header(s) for s in f.synonyms} for f in IMPORT_FIELDS}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for column in EXPORT_COLUMNS:
                if column.field in result:
                    result[column.field].add(normalize_header(str(column.label)))
    return result


def suggest_mapping(header: list[str]) -> dict[str, int]:
    """Field → column index, guessed from the header row: exact names first, then a
    header that contains a synonym (``会社名（漢字）``; not ``pr`` inside ``prefecture``).
    A column serves one field."""
    synonyms = _synonyms()
    normalized = [normalize_header(h) for h in header]
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for import_field in IMPORT_FIELDS:
        for index, text in enumerate(normalized):
            if index not in used and text and text in synonyms[import_field.name]:
                mapping[import_field.name] = index
                used.add(index)
                break
    for import_field in IMPORT_FIELDS:
        if import_field.name in mapping:
            continue
        candidates = sorted(synonyms[import_field.name], key=len, reverse=True)
        for index, text in enumerate(normalized):
            if index in used or not text:
                continue
            if any(s in text for s in candidates if len(s) >= (3 if s.isascii() else 2)):
                mapping[import_field.name] = index
                used.add(index)
                break
    return mapping


NAME_NOT_MAPPED = gettext_lazy(
    "「企業名」に当たる列が選ばれていません。"
    "企業名が入っている列を選んでください (企業名は必須です)。"
)


def clean_mapping(mapping: Mapping[str, Any], *, column_count: int) -> dict[str, int]:
    """Validate a field → column mapping chosen by the officer."""
    result: dict[str, int] = {}
    problems: dict[str, list[str]] = {}
    for name, index in mapping.items():
        if name not in FIELDS_BY_NAME:
            raise ValueError(f"not an import field: {name}")
        if index is None or index == "":
            continue
        try:
            index = int(index)
        except (TypeError, ValueError):
            index = -1
        if not 0 <= index < column_count:
            problems[name] = [_("ファイルにない列が選ばれています。")]
            continue
        result[name] = index
    if "name" not in result and "name" not in problems:
        problems["name"] = [str(NAME_NOT_MAPPED)]
    owners: dict[int, str] = {}
    for import_field in IMPORT_FIELDS:
        index = result.get(import_field.name)
        if index is None:
            continue
        if index in owners:
            problems.setdefault(import_field.name, []).append(
                _(
                    "この列は「%(other)s」にも選ばれています。1つの列は1つの項目にだけ選んでください。"
                )
                % {"other": FIELDS_BY_NAME[owners[index]].label}
            )
        else:
            owners[index] = import_field.name
    if problems:
        raise ApplicationError(
            CompaniesErrorCode.IMPORT_MAPPING_INVALID,
            _("列の対応づけを確認してください。"),
            fields=problems,
        )
    return result
