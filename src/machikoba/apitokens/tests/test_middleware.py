"""The API guard: rate limits per caller, and idempotency keys that make a retried write
happen once."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from machikoba.apitokens.models import IdempotencyRecord
from machikoba.apitokens.services import token_create
from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.factories import MembershipFactory
from machikoba.network.models import Job

pytestmark = pytest.mark.django_db
JSON = "application/json"
SMALL = {"read": 3, "write": 2, "anonymous": 2}


@pytest.fixture
def owner():
    return MembershipFactory(role=CompanyRole.OWNER)


def _secret(member):
    return token_create(
        actor=member.user,
        name="連携",
        scopes=["network:write"],
        lifetime_days=30,
        company=member.company,
    )[1]


def _headers(secret, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return headers


def _job(part="フランジ"):
    return {
        "part_name": part,
        "quantity": 20,
        "due_date": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
    }


@override_settings(API_RATE_LIMITS=SMALL)
def test_reads_over_the_limit_get_429_with_retry_after_per_caller(client, owner):
    secret = _secret(owner)
    url = reverse("api:network_jobs")
    answers = [client.get(url, **_headers(secret)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert answers[0]["X-RateLimit-Limit"] == "3"
    refused = answers[-1]
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another company's token has its own count.
    assert client.get(url, **_headers(_secret(MembershipFactory()))).status_code == 200


@override_settings(API_RATE_LIMITS=SMALL)
def test_writes_have_their_own_smaller_limit_and_a_refused_write_writes_nothing(client, owner):
    secret = _secret(owner)
    url = reverse("api:network_job_create")
    codes = [
        client.post(url, _job(), content_type=JSON, **_headers(secret)).status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]
    assert Job.objects.count() == 2
    assert client.get(reverse("api:network_jobs"), **_headers(secret)).status_code == 200


@override_settings(API_RATE_LIMITS=SMALL)
def test_anonymous_callers_are_limited_by_address(client):
    url = reverse("api:network_jobs")
    codes = [client.get(url, REMOTE_ADDR="198.51.100.4").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    assert client.get(url, REMOTE_ADDR="198.51.100.5").status_code == 401


def test_a_retried_write_with_the_same_key_happens_once(client, owner):
    secret = _secret(owner)
    url = reverse("api:network_job_create")
    first = client.post(url, _job(), content_type=JSON, **_headers(secret, "order-42"))
    again = client.post(url, _job(), content_type=JSON, **_headers(secret, "order-42"))
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Job.objects.count() == 1
    # Another key is another write.
    client.post(url, _job(), content_type=JSON, **_headers(secret, "order-43"))
    assert Job.objects.count() == 2


def test_the_same_key_on_another_request_is_refused(client, owner):
    secret = _secret(owner)
    url = reverse("api:network_job_create")
    client.post(url, _job(), content_type=JSON, **_headers(secret, "k1"))
    other = client.post(url, _job("シャフト"), content_type=JSON, **_headers(secret, "k1"))
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Job.objects.count() == 1


def test_keys_belong_to_their_caller(client, owner):
    url = reverse("api:network_job_create")
    client.post(url, _job(), content_type=JSON, **_headers(_secret(owner), "same"))
    stranger = MembershipFactory(role=CompanyRole.OWNER)
    theirs = client.post(url, _job(), content_type=JSON, **_headers(_secret(stranger), "same"))
    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert Job.objects.filter(company=stranger.company).count() == 1


def test_a_key_still_in_progress_gets_409(client, owner):
    secret = _secret(owner)
    url = reverse("api:network_job_create")
    first = client.post(url, _job(), content_type=JSON, **_headers(secret, "slow"))
    IdempotencyRecord.objects.update(status_code=None)  # as if the first were still running
    answer = client.post(url, _job(), content_type=JSON, **_headers(secret, "slow"))
    assert first.status_code == 201
    assert answer.status_code == 409
    assert answer.json()["code"] == "idempotency_in_progress"
    assert Job.objects.count() == 1


def test_a_refused_write_is_not_kept_when_the_caller_can_fix_it_by_signing_in(client, owner):
    url = reverse("api:network_job_create")
    # No valid token: not a caller, the key is not even claimed.
    answer = client.post(url, _job(), content_type=JSON, **_headers("mkb_bad_secret", "x"))
    assert answer.status_code == 401
    assert not IdempotencyRecord.objects.exists()


def test_an_invalid_input_answer_is_replayed_not_redone(client, owner):
    secret = _secret(owner)
    url = reverse("api:network_job_create")
    bad = {"part_name": "x", "quantity": 20, "due_date": "not a date"}
    first = client.post(url, bad, content_type=JSON, **_headers(secret, "bad"))
    again = client.post(url, bad, content_type=JSON, **_headers(secret, "bad"))
    assert first.status_code == again.status_code == 422
    assert again["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("key", ["", "x" * 201, "日本語キー"])
def test_a_malformed_key_is_refused_before_anything_is_written(client, owner, key):
    answer = client.post(
        reverse("api:network_job_create"),
        _job(),
        content_type=JSON,
        **_headers(_secret(owner), key),
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "idempotency_key_invalid"
    assert not Job.objects.exists()


def test_expired_records_are_forgotten(client, owner):
    secret = _secret(owner)
    url = reverse("api:network_job_create")
    client.post(url, _job(), content_type=JSON, **_headers(secret, "old"))
    IdempotencyRecord.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    client.post(url, _job(), content_type=JSON, **_headers(secret, "old"))
    assert Job.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 1


def test_the_hourly_purge_forgets_only_expired_answers(client, owner):
    from django.conf import settings

    from machikoba.apitokens.tasks import purge_idempotency_records

    secret = _secret(owner)
    url = reverse("api:network_job_create")
    client.post(url, _job(), content_type=JSON, **_headers(secret, "old"))
    client.post(url, _job(), content_type=JSON, **_headers(secret, "fresh"))
    IdempotencyRecord.objects.filter(key="old").update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert purge_idempotency_records.call() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
    assert "apitokens.purge_idempotency_records" in settings.PERIODIC_TASKS
