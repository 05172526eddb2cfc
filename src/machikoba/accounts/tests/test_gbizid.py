"""GビズID sign-in through allauth's OpenID Connect provider, against a local provider
(core/testing/oidc_provider.py) on 127.0.0.1: nothing leaves the machine.

An owner connects their GビズID while signed in and then signs in with it; an unknown
GビズID, or one whose e-mail matches an account, signs nobody in and creates nothing; a
tampered id_token, nonce or state is refused with a clear message and nothing is stored;
officers still give their TOTP code; the read helpers tell a プライム from an エントリー."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from machikoba.accounts.gbizid import (
    GBIZID_PROVIDER_ID,
    GBizAccountType,
    gbiz_identity,
    gbizid_enabled,
    is_gbiz_verified,
    signed_in_with_gbizid,
)
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import (
    TEST_PASSWORD,
    MembershipFactory,
    UserFactory,
    WardRoleFactory,
    give_totp,
    totp_now,
)
from machikoba.core.testing.oidc_provider import (
    CALLBACK_PATH,
    ENTRY_IDENTITY,
    MEMBER_IDENTITY,
    PRIME_IDENTITY,
    TAMPERINGS,
    configure_gbizid,
    running_provider,
)

LOGIN_URL = reverse("openid_connect_login", kwargs={"provider_id": GBIZID_PROVIDER_ID})
CALLBACK_URL = reverse("openid_connect_callback", kwargs={"provider_id": GBIZID_PROVIDER_ID})
REFUSED_TEXT = "GビズIDからの応答を確認できなかったため、処理を中止しました。"
UNKNOWN_TEXT = "このGビズIDは、まだどのアカウントにも連携されていません。"

pytestmark = pytest.mark.django_db


@pytest.fixture
def gbizid(settings):
    with running_provider() as provider:
        configure_gbizid(settings, provider)
        yield provider


@pytest.fixture
def owner():
    return MembershipFactory().user


def go_to_gbizid(client, process: str) -> str:
    """Press the GビズID button: the platform answers with GビズID's authorization URL."""
    response = client.post(LOGIN_URL, {"process": process})
    assert response.status_code == 302, response.content.decode()[:500]
    return response.headers["Location"]


