"""Free-text search over the directory that works for Japanese.

Japanese has no spaces between words, so word tokenisers (and SQLite FTS5's default)
find nothing inside 高橋精機製作所. We index character bigrams instead (the "CJK
bigram" approach of Lucene/Elasticsearch) in an ordinary table, which behaves the
same on SQLite and PostgreSQL and is served by a B-tree index on ``gram``.

Text is normalised first: NFKC (full-width → half-width, ｶﾅ → カナ), lower case,
hiragana → katakana, and everything that is not a letter or digit dropped.
"""

from __future__ import annotations

import unicodedata

from django.db.models import Q

from machikoba.companies.models import Company, SearchGram

NAME_WEIGHT = 3
CAPABILITY_WEIGHT = 2
TEXT_WEIGHT = 1


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    out = []
    for ch in text:
        if "ぁ" <= ch <= "ゖ":  # hiragana → katakana, so ふじた finds フジタ
            ch = chr(ord(ch) + 0x60)
        if ch.isalnum() or ch == "ー":
            out.append(ch)
        else:
            out.append(" ")
    return "".join(out)


def grams_of(text: str) -> set[str]:
    """Bigrams of every run of letters; a one-letter run is kept as a unigram."""
    result: set[str] = set()
    for run in normalize(text).split():
        if len(run) == 1:
            result.add(run)
        result.update(run[i : i + 2] for i in range(len(run) - 1))
    return result


def _weighted_grams(company: Company) -> dict[str, int]:
    weights: dict[str, int] = {}

    def add(text: str, weight: int) -> None:
        for gram in grams_of(text):
            weights[gram] = max(weights.get(gram, 0), weight)

    for text in (company.name, company.name_kana, company.name_en):
        add(text, NAME_WEIGHT)
    for capability in company.capabilities.select_related("process"):
        add(f"{capability.process.name_ja} {capability.process.name_en}", CAPABILITY_WEIGHT)
        add(" ".join(capability.process.keywords or []), CAPABILITY_WEIGHT)
    for machine in company.equipment.all():
        add(f"{machine.kind} {machine.maker} {machine.model_name}", TEXT_WEIGHT)
    add(company.pr_text, TEXT_WEIGHT)
    add(company.municipality, TEXT_WEIGHT)
    return weights


def search_index_update(*, company: Company) -> None:
    """Rebuild one company's grams. Services call this inside their transaction."""
    SearchGram.objects.filter(company=company).delete()
    SearchGram.objects.bulk_create(
        SearchGram(company=company, gram=gram, weight=weight)
        for gram, weight in _weighted_grams(company).items()
    )


def text_condition(query: str) -> tuple[Q, int] | None:
    """A condition on SearchGram rows for every term of ``query`` and the number of
    distinct grams a company must match; ``None`` when nothing is searchable."""
    terms = normalize(query).split()
    if not terms:
        return None
    condition = Q()
    needed = 0
    for term in terms:
        if len(term) == 1:
            # A single character: any gram that starts or ends with it.
            condition |= Q(gram__startswith=term) | Q(gram__endswith=term)
            needed += 1
        else:
            grams = {term[i : i + 2] for i in range(len(term) - 1)}
            condition |= Q(gram__in=grams)
            needed += len(grams)
    return condition, needed
