import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from machikoba.companies.choices import CompanyRole
from machikoba.companies.middleware import ACTIVE_COMPANY_SESSION_KEY
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import (
    CompanyFactory,
    MembershipFactory,
    force_login_with_mfa,
)
from machikoba.core.testing.factories_programs import (
    ApplicationFactory,
    attend_sessions,
    make_cohort_with_sessions,
)
from machikoba.core.testing.matrix import MEMBER, OFFICER, OTHER_COMPANY


@pytest.fixture
def two_company_user(world):
    """The owner of world.company who also works as staff at a second shop."""
    user = world.users[MEMBER]
    second = CompanyFactory(name="第二工業株式会社")
    MembershipFactory(user=user, company=second, role=CompanyRole.STAFF)
    return user, second


def test_switching_to_an_own_company_changes_the_active_company(client, world, two_company_user):
    user, second = two_company_user
    client.force_login(user)
    home = client.get(reverse("web:home")).content.decode()
    assert 'data-testid="active-company">自社精機株式会社<' in home
    response = client.post(
        reverse("web:company_switch"), {"company": second.pk, "next": "/"}, follow=True
    )
    body = response.content.decode()
    assert 'data-testid="active-company">第二工業株式会社<' in body
    assert "第二工業株式会社 の画面に切り替えました" in body
    assert client.session[ACTIVE_COMPANY_SESSION_KEY] == second.pk
    assert AuditEvent.objects.filter(verb="company.switch", company=second).count() == 1


def test_switching_to_a_foreign_company_is_404_and_changes_nothing(client, world, two_company_user):
    user, second = two_company_user
    client.force_login(user)
    client.post(reverse("web:company_switch"), {"company": second.pk})
    events_before = AuditEvent.objects.count()
    response = client.post(reverse("web:company_switch"), {"company": world.other_company.pk})
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()
    assert client.session[ACTIVE_COMPANY_SESSION_KEY] == second.pk
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("value", ["", "abc", "-1", "1; DROP TABLE"])
def test_switching_with_garbage_gives_a_message_and_changes_nothing(client, world, value):
    client.force_login(world.users[MEMBER])
    response = client.post(reverse("web:company_switch"), {"company": value}, follow=True)
    assert response.status_code == 200
    assert "切り替える企業を選んでください" in response.content.decode()
    assert ACTIVE_COMPANY_SESSION_KEY not in client.session


def test_a_stale_active_company_in_the_session_falls_back_to_an_own_company(client, world):
    client.force_login(world.users[MEMBER])
    session = client.session
    session[ACTIVE_COMPANY_SESSION_KEY] = world.other_company.pk
    session.save()
    body = client.get(reverse("web:home")).content.decode()
    assert 'data-testid="active-company">自社精機株式会社<' in body
    assert "他社工業株式会社" not in body


def test_the_switch_never_redirects_off_site(client, world):
    client.force_login(world.users[MEMBER])
    response = client.post(
        reverse("web:company_switch"),
        {"company": world.company.pk, "next": "https://evil.example/"},
    )
    assert response.headers["Location"] == "/"


