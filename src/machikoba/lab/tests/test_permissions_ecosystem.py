"""Permission matrix of the 産学官金 consortium and the matchings.

- Partners: the office of a ward (its lab staff and officers) manages its own; a bank's
  people may read their own partner row but change nothing (403); everyone else, another
  ward's office included, does not find a partner (404).
- Projects: the office runs them; the participating company's people (floor workers too)
  read theirs (the rest 403); another company, another ward, a bank not taking part: 404.
- DX-loan referrals: the officer of the company's ward refers and withdraws; the company's
  owner and staff read it; the addressed bank's people record the outcome; lab staff,
  another company, a vendor, another ward's officer: 404 (another bank in
  ``test_ecosystem_access.py``).
- Matchings: the office records; lab staff propose from survey answers (officers do not
  read survey rows); the parties' owners and staff read theirs and confirm, decline and
  answer the follow-up; floor workers, other companies, another ward: 404.
Each actor's request runs in a rolled-back savepoint; the URL builders set up the rows a
case needs inside it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.factories_lab import make_item, make_lab
from machikoba.core.testing.factories_lab_ecosystem import (
    add_participant,
    bank_partner,
    make_matching,
    make_partner,
    make_past_event,
    make_project,
    make_referral,
    make_survey,
)
from machikoba.core.testing.factories_subsidies_apply import pdf_bytes
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    BANK,
    DONE,
    FLOOR_WORKER,
    LAB_STAFF,
    LOGIN,
    MEMBER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    REFUSED,
    STAFF,
    VENDOR,
    Case,
    assert_case,
    expect,
    posted,
)
from machikoba.lab.choices import (
    MatchingAgreement,
    MatchingSource,
    MatchingStatus,
    PartnerKind,
    ProjectKind,
    ProjectStatus,
    ReferralStatus,
)
from machikoba.lab.models_ecosystem import (
    LoanReferral,
    Matching,
    Partner,
    Project,
    ProjectDocument,
    ProjectParticipant,
)

# --- who reaches what -----------------------------------------------------------------------

OFFICE = {OFFICER: 200, LAB_STAFF: 200}
# Pages of the office: every ward's office opens them (each sees its own ward's rows).
OFFICE_PAGE = expect(403, **{ANONYMOUS: LOGIN, **OFFICE, OTHER_WARD_OFFICER: 200})
COMPANY_PEOPLE = {MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200, OTHER_COMPANY: 200, VENDOR: 200}
# The projects list: the office and anyone of a company (each reads their own).
PROJECTS_PAGE = expect(403, **{ANONYMOUS: LOGIN, **OFFICE, OTHER_WARD_OFFICER: 200})
PROJECTS_PAGE.update(COMPANY_PEOPLE, **{BANK: 200})
# A partner row of 大田区 linked to the bank: the bank reads it, may not change it.
PARTNER_ROW = expect(404, **{ANONYMOUS: LOGIN, **OFFICE, BANK: 403})
PLAIN_PARTNER_ROW = expect(404, **{ANONYMOUS: LOGIN, **OFFICE})
# A project the company takes part in.
PROJECT_READ = expect(
    404, **{ANONYMOUS: LOGIN, **OFFICE, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200}
)
PROJECT_CHANGE = expect(
    404, **{ANONYMOUS: LOGIN, **OFFICE, MEMBER: 403, STAFF: 403, FLOOR_WORKER: 403}
)
# Referrals
REFERRALS_PAGE = expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 200})
REFERRALS_PAGE.update(COMPANY_PEOPLE, **{BANK: 200})
OFFICER_PAGE = expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 200})
REFERRAL_READ = expect(404, **{ANONYMOUS: LOGIN, OFFICER: 200, MEMBER: 200, STAFF: 200, BANK: 200})
REFERRAL_VISIBLE = expect(404, **{ANONYMOUS: LOGIN, OFFICER: 403, MEMBER: 403, STAFF: 403})
# Matchings
MATCHINGS_PAGE = expect(403, **{ANONYMOUS: LOGIN, **OFFICE, OTHER_WARD_OFFICER: 200})
MATCHINGS_PAGE.update({MEMBER: 200, STAFF: 200, OTHER_COMPANY: 200, VENDOR: 200, BANK: 200})
# Proposing from a survey answer: lab staff read the answers; an officer finds none.
PROPOSE_PAGE = expect(
    403, **{ANONYMOUS: LOGIN, LAB_STAFF: 200, OFFICER: 404, OTHER_WARD_OFFICER: 404}
)
# A matching between the company and the other company, of 大田区's lab.
MATCHING_READ = expect(
    404, **{ANONYMOUS: LOGIN, **OFFICE, MEMBER: 200, STAFF: 200, OTHER_COMPANY: 200}
)
PARTY_BUTTON = posted(
    expect(404, **{ANONYMOUS: LOGIN}),
    **{MEMBER: DONE, STAFF: DONE, OTHER_COMPANY: DONE, OFFICER: REFUSED, LAB_STAFF: REFUSED},
)


# --- rows the cases need --------------------------------------------------------------------


def _bank_partner(w):
    return bank_partner(w.bank)


def _university(w, *, active=True):
    return make_partner(name="matrix大学", active=active)


def _project(w):
    project = Project.objects.filter(title="matrix PBL").first()
    if project is None:
        project = make_project(title="matrix PBL", kind=ProjectKind.OTHER)
        add_participant(project, company=w.company, role="課題の提供")
    return project


def _project_url(name):
    return lambda w: reverse(f"lab:{name}", args=[_project(w).pk])


def _participant_url(w):
    participant = add_participant(_project(w), partner=_university(w))
    return reverse("lab:project_participant_remove", args=[participant.pk])


def _document(w):
    from django.core.files.base import ContentFile

    document = ProjectDocument(
        project=_project(w),
        title="計画書",
        original_name="計画書.pdf",
        mime="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    document.file.save("plan.pdf", ContentFile(pdf_bytes()), save=True)
    return document


def _referral(w):
    referral = LoanReferral.objects.filter(company=w.company).first()
    return referral or make_referral(w.company, w.bank)


def _referral_url(name):
    return lambda w: reverse(f"lab:{name}", args=[_referral(w).pk])


def _lab(w):
    from machikoba.lab.models import Lab

    return Lab.objects.first() or make_lab()


def _item(w):
    return _lab(w).items.first() or make_item(_lab(w))


def _matching(w, **fields):
    matching = Matching.objects.filter(party_a__in=[w.company, w.other_company]).first()
    return matching or make_matching(w.company, w.other_company, item=_item(w), **fields)


def _matching_url(name, **fields):
    return lambda w: reverse(f"lab:{name}", args=[_matching(w, **fields).pk])


def _survey(w):
    from machikoba.lab.models_events import SurveyResponse

    survey = SurveyResponse.objects.first()
    if survey is None:
        event = make_past_event(_lab(w))
        survey = make_survey(event, w.users[MEMBER], w.company)
    return survey


def _count(model):
    return lambda w: model.objects.count()


def _partner_state(w):
    return list(Partner.objects.order_by("pk").values_list("pk", "name", "active"))


def _project_state(w):
    return list(Project.objects.order_by("pk").values_list("pk", "title", "status"))


def _referral_state(w):
    return list(LoanReferral.objects.values_list("pk", "status", "amount_approved"))


def _matching_state(w):
    return list(
        Matching.objects.order_by("pk").values_list(
            "pk", "status", "confirmed_a_at", "confirmed_b_at", "follow_up_answer"
        )
    )


def _partner_form(w):
    return {"kind": PartnerKind.UNIVERSITY, "name": "matrix工科大学", "contact_name": "担当"}


def _project_form(w):
    today = timezone.localdate()
    return {
        "kind": ProjectKind.PBL,
        "title": "matrix 新規PBL",
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=60)).isoformat(),
    }


def _matching_form(w):
    return {
        "source": MatchingSource.LAB_VISIT,
        "item": _item(w).pk,
        "party_a": w.company.pk,
        "party_b": w.vendor.pk,
        "agreement": MatchingAgreement.TRIAL,
        "agreed_on": timezone.localdate().isoformat(),
        "evidence": "試用申込書",
    }


def _document_form(w):
    return {"title": "報告書", "file": SimpleUploadedFile("報告書.pdf", pdf_bytes())}


MATRIX = [
    # Partners
    Case("lab:partner_list", lambda w: reverse("lab:partner_list"), OFFICE_PAGE),
    Case("lab:partner_create", lambda w: reverse("lab:partner_create"), OFFICE_PAGE),
    Case(
        "lab:partner_create",
        lambda w: reverse("lab:partner_create"),
        posted(OFFICE_PAGE, **{OFFICER: DONE, LAB_STAFF: DONE, OTHER_WARD_OFFICER: DONE}),
        method="POST",
        data=_partner_form,
        effect=_count(Partner),
    ),
    Case(
        "lab:partner_edit",
        lambda w: reverse("lab:partner_edit", args=[_bank_partner(w).pk]),
        PARTNER_ROW,
    ),
    Case(
        "lab:partner_edit",
        lambda w: reverse("lab:partner_edit", args=[_bank_partner(w).pk]),
        posted(PARTNER_ROW, **{OFFICER: DONE, LAB_STAFF: DONE}),
        method="POST",
        data=lambda w: {"kind": PartnerKind.BANK, "name": "改名信用金庫", "company": w.bank.pk},
        effect=_partner_state,
    ),
    Case(
        "lab:partner_deactivate",
        lambda w: reverse("lab:partner_deactivate", args=[_bank_partner(w).pk]),
        posted(PARTNER_ROW, **{OFFICER: DONE, LAB_STAFF: DONE}),
        method="POST",
        effect=_partner_state,
    ),
    Case(
        "lab:partner_reactivate",
        lambda w: reverse("lab:partner_reactivate", args=[_university(w, active=False).pk]),
        posted(PLAIN_PARTNER_ROW, **{OFFICER: DONE, LAB_STAFF: DONE}),
        method="POST",
        effect=_partner_state,
    ),
    # Projects
    Case("lab:project_list", lambda w: reverse("lab:project_list"), PROJECTS_PAGE),
    Case("lab:project_create", lambda w: reverse("lab:project_create"), OFFICE_PAGE),
    Case(
        "lab:project_create",
        lambda w: reverse("lab:project_create"),
        posted(OFFICE_PAGE, **{OFFICER: DONE, LAB_STAFF: DONE, OTHER_WARD_OFFICER: DONE}),
        method="POST",
        data=_project_form,
        effect=_count(Project),
    ),
    Case("lab:project_detail", _project_url("project_detail"), PROJECT_READ),
    Case("lab:project_edit", _project_url("project_edit"), PROJECT_CHANGE),
    Case(
        "lab:project_edit",
        _project_url("project_edit"),
        posted(PROJECT_CHANGE, **{OFFICER: DONE, LAB_STAFF: DONE}),
        method="POST",
        data=lambda w: {**_project_form(w), "kind": ProjectKind.OTHER, "outcome": ""},
        effect=_project_state,
    ),
    Case(
        "lab:project_status",
        _project_url("project_status"),
        posted(PROJECT_CHANGE, **{OFFICER: DONE, LAB_STAFF: DONE}),
        method="POST",
        data=lambda w: {"to": ProjectStatus.RUNNING, "outcome": ""},
        effect=_project_state,
    ),
    Case(
        "lab:project_participant_add",
        _project_url("project_participant_add"),
        posted(PROJECT_CHANGE, **{OFFICER: DONE, LAB_STAFF: DONE}),
        method="POST",
        data=lambda w: {"company": w.other_company.pk, "role": "試作"},
        effect=_count(ProjectParticipant),
    ),
    Case(
        "lab:project_participant_remove",
        _participant_url,
        posted(PROJECT_CHANGE, **{OFFICER: DONE, LAB_STAFF: DONE}),
        method="POST",
        effect=_count(ProjectParticipant),
    ),
    Case(
        "lab:project_document_add",
        _project_url("project_document_add"),
        posted(PROJECT_CHANGE, **{OFFICER: DONE, LAB_STAFF: DONE}),
        method="POST",
        data=_document_form,
        effect=_count(ProjectDocument),
    ),
    Case(
        "lab:project_document_download",
        lambda w: reverse("lab:project_document_download", args=[_document(w).pk]),
        PROJECT_READ,
    ),
    Case(
        "lab:project_document_remove",
        lambda w: reverse("lab:project_document_remove", args=[_document(w).pk]),
        posted(PROJECT_CHANGE, **{OFFICER: DONE, LAB_STAFF: DONE}),
        method="POST",
        effect=_count(ProjectDocument),
    ),
    # DX-loan referrals
    Case("lab:referral_list", lambda w: reverse("lab:referral_list"), REFERRALS_PAGE),
    Case("lab:referral_create", lambda w: reverse("lab:referral_create"), OFFICER_PAGE),
    Case(
        "lab:referral_create",
        lambda w: reverse("lab:referral_create"),
        # Another ward's officer is offered only its own ward's companies: the form says so.
        posted(OFFICER_PAGE, **{OFFICER: DONE}),
        method="POST",
        data=lambda w: {
            "company": w.company.pk,
            "bank": _bank_partner(w).pk,
            "amount_requested": "3000000",
            "purpose": "IoTセンサーの導入",
        },
        effect=_count(LoanReferral),
    ),
    Case("lab:referral_detail", _referral_url("referral_detail"), REFERRAL_READ),
    Case(
        "lab:referral_outcome",
        _referral_url("referral_outcome"),
        posted(REFERRAL_VISIBLE, **{BANK: DONE}),
        method="POST",
        data=lambda w: {"status": ReferralStatus.UNDER_REVIEW, "note": ""},
        effect=_referral_state,
    ),
    Case(
        "lab:referral_withdraw",
        _referral_url("referral_withdraw"),
        posted(REFERRAL_VISIBLE, **{OFFICER: DONE, BANK: 403}),
        method="POST",
        effect=_referral_state,
    ),
    # Matchings
    Case("lab:matching_list", lambda w: reverse("lab:matching_list"), MATCHINGS_PAGE),
    Case("lab:matching_record", lambda w: reverse("lab:matching_record"), OFFICE_PAGE),
    Case(
        "lab:matching_record",
        lambda w: reverse("lab:matching_record"),
        # Another ward's office is offered only its own labs' items: the form says so.
        posted(OFFICE_PAGE, **{OFFICER: DONE, LAB_STAFF: DONE}),
        method="POST",
        data=_matching_form,
        effect=_count(Matching),
    ),
    Case("lab:matching_surveys", lambda w: reverse("lab:matching_surveys"), OFFICE_PAGE),
    Case(
        "lab:matching_propose",
        lambda w: reverse("lab:matching_propose", args=[_survey(w).pk]),
        PROPOSE_PAGE,
    ),
    Case(
        "lab:matching_propose",
        lambda w: reverse("lab:matching_propose", args=[_survey(w).pk]),
        posted(PROPOSE_PAGE, **{LAB_STAFF: DONE}),
        method="POST",
        data=lambda w: {
            "partner": w.other_company.pk,
            "agreement": MatchingAgreement.ORDER,
            "agreed_on": timezone.localdate().isoformat(),
        },
        effect=_count(Matching),
    ),
    Case("lab:matching_detail", _matching_url("matching_detail"), MATCHING_READ),
    Case(
        "lab:matching_confirm",
        _matching_url("matching_confirm", status=MatchingStatus.PROPOSED),
        PARTY_BUTTON,
        method="POST",
        effect=_matching_state,
    ),
    Case(
        "lab:matching_decline",
        _matching_url("matching_decline", status=MatchingStatus.PROPOSED),
        PARTY_BUTTON,
        method="POST",
        effect=_matching_state,
    ),
    Case(
        "lab:matching_follow_up",
        _matching_url("matching_follow_up", agreed_days_ago=100),
        PARTY_BUTTON,
        method="POST",
        data=lambda w: {"answer": "yes", "note": "継続受注"},
        effect=_matching_state,
    ),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.clock_sensitive
@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