def approve_at_gbizid(authorize_url: str) -> str:
    """What the person's browser does at GビズID (here: approved at once)."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def come_back(client, callback_url: str):
    parts = urlsplit(callback_url)
    assert parts.path == CALLBACK_URL
    return client.get(f"{parts.path}?{parts.query}")


def round_trip(client, process: str):
    return come_back(client, approve_at_gbizid(go_to_gbizid(client, process)))


def connect(client, user):
    client.force_login(user)
    return round_trip(client, "connect")


def signed_in_user(client):
    return client.session.get("_auth_user_id")


# --- configured or not ------------------------------------------------------------


def test_unconfigured_shows_no_button_and_the_urls_refuse_cleanly(client, owner):
    assert not gbizid_enabled()
    page = client.get(reverse("account_login")).content.decode()
    assert "GビズIDでログイン" not in page
    assert client.post(LOGIN_URL, {"process": "login"}).status_code == 404
    assert client.get(LOGIN_URL).status_code == 404
    assert client.get(f"{CALLBACK_URL}?code=x&state=y").status_code == 404
    client.force_login(owner)
    assert 'data-testid="gbizid-panel"' not in client.get(reverse("mfa_index")).content.decode()
    assert not SocialAccount.objects.exists()


def test_configured_shows_the_button_and_the_connect_panel(client, gbizid, owner):
    page = client.get(reverse("account_login")).content.decode()
    assert "GビズIDでログイン" in page
    assert f'action="{LOGIN_URL}"' in page
    client.force_login(owner)
    panel = client.get(reverse("mfa_index")).content.decode()
    assert 'data-testid="gbizid-panel"' in panel
    assert "GビズIDと連携する" in panel


def test_the_authorization_request_names_the_documented_callback_with_nonce_and_pkce(
    client, gbizid
):
    query = parse_qs(urlsplit(go_to_gbizid(client, "login")).query)
    assert query["client_id"] == [gbizid.client_id]
    assert urlsplit(query["redirect_uri"][0]).path == "/accounts/oidc/gbizid/login/callback/"
    assert query["response_type"] == ["code"]
    assert set(query["scope"][0].split()) == {"openid", "profile", "email"}
    assert len(query["nonce"][0]) >= 32
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"][0]


# --- connect, then sign in -----------------------------------------------------------


def test_an_owner_connects_gbizid_then_signs_in_with_it(client, gbizid, owner):
    response = connect(client, owner)
    assert response.status_code == 302
    account = SocialAccount.objects.get(provider=GBIZID_PROVIDER_ID)
    assert (account.user, account.uid) == (owner, PRIME_IDENTITY["sub"])
    event = AuditEvent.objects.get(verb="gbizid.connect")
    assert event.actor == owner
    assert event.after == {"account_type": "prime", "corporate_number": "1010001000006"}
    panel = client.get(reverse("mfa_index")).content.decode()
    assert "GビズID (プライム) 連携済み" in panel

    client.post(reverse("account_logout"))
    assert signed_in_user(client) is None
    landed = round_trip(client, "login")
    assert landed.status_code == 302
    assert landed.headers["Location"] == reverse("web:home")
    assert signed_in_user(client) == str(owner.pk)
    home = client.get(reverse("web:home"))
    assert home.status_code == 200
    assert home.wsgi_request.user == owner
    assert signed_in_with_gbizid(home.wsgi_request)
    # No second account, and the stored claims were refreshed by the sign-in.
    assert get_user_model().objects.count() == 1
    assert SocialAccount.objects.count() == 1


def test_a_sign_in_from_a_page_returns_to_it(client, gbizid, owner):
    connect(client, owner)
    client.post(reverse("account_logout"))
    wanted = reverse("mfa_index")
    page = client.get(f"{reverse('account_login')}?next={wanted}").content.decode()
    assert f'name="next" value="{wanted}"' in page
    response = client.post(LOGIN_URL, {"process": "login", "next": wanted})
    landed = come_back(client, approve_at_gbizid(response.headers["Location"]))
    assert landed.headers["Location"] == wanted
    assert signed_in_user(client) == str(owner.pk)


def test_a_password_sign_in_is_not_a_gbizid_sign_in(client, gbizid, owner):
    connect(client, owner)
    client.post(reverse("account_logout"))
    client.post(reverse("account_login"), {"login": owner.email, "password": TEST_PASSWORD})
    home = client.get(reverse("web:home"))
    assert home.wsgi_request.user == owner
    assert not signed_in_with_gbizid(home.wsgi_request)


def test_a_sign_in_refreshes_the_claims_gbizid_sends(client, gbizid, owner):
    gbizid.identity = dict(ENTRY_IDENTITY, sub=PRIME_IDENTITY["sub"])
    connect(client, owner)
    assert not is_gbiz_verified(owner)
    client.post(reverse("account_logout"))
    gbizid.identity = dict(PRIME_IDENTITY)  # the owner moved to プライム at GビズID
    round_trip(client, "login")
    assert is_gbiz_verified(owner)


def test_a_gbizid_connected_to_nobody_signs_nobody_in_and_creates_nothing(client, gbizid):
    # Even an account with the e-mail address GビズID sends is not taken over.
    same_email = UserFactory(email=PRIME_IDENTITY["email"])
    users_before = get_user_model().objects.count()
    response = round_trip(client, "login")
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("account_login")
    assert signed_in_user(client) is None
    assert get_user_model().objects.count() == users_before
    assert not SocialAccount.objects.exists()
    page = client.get(reverse("account_login")).content.decode()
    assert UNKNOWN_TEXT in page
    same_email.refresh_from_db()
    assert same_email.has_usable_password()


def test_a_gbizid_connected_to_someone_else_cannot_be_connected_again(client, gbizid, owner):
    connect(client, owner)
    other = MembershipFactory().user
    response = connect(client, other)
    assert response.status_code == 302
    assert SocialAccount.objects.get().user == owner
    page = client.get(response.headers["Location"]).content.decode()
    assert "この外部アカウントはほかのアカウントに接続されています。" in page
    assert not is_gbiz_verified(other)


def test_an_officer_still_gives_a_totp_code_after_a_gbizid_sign_in(client, gbizid):
    officer = WardRoleFactory().user
    give_totp(officer)
    connect(client, officer)
    client.post(reverse("account_logout"))
    response = round_trip(client, "login")
    assert response.headers["Location"] == reverse("mfa_authenticate")
    assert signed_in_user(client) is None
    assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
    assert signed_in_user(client) is None
    assert client.post(reverse("mfa_authenticate"), {"code": totp_now()}).status_code == 302
    assert client.get(reverse("web:officer_home")).status_code == 200


def test_an_officer_without_totp_is_sent_to_set_it_up_after_a_gbizid_sign_in(client, gbizid):
    officer = WardRoleFactory().user
    connect(client, officer)
    client.post(reverse("account_logout"))
    round_trip(client, "login")
    assert signed_in_user(client) == str(officer.pk)
    response = client.get(reverse("web:officer_home"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("mfa_activate_totp"))


def test_refused_at_gbizid_signs_nobody_in(client, gbizid, owner):
    connect(client, owner)
    client.post(reverse("account_logout"))
    gbizid.deny = True
    response = round_trip(client, "login")
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("socialaccount_login_cancelled")
    assert signed_in_user(client) is None


def test_disconnecting_is_recorded_and_ends_gbizid_sign_in(client, gbizid, owner):
    connect(client, owner)
    account = SocialAccount.objects.get()
    response = client.post(reverse("socialaccount_connections"), {"account": account.pk})
    assert response.status_code == 302
    assert not SocialAccount.objects.exists()
    assert AuditEvent.objects.filter(verb="gbizid.disconnect", actor=owner).count() == 1
    client.post(reverse("account_logout"))
    round_trip(client, "login")
    assert signed_in_user(client) is None


def test_after_gbizid_is_switched_off_a_connection_is_listed_and_disconnected(
    client, gbizid, owner, settings
):
    connect(client, owner)
    client.post(reverse("account_logout"))
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {**settings.SOCIALACCOUNT_PROVIDERS["openid_connect"], "APPS": []}
    }
    assert client.post(LOGIN_URL, {"process": "login"}).status_code == 404
    client.force_login(owner)
    assert 'data-testid="gbizid-panel"' not in client.get(reverse("mfa_index")).content.decode()
    listed = client.get(reverse("socialaccount_connections"))
    assert listed.status_code == 200
    assert "GビズID (プライム) 連携済み" in listed.content.decode()
    assert 'data-testid="gbizid-disconnect"' in listed.content.decode()
    account = SocialAccount.objects.get()
    client.post(reverse("socialaccount_connections"), {"account": account.pk})
    assert not SocialAccount.objects.exists()


# --- refused answers -------------------------------------------------------------------


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_a_tampered_id_token_is_refused_and_nothing_is_connected(client, gbizid, owner, tampering):
    gbizid.tamper = tampering
    response = connect(client, owner)
    assert response.status_code == 401
    assert REFUSED_TEXT in response.content.decode()
    assert not SocialAccount.objects.exists()
    assert not AuditEvent.objects.filter(verb="gbizid.connect").exists()


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_a_tampered_id_token_signs_nobody_in_and_changes_nothing(client, gbizid, owner, tampering):
    connect(client, owner)
    stored = SocialAccount.objects.get()
    client.post(reverse("account_logout"))
    gbizid.tamper = tampering
    gbizid.identity = dict(ENTRY_IDENTITY, sub=PRIME_IDENTITY["sub"])
    response = round_trip(client, "login")
    assert response.status_code == 401
    assert REFUSED_TEXT in response.content.decode()
    assert signed_in_user(client) is None
    after = SocialAccount.objects.get()
    assert (after.extra_data, after.last_login) == (stored.extra_data, stored.last_login)
    assert get_user_model().objects.count() == 1


def test_a_tampered_state_is_refused(client, gbizid, owner):
    connect(client, owner)
    client.post(reverse("account_logout"))
    callback = approve_at_gbizid(go_to_gbizid(client, "login"))
    response = come_back(client, callback.replace("state=", "state=x"))
    assert response.status_code == 401
    assert REFUSED_TEXT in response.content.decode()
    assert signed_in_user(client) is None


def test_a_callback_from_another_browser_is_refused(client, gbizid, owner):
    connect(client, owner)
    client.post(reverse("account_logout"))
    callback = approve_at_gbizid(go_to_gbizid(client, "login"))
    stranger = Client()
    response = come_back(stranger, callback)
    assert response.status_code == 401
    assert stranger.session.get("_auth_user_id") is None


def test_a_callback_is_used_once(client, gbizid, owner):
    connect(client, owner)
    client.post(reverse("account_logout"))
    callback = approve_at_gbizid(go_to_gbizid(client, "login"))
    assert come_back(client, callback).status_code == 302
    client.post(reverse("account_logout"))
    again = come_back(client, callback)
    assert again.status_code == 401
    assert signed_in_user(client) is None


def test_the_provider_was_reached_only_on_this_machine(client, gbizid, owner):
    connect(client, owner)
    assert urlsplit(gbizid.issuer).hostname == "127.0.0.1"
    assert "POST /oauth/token" in gbizid.requests
    assert "GET /oauth/userinfo" in gbizid.requests
    assert "GET /oauth/.well-known/jwks.json" in gbizid.requests


# --- the read helpers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("identity", "kind", "prime_only", "prime_or_member"),
    [
        (PRIME_IDENTITY, GBizAccountType.PRIME, True, True),
        (MEMBER_IDENTITY, GBizAccountType.MEMBER, False, True),
        (ENTRY_IDENTITY, GBizAccountType.ENTRY, False, False),
        (dict(PRIME_IDENTITY, account_type="9"), None, False, False),
    ],
    ids=["prime", "member", "entry", "unknown type"],
)
def test_is_gbiz_verified_counts_prime_and_never_entry(
    client, gbizid, owner, identity, kind, prime_only, prime_or_member
):
    gbizid.identity = dict(identity)
    before = timezone.now()
    connect(client, owner)
    found = gbiz_identity(owner)
    assert found is not None
    assert found.account_type == kind
    assert found.subject == identity["sub"]
    assert found.corporate_number == "1010001000006"
    assert found.company_name == "株式会社テスト精機"
    assert found.verified_at >= before
    assert is_gbiz_verified(owner) is prime_only
    assert is_gbiz_verified(owner, prime_required=False) is prime_or_member


def test_is_gbiz_verified_can_require_the_company_s_corporate_number(client, gbizid, owner):
    connect(client, owner)
    assert is_gbiz_verified(owner, corporate_number="1010001000006")
    assert is_gbiz_verified(owner, corporate_number="1-0100-0100-0006")
    assert not is_gbiz_verified(owner, corporate_number="5010001000004")
    assert not is_gbiz_verified(owner, corporate_number="")


def test_nobody_without_gbizid_is_verified(owner):
    assert gbiz_identity(owner) is None
    assert not is_gbiz_verified(owner)
    assert not is_gbiz_verified(owner, prime_required=False)
    request = RequestFactory().get("/")
    assert gbiz_identity(AnonymousUser()) is None
    request.user = AnonymousUser()
    assert not signed_in_with_gbizid(request)


def test_claim_names_are_settings(client, gbizid, owner, settings):
    settings.MACHIKOBA_GBIZID_CLAIMS = {
        "ACCOUNT_TYPE_CLAIM": "kind",
        "ACCOUNT_TYPES": {"P": "prime"},
        "CORPORATE_NUMBER_CLAIM": "houjin_bangou",
    }
    gbizid.identity = {"sub": "gbiz-renamed", "kind": "P", "houjin_bangou": "5010001000004"}
    connect(client, owner)
    assert is_gbiz_verified(owner, corporate_number="5010001000004")
    assert gbiz_identity(owner).company_name == ""


# --- the settings -------------------------------------------------------------------


def _settings_in_a_fresh_process(**env: str) -> subprocess.CompletedProcess:
    program = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'apps': s.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS'], "
        "'form_action': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']}))"
    )
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GBIZID_")}
    environment.update(
        DJANGO_SETTINGS_MODULE="machikoba.config.settings",
        MACHIKOBA_ENV_FILE="/nonexistent",
        MACHIKOBA_ENV="test",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", program],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=django_settings.BASE_DIR,
    )


def test_the_gbizid_variables_configure_the_app_and_the_form_action():
    import json

    done = _settings_in_a_fresh_process(
        GBIZID_SERVER_URL="https://stg.gbiz-id.go.jp/oauth/",
        GBIZID_CLIENT_ID="machikoba-ota",
        GBIZID_CLIENT_SECRET="s3cret",
    )
    assert done.returncode == 0, done.stderr
    read = json.loads(done.stdout.strip().splitlines()[-1])
    (app,) = read["apps"]
    assert (app["provider_id"], app["client_id"], app["secret"]) == (
        "gbizid",
        "machikoba-ota",
        "s3cret",
    )
    assert app["settings"]["server_url"] == "https://stg.gbiz-id.go.jp/oauth"
    assert app["settings"]["fetch_userinfo"] is True
    assert app["settings"]["token_auth_method"] == "client_secret_basic"
    assert read["form_action"] == ["'self'", "https://stg.gbiz-id.go.jp"]

    unset = _settings_in_a_fresh_process()
    assert unset.returncode == 0, unset.stderr
    read = json.loads(unset.stdout.strip().splitlines()[-1])
    assert read == {"apps": [], "form_action": ["'self'"]}


def test_half_set_gbizid_variables_refuse_to_start():
    done = _settings_in_a_fresh_process(GBIZID_CLIENT_ID="machikoba-ota")
    assert done.returncode != 0
    assert "GBIZID_SERVER_URL, GBIZID_CLIENT_ID and GBIZID_CLIENT_SECRET" in done.stderr


def test_the_callback_path_is_the_documented_one():
    assert CALLBACK_URL == CALLBACK_PATH == "/accounts/oidc/gbizid/login/callback/"
