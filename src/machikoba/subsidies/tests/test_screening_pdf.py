"""The 採択通知書 / 不採択通知書: a PDF in Japanese (the font embedded) naming the company,
the decision and, for 不採択, the reason; served to the company's owner and staff and the
ward's officers only."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from django.test import Client
from django.urls import reverse

from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    MembershipFactory,
    force_login_with_mfa,
    give_totp,
    ward,
)
from machikoba.core.testing.factories_subsidies import make_officer, make_paper_call
from machikoba.core.testing.factories_subsidies_screening import in_screening, scored
from machikoba.subsidies.selectors.screening import decision_notice
from machikoba.subsidies.services.selection import selection_confirm

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def _fonts(content: bytes) -> bool:
    return b"/FontFile2" in content  # a TrueType font program embedded


@pytest.fixture
def decided():
    """Stage 1 with a budget for one of two: 蒲田精機 selected, 羽田工業 not."""
    stage = make_paper_call().stages.get(number=1)
    stage.budget = 500_000
    stage.save()
    winner = CompanyFactory(
        name="蒲田精機株式会社", representative_name="蒲田 太郎", representative_title="代表取締役"
    )
    loser = CompanyFactory(name="羽田工業株式会社")
    selected = in_screening(stage, winner, requested=450_000, title="日報の電子化")
    scored(selected, [9] * 5)
    rejected = in_screening(stage, loser, requested=300_000, title="在庫管理のクラウド化")
    scored(rejected, [7] * 5)
    officer = make_officer()
    selection_confirm(actor=officer, stage=stage)
    selected.refresh_from_db()
    rejected.refresh_from_db()
    return selected, rejected, officer


def test_the_selection_notice_names_the_company_and_the_decision(decided):
    selected, _rejected, _officer = decided
    client = Client()
    owner = MembershipFactory(company=selected.company, role=CompanyRole.OWNER).user
    client.force_login(owner)
    response = client.get(reverse("subsidies:decision_notice", args=[selected.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert _fonts(content)
    text = _text(content)
    assert "採択通知書" in text
    assert "蒲田精機株式会社" in text
    assert "代表取締役 蒲田 太郎" in text
    assert "日報の電子化" in text
    assert "採択 (交付候補)" in text
    assert "450,000円" in text
    assert "交付決定" in text  # 採択 is not yet a grant
    assert "不採択" not in text


def test_the_rejection_notice_gives_the_reason(decided):
    _selected, rejected, officer = decided
    client = Client()
    give_totp(officer)
    force_login_with_mfa(client, officer)
    response = client.get(reverse("subsidies:decision_notice", args=[rejected.pk]))
    assert response.status_code == 200
    text = _text(response.content).replace("\r", "").replace("\n", "")
    assert "不採択通知書" in text
    assert "羽田工業株式会社" in text
    assert "予算の範囲で、審査の評価が高い申請から採択しました。" in text
    assert "300,000円" in text
    assert "位" not in text  # never the rank


def test_only_the_company_and_the_wards_officers_get_the_notice(decided):
    selected, _rejected, _officer = decided
    url = reverse("subsidies:decision_notice", args=[selected.pk])
    staff = MembershipFactory(company=selected.company, role=CompanyRole.STAFF).user
    worker = MembershipFactory(company=selected.company, role=CompanyRole.FLOOR_WORKER).user
    other = MembershipFactory(company=CompanyFactory(), role=CompanyRole.OWNER).user
    reviewer = selected.assignments.get().reviewer
    sumida = make_officer(ward(SUMIDA))
    expected = {staff: 200, worker: 404, other: 404, reviewer: 404, sumida: 404}
    for user, status in expected.items():
        client = Client()
        if user is sumida:
            give_totp(user)
            force_login_with_mfa(client, user)
        else:
            client.force_login(user)
        assert client.get(url).status_code == status, user
    assert Client().get(url).status_code == 302  # to sign in


def test_no_notice_before_the_decision():
    stage = make_paper_call().stages.get(number=1)
    application = in_screening(stage)
    officer = make_officer()
    assert decision_notice(officer, application) is None
    client = Client()
    give_totp(officer)
    force_login_with_mfa(client, officer)
    response = client.get(reverse("subsidies:decision_notice", args=[application.pk]))
    assert response.status_code == 404