def test_language_switch_to_english_and_back(client, world):
    client.force_login(world.users[MEMBER])
    response = client.post(reverse("web:language_switch"), {"language": "en", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    body = client.get(reverse("web:home")).content.decode()
    assert '<html lang="en">' in body
    assert "Company profile" in body
    client.post(reverse("web:language_switch"), {"language": "ja", "next": "/"})
    assert "企業情報" in client.get(reverse("web:home")).content.decode()


@pytest.mark.parametrize("code", ["xx", "", "zh-hans", "<script>"])
def test_unknown_language_is_refused_with_a_message(client, world, code):
    client.force_login(world.users[MEMBER])
    response = client.post(
        reverse("web:language_switch"), {"language": code, "next": "/"}, follow=True
    )
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    body = response.content.decode()
    assert "選択された言語には対応していません" in body
    assert '<html lang="ja">' in body


def test_japanese_is_the_default_whatever_the_browser_says(client, world):
    client.force_login(world.users[MEMBER])
    body = client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content
    assert '<html lang="ja">' in body.decode()


def test_healthz_answers_without_login(client, db):
    response = client.get(reverse("web:healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_officer_home_shows_aggregates_only(client, world):
    CompanyFactory.create_batch(3, employees=40)
    force_login_with_mfa(client, world.users[OFFICER])
    response = client.get(reverse("web:officer_home"))
    body = response.content.decode()
    assert response.context["company_total"] == 5
    assert response.context["company_with_members"] == 2
    assert dict(response.context["size_bands"]) == {"1–9": 0, "10–29": 2, "30+": 3}
    # No company is named on the officer's overview.
    assert "自社精機株式会社" not in body


@pytest.mark.parametrize("more_seats", [0, 3])
def test_shop_home_query_count_is_bounded(client, world, more_seats):
    for _ in range(10):
        MembershipFactory(company=world.company, role=CompanyRole.FLOOR_WORKER)
    # The owner holds a seat in the world's dojo cohort; more seats in other cohorts (with
    # sessions and attendance) must not add queries.
    for _ in range(more_seats):
        seat = ApplicationFactory(
            company=world.company,
            participant=world.users[MEMBER],
            cohort=make_cohort_with_sessions(sessions=3, first_in_days=-7),
        )
        attend_sessions(seat, 1)
    client.force_login(world.users[MEMBER])
    client.get(reverse("web:home"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("web:home"))
    assert response.status_code == 200
    assert len(response.context["support"].programs.applications) == 1 + more_seats
    # session, user, memberships, members, ward roles (nav), and the to-do list: one
    # query per kind of work (web/tests/test_todo.py pins that it does not grow); the
    # first steps: the shop's processes and its profile checklist (no board query: a
    # shop without processes has no matches); the ward's support card: the seats with
    # their sessions and attendance, the cohorts open to apply, the follow-ups due, and
    # the advisor dispatch (visits to sign off, a proposal, an engagement), and the DX
    # subsidy (the calls open now, the live applications, the value-added reports owed).
    assert len(queries) == 30, [q["sql"] for q in queries.captured_queries]


def test_home_for_a_user_without_a_company_explains_what_to_do(client, db):
    from machikoba.core.testing.factories import UserFactory

    client.force_login(UserFactory())
    body = client.get(reverse("web:home")).content.decode()
    assert "まだ企業に所属していません" in body


def test_other_companies_members_are_not_listed(client, world):
    client.force_login(world.users[OTHER_COMPANY])
    body = client.get(reverse("web:home")).content.decode()
    assert "他社工業株式会社" in body
    for actor in ("member", "staff", "floor_worker"):
        assert world.users[actor].name not in body


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_the_language_switch_never_redirects_off_site(client, db, target):
    response = client.post(reverse("web:language_switch"), {"language": "en", "next": target})
    assert response["Location"] == "/"
    response = client.post(reverse("web:language_switch"), {"language": "en"}, HTTP_REFERER=target)
    assert response["Location"] == "/"


def test_the_language_switch_returns_to_the_page_it_came_from(client, db):
    response = client.post(reverse("web:language_switch"), {"language": "en", "next": "/jobs/"})
    assert response["Location"] == "/jobs/"


@pytest.mark.parametrize("company", ["99999999999999999999", "²"])
def test_switching_to_a_company_id_that_cannot_be_one_is_refused_not_a_500(client, world, company):
    client.force_login(world.users[MEMBER])
    events = AuditEvent.objects.count()
    response = client.post(reverse("web:company_switch"), {"company": company}, follow=True)
    assert response.status_code == 200
    assert "切り替える企業を選んでください。" in response.content.decode()
    assert ACTIVE_COMPANY_SESSION_KEY not in client.session
    assert AuditEvent.objects.count() == events
