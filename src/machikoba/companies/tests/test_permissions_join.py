"""Permission matrix for joining: every signed-in person may look for a company and ask
to join it (the proof comes after); a claim's page is its requester's only; the letter
and the evidence are for the officers of the company's ward."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from machikoba.companies.choices import JoinMethod
from machikoba.companies.models_claims import CompanyClaim
from machikoba.companies.services_join import join_claim_start
from machikoba.core.testing.factories import CompanyFactory, UserFactory
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    DONE,
    LOGIN,
    OFFICER,
    OTHER_WARD_OFFICER,
    Case,
    assert_case,
    expect,
)

SIGNED_IN = expect(200, **{ANONYMOUS: LOGIN})


def _claim(method):
    def build(w):
        shop = CompanyFactory(name="参加待ちの工場", contact_email="info@shop.example.jp")
        evidence = (
            SimpleUploadedFile("c.pdf", b"%PDF-1.4 x", "application/pdf")
            if method == JoinMethod.OFFICER
            else None
        )
        return join_claim_start(actor=UserFactory(), company=shop, method=method, evidence=evidence)

    return build


def _shop_url(w):
    shop = CompanyFactory(name="参加できる工場", contact_email="info@free.example.jp")
    return reverse("companies:join_claim_start", args=[shop.pk])


MATRIX = [
    Case("companies:join", lambda w: reverse("companies:join") + "?q=工場", SIGNED_IN),
    Case("companies:join_new", lambda w: reverse("companies:join_new"), SIGNED_IN),
    Case("companies:join_claim_start", _shop_url, SIGNED_IN),
    Case(
        "companies:join_claim_start",
        _shop_url,
        # Anyone signed in may ask (the code goes to the ward's address, not to them).
        expect(DONE, **{ANONYMOUS: LOGIN}),
        method="POST",
        data=lambda w: {"method": "code"},
        effect=lambda w: CompanyClaim.objects.count(),
    ),
    Case(
        "companies:join_claim",
        lambda w: reverse("companies:join_claim", args=[_claim(JoinMethod.CODE)(w).pk]),
        # Only its requester (not in this world) sees a claim's page.
        expect(404, **{ANONYMOUS: LOGIN}),
    ),
    Case(
        "companies:claim_letter",
        lambda w: reverse("companies:claim_letter", args=[_claim(JoinMethod.LETTER)(w).pk]),
        expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 404}),
        method="POST",
        content_type="application/x-www-form-urlencoded",
    ),
    Case(
        "companies:claim_evidence",
        lambda w: reverse("companies:claim_evidence", args=[_claim(JoinMethod.OFFICER)(w).pk]),
        expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 404}),
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert_case(case, world)
