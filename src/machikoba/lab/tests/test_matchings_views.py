"""The matchings pages: the list by source and fiscal year with the network's first awards
beside the lab's (rows for the parties, a monthly count for the office), bad filters and
bad form input answered with a message (never a 500), one matching's page with its party
buttons; and the project pages' document upload and download."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from machikoba.companies.choices import CompanyRole
from machikoba.core.fiscal import fiscal_year
from machikoba.core.testing.factories import MembershipFactory
from machikoba.core.testing.factories_lab import make_item, make_lab
from machikoba.core.testing.factories_lab_ecosystem import (
    add_participant,
    light_world,
    make_matching,
    make_past_event,
    make_project,
    make_survey,
)
from machikoba.core.testing.factories_subsidies_apply import pdf_bytes
from machikoba.core.testing.matrix import (
    LAB_STAFF,
    MEMBER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    STAFF,
)
from machikoba.lab.choices import MatchingSource, MatchingStatus
from machikoba.lab.models_ecosystem import Matching, ProjectDocument
from machikoba.network import services as network_services
from machikoba.network.tests.factories import deadline, make_job, order_terms

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture
def world():
    return light_world()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def item():
    return make_item(make_lab())


def _first_award(world, supplier):
    """A first award in the network between world.company (buyer) and ``supplier``."""
    owner = world.users[MEMBER]
    job = make_job(owner, world.company)
    step = list(job.steps.order_by("position"))[1]
    rfq = network_services.rfq_send(
        actor=owner, job=job, steps=[step], recipients=[supplier], deadline=deadline()
    )
    recipient = rfq.recipients.get()
    network_services.quote_submit(
        actor=supplier.memberships.filter(role=CompanyRole.OWNER).first().user,
        recipient=recipient,
        price=80_000,
        lead_time_days=5,
        valid_until=timezone.localdate() + dt.timedelta(days=30),
    )
    network_services.rfq_award(actor=owner, rfq=rfq, winner=recipient, **order_terms())


def _get(world, actor, name="lab:matching_list", **params):
    return world.client_for(actor).get(reverse(name), params)


def test_the_list_shows_the_follow_up_date_and_the_network_awards(world, item, media):
    matching = make_matching(world.company, world.vendor, item=item, agreed_days_ago=5)
    _first_award(world, world.other_company)
    # The party: its lab matching and its first award, as rows from the network.
    html = _get(world, MEMBER).content.decode()
    assert f'data-testid="matching-{matching.pk}"' in html
    due = matching.follow_up_due_on.strftime("%Y/%m/%d")
    assert due in html
    assert "デジタル仲間まわし" in html
    assert "ネットワークから" in html
    assert html.count('data-testid="network-row"') == 1
    assert world.other_company.name in html
    # The office of 大田区: the lab matching as a row, the network's only as a count.
    html = _get(world, OFFICER).content.decode()
    assert f'data-testid="matching-{matching.pk}"' in html
    assert 'data-testid="network-row"' not in html
    assert 'data-testid="network-count"' in html
    assert "初めての取引: 1 件" in html
    assert "成立件数: 2 件" in html
    # Another ward's office: nothing of either.
    html = _get(world, OTHER_WARD_OFFICER).content.decode()
    assert f'data-testid="matching-{matching.pk}"' not in html
    assert "初めての取引: 0 件" in html


def test_filter_by_source_and_fiscal_year(world, item):
    lab_visit = make_matching(world.company, world.vendor, item=item, agreed_days_ago=2)
    event = make_past_event(item.lab, days_ago=3)
    from_event = make_matching(world.company, world.other_company, event=event, agreed_days_ago=2)
    last_year = make_matching(world.other_company, world.vendor, item=item, agreed_days_ago=400)
    html = _get(world, LAB_STAFF, source=MatchingSource.EVENT).content.decode()
    assert f"matching-{from_event.pk}" in html
    assert f"matching-{lab_visit.pk}" not in html
    assert 'data-testid="network-matches"' not in html
    html = _get(world, LAB_STAFF, source=MatchingSource.NETWORK).content.decode()
    assert f"matching-{from_event.pk}" not in html
    assert 'data-testid="network-matches"' in html
    year = fiscal_year(last_year.agreed_on)
    html = _get(world, LAB_STAFF, year=str(year)).content.decode()
    assert year < fiscal_year(timezone.localdate())  # 400 days ago: always an earlier year
    assert f"matching-{last_year.pk}" in html
    assert f"matching-{lab_visit.pk}" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc"},
        {"year": "99999999999999999999999"},
        {"year": "1900"},
        {"source": "<script>"},
        {"year": "２０２４"},
    ],
)
def test_bad_filters_fall_back_to_this_year(world, params):
    response = _get(world, OFFICER, **params)
    assert response.status_code == 200
    assert response.context["page"].fiscal_year == fiscal_year(timezone.localdate())


def test_bad_record_input_is_answered_on_the_form(world, item):
    client = world.client_for(LAB_STAFF)
    data = {
        "source": MatchingSource.LAB_VISIT,
        "item": item.pk,
        "party_a": world.company.pk,
        "party_b": world.company.pk,
        "agreement": "trial",
        "agreed_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
        "evidence": "議事録",
    }
    response = client.post(reverse("lab:matching_record"), data)
    assert response.status_code == 200
    assert "別々の2社" in response.content.decode()
    data["party_b"] = world.other_company.pk
    response = client.post(reverse("lab:matching_record"), data)
    assert "先の日付" in response.content.decode()
    data["agreed_on"] = "not a date"
    response = client.post(reverse("lab:matching_record"), data)
    assert response.status_code == 200
    data.update(agreed_on=timezone.localdate().isoformat(), party_b="99999999999999999999")
    assert client.post(reverse("lab:matching_record"), data).status_code == 200
    assert not Matching.objects.exists()
    data["party_b"] = world.other_company.pk
    response = client.post(reverse("lab:matching_record"), data)
    assert response.status_code == 302
    response = client.post(reverse("lab:matching_record"), data)
    assert "1組につき1件" in response.content.decode()
    assert Matching.objects.count() == 1


def test_a_party_confirms_on_its_page(world, item):
    survey = make_survey(make_past_event(item.lab), world.users[MEMBER], world.company)
    client = world.client_for(LAB_STAFF)
    response = client.get(reverse("lab:matching_surveys"))
    assert f'data-testid="survey-{survey.pk}"' in response.content.decode()
    response = client.post(
        reverse("lab:matching_propose", args=[survey.pk]),
        {
            "partner": world.other_company.pk,
            "agreement": "order",
            "agreed_on": timezone.localdate().isoformat(),
        },
    )
    matching = Matching.objects.get()
    assert response.headers["Location"] == reverse("lab:matching_detail", args=[matching.pk])
    # Proposed now: no longer offered.
    assert f"survey-{survey.pk}" not in client.get(reverse("lab:matching_surveys")).content.decode()
    page = world.client_for(STAFF).get(reverse("lab:matching_detail", args=[matching.pk]))
    assert 'data-testid="matching-confirm"' in page.content.decode()
    world.client_for(STAFF).post(reverse("lab:matching_confirm", args=[matching.pk]))
    world.client_for(OTHER_COMPANY).post(reverse("lab:matching_confirm", args=[matching.pk]))
    matching.refresh_from_db()
    assert matching.status == MatchingStatus.CONFIRMED
    # The office sees it, without the party's buttons.
    html = world.client_for(OFFICER).get(reverse("lab:matching_detail", args=[matching.pk]))
    assert 'data-testid="matching-confirm"' not in html.content.decode()


def test_a_member_of_both_parties_acts_for_the_company_they_work_for(world, item):
    matching = make_matching(
        world.company, world.other_company, item=item, status=MatchingStatus.PROPOSED
    )
    both = world.users[STAFF]
    MembershipFactory(company=world.other_company, user=both, role=CompanyRole.STAFF)
    world.client_for(STAFF).post(reverse("lab:matching_confirm", args=[matching.pk]))
    matching.refresh_from_db()
    confirmed = [matching.confirmed_a_at is not None, matching.confirmed_b_at is not None]
    assert sorted(confirmed) == [False, True]  # one side only, never both at once


def test_documents_upload_and_download_through_the_access_check(world, media):
    project = make_project()
    add_participant(project, company=world.company)
    client = world.client_for(LAB_STAFF)
    url = reverse("lab:project_document_add", args=[project.pk])
    bad = SimpleUploadedFile("計画.pdf", b"<html><script>alert(1)</script></html>")
    response = client.post(url, {"title": "計画", "file": bad})
    assert response.status_code == 200
    assert not ProjectDocument.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))
    assert "alert-error" in response.content.decode() or "form-error" in response.content.decode()
    good = SimpleUploadedFile("計画.pdf", pdf_bytes())
    response = client.post(url, {"title": "計画", "file": good})
    assert response.status_code == 302
    document = ProjectDocument.objects.get()
    download = reverse("lab:project_document_download", args=[document.pk])
    response = world.client_for(MEMBER).get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert world.client_for(OTHER_COMPANY).get(download).status_code == 404


def test_an_oversized_document_is_refused_while_streaming(world, media, settings):
    settings.MACHIKOBA_EVIDENCE_MAX_BYTES = 2_000
    project = make_project()
    response = world.client_for(OFFICER).post(
        reverse("lab:project_document_add", args=[project.pk]),
        {"title": "大きすぎる", "file": SimpleUploadedFile("big.pdf", pdf_bytes() + b"0" * 5000)},
    )
    assert response.status_code == 200
    assert not ProjectDocument.objects.exists()
