"""The lab API's permission matrix: every operation, for every actor. The API answers
the same as the pages (the same selectors, services and access layer): a row one does not
see is a 404, one seen but not changeable a 403, a service's refusal a 409 (the state) or
422 (a field) with its code; anonymous callers get a 401, except from the public
catalogue's reads (as its pages).
Another company, an officer of another ward and the metro viewer (aggregates only, and not
the lab's) get nothing of the company's or the lab's rows. The rows come from the pages'
own matrices' builders."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.factories import jpeg_bytes
from machikoba.core.testing.factories_lab import make_lab, open_day, slot
from machikoba.core.testing.factories_lab_visits import make_visitor
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    BANK,
    FLOOR_WORKER,
    LAB_STAFF,
    MEMBER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    STAFF,
    VENDOR,
    Case,
    assert_case,
    expect,
)
from machikoba.lab.api import (
    bookings as api_bookings,
)
from machikoba.lab.api import (
    catalogue as api_catalogue,
)
from machikoba.lab.api import (
    ecosystem as api_ecosystem,
)
from machikoba.lab.api import (
    events as api_events,
)
from machikoba.lab.api import (
    matchings as api_matchings,
)
from machikoba.lab.api import (
    office as api_office,
)
from machikoba.lab.api import (
    stats as api_stats,
)
from machikoba.lab.api import (
    vendors as api_vendors,
)
from machikoba.lab.api import (
    visits as api_visits,
)
from machikoba.lab.choices import EventStatus, MatchingStatus, TrialStatus
from machikoba.lab.services import entry_codes
from machikoba.lab.tests import test_permissions_bookings as bookings
from machikoba.lab.tests import test_permissions_catalogue as catalogue
from machikoba.lab.tests import test_permissions_ecosystem as ecosystem
from machikoba.lab.tests import test_permissions_events as events
from machikoba.lab.tests import test_permissions_stats as stats
from machikoba.lab.tests import test_permissions_vendors as vendors

pytestmark = pytest.mark.clock_sensitive

TOPICS = (
    api_catalogue,
    api_office,
    api_bookings,
    api_visits,
    api_events,
    api_vendors,
    api_ecosystem,
    api_matchings,
    api_stats,
)

JSON = "application/json"
A = {ANONYMOUS: 401}
SIGNED_IN = expect(200, **{**A})
PUBLIC = expect(200)  # anyone, with or without a session or token
# The lab's staff of 大田区; everyone else signed in sees the (public) lab: 403.
LAB_STAFF_ONLY = expect(403, **{**A, **{LAB_STAFF: 200}})
# The lab's desks (bookings, entry log): not found for anyone but its staff.
LAB_DESK = expect(404, **{**A, **{LAB_STAFF: 200}})
COMPANY_PEOPLE = {MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200, OTHER_COMPANY: 200}
BOOKERS = expect(403, **{**A, **COMPANY_PEOPLE})
OFFICE = {OFFICER: 200, LAB_STAFF: 200}


def api(name, build=None, *more):
    """The address of ``api:<name>``, its arguments built from the world."""
    if build is None:
        return lambda w: reverse(f"api:{name}")
    return lambda w: reverse(f"api:{name}", args=[build(w).pk, *more])


def after(page_url, name, row):
    """The API address of the row a page matrix's URL builder made (it sets it on the
    world)."""

    def url(w):
        page_url(w)
        return reverse(f"api:{name}", args=[row(w).pk])

    return url


def _participant(w):
    from machikoba.lab.models_ecosystem import ProjectParticipant

    return ProjectParticipant.objects.filter(partner__isnull=False).latest("pk")


def post(name, url, outcome, data=None, method="POST", note=""):
    return Case(
        f"api:{name}",
        url,
        outcome,
        method=method,
        data=data or (lambda w: {}),
        content_type=JSON,
        note=note,
    )


def _times(w, hour=10):
    start, end = slot(w.day, hour)
    return {"starts_at": start.isoformat(), "ends_at": end.isoformat(), "purpose": "試し"}


def _item_for_booking(w):
    return bookings._lab_item(w)


def _draft(w):
    return events._event(w, status=EventStatus.DRAFT)


def _visits_lab(w):
    w.lab = make_lab()
    return w.lab


def _event_payload(w):
    starts = timezone.localtime() + dt.timedelta(days=10)
    return {
        "lab_id": catalogue._lab(w).pk,
        "kind": "exchange",
        "title": "大田区 ものづくり交流会",
        "starts_at": starts.replace(hour=18, minute=0).isoformat(),
        "ends_at": starts.replace(hour=20, minute=0).isoformat(),
        "capacity": 30,
    }


MATRIX = [
    # --- the catalogue -------------------------------------------------------------------
    # The catalogue's reads are public like its pages (test_permissions_api_public).
    Case("api:lab_labs", api("lab_labs"), PUBLIC),
    Case("api:lab_lab", api("lab_lab", catalogue._lab), PUBLIC),
    Case("api:lab_items", api("lab_items", catalogue._lab), PUBLIC),
    Case("api:lab_item", api("lab_item", catalogue._exhibit), PUBLIC),
    Case(
        "api:lab_item",
        lambda w: reverse("api:lab_item", args=[catalogue._exhibit(w, active=False).pk]),
        # A withdrawn exhibit: its lab's office and its vendor only.
        expect(404, **{**OFFICE, VENDOR: 200}),
        note="withdrawn",
    ),
    Case("api:lab_item_photo", api("lab_item_photo", catalogue._photo), PUBLIC),
    post(
        "lab_item_update",
        api("lab_item_update", catalogue._exhibit),
        expect(403, **{**A, LAB_STAFF: 200, VENDOR: 200}),
        data=lambda w: {"summary": "現場で使える見える化"},
        method="PATCH",
    ),
    post(
        "lab_item_update",
        api("lab_item_update", catalogue._exhibit),
        # The vendor keeps the texts only: a capacity change is refused (403).
        expect(403, **{**A, LAB_STAFF: 200}),
        data=lambda w: {"capacity": 3},
        method="PATCH",
        note="capacity",
    ),
    post(
        "lab_item_photo_delete",
        api("lab_item_photo_delete", catalogue._photo),
        expect(403, **{**A, LAB_STAFF: 204, VENDOR: 204}),
        method="DELETE",
    ),
    Case("api:lab_vendor_exhibits", api("lab_vendor_exhibits"), expect(403, **{**A, VENDOR: 200})),
    Case("api:lab_my_trainings", api("lab_my_trainings"), SIGNED_IN),
    # --- the staff's settings ----------------------------------------------------------------
    Case("api:lab_settings", api("lab_settings", catalogue._lab), LAB_STAFF_ONLY),
    post(
        "lab_rules_update",
        api("lab_rules_update", catalogue._lab),
        LAB_STAFF_ONLY,
        data=catalogue._rules_data,
        method="PUT",
    ),
    post(
        "lab_hours_set",
        api("lab_hours_set", catalogue._lab),
        LAB_STAFF_ONLY,
        data=lambda w: {"days": [{"weekday": 0, "opens": "09:00", "closes": "17:00"}]},
        method="PUT",
    ),
    Case("api:lab_closures", api("lab_closures", catalogue._lab), LAB_STAFF_ONLY),
    post(
        "lab_closure_add",
        api("lab_closure_add", catalogue._lab),
        expect(403, **{**A, LAB_STAFF: 201}),
        data=lambda w: {
            "starts_on": str(timezone.localdate() + dt.timedelta(days=30)),
            "ends_on": str(timezone.localdate() + dt.timedelta(days=31)),
            "reason": "設備点検",
        },
    ),
    post(
        "lab_closure_delete",
        api("lab_closure_delete", catalogue._closure),
        expect(403, **{**A, LAB_STAFF: 204}),
        method="DELETE",
    ),
    post(
        "lab_item_create",
        api("lab_item_create", catalogue._lab),
        expect(403, **{**A, LAB_STAFF: 201}),
        data=lambda w: {"kind": "cobot", "name": "協働ロボット", "summary": "ピッキングの試し"},
    ),
    post(
        "lab_item_deactivate",
        api("lab_item_deactivate", catalogue._exhibit),
        LAB_STAFF_ONLY,
    ),
    post(
        "lab_item_activate",
        lambda w: reverse("api:lab_item_activate", args=[catalogue._exhibit(w, active=False).pk]),
        # Withdrawn: its vendor and the ward's office see it, the staff restore it.
        expect(404, **{**A, LAB_STAFF: 200, OFFICER: 403, VENDOR: 403}),
    ),
    Case("api:lab_vendors", api("lab_vendors", catalogue._lab), LAB_STAFF_ONLY),
    post(
        "lab_vendor_register",
        api("lab_vendor_register", catalogue._lab),
        expect(403, **{**A, LAB_STAFF: 201}),
        data=lambda w: {"name": "新規ソフト株式会社", "email": "new@vendor.example.jp"},
    ),
    post(
        "lab_vendor_invite",
        lambda w: reverse(
            "api:lab_vendor_invite", args=[catalogue._lab(w).pk, catalogue._bare_vendor(w).pk]
        ),
        LAB_STAFF_ONLY,
        data=lambda w: {"email": "first@vendor.example.jp"},
    ),
    Case("api:lab_trainings", api("lab_trainings", catalogue._lab), LAB_STAFF_ONLY),
    post(
        "lab_training_create",
        api("lab_training_create", catalogue._lab),
        expect(403, **{**A, LAB_STAFF: 201}),
        data=lambda w: {"name": "協働ロボット安全講習", "validity_days": 365},
    ),
    post(
        "lab_training_update",
        api("lab_training_update", catalogue._training),
        LAB_STAFF_ONLY,
        data=lambda w: {"name": "協働ロボット安全講習 (改)"},
        method="PUT",
    ),
    Case(
        "api:lab_training_records",
        api("lab_training_records", catalogue._training),
        LAB_STAFF_ONLY,
    ),
    post(
        "lab_training_record_add",
        api("lab_training_record_add", catalogue._training),
        expect(403, **{**A, LAB_STAFF: 201}),
        data=lambda w: {"email": w.users[STAFF].email},
    ),
    post(
        "lab_training_record_revoke",
        api("lab_training_record_revoke", catalogue._record),
        expect(404, **{**A, LAB_STAFF: 200, MEMBER: 403, STAFF: 403}),
        data=lambda w: {"reason": "講習の内容が変わったため"},
    ),
    # --- bookings ---------------------------------------------------------------------------
    Case("api:lab_item_availability", api("lab_item_availability", _item_for_booking), BOOKERS),
    post(
        "lab_booking_create",
        api("lab_booking_create", _item_for_booking),
        expect(403, **{**A, **dict.fromkeys(COMPANY_PEOPLE, 201)}),
        data=_times,
    ),
    Case("api:lab_my_bookings", api("lab_my_bookings"), SIGNED_IN),
    Case("api:lab_booking", api("lab_booking", bookings._booking), bookings.READERS | A),
    post(
        "lab_booking_change",
        api("lab_booking_change", bookings._booking),
        bookings.CHANGERS | A,
        data=lambda w: _times(w, 14),
        method="PATCH",
    ),
    post(
        "lab_booking_cancel",
        api("lab_booking_cancel", bookings._booking),
        bookings.CHANGERS | A,
    ),
    post(
        "lab_booking_no_show",
        api("lab_booking_no_show", lambda w: bookings._booking(w, started=True)),
        expect(404, **{**A, MEMBER: 403, STAFF: 403, FLOOR_WORKER: 403, LAB_STAFF: 200}),
    ),
    post(
        "lab_booking_complete",
        api("lab_booking_complete", lambda w: bookings._booking(w, started=True)),
        expect(404, **{**A, MEMBER: 403, STAFF: 403, FLOOR_WORKER: 403, LAB_STAFF: 200}),
    ),
    post(
        "lab_waitlist_accept",
        after(bookings._entry_url("waitlist_accept"), "lab_waitlist_accept", lambda w: w.entry),
        expect(404, **{**A, MEMBER: 200, STAFF: 403, LAB_STAFF: 403}),
    ),
    post(
        "lab_waitlist_cancel",
        after(bookings._entry_url("waitlist_cancel"), "lab_waitlist_cancel", lambda w: w.entry),
        expect(404, **{**A, MEMBER: 200, STAFF: 403, LAB_STAFF: 200}),
    ),
    Case(
        "api:lab_staff_bookings",
        lambda w: reverse("api:lab_staff_bookings", args=[make_lab().pk]),
        LAB_DESK,
    ),
    # --- the entry log ---------------------------------------------------------------------
    Case("api:lab_my_code", api("lab_my_code"), SIGNED_IN),
    Case("api:lab_my_visits", api("lab_my_visits"), SIGNED_IN),
    post(
        "lab_enter",
        api("lab_enter", _visits_lab),
        SIGNED_IN,
        data=lambda w: {"code": entry_codes.lab_code(w.lab), "direction": "entered"},
    ),
    Case("api:lab_kiosk", api("lab_kiosk", _visits_lab), LAB_STAFF_ONLY),
    post(
        "lab_kiosk_scan",
        api("lab_kiosk_scan", _visits_lab),
        LAB_STAFF_ONLY,
        data=lambda w: {"code": "not-a-code", "direction": "entered"},
    ),
    Case("api:lab_desk", api("lab_desk", _visits_lab), LAB_STAFF_ONLY),
    post(
        "lab_desk_visitor_register",
        api("lab_desk_visitor_register", _visits_lab),
        expect(403, **{**A, LAB_STAFF: 201}),
        data=lambda w: {"name": "見学 太郎", "organisation": "都立大学"},
    ),
    post(
        "lab_desk_visitor_entry",
        lambda w: reverse(
            "api:lab_desk_visitor_entry",
            args=[_visits_lab(w).pk, make_visitor(w.lab).pk],
        ),
        LAB_STAFF_ONLY,
        data=lambda w: {"direction": "entered"},
    ),
    post(
        "lab_desk_user_entry",
        api("lab_desk_user_entry", _visits_lab),
        LAB_STAFF_ONLY,
        data=lambda w: {"email": w.users[MEMBER].email, "direction": "entered"},
    ),
    Case("api:lab_visits_day", api("lab_visits_day", _visits_lab), LAB_STAFF_ONLY),
    # --- events ------------------------------------------------------------------------------
    Case("api:lab_events", api("lab_events"), SIGNED_IN),
    Case("api:lab_my_events", api("lab_my_events"), SIGNED_IN),
    Case("api:lab_event", api("lab_event", events._event), SIGNED_IN),
    Case("api:lab_event", api("lab_event", _draft), LAB_DESK, note="draft"),
    post(
        "lab_event_register",
        api("lab_event_register", events._event),
        expect(201, **{**A}),
    ),
    post(
        "lab_event_registration_cancel",
        api(
            "lab_event_registration_cancel",
            lambda w: events._members_registration(w, starts_in=dt.timedelta(days=3)),
        ),
        expect(404, **{**A, MEMBER: 200, STAFF: 403, LAB_STAFF: 200}),
    ),
    post(
        "lab_event_survey",
        after(events._survey_url, "lab_event_survey", lambda w: w.registration.event),
        expect(404, **{**A, MEMBER: 201}),
        data=lambda w: {"rating": 5, "useful": True},
    ),
    Case(
        "api:lab_staff_events",
        lambda w: catalogue._lab(w) and reverse("api:lab_staff_events"),
        LAB_STAFF_ONLY,
    ),
    post(
        "lab_event_create",
        api("lab_event_create"),
        expect(403, **{**A, LAB_STAFF: 201}),
        data=_event_payload,
    ),
    post(
        "lab_event_update",
        api("lab_event_update", events._event),
        LAB_STAFF_ONLY,
        data=lambda w: {**_event_payload(w), "lab_id": None},
        method="PUT",
    ),
    Case("api:lab_event_staff", api("lab_event_staff", events._event), LAB_STAFF_ONLY),
    post("lab_event_publish", api("lab_event_publish", _draft), LAB_DESK),
    post(
        "lab_event_cancel",
        api("lab_event_cancel", events._event),
        LAB_STAFF_ONLY,
        data=lambda w: {"reason": "講師の都合"},
    ),
    post(
        "lab_event_register_visitor",
        after(events._visitor_url, "lab_event_register_visitor", lambda w: w.event),
        expect(403, **{**A, LAB_STAFF: 201}),
        data=lambda w: {"visitor_id": w.visitor.pk},
    ),
    Case("api:lab_event_attendance", api("lab_event_attendance", events._event), LAB_STAFF_ONLY),
    post(
        "lab_event_registration_attend",
        api("lab_event_registration_attend", events._members_registration),
        expect(404, **{**A, LAB_STAFF: 200, MEMBER: 403, STAFF: 403}),
    ),
    post(
        "lab_event_training_records",
        after(events._training_url, "lab_event_training_records", lambda w: w.event),
        LAB_STAFF_ONLY,
    ),
    # --- vendors ------------------------------------------------------------------------------
    Case("api:lab_vendor_portal", api("lab_vendor_portal"), expect(403, **{**A, VENDOR: 200})),
    post(
        "lab_vendor_demo_create",
        api("lab_vendor_demo_create"),
        expect(403, **{**A, VENDOR: 201}),
        data=lambda w: {
            "item_id": vendors._kit(w).pk,
            "starts_at": slot(open_day(vendors._lab(w), 2), 14)[0].isoformat(),
            "ends_at": slot(open_day(vendors._lab(w), 2), 15)[0].isoformat(),
            "seats": 3,
        },
    ),
    Case(
        "api:lab_vendor_demo",
        api("lab_vendor_demo", vendors._demo),
        expect(404, **{**A, VENDOR: 200}),
    ),
    post(
        "lab_vendor_demo_cancel",
        api("lab_vendor_demo_cancel", vendors._demo),
        expect(404, **{**A, VENDOR: 200}),
        data=lambda w: {"reason": "機材の故障"},
    ),
    Case("api:lab_demos", api("lab_demos"), SIGNED_IN),
    post(
        "lab_demo_book",
        api("lab_demo_book", vendors._demo),
        expect(403, **{**A, **dict.fromkeys(COMPANY_PEOPLE, 201), BANK: 201, VENDOR: 409}),
    ),
    post(
        "lab_demo_seat_cancel",
        api("lab_demo_seat_cancel", vendors._seat),
        expect(
            404, **{**A, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403, VENDOR: 403, LAB_STAFF: 200}
        ),
    ),
    Case("api:lab_consultations", api("lab_consultations"), vendors.EDITORS | A),
    post(
        "lab_consultation_create",
        api("lab_consultation_create", vendors._kit),
        expect(403, **{**A, MEMBER: 201, STAFF: 201, OTHER_COMPANY: 201, BANK: 201, VENDOR: 409}),
        data=lambda w: {"subject": "見える化", "message": "5台あります"},
    ),
    Case(
        "api:lab_consultation",
        api("lab_consultation", vendors._consultation),
        vendors.CONSULTATION | A,
    ),
    post(
        "lab_consultation_answer",
        api("lab_consultation_answer", vendors._consultation),
        expect(404, **{**A, MEMBER: 403, STAFF: 403, VENDOR: 200}),
        data=lambda w: {"answer": "ラボで実機をご覧ください"},
    ),
    post(
        "lab_consultation_close",
        api("lab_consultation_close", vendors._consultation),
        expect(404, **{**A, MEMBER: 200, STAFF: 200, VENDOR: 403}),
    ),
    Case("api:lab_trials", api("lab_trials"), vendors.EDITORS | A),
    post(
        "lab_trial_create",
        api("lab_trial_create", vendors._software),
        expect(403, **{**A, MEMBER: 201, STAFF: 201, OTHER_COMPANY: 201, BANK: 201, VENDOR: 409}),
        data=lambda w: {"message": "見積の流れを試したい"},
    ),
    Case("api:lab_trial", api("lab_trial", vendors._trial), vendors.TRIAL | A),
    post(
        "lab_trial_approve",
        api("lab_trial_approve", vendors._trial),
        vendors.VENDOR_DECIDES | A,
        data=vendors._trial_period,
    ),
    post(
        "lab_trial_decline",
        api("lab_trial_decline", vendors._trial),
        vendors.VENDOR_DECIDES | A,
        data=lambda w: {"reason": "対象外の業種です"},
    ),
    post(
        "lab_trial_withdraw",
        api("lab_trial_withdraw", vendors._trial),
        expect(404, **{**A, MEMBER: 200, STAFF: 200, VENDOR: 403, LAB_STAFF: 403}),
    ),
    # --- the consortium ---------------------------------------------------------------------
    Case("api:lab_partners", api("lab_partners"), ecosystem.OFFICE_PAGE | A),
    post(
        "lab_partner_create",
        api("lab_partner_create"),
        expect(403, **{**A, OFFICER: 201, LAB_STAFF: 201, OTHER_WARD_OFFICER: 201}),
        data=lambda w: {"kind": "university", "name": "東京都立ものづくり大学"},
    ),
    post(
        "lab_partner_update",
        api("lab_partner_update", ecosystem._bank_partner),
        ecosystem.PARTNER_ROW | A,
        data=lambda w: {"kind": "bank", "name": "城南信用金庫", "company_id": w.bank.pk},
        method="PUT",
    ),
    post(
        "lab_partner_deactivate",
        api("lab_partner_deactivate", ecosystem._university),
        ecosystem.PLAIN_PARTNER_ROW | A,
    ),
    Case("api:lab_projects", api("lab_projects"), ecosystem.PROJECTS_PAGE | A),
    post(
        "lab_project_create",
        api("lab_project_create"),
        expect(403, **{**A, OFFICER: 201, LAB_STAFF: 201, OTHER_WARD_OFFICER: 201}),
        data=lambda w: {
            "kind": "pbl",
            "title": "IoT PBL",
            "starts_on": str(timezone.localdate()),
            "ends_on": str(timezone.localdate() + dt.timedelta(days=90)),
        },
    ),
    Case("api:lab_project", api("lab_project", ecosystem._project), ecosystem.PROJECT_READ | A),
    post(
        "lab_project_update",
        api("lab_project_update", ecosystem._project),
        ecosystem.PROJECT_CHANGE | A,
        data=lambda w: {
            "kind": "other",
            "title": "matrix PBL",
            "starts_on": str(timezone.localdate()),
            "ends_on": str(timezone.localdate() + dt.timedelta(days=90)),
        },
        method="PUT",
    ),
    post(
        "lab_project_participant_add",
        api("lab_project_participant_add", ecosystem._project),
        {**ecosystem.PROJECT_CHANGE, **A, OFFICER: 201, LAB_STAFF: 201},
        data=lambda w: {"partner_id": ecosystem._university(w).pk, "role": "指導"},
    ),
    Case(
        "api:lab_project_document",
        api("lab_project_document", ecosystem._document),
        ecosystem.PROJECT_READ | A,
    ),
    post(
        "lab_project_document_remove",
        api("lab_project_document_remove", ecosystem._document),
        {**ecosystem.PROJECT_CHANGE, **A, OFFICER: 204, LAB_STAFF: 204},
        method="DELETE",
    ),
    Case("api:lab_referrals", api("lab_referrals"), ecosystem.REFERRALS_PAGE | A),
    post(
        "lab_referral_create",
        api("lab_referral_create"),
        expect(403, **{**A, OFFICER: 201, OTHER_WARD_OFFICER: 404}),
        data=lambda w: {
            "company_id": w.company.pk,
            "bank_id": ecosystem._bank_partner(w).pk,
            "amount_requested": 5_000_000,
            "purpose": "IoT機器の導入",
        },
    ),
    Case("api:lab_referral", api("lab_referral", ecosystem._referral), ecosystem.REFERRAL_READ | A),
    post(
        "lab_referral_outcome",
        api("lab_referral_outcome", ecosystem._referral),
        {**ecosystem.REFERRAL_VISIBLE, **A, BANK: 200},
        data=lambda w: {"status": "under_review"},
    ),
    post(
        "lab_referral_withdraw",
        api("lab_referral_withdraw", ecosystem._referral),
        {**ecosystem.REFERRAL_VISIBLE, **A, OFFICER: 200, BANK: 403},
    ),
    # --- matchings ----------------------------------------------------------------------
    Case("api:lab_matchings", api("lab_matchings"), ecosystem.MATCHINGS_PAGE | A),
    Case("api:lab_matching", api("lab_matching", ecosystem._matching), ecosystem.MATCHING_READ | A),
    post(
        "lab_matching_confirm",
        api(
            "lab_matching_confirm",
            lambda w: ecosystem._matching(w, status=MatchingStatus.PROPOSED),
        ),
        {**ecosystem.MATCHING_READ, **A, OFFICER: 403, LAB_STAFF: 403},
    ),
    Case(
        "api:lab_matching_surveys",
        api("lab_matching_surveys"),
        expect(403, **{**A, **OFFICE, OTHER_WARD_OFFICER: 200}),
    ),
    # --- statistics and the menu's doors ---------------------------------------------------------
    Case("api:lab_stats_read", api("lab_stats_read", stats._lab), expect(404, **{**A, **OFFICE})),
    Case(
        "api:lab_stats_export",
        lambda w: reverse("api:lab_stats_export", args=[stats._lab(w).pk]) + "?format=xlsx",
        expect(404, **{**A, **OFFICE}),
    ),
    Case("api:lab_me", api("lab_me"), SIGNED_IN),
    Case(
        "api:lab_office_read",
        api("lab_office_read"),
        expect(403, **{**A, **OFFICE, OTHER_WARD_OFFICER: 200}),
    ),
    # --- the rest: uploads, and rows that must reach a state first --------------------------
    Case(
        "api:lab_item_photo_add",
        api("lab_item_photo_add", catalogue._exhibit),
        expect(403, **{**A, LAB_STAFF: 201, VENDOR: 201}),
        method="POST",
        data=lambda w: {
            "image": SimpleUploadedFile("外観.jpg", jpeg_bytes(), content_type="image/jpeg"),
            "title": "正面",
        },
    ),
    Case(
        "api:lab_project_document_add",
        api("lab_project_document_add", ecosystem._project),
        {**ecosystem.PROJECT_CHANGE, **A, OFFICER: 201, LAB_STAFF: 201},
        method="POST",
        data=ecosystem._document_form,
    ),
    post(
        "lab_project_status",
        api("lab_project_status", ecosystem._project),
        {**ecosystem.PROJECT_CHANGE, **A, OFFICER: 200, LAB_STAFF: 200},
        data=lambda w: {"to": "running"},
    ),
    post(
        "lab_project_participant_remove",
        after(ecosystem._participant_url, "lab_project_participant_remove", _participant),
        {**ecosystem.PROJECT_CHANGE, **A, OFFICER: 204, LAB_STAFF: 204},
        method="DELETE",
    ),
    post(
        "lab_partner_reactivate",
        api("lab_partner_reactivate", lambda w: ecosystem._university(w, active=False)),
        ecosystem.PLAIN_PARTNER_ROW | A,
    ),
    post(
        "lab_waitlist_join",
        lambda w: reverse(
            "api:lab_waitlist_join",
            args=[int(bookings._full_item_url(w).rstrip("/").split("/")[-2])],
        ),
        expect(403, **{**A, **dict.fromkeys(COMPANY_PEOPLE, 201)}),
        data=_times,
    ),
    post(
        "lab_trial_end",
        api("lab_trial_end", lambda w: vendors._trial(w, TrialStatus.ACTIVE)),
        expect(404, **{**A, MEMBER: 403, STAFF: 403, VENDOR: 200, LAB_STAFF: 403}),
    ),
    post(
        "lab_matching_record",
        api("lab_matching_record"),
        expect(403, **{**A, OFFICER: 201, LAB_STAFF: 201, OTHER_WARD_OFFICER: 404}),
        data=lambda w: {
            "source": "lab_visit",
            "item_id": ecosystem._item(w).pk,
            "party_a_id": w.company.pk,
            "party_b_id": w.vendor.pk,
            "agreement": "trial",
            "agreed_on": str(timezone.localdate()),
            "evidence": "試用申込書",
        },
    ),
    post(
        "lab_matching_propose",
        api("lab_matching_propose", ecosystem._survey),
        expect(403, **{**A, LAB_STAFF: 201, OFFICER: 404, OTHER_WARD_OFFICER: 404}),
        data=lambda w: {
            "partner_id": w.other_company.pk,
            "agreement": "order",
            "agreed_on": str(timezone.localdate()),
        },
    ),
    post(
        "lab_matching_decline",
        api(
            "lab_matching_decline",
            lambda w: ecosystem._matching(w, status=MatchingStatus.PROPOSED),
        ),
        {**ecosystem.MATCHING_READ, **A, OFFICER: 403, LAB_STAFF: 403},
    ),
    post(
        "lab_matching_follow_up",
        api("lab_matching_follow_up", lambda w: ecosystem._matching(w, agreed_days_ago=100)),
        {**ecosystem.MATCHING_READ, **A, OFFICER: 403, LAB_STAFF: 403},
        data=lambda w: {"answer": "yes", "note": "継続受注"},
    ),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)


def lab_operations() -> set[str]:
    """The names of the lab API's operations (their handlers' names)."""
    return {
        operation.view_func.__name__
        for topic in TOPICS
        for path_view in topic.router.path_operations.values()
        for operation in path_view.operations
    }


def test_every_operation_is_in_the_matrix():
    """Every operation of the lab API has a case here."""
    in_matrix = {case.route.removeprefix("api:") for case in MATRIX}
    missing = lab_operations() - in_matrix
    assert not missing, sorted(missing)
