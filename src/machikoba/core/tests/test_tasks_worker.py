"""Background work: mail is queued after commit and a real worker process sends it."""

import email
import email.policy
import time
from pathlib import Path

import pytest
from django.core import mail as django_mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from machikoba.core.testing.factories import UserFactory
from machikoba.core.testing.processes import start_worker


@pytest.fixture(autouse=True)
def _queued_mail(settings):
    # Django's test set-up swaps in the locmem mail backend; these tests are about ours.
    settings.EMAIL_BACKEND = "machikoba.core.mail.QueuedEmailBackend"


def _wait_for(predicate, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.worker
def test_mail_enqueued_by_a_request_is_sent_by_a_real_worker(transactional_db, client, tmp_path):
    user = UserFactory(email="reset-me@example.test")
    worker = start_worker(
        {
            "EMAIL_DELIVERY_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(tmp_path),
        }
    )
    try:
        response = client.post("/accounts/password/reset/", {"email": user.email})
        assert response.status_code == 302
        # The request committed, so exactly one delivery is queued for the worker.
        queued = DBTaskResult.objects.get()
        assert queued.task_path == "machikoba.core.tasks.deliver_email"
        assert queued.queue_name == "mail"

        def finished():
            queued.refresh_from_db()
            return queued.status in ("SUCCESSFUL", "FAILED")

        if not _wait_for(finished):
            worker.terminate()
            pytest.fail("the worker did not finish in time:\n" + worker.communicate()[0])
        assert queued.status == "SUCCESSFUL", queued.exception_class_path
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    files = list(Path(tmp_path).glob("*.log"))
    assert len(files) == 1, output
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == "reset-me@example.test"
    assert "パスワード" in message["Subject"]
    assert "パスワード" in message.get_body(("plain",)).get_content()


@pytest.mark.django_db(transaction=True)
def test_mail_from_a_rolled_back_transaction_is_never_queued():
    class Boom(Exception):
        pass

    def send_then_fail():
        with transaction.atomic():
            django_mail.send_mail("件名", "本文", None, ["x@example.test"])
            raise Boom

    with pytest.raises(Boom):
        send_then_fail()
    assert DBTaskResult.objects.count() == 0
    django_mail.send_mail("件名", "本文", None, ["x@example.test"])
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_queued_payload_round_trips_html_alternatives():
    from django.core.mail import EmailMultiAlternatives, get_connection

    from machikoba.core.mail import message_to_payload, payload_to_message

    original = EmailMultiAlternatives(
        "見積依頼",
        "本文",
        "a@example.test",
        ["b@example.test"],
        cc=["c@example.test"],
        headers={"X-Job": "42"},
    )
    original.attach_alternative("<p>本文</p>", "text/html")
    payload = message_to_payload(original)
    connection = get_connection("django.core.mail.backends.locmem.EmailBackend")
    rebuilt = payload_to_message(payload, connection)
    assert rebuilt.subject == "見積依頼"
    assert rebuilt.body == "本文"
    assert rebuilt.from_email == "a@example.test"
    assert rebuilt.to == ["b@example.test"]
    assert rebuilt.alternatives[0][0] == "<p>本文</p>"
    assert rebuilt.cc == ["c@example.test"]
    assert rebuilt.extra_headers == {"X-Job": "42"}
    assert rebuilt.alternatives[0][1] == "text/html"
