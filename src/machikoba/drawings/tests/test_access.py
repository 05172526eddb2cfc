"""Who sees which document, revision, preview page, grant and NDA acceptance, read through
``for_user`` and ``grant_for``: the owner's people by role, a grantee only through a usable
grant, nobody else."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.core.access import CHANGE, DELETE, MANAGE, VIEW
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OTHER_COMPANY, STAFF
from machikoba.drawings.access import grant_for
from machikoba.drawings.models import (
    Document,
    Grant,
    NdaAcceptance,
    NdaText,
    PreviewPage,
    Revision,
)
from machikoba.drawings.tests.factories import make_document, share

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def third(world):
    """A company that has nothing to do with the documents, and its owner."""
    return MembershipFactory(company=CompanyFactory(name="無関係工業"), role="owner").user


def _second_revision(document) -> Revision:
    revision = document.revisions.get()
    revision.pk = None
    revision.number = 2
    revision.save()
    return revision


def _ids(model, user, action):
    return set(model.objects.for_user(user, action).values_list("pk", flat=True))


def test_the_owners_people_act_on_revisions_and_pages_by_role(world, third):
    document = make_document(world.company)
    revisions = set(document.revisions.values_list("pk", flat=True))
    pages = set(PreviewPage.objects.values_list("pk", flat=True))
    assert len(pages) == 2
    for action in (VIEW, CHANGE, MANAGE):
        assert _ids(Revision, world.users[STAFF], action) == revisions, action
        assert _ids(PreviewPage, world.users[STAFF], action) == pages, action
    assert _ids(Revision, world.users[FLOOR_WORKER], VIEW) == revisions
    assert _ids(PreviewPage, world.users[FLOOR_WORKER], VIEW) == pages
    for action in (CHANGE, MANAGE):
        assert _ids(Revision, world.users[FLOOR_WORKER], action) == set(), action
        assert _ids(PreviewPage, world.users[FLOOR_WORKER], action) == set(), action
    # A revision is never deleted through the UI, not even by the owner.
    assert _ids(Revision, world.users[MEMBER], DELETE) == set()
    assert _ids(PreviewPage, world.users[MEMBER], DELETE) == set()
    for user in (world.users[OTHER_COMPANY], third):
        assert _ids(Revision, user, VIEW) == set()
        assert _ids(PreviewPage, user, VIEW) == set()


def test_a_grant_of_one_revision_opens_that_revision_alone(world):
    document = make_document(world.company)
    first = document.revisions.get()
    second = _second_revision(document)
    share(document, world.other_company, revision=second)
    partner = world.users[OTHER_COMPANY]
    assert _ids(Document, partner, VIEW) == {document.pk}
    assert _ids(Revision, partner, VIEW) == {second.pk}
    assert grant_for(partner, second) is not None
    assert grant_for(partner, first) is None
    for action in (CHANGE, MANAGE, DELETE):
        assert _ids(Document, partner, action) == set(), action
        assert _ids(Revision, partner, action) == set(), action


def test_grant_for_prefers_a_download_grant_then_the_newest(world):
    document = make_document(world.company)
    revision = document.revisions.get()
    partner = world.users[OTHER_COMPANY]
    download = share(document, world.other_company, revision=revision, can_download=True)
    view_only = share(document, world.other_company)
    Grant.objects.filter(pk=download.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    assert grant_for(partner, revision) == download
    Grant.objects.filter(pk=download.pk).update(can_download=False)
    assert grant_for(partner, revision) == view_only
    newer = share(document, world.other_company)
    Grant.objects.filter(pk=view_only.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    assert grant_for(partner, revision) == newer


def test_both_sides_see_a_grant_and_only_the_owners_editors_change_it(world, third):
    document = make_document(world.company)
    grant = share(document, world.other_company)
    for actor in (MEMBER, STAFF, FLOOR_WORKER, OTHER_COMPANY):
        assert _ids(Grant, world.users[actor], VIEW) == {grant.pk}, actor
    assert _ids(Grant, third, VIEW) == set()
    for action in (CHANGE, MANAGE, DELETE):
        assert _ids(Grant, world.users[STAFF], action) == {grant.pk}, action
        for user in (world.users[FLOOR_WORKER], world.users[OTHER_COMPANY], third):
            assert _ids(Grant, user, action) == set(), action


def test_both_sides_see_an_nda_acceptance_and_nobody_changes_it(world, third):
    document = make_document(world.company)
    share(document, world.other_company)
    acceptance = NdaAcceptance.objects.get()
    for actor in (MEMBER, FLOOR_WORKER, OTHER_COMPANY):
        assert _ids(NdaAcceptance, world.users[actor], VIEW) == {acceptance.pk}, actor
    assert _ids(NdaAcceptance, third, VIEW) == set()
    for action in (CHANGE, MANAGE, DELETE):
        for actor in (MEMBER, OTHER_COMPANY):
            assert _ids(NdaAcceptance, world.users[actor], action) == set(), (actor, action)


def test_another_companys_acceptance_of_the_nda_opens_nothing_to_the_grantee(world, third):
    document = make_document(world.company)
    share(document, world.other_company, nda=False)
    NdaAcceptance.objects.create(nda=NdaText.objects.get(), company=third.memberships.get().company)
    partner = world.users[OTHER_COMPANY]
    assert _ids(Document, partner, VIEW) == set()
    assert grant_for(partner, document.revisions.get()) is None
    assert _ids(Document, third, VIEW) == set()  # accepting is not being granted
