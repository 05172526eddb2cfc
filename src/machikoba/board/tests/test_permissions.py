"""Permission matrix for every board route. ``world.company`` (MEMBER, STAFF,
FLOOR_WORKER) and ``world.other_company`` (OTHER_COMPANY) are network shops; a buyer
outside the world posts the requests unless a case says the world's company posted."""

import pytest
from django.urls import reverse

from machikoba.board import services
from machikoba.board.tests.factories import admit, make_buyer, make_request
from machikoba.core.testing.matrix import (
    ADVISOR,
    ANONYMOUS,
    DONE,
    FLOOR_WORKER,
    INSTRUCTOR,
    LAB_STAFF,
    LOGIN,
    MEMBER,
    METRO_VIEWER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    REDIRECT,
    REFUSED,
    REVIEWER,
    STAFF,
    Case,
    assert_case,
    expect,
    posted,
)
from machikoba.network.tests.factories import make_job

COMPANY_PAGES = expect(
    200,
    **{
        ANONYMOUS: LOGIN,
        "officer": 403,
        OTHER_WARD_OFFICER: 403,
        METRO_VIEWER: 403,
        ADVISOR: 403,
        INSTRUCTOR: 403,
        REVIEWER: 403,
        LAB_STAFF: 403,
        "admin": 403,
    },
)
# A request on the open board: every shop's people see its summary, nobody else.
SHOPS_SEE = expect(
    404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200, OTHER_COMPANY: 200}
)
SHOPS_POST = expect(
    404,
    **{
        ANONYMOUS: LOGIN,
        MEMBER: DONE,
        STAFF: DONE,
        FLOOR_WORKER: DONE,
        OTHER_COMPANY: DONE,
    },
)
# The world's own request: its owners and staff manage it; floor workers and the other
# shop (who see it on the board) are refused; the rest do not see it.
POSTER_PAGE = expect(
    404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403, OTHER_COMPANY: 403}
)
POSTER_POSTS = expect(
    404,
    **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, FLOOR_WORKER: 403, OTHER_COMPANY: 403},
)
# A team the world's company leads: its people see it; its owners and staff change it.
TEAM_READS = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200})
TEAM_POSTS = expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, FLOOR_WORKER: 403})
# The other shop's row in that team: it answers for itself; the lead's people see the row.
MEMBER_ANSWERS = expect(
    404,
    **{ANONYMOUS: LOGIN, OTHER_COMPANY: DONE, MEMBER: 403, STAFF: 403, FLOOR_WORKER: 403},
)


def _buyer_request(w):
    return make_request(make_buyer())


def _own_request(w):
    return make_request(w.company)


def _team(w):
    request = _buyer_request(w)
    admit(request, w.company)
    return services.team_form(actor=w.users[MEMBER], company=w.company, request=request)


def _invited(w):
    team = _team(w)
    return services.team_invite(actor=w.users[MEMBER], team=team, company=w.other_company)


def _admission(w):
    request = _own_request(w)
    return services.admission_request(
        actor=w.users[OTHER_COMPANY], company=w.other_company, request=request, nda_accepted=True
    )


def _admitted_other(w):
    request = _own_request(w)
    admit(request, w.other_company)
    return request


def _posted_job_process(w):
    job = make_job(w.users[MEMBER], w.company)
    steps = list(job.steps.filter(in_house=False))
    from django.utils import timezone

    request = services.request_post_job(
        actor=w.users[MEMBER], job=job, steps=steps[:1], answer_by=timezone.localdate()
    )
    return request.processes.get()


def _url(name, make):
    return lambda w: reverse(f"board:{name}", args=[make(w).pk])


