"""Permission matrix for every messaging route. Threads are between world.company and
either the other company (both parties) or a third company (the other company is then a
stranger). Officers and platform admins never see what companies tell each other."""

import pytest
from django.urls import reverse

from machikoba.core.testing.factories import CompanyFactory
from machikoba.core.testing.matrix import (
    ADVISOR,
    ANONYMOUS,
    BANK,
    DONE,
    FLOOR_WORKER,
    INSTRUCTOR,
    LAB_STAFF,
    LOGIN,
    MEMBER,
    METRO_VIEWER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    REVIEWER,
    STAFF,
    VENDOR,
    Case,
    assert_case,
    expect,
)
from machikoba.messaging import services
from machikoba.messaging.tests.factories import make_thread, post

# The inbox is a page of the active company: officers (of any ward), metro viewers, the
# company's advisor and its owner's instructor, and admins have none.
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
# world.company's people take part; everybody else gets "not found".
OWN_SIDE = {ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200}
OWN_THREAD = expect(404, **OWN_SIDE)
BOTH_PARTIES = expect(404, **OWN_SIDE, **{OTHER_COMPANY: 200})
PARTNER_ONLY = expect(404, **{ANONYMOUS: LOGIN, OTHER_COMPANY: 200})
OWN_POSTS = expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, FLOOR_WORKER: DONE})


def _with_third(w):
    thread = make_thread(w.company, CompanyFactory())
    post(w.users[MEMBER], w.company, thread)
    return thread


def _with_other(w):
    thread = make_thread(w.company, w.other_company)
    post(w.users[MEMBER], w.company, thread)
    return thread


def _company_removed(w):
    thread = make_thread(w.company, w.other_company, CompanyFactory())
    post(w.users[MEMBER], w.company, thread)
    services.thread_participant_remove(
        actor=w.users[OTHER_COMPANY], thread=thread, company=w.company
    )
    return thread


def _thread_url(make):
    return lambda w: reverse("messaging:thread", args=[make(w).pk])


MATRIX = [
    Case("messaging:inbox", lambda w: reverse("messaging:inbox"), COMPANY_PAGES),
    Case("messaging:thread", _thread_url(_with_third), OWN_THREAD, note="stranger"),
    Case("messaging:thread", _thread_url(_with_other), BOTH_PARTIES, note="both parties"),
    Case("messaging:thread", _thread_url(_company_removed), PARTNER_ONLY, note="removed"),
    Case(
        "messaging:thread",
        _thread_url(_with_third),
        OWN_POSTS,
        method="POST",
        data=lambda w: {"body": "見積の件、承知しました。"},
    ),
    Case(
        "messaging:thread",
        _thread_url(_with_other),
        expect(
            DONE,
            **{
                ANONYMOUS: LOGIN,
                "officer": 404,
                OTHER_WARD_OFFICER: 404,
                METRO_VIEWER: 404,
                ADVISOR: 404,
                INSTRUCTOR: 404,
                REVIEWER: 404,
                LAB_STAFF: 404,
                VENDOR: 404,
                BANK: 404,
                "admin": 404,
            },
        ),
        method="POST",
        data=lambda w: {"body": "了解です。"},
        note="both parties",
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert_case(case, world)


def test_a_refused_post_stores_nothing(world):
    from machikoba.messaging.models import Message

    thread = _with_third(world)
    before = Message.objects.count()
    for actor in (
        OTHER_COMPANY,
        "officer",
        OTHER_WARD_OFFICER,
        METRO_VIEWER,
        ADVISOR,
        INSTRUCTOR,
        REVIEWER,
        "admin",
    ):
        world.client_for(actor).post(reverse("messaging:thread", args=[thread.pk]), {"body": "x"})
    assert Message.objects.count() == before
