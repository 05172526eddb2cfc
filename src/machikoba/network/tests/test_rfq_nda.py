"""The RFQ page shows the recipient the drawings in place, and the NDA in front of them is
one action: one button that records the acceptance (what, when, by whom, as before) and
brings the drawings up on the same page. The other NDA forms (the NDA page, the guest
page, the board) are one button too."""

import pytest
from django.urls import reverse

from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OTHER_COMPANY
from machikoba.drawings import services as drawing_services
from machikoba.drawings.models import NdaAcceptance
from machikoba.drawings.tests.factories import make_document
from machikoba.network import services
from machikoba.network.tests.factories import deadline, make_job


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _rfq_with_drawing(w):
    owner = w.users[MEMBER]
    drawing_services.nda_publish(actor=owner, company=w.company, body="秘密を守ること")
    document = make_document(w.company, title="段付きシャフト図", pages=1)
    job = make_job(owner, w.company, documents=[document])
    rfq = services.rfq_send(
        actor=owner,
        job=job,
        steps=[job.steps.get(position=2)],
        recipients=[w.other_company],
        deadline=deadline(),
    )
    return rfq, document


def test_the_rfq_page_offers_the_nda_in_place_and_one_press_opens_the_drawings(world):
    rfq, document = _rfq_with_drawing(world)
    partner = world.client_for(OTHER_COMPANY)
    url = reverse("network:rfq_detail", args=[rfq.pk])
    page = partner.get(url).content.decode()
    assert 'data-testid="rfq-nda"' in page
    assert "秘密を守ること" in page
    assert reverse("drawings:detail", args=[document.pk]) not in page
    # One button carries the agreement: no tick box to find first.
    form = page[page.index('data-testid="rfq-nda"') :]
    form = form[: form.index("</form>")]
    assert 'type="checkbox"' not in form
    assert 'name="agree" value="yes"' in form

    nda = world.company.nda_texts.get()
    response = partner.post(
        reverse("drawings:nda_accept", args=[nda.pk]),
        {"agree": "yes", "next": f"{url}#drawings"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url}#drawings"
    acceptance = NdaAcceptance.objects.get(nda=nda, company=world.other_company)
    assert acceptance.accepted_by == world.users[OTHER_COMPANY]
    page = partner.get(url).content.decode()
    assert 'data-testid="rfq-nda"' not in page
    assert reverse("drawings:detail", args=[document.pk]) in page


def test_without_the_buttons_agreement_nothing_is_recorded(world):
    _rfq_with_drawing(world)
    nda = world.company.nda_texts.get()
    response = world.client_for(OTHER_COMPANY).post(
        reverse("drawings:nda_accept", args=[nda.pk]), {"next": "/"}
    )
    assert response.status_code == 200
    assert "条項に同意して図面を見る" in response.content.decode()
    assert not NdaAcceptance.objects.filter(nda=nda).exists()


def test_the_nda_page_is_one_button(world):
    _rfq_with_drawing(world)
    nda = world.company.nda_texts.get()
    page = (
        world.client_for(OTHER_COMPANY)
        .get(reverse("drawings:nda_accept", args=[nda.pk]))
        .content.decode()
    )
    assert 'type="checkbox"' not in page
    assert 'name="agree" value="yes"' in page


def test_the_owner_sees_no_nda_step_and_a_floor_worker_is_not_asked(world):
    rfq, _document = _rfq_with_drawing(world)
    url = reverse("network:rfq_detail", args=[rfq.pk])
    assert 'data-testid="rfq-nda"' not in world.client_for(MEMBER).get(url).content.decode()
    floor = world.client_for(FLOOR_WORKER).get(url)
    assert 'data-testid="rfq-nda"' not in floor.content.decode()
