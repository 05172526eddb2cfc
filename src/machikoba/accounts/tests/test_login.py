"""Sign-in: e-mail login, lockout after repeated failures, MFA for officers."""

import pytest
from django.conf import settings
from django.urls import reverse

from machikoba.core.testing.factories import (
    TEST_PASSWORD,
    MembershipFactory,
    UserFactory,
    WardRoleFactory,
    give_totp,
    totp_now,
)

LOGIN_URL = "/accounts/login/"


def _login(client, email, password):
    return client.post(LOGIN_URL, {"login": email, "password": password})


@pytest.mark.django_db
def test_member_signs_in_with_email_and_lands_on_the_shop_home(client):
    membership = MembershipFactory()
    response = _login(client, membership.user.email, TEST_PASSWORD)
    assert response.status_code == 302
    home = client.get(reverse("web:home"))
    assert home.status_code == 200
    assert membership.company.name in home.content.decode()


@pytest.mark.django_db
def test_wrong_password_is_refused_in_japanese_and_nobody_is_signed_in(client):
    user = UserFactory()
    response = _login(client, user.email, "wrong-password")
    assert response.status_code == 200
    body = response.content.decode()
    assert "メールアドレスもしくはパスワードが正しくありません" in body
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_repeated_failures_lock_the_account_with_a_japanese_message(client):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, user.email, "wrong-password").status_code == 200
    locked = _login(client, user.email, "wrong-password")
    assert locked.status_code == 429
    assert "ログインを一時的に止めています" in locked.content.decode()
    # Even the right password is refused while locked, and nothing is signed in.
    again = _login(client, user.email, TEST_PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lockout_of_one_account_does_not_lock_another(client):
    victim, other = UserFactory(), UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, victim.email, "wrong-password")
    assert _login(client, other.email, TEST_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_officer_must_give_a_totp_code_after_the_password(client):
    officer = WardRoleFactory().user
    give_totp(officer)
    response = _login(client, officer.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    ok = client.post(reverse("mfa_authenticate"), {"code": totp_now()})
    assert ok.status_code == 302
    assert client.get(reverse("web:officer_home")).status_code == 200


@pytest.mark.django_db
def test_officer_without_totp_is_sent_to_set_it_up(client):
    officer = WardRoleFactory().user
    client.force_login(officer)
    response = client.get(reverse("web:officer_home"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"{reverse('mfa_activate_totp')}?next=/ward/"
    # The API answers in its own error shape.
    api = client.get("/api/accounts/me")
    assert api.status_code == 403
    assert api.json()["code"] == "mfa_required"


@pytest.mark.django_db
def test_a_password_only_session_of_an_officer_must_give_a_code(client):
    officer = WardRoleFactory().user
    give_totp(officer)
    client.force_login(officer)  # any sign-in path that skipped the second factor
    response = client.get(reverse("web:officer_home"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("mfa_reauthenticate"))
    assert client.get("/api/accounts/me").json()["code"] == "mfa_required"


@pytest.mark.django_db
def test_platform_admin_without_totp_cannot_open_the_admin(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("mfa_activate_totp"))


@pytest.mark.django_db
def test_the_admin_has_no_password_only_sign_in(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    give_totp(admin)
    page = client.get("/admin/login/")
    assert page.status_code == 302
    assert page.headers["Location"].startswith(LOGIN_URL)
    posted = client.post("/admin/login/", {"username": admin.email, "password": TEST_PASSWORD})
    assert posted.status_code == 302
    assert posted.headers["Location"].startswith(LOGIN_URL)
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_admin_signs_in_with_password_and_code_then_reaches_the_admin(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    give_totp(admin)
    _login(client, admin.email, TEST_PASSWORD)
    client.post(reverse("mfa_authenticate"), {"code": totp_now()})
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_totp_codes_cannot_be_guessed_without_limit(client):
    officer = WardRoleFactory().user
    give_totp(officer)
    _login(client, officer.email, TEST_PASSWORD)
    for _ in range(10):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})
    refused = client.post(reverse("mfa_authenticate"), {"code": totp_now()})
    assert "_auth_user_id" not in client.session
    # allauth's rate limit answers on the form itself (200), naming the lockout.
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "ログイン失敗が連続しています。時間が経ってからやり直してください。" in body
    assert 'aria-invalid="true"' in body


@pytest.mark.django_db
def test_lockout_holds_across_ip_addresses():
    from django.test import Client

    user = UserFactory()
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR=f"192.0.2.{n + 1}").post(
            LOGIN_URL, {"login": user.email, "password": "wrong-password"}
        )
    fresh = Client(REMOTE_ADDR="198.51.100.7")
    assert _login(fresh, user.email, TEST_PASSWORD).status_code == 429
    assert "_auth_user_id" not in fresh.session


@pytest.mark.django_db
def test_shop_members_may_use_totp_but_are_not_forced_to(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    assert client.get(reverse("web:home")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200


@pytest.mark.django_db
def test_inactive_users_cannot_sign_in(client):
    user = UserFactory(is_active=False)
    response = _login(client, user.email, TEST_PASSWORD)
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("account_inactive")


# --- behind the reverse proxy (MACHIKOBA_TRUSTED_PROXY_COUNT) ---------------------------

PROXY = "10.0.0.2"
TOO_MANY = "ログイン失敗が連続しています。時間が経ってからやり直してください。"


def _login_via_proxy(forwarded, email, password):
    from django.test import Client

    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    return client, client.post(LOGIN_URL, {"login": email, "password": password})


@pytest.fixture
def behind_proxy(settings):
    settings.MACHIKOBA_TRUSTED_PROXY_COUNT = 1
    # allauth's per-address limit on failed sign-ins, lowered to keep the test short.
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip,10/300s/key"}


@pytest.mark.django_db
def test_failed_sign_ins_are_limited_per_client_not_for_everyone(behind_proxy):
    user = UserFactory()
    for n in range(3):
        _login_via_proxy("203.0.113.5", f"nobody{n}@example.jp", "wrong-password")
    client, blocked = _login_via_proxy("203.0.113.5", user.email, TEST_PASSWORD)
    assert blocked.status_code == 200
    assert TOO_MANY in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    # Someone else behind the same proxy signs in.
    client, response = _login_via_proxy("198.51.100.20", user.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_a_forged_forwarded_header_does_not_escape_the_sign_in_limit(behind_proxy):
    user = UserFactory()
    for n in range(3):
        _login_via_proxy(f"192.0.2.{n}, 203.0.113.5", f"nobody{n}@example.jp", "wrong-password")
    client, blocked = _login_via_proxy("192.0.2.99, 203.0.113.5", user.email, TEST_PASSWORD)
    assert TOO_MANY in blocked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_lockout_records_the_clients_address(behind_proxy):
    from axes.models import AccessAttempt

    user = UserFactory()
    _login_via_proxy("192.0.2.66, 203.0.113.5", user.email, "wrong-password")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]
