"""The messaging API's permission matrix: what companies tell each other is for the
people of the thread's current participants only. Officers of any ward, the metro viewer,
advisors, admins and a company outside the thread get nothing (404); anonymous 401."""

import pytest
from django.urls import reverse

from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
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
from machikoba.messaging.tests.factories import make_thread, post

NO_COMPANY = dict.fromkeys(
    (OFFICER, OTHER_WARD_OFFICER, METRO_VIEWER, ADVISOR, INSTRUCTOR, REVIEWER, LAB_STAFF, ADMIN),
    403,
)


def _ours(w):
    """A thread between the world's two companies, with a message of each."""
    thread = make_thread(w.company, w.other_company)
    post(w.users[MEMBER], w.company, thread, body="図面を送ります。")
    post(w.users[OTHER_COMPANY], w.other_company, thread, body="受け取りました。")
    return thread


def _without_other(w):
    """A thread of world.company with a third company: the other company is not in it."""
    third = MembershipFactory(company=CompanyFactory(name="第三精工")).company
    return make_thread(w.company, third)


PARTIES = expect(
    404,
    **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200, OTHER_COMPANY: 200},
)
OURS_ONLY = expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200})


def _url(name, make):
    return lambda w: reverse(f"api:{name}", args=[make(w).pk])


MATRIX = [
    Case(
        "api:messaging_threads",
        lambda w: reverse("api:messaging_threads"),
        expect(200, **{ANONYMOUS: 401, **NO_COMPANY}),
    ),
    Case(
        "api:messaging_unread",
        lambda w: reverse("api:messaging_unread"),
        # A count of one's own unread messages (0 for people with no company).
        expect(200, **{ANONYMOUS: 401}),
    ),
    Case("api:messaging_thread", _url("messaging_thread", _ours), PARTIES),
    Case(
        "api:messaging_thread",
        _url("messaging_thread", _without_other),
        OURS_ONLY,
        note="another company's thread",
    ),
    Case(
        "api:messaging_thread_read",
        _url("messaging_thread_read", _ours),
        PARTIES,
        method="POST",
    ),
    Case(
        "api:messaging_message_post",
        _url("messaging_message_post", _ours),
        expect(
            404,
            **{ANONYMOUS: 401, MEMBER: 201, STAFF: 201, FLOOR_WORKER: 201, OTHER_COMPANY: 201},
        ),
        method="POST",
        data=lambda w: {"body": "納期は来週金曜でお願いします。"},
    ),
    Case(
        "api:messaging_message_post",
        _url("messaging_message_post", _without_other),
        expect(404, **{ANONYMOUS: 401, MEMBER: 201, STAFF: 201, FLOOR_WORKER: 201}),
        method="POST",
        data=lambda w: {"body": "見積をお願いします。"},
        note="another company's thread",
    ),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("case", MATRIX, ids=lambda case: case.id)
def test_matrix(case, world):
    assert_case(case, world)
