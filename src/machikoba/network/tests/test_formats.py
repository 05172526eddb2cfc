"""One date format (2026/12/09), one yen format and the job's unit, the same on the
order page, in the order PDF and in an e-mail (issue 16, item 11)."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from machikoba.core.dates import format_date, format_datetime
from machikoba.core.testing.matrix import OTHER_COMPANY
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.network.choices import QuantityUnit
from machikoba.network.tests.test_notifications import _send_rfq, inbox  # noqa: F401
from machikoba.network.tests.test_permissions import _order

pytestmark = pytest.mark.clock_sensitive

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
JAPANESE_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_order_page_and_its_pdf_write_dates_yen_and_units_alike(world):
    order = _order(world)
    order.job.unit = QuantityUnit.ROD
    order.job.save()
    client = world.client_for(OTHER_COMPANY)
    page = client.get(reverse("network:order_detail", args=[order.pk])).content.decode()
    response = client.get(reverse("network:order_pdf", args=[order.pk]))
    pdf = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    delivery = format_date(order.delivery_date)
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}", delivery)
    for text in (page, pdf):
        assert delivery in text
        assert format_date(order.payment_date) in text
        assert "80,000円" in text
        assert "¥" not in text
        assert f"{order.quantity} 本" in text
    assert not JAPANESE_DATE.search(pdf)
    assert not ISO_DATE.search(pdf)


def test_an_email_writes_the_deadline_like_the_pages(
    world,
    inbox,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    rfq = _send_rfq(world, django_capture_on_commit_callbacks)
    run_queued_tasks("deliver_notification")
    body = inbox.messages[0].get_content()
    assert f"回答期限は {format_datetime(rfq.deadline)} です" in body
    assert not ISO_DATE.search(body.split("https://")[0])
    page = world.client_for(OTHER_COMPANY).get(reverse("network:rfq_detail", args=[rfq.pk]))
    assert format_datetime(rfq.deadline) in page.content.decode()