MATRIX = [
    Case("board:board", lambda w: reverse("board:board"), COMPANY_PAGES),
    Case(
        "board:request_create",
        lambda w: reverse("board:request_create"),
        expect(
            200,
            **{
                ANONYMOUS: LOGIN,
                FLOOR_WORKER: 403,
                "officer": 403,
                OTHER_WARD_OFFICER: 403,
                METRO_VIEWER: 403,
                ADVISOR: 403,
                INSTRUCTOR: 403,
                REVIEWER: 403,
                LAB_STAFF: 403,
                "admin": 403,
            },
        ),
    ),
    Case("board:request_detail", _url("request_detail", _buyer_request), SHOPS_SEE),
    Case(
        "board:request_detail",
        lambda w: reverse(
            "board:request_detail",
            args=[make_request(make_buyer(), audience="chosen", invited=[w.other_company]).pk],
        ),
        expect(404, **{ANONYMOUS: LOGIN, OTHER_COMPANY: 200}),
        note="sent to chosen shops only",
    ),
    Case(
        "board:admission_request",
        _url("admission_request", _buyer_request),
        posted(
            SHOPS_POST, **{OTHER_COMPANY: DONE, MEMBER: DONE, STAFF: DONE, FLOOR_WORKER: REFUSED}
        ),
        method="POST",
        data=lambda w: {"agree": "on"},
    ),
    Case(
        "board:admission_decide",
        _url("admission_decide", _admission),
        POSTER_POSTS,
        method="POST",
        data=lambda w: {"decision": "refuse"},
    ),
    Case(
        "board:hand_edit",
        lambda w: reverse("board:hand_edit", args=[_buyer_request(w).processes.first().pk]),
        SHOPS_SEE,
    ),
    Case(
        "board:hand_rfq",
        _url("hand_rfq", _posted_job_process),
        posted(POSTER_POSTS, **{MEMBER: REFUSED, STAFF: REFUSED}),
        method="POST",
    ),
    Case("board:request_cancel", _url("request_cancel", _own_request), POSTER_PAGE),
    # Nothing to award yet: the poster is sent back with a message.
    Case(
        "board:request_award",
        _url("request_award", _own_request),
        expect(
            404,
            **{
                ANONYMOUS: LOGIN,
                MEMBER: REDIRECT,
                STAFF: REDIRECT,
                FLOOR_WORKER: 403,
                OTHER_COMPANY: 403,
            },
        ),
    ),
    Case(
        "board:team_form",
        _url("team_form", _buyer_request),
        expect(
            404,
            **{
                ANONYMOUS: LOGIN,
                OTHER_COMPANY: REFUSED,
                MEMBER: REFUSED,
                STAFF: REFUSED,
                FLOOR_WORKER: REFUSED,
            },
        ),
        method="POST",
    ),
    Case("board:team_detail", _url("team_detail", _team), TEAM_READS),
    Case(
        "board:team_detail",
        _url("team_detail", lambda w: _invited(w).team),
        expect(
            404,
            **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200, OTHER_COMPANY: 200},
        ),
        note="with the other shop invited",
    ),
    Case(
        "board:team_invite",
        _url("team_invite", _team),
        TEAM_POSTS,
        method="POST",
        data=lambda w: {"company": w.other_company.pk},
    ),
    Case(
        "board:team_assign",
        _url("team_assign", _team),
        TEAM_POSTS,
        method="POST",
    ),
    Case(
        "board:team_terms",
        _url("team_terms", _team),
        TEAM_POSTS,
        method="POST",
        data=lambda w: {"margin": 1000, "payment_days": 30},
    ),
    Case(
        "board:team_quote",
        _url("team_quote", _team),
        posted(TEAM_POSTS, **{MEMBER: REFUSED, STAFF: REFUSED}),
        method="POST",
    ),
    Case(
        "board:member_answer",
        _url("member_answer", _invited),
        MEMBER_ANSWERS,
        method="POST",
        data=lambda w: {"answer": "join"},
    ),
    Case(
        "board:member_quote",
        _url("member_quote", _invited),
        posted(MEMBER_ANSWERS, **{OTHER_COMPANY: REFUSED}),
        method="POST",
    ),
    Case(
        "board:member_remove",
        _url("member_remove", _invited),
        expect(
            404,
            **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403, OTHER_COMPANY: 403},
        ),
    ),
    # The poster writes to a shop it admitted; the shop to the poster; nobody else.
    Case(
        "board:request_messages",
        lambda w: reverse(
            "board:request_messages", args=[_admitted_other(w).pk, w.other_company.pk]
        ),
        expect(
            404,
            **{
                ANONYMOUS: LOGIN,
                MEMBER: REDIRECT,
                STAFF: REDIRECT,
                FLOOR_WORKER: REDIRECT,
                "officer": 404,
                OTHER_WARD_OFFICER: 404,
                METRO_VIEWER: 404,
                ADVISOR: 404,
                INSTRUCTOR: 404,
                REVIEWER: 404,
            },
        ),
        note="poster to the admitted shop",
    ),
    Case(
        "board:request_messages",
        lambda w: reverse("board:request_messages", args=[_admitted_other(w).pk, w.company.pk]),
        expect(404, **{ANONYMOUS: LOGIN, OTHER_COMPANY: REDIRECT}),
        note="admitted shop to the poster",
    ),
    Case(
        "board:team_messages",
        _url("team_messages", lambda w: _invited(w).team),
        expect(
            404,
            **{
                ANONYMOUS: LOGIN,
                MEMBER: REDIRECT,
                STAFF: REDIRECT,
                FLOOR_WORKER: REDIRECT,
                OTHER_COMPANY: REDIRECT,
            },
        ),
    ),
    Case(
        "board:job_post",
        lambda w: reverse("board:job_post", args=[make_job(w.users[MEMBER], w.company).pk]),
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403}),
    ),
    Case(
        "board:buyer_register",
        lambda w: reverse("board:buyer_register"),
        expect(200, **{ANONYMOUS: LOGIN}),
    ),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("case", MATRIX, ids=lambda case: case.id)
def test_permission_matrix(case, world):
    assert_case(case, world)


def test_a_shop_that_is_not_admitted_sees_neither_drawings_nor_the_buyer(world, client):
    from machikoba.drawings.tests.factories import make_document

    buyer = make_buyer("秘密の発注企業")
    drawing = make_document(buyer, title="極秘図面 X-1")
    request = make_request(buyer, documents=[drawing], description="詳細の本文")
    client.force_login(world.users[OTHER_COMPANY])
    page = client.get(reverse("board:request_detail", args=[request.pk])).content.decode()
    assert request.part_name in page
    for secret in ("秘密の発注企業", "極秘図面", "詳細の本文", "OS-7731"):
        assert secret not in page
    assert client.get(reverse("drawings:detail", args=[drawing.pk])).status_code == 404
    admit(request, world.other_company)
    page = client.get(reverse("board:request_detail", args=[request.pk])).content.decode()
    assert "秘密の発注企業" in page
    assert "極秘図面" in page
