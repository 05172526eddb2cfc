"""The board API's permission matrix. ``world.company`` (MEMBER, STAFF, FLOOR_WORKER) and
``world.other_company`` (OTHER_COMPANY) are network shops; a buyer outside the world posts
the requests unless a case says the world's company posted. Officers of any ward, the metro
viewer, advisors, instructors, reviewers, lab staff, admins, the vendor and the bank get
nothing of a request, a hand, a team or its amounts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.board import services
from machikoba.board.tests.factories import admit, make_buyer, make_request
from machikoba.board.tests.test_permissions import (
    _admission,
    _admitted_other,
    _buyer_request,
    _invited,
    _own_request,
    _posted_job_process,
    _team,
)
from machikoba.core.testing.matrix import (
    ADMIN,
    ADVISOR,
    ANONYMOUS,
    FLOOR_WORKER,
    INSTRUCTOR,
    LAB_STAFF,
    MEMBER,
    METRO_VIEWER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    REVIEWER,
    STAFF,
    Case,
    assert_case,
    expect,
)
from machikoba.network.tests.factories import make_job

JSON = "application/json"

NO_COMPANY = dict.fromkeys(
    (OFFICER, OTHER_WARD_OFFICER, METRO_VIEWER, ADVISOR, INSTRUCTOR, REVIEWER, LAB_STAFF, ADMIN),
    403,
)
COMPANY_LISTS = expect(200, **{ANONYMOUS: 401, **NO_COMPANY})
# A buyer's request on the open board: every shop's people see its summary.
SHOPS_SEE = expect(
    404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200, OTHER_COMPANY: 200}
)
# The world's own request: its owners and staff act; its floor workers and the other shop
# (who sees it on the board) are refused; nobody else sees it.
POSTER = expect(
    404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403, OTHER_COMPANY: 403}
)
TEAM_READS = expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200})
TEAM_WRITES = expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403})
# The other shop's row in the world's team: it answers for itself.
MEMBER_ROW = expect(
    404, **{ANONYMOUS: 401, MEMBER: 403, STAFF: 403, FLOOR_WORKER: 403, OTHER_COMPANY: 200}
)


def _url(name, make, *rest):
    return lambda w: reverse(f"api:{name}", args=[make(w).pk, *rest])


def _new_request(w):
    today = timezone.localdate()
    return {
        "part_name": "油圧シリンダ用シャフト",
        "quantity": 40,
        "due_date": str(today + dt.timedelta(days=45)),
        "answer_by": str(today + dt.timedelta(days=7)),
        "route": [{"process": "heat_treatment.quench_temper", "spec": "HRC 50"}],
    }


def _first_process(w):
    return _buyer_request(w).processes.order_by("position").first()


def _both_hands(w):
    """A process on which both shops raised a hand."""
    process = _first_process(w)
    for company, user in ((w.company, w.users[MEMBER]), (w.other_company, w.users[OTHER_COMPANY])):
        services.hand_raise(actor=user, company=company, process=process, comment="対応できます")
    return process


MATRIX = [
    Case("api:board_requests", lambda w: reverse("api:board_requests"), COMPANY_LISTS),
    Case("api:board_requests_own", lambda w: reverse("api:board_requests_own"), COMPANY_LISTS),
    Case("api:board_teams", lambda w: reverse("api:board_teams"), COMPANY_LISTS),
    Case(
        "api:board_request_create",
        lambda w: reverse("api:board_request_create"),
        expect(201, **{ANONYMOUS: 401, FLOOR_WORKER: 403, **NO_COMPANY}),
        method="POST",
        data=_new_request,
        content_type=JSON,
    ),
    Case(
        "api:board_job_post",
        lambda w: reverse("api:board_job_post", args=[make_job(w.users[MEMBER], w.company).pk]),
        expect(404, **{ANONYMOUS: 401, MEMBER: 201, STAFF: 201, FLOOR_WORKER: 403}),
        method="POST",
        data=lambda w: {
            "step_ids": [
                w.company.jobs.latest("pk").steps.filter(in_house=False).order_by("position")[0].pk
            ],
            "answer_by": str(timezone.localdate()),
        },
        content_type=JSON,
    ),
    Case("api:board_request", _url("board_request", _buyer_request), SHOPS_SEE),
    Case(
        "api:board_request",
        lambda w: reverse(
            "api:board_request",
            args=[make_request(make_buyer(), audience="chosen", invited=[w.other_company]).pk],
        ),
        expect(404, **{ANONYMOUS: 401, OTHER_COMPANY: 200}),
        note="sent to chosen shops only",
    ),
    Case(
        "api:board_admission_request",
        _url("board_admission_request", _buyer_request),
        expect(
            404,
            **{ANONYMOUS: 401, MEMBER: 201, STAFF: 201, FLOOR_WORKER: 403, OTHER_COMPANY: 201},
        ),
        method="POST",
        data=lambda w: {"agree": True},
        content_type=JSON,
    ),
    Case(
        "api:board_admission_decide",
        _url("board_admission_decide", _admission),
        POSTER,
        method="POST",
        data=lambda w: {"decision": "refuse"},
        content_type=JSON,
    ),
    Case(
        "api:board_hand_raise",
        _url("board_hand_raise", _first_process),
        expect(
            404,
            **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403, OTHER_COMPANY: 200},
        ),
        method="PUT",
        data=lambda w: {"price": 50000, "lead_time_days": 10, "comment": "焼入れ対応"},
        content_type=JSON,
    ),
    Case(
        "api:board_hand_withdraw",
        _url("board_hand_withdraw", _both_hands),
        expect(
            404,
            **{ANONYMOUS: 401, MEMBER: 204, STAFF: 204, FLOOR_WORKER: 403, OTHER_COMPANY: 204},
        ),
        method="DELETE",
    ),
    Case(
        "api:board_hand_rfq",
        _url("board_hand_rfq", _posted_job_process),
        # No hand on the process: the poster's editors get the refusal (422, with fields).
        expect(
            404,
            **{ANONYMOUS: 401, MEMBER: 422, STAFF: 422, FLOOR_WORKER: 403, OTHER_COMPANY: 403},
        ),
        method="POST",
        data=lambda w: {"hand_ids": [1]},
        content_type=JSON,
    ),
    Case(
        "api:board_request_cancel",
        _url("board_request_cancel", _own_request),
        POSTER,
        method="POST",
        data=lambda w: {"reason": "社内で加工することにした"},
        content_type=JSON,
    ),
    Case(
        "api:board_request_award",
        _url("board_request_award", _own_request),
        # Nothing quoted yet: the poster's editors get the refusal (422, with fields).
        expect(
            404,
            **{ANONYMOUS: 401, MEMBER: 422, STAFF: 422, FLOOR_WORKER: 403, OTHER_COMPANY: 403},
        ),
        method="POST",
        data=lambda w: {
            "team_id": 1,
            "delivery_place": "本社工場",
            "inspection_date": str(timezone.localdate() + dt.timedelta(days=40)),
            "payment_date": str(timezone.localdate() + dt.timedelta(days=60)),
        },
        content_type=JSON,
    ),
    Case(
        "api:board_request_thread",
        lambda w: reverse(
            "api:board_request_thread", args=[_admitted_other(w).pk, w.other_company.pk]
        ),
        expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200}),
        method="POST",
        note="poster to the admitted shop",
    ),
    Case(
        "api:board_request_thread",
        lambda w: reverse("api:board_request_thread", args=[_admitted_other(w).pk, w.company.pk]),
        expect(404, **{ANONYMOUS: 401, OTHER_COMPANY: 200}),
        method="POST",
        note="admitted shop to the poster",
    ),
    Case(
        "api:board_buyer_register",
        lambda w: reverse("api:board_buyer_register"),
        # Anyone signed in may register the company they buy for (limited per day).
        expect(201, **{ANONYMOUS: 401}),
        method="POST",
        data=lambda w: {"name": "大森重工", "prefecture": "東京都", "municipality": "大田区"},
        content_type=JSON,
    ),
    Case(
        "api:board_team_form",
        _url("board_team_form", _buyer_request),
        # Not admitted to the details yet: refused (409) for the shops' editors.
        expect(
            404,
            **{ANONYMOUS: 401, MEMBER: 409, STAFF: 409, FLOOR_WORKER: 403, OTHER_COMPANY: 409},
        ),
        method="POST",
    ),
    Case("api:board_team", _url("board_team", _team), TEAM_READS),
    Case(
        "api:board_team",
        _url("board_team", lambda w: _invited(w).team),
        TEAM_READS | {OTHER_COMPANY: 200},
        note="with the other shop invited",
    ),
    Case(
        "api:board_team_invite",
        _url("board_team_invite", _team),
        expect(404, **{ANONYMOUS: 401, MEMBER: 201, STAFF: 201, FLOOR_WORKER: 403}),
        method="POST",
        data=lambda w: {"company_id": w.other_company.pk},
        content_type=JSON,
    ),
    Case(
        "api:board_team_assign",
        _url("board_team_assign", _team),
        TEAM_WRITES,
        method="PUT",
        data=lambda w: {
            "assignments": [
                {
                    "process_id": w.company.led_teams.latest("pk").request.processes.first().pk,
                    "member_id": None,
                }
            ]
        },
        content_type=JSON,
    ),
    Case(
        "api:board_team_terms",
        _url("board_team_terms", _team),
        TEAM_WRITES,
        method="PUT",
        data=lambda w: {"margin": 1000, "payment_days": 30},
        content_type=JSON,
    ),
    Case(
        "api:board_team_quote",
        _url("board_team_quote", _team),
        # Nothing assigned and quoted yet: the lead's editors get the refusal (409).
        TEAM_WRITES | {MEMBER: 409, STAFF: 409},
        method="POST",
        data=lambda w: {
            "lead_time_days": 30,
            "valid_until": str(timezone.localdate() + dt.timedelta(days=30)),
        },
        content_type=JSON,
    ),
    Case(
        "api:board_team_quote_withdraw",
        _url("board_team_quote_withdraw", _team),
        TEAM_WRITES | {MEMBER: 409, STAFF: 409},
        method="POST",
    ),
    Case(
        "api:board_member_answer",
        _url("board_member_answer", _invited),
        MEMBER_ROW,
        method="POST",
        data=lambda w: {"answer": "join"},
        content_type=JSON,
    ),
    Case(
        "api:board_member_quote",
        _url("board_member_quote", _invited),
        # Not joined yet: refused (409) for the invited shop.
        MEMBER_ROW | {OTHER_COMPANY: 409},
        method="POST",
        data=lambda w: {
            "price": 80000,
            "delivery_date": str(timezone.localdate() + dt.timedelta(days=20)),
        },
        content_type=JSON,
    ),
    Case(
        "api:board_member_remove",
        _url("board_member_remove", _invited),
        expect(
            404,
            **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403, OTHER_COMPANY: 403},
        ),
        method="POST",
        data=lambda w: {"reason": "日程が合わない"},
        content_type=JSON,
    ),
    Case(
        "api:board_team_thread",
        _url("board_team_thread", lambda w: _invited(w).team),
        TEAM_READS | {OTHER_COMPANY: 200},
        method="POST",
    ),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("case", MATRIX, ids=lambda case: case.id)
def test_matrix(case, world):
    assert_case(case, world)


def test_a_shop_not_admitted_gets_neither_the_buyer_nor_the_details(world):
    from machikoba.drawings.tests.factories import make_document

    buyer = make_buyer("秘密の発注企業")
    drawing = make_document(buyer, title="極秘図面 X-1")
    request = make_request(buyer, documents=[drawing], description="詳細の本文")
    client = world.client_for(OTHER_COMPANY)
    url = reverse("api:board_request", args=[request.pk])
    body = client.get(url).json()
    assert body["part_name"] == request.part_name
    assert body["details"] is False
    text = client.get(url).content.decode()
    for secret in ("秘密の発注企業", "極秘図面", "詳細の本文", "OS-7731"):
        assert secret not in text
    admit(request, world.other_company)
    body = client.get(url).json()
    assert body["company_name"] == "秘密の発注企業"
    assert [d["title"] for d in body["documents"]] == ["極秘図面 X-1"]
    assert body["drawing_number"] == "OS-7731"
