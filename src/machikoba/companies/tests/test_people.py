"""The people of a company (issue 18, item 3): owners invite by e-mail or by a QR code,
change roles, remove people and hand over ownership; an invite link joins with the role
the owner chose. An expired, revoked or used invite, a non-owner trying, and the last
owner leaving are refused with a clear message and change nothing. Every change is
audited and told to the person it concerns."""

import contextlib
import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Membership
from machikoba.companies.models_people import Invitation, InvitationChannel, InvitationState
from machikoba.companies.selectors_people import (
    invitation_token_hash,
    invite_page,
    people_page,
)
from machikoba.companies.services_people import (
    OPEN_INVITATIONS_PER_COMPANY,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    member_remove,
    member_role_change,
    ownership_transfer,
)
from machikoba.companies.views_people import PENDING_INVITATION_SESSION_KEY
from machikoba.core.access import MANAGE, VIEW, can
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.models import AuditEvent, Notification, NotificationPreference
from machikoba.core.qr import qr_svg
from machikoba.core.testing.clock import clock_at
from machikoba.core.testing.factories import (
    MembershipFactory,
    UserFactory,
    force_login_with_mfa,
)
from machikoba.core.testing.matrix import (
    ADMIN,
    FLOOR_WORKER,
    MEMBER,
    OFFICER,
    OTHER_COMPANY,
    STAFF,
)
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.network.tests.factories import make_job

pytestmark = pytest.mark.django_db

SITE = "https://machikoba.example.jp"
LINK = re.compile(re.escape(SITE) + r"/invite/([A-Za-z0-9_-]{43})/")


@pytest.fixture
def mailbox(settings, django_capture_on_commit_callbacks):
    """Mail and notices as the worker delivers them: run the code inside ``mailbox()``,
    then read ``mail.outbox``."""
    settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MACHIKOBA_SITE_URL = SITE

    @contextlib.contextmanager
    def deliver():
        with django_capture_on_commit_callbacks(execute=True):
            yield
        run_queued_tasks("deliver_notification")
        run_queued_tasks("deliver_email")

    return deliver


def _owner(world):
    return world.users[MEMBER]


def _membership(world, actor):
    return Membership.objects.get(company=world.company, user=world.users[actor])


def _qr_token(world, role=CompanyRole.FLOOR_WORKER):
    return invitation_create(
        actor=_owner(world), company=world.company, role=role, channel=InvitationChannel.QR
    ).token


def _audited(verb, company):
    return AuditEvent.objects.filter(verb=verb, company=company)


def _state(world):
    """Everything a refused change must leave as it was."""
    return (
        sorted(Membership.objects.filter(company=world.company).values_list("user_id", "role")),
        sorted(
            Invitation.objects.filter(company=world.company).values_list(
                "pk", "used_at", "revoked_at"
            )
        ),
    )


# --- invitations --------------------------------------------------------------------


def test_an_email_invitation_mails_a_link_that_joins_with_the_role(world, mailbox):
    owner = _owner(world)
    with mailbox():
        issued = invitation_create(
            actor=owner,
            company=world.company,
            role=CompanyRole.STAFF,
            channel=InvitationChannel.EMAIL,
            email=" Hanako@Example.JP ",
        )
    (sent,) = mail.outbox
    assert sent.to == ["hanako@example.jp"]
    assert sent.subject == "[machikoba] 自社精機株式会社 からメンバーへの招待"
    assert "「事務・技術スタッフ」" in sent.body
    (token,) = LINK.findall(sent.body)
    assert token == issued.token
    invitation = issued.invitation
    # Only the hash is kept; a mailed invite works for a week.
    assert invitation.token_hash == invitation_token_hash(token) != token
    assert token not in str(invitation)
    lifetime = invitation.expires_at - invitation.created_at
    assert dt.timedelta(days=7) - dt.timedelta(minutes=1) < lifetime <= dt.timedelta(days=7)
    event = _audited("invitation.create", world.company).get()
    assert event.after["email"] == "hanako@example.jp"
    assert event.actor == owner

    # Anyone holding the link joins, signed in with any address.
    person = UserFactory(email="hanako.private@example.net")
    mail.outbox.clear()
    with mailbox():
        membership = invitation_accept(actor=person, token=token)
    assert (membership.company, membership.user, membership.role) == (
        world.company,
        person,
        CompanyRole.STAFF,
    )
    invitation.refresh_from_db()
    assert invitation.used_by == person
    assert invitation.state() == InvitationState.USED
    assert _audited("invitation.accept", world.company).get().actor == person
    assert _audited("membership.create", world.company).filter(actor=person).count() == 1
    # The owners hear who joined, the staff do not.
    joined = Notification.objects.filter(kind="member_joined")
    assert [n.user for n in joined] == [owner]
    assert person.get_full_name() in joined.get().body
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_a_qr_invitation_lives_thirty_minutes_and_mails_nothing(world, mailbox):
    with mailbox():
        issued = invitation_create(
            actor=_owner(world),
            company=world.company,
            role=CompanyRole.FLOOR_WORKER,
            channel=InvitationChannel.QR,
            email="ignored@example.jp",
        )
    assert mail.outbox == []
    invitation = issued.invitation
    assert invitation.email == ""
    assert invitation.expires_at - invitation.created_at <= dt.timedelta(minutes=30)
    assert issued.url == f"{SITE}/invite/{issued.token}/"


def test_a_used_invitation_is_refused_the_second_time(world):
    token = _qr_token(world)
    invitation_accept(actor=UserFactory(), token=token)
    before = _state(world)
    with pytest.raises(ApplicationError) as refused:
        invitation_accept(actor=UserFactory(), token=token)
    assert refused.value.code == "invitation_used"
    assert "すでに使われています" in str(refused.value.message)
    assert _state(world) == before


def test_an_expired_invitation_is_refused(world):
    token = _qr_token(world)
    before = _state(world)
    with (
        clock_at(timezone.now() + dt.timedelta(minutes=31)),
        pytest.raises(ApplicationError) as refused,
    ):
        invitation_accept(actor=UserFactory(), token=token)
    assert refused.value.code == "invitation_expired"
    assert "有効期限が切れています" in str(refused.value.message)
    assert _state(world) == before


def test_a_revoked_invitation_is_refused_and_cannot_be_revoked_twice(world):
    issued = invitation_create(
        actor=_owner(world),
        company=world.company,
        role=CompanyRole.STAFF,
        channel=InvitationChannel.EMAIL,
        email="someone@example.jp",
    )
    invitation_revoke(actor=_owner(world), invitation=issued.invitation)
    assert _audited("invitation.revoke", world.company).count() == 1
    before = _state(world)
    with pytest.raises(ApplicationError) as refused:
        invitation_accept(actor=UserFactory(), token=issued.token)
    assert refused.value.code == "invitation_revoked"
    assert "取り消しました" in str(refused.value.message)
    with pytest.raises(ApplicationError) as again:
        invitation_revoke(actor=_owner(world), invitation=issued.invitation)
    assert again.value.code == "invitation_revoked"
    assert _state(world) == before


def test_a_tampered_token_names_no_invitation(world):
    token = _qr_token(world)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(ApplicationError) as refused:
        invitation_accept(actor=UserFactory(), token=tampered)
    assert (refused.value.code, refused.value.status_code) == ("invitation_invalid", 404)
    assert invite_page(user=None, token=tampered) is None
    assert invite_page(user=None, token="short") is None


def test_a_member_cannot_join_twice_and_the_invitation_stays_usable(world):
    token = _qr_token(world)
    with pytest.raises(ApplicationError) as refused:
        invitation_accept(actor=world.users[STAFF], token=token)
    assert refused.value.code == "membership_exists"
    assert _membership(world, STAFF).role == CompanyRole.STAFF
    assert invitation_accept(actor=UserFactory(), token=token).role == CompanyRole.FLOOR_WORKER


@pytest.mark.parametrize("actor", [STAFF, FLOOR_WORKER, OTHER_COMPANY, OFFICER])
def test_only_owners_invite(world, actor):
    with pytest.raises(PermissionRefused) as refused:
        invitation_create(
            actor=world.users[actor],
            company=world.company,
            role=CompanyRole.FLOOR_WORKER,
            channel=InvitationChannel.QR,
        )
    assert refused.value.code == "not_company_owner"
    assert str(refused.value.message) == "メンバーを招待できるのは、この企業の経営者だけです。"
    assert not Invitation.objects.exists()


def test_bad_invitation_input_is_refused_with_the_field(world):
    owner = _owner(world)
    cases = [
        ({"role": "boss", "channel": "qr"}, "invitation_invalid", "role"),
        ({"role": "staff", "channel": "fax"}, "invitation_invalid", "channel"),
        ({"role": "staff", "channel": "email", "email": "not-an-address"}, None, "email"),
        ({"role": "staff", "channel": "email", "email": ""}, None, "email"),
        (
            {"role": "staff", "channel": "email", "email": world.users[STAFF].email.upper()},
            "membership_exists",
            "email",
        ),
    ]
    for arguments, code, field in cases:
        with pytest.raises(ApplicationError) as refused:
            invitation_create(actor=owner, company=world.company, **arguments)
        assert refused.value.code == (code or "invitation_invalid")
        assert field in refused.value.fields
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(verb="invitation.create").exists()


def test_open_invitations_are_limited_per_company(world):
    for _ in range(OPEN_INVITATIONS_PER_COMPANY):
        _qr_token(world)
    with pytest.raises(ApplicationError) as refused:
        _qr_token(world)
    assert refused.value.code == "invitation_too_many"
    assert "取り消して" in str(refused.value.message)
    assert Invitation.objects.count() == OPEN_INVITATIONS_PER_COMPANY


def test_only_owners_see_invitations(world):
    _qr_token(world)
    for actor, seen in [(MEMBER, 1), (STAFF, 0), (FLOOR_WORKER, 0), (OFFICER, 0)]:
        assert Invitation.objects.for_user(world.users[actor], VIEW).count() == seen, actor


# --- roles, removal, ownership -------------------------------------------------------


def test_an_owner_changes_a_role_audited_and_the_person_is_told(world, mailbox):
    worker = world.users[FLOOR_WORKER]
    with mailbox():
        member_role_change(
            actor=_owner(world),
            membership=_membership(world, FLOOR_WORKER),
            role=CompanyRole.STAFF,
        )
    assert _membership(world, FLOOR_WORKER).role == CompanyRole.STAFF
    event = _audited("membership.update", world.company).get()
    assert (event.before["role"], event.after["role"]) == ("floor_worker", "staff")
    notice = Notification.objects.get(user=worker)
    assert notice.kind == "member_role_changed"
    assert "「現場作業者」から「事務・技術スタッフ」" in notice.body
    assert [m.to for m in mail.outbox] == [[worker.email]]
    with pytest.raises(ApplicationError) as unchanged:
        member_role_change(
            actor=_owner(world),
            membership=_membership(world, FLOOR_WORKER),
            role=CompanyRole.STAFF,
        )
    assert unchanged.value.code == "role_unchanged"


def test_a_person_who_turned_notices_off_gets_none(world, mailbox):
    worker = world.users[FLOOR_WORKER]
    NotificationPreference.objects.create(
        user=worker, kind="member_role_changed", in_app=False, email=False
    )
    with mailbox():
        member_role_change(
            actor=_owner(world),
            membership=_membership(world, FLOOR_WORKER),
            role=CompanyRole.STAFF,
        )
    assert not Notification.objects.filter(user=worker).exists()
    assert mail.outbox == []


@pytest.mark.parametrize("actor", [STAFF, FLOOR_WORKER, OTHER_COMPANY])
def test_only_owners_change_roles_remove_and_hand_over(world, actor):
    person = world.users[actor]
    before = _state(world)
    attempts = [
        lambda: member_role_change(
            actor=person, membership=_membership(world, FLOOR_WORKER), role=CompanyRole.OWNER
        ),
        lambda: member_remove(actor=person, membership=_membership(world, FLOOR_WORKER)),
        lambda: ownership_transfer(
            actor=person, company=world.company, to=_membership(world, FLOOR_WORKER)
        ),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionRefused) as refused:
            attempt()
        assert refused.value.code == "not_company_owner"
        assert "経営者だけです" in str(refused.value.message)
    assert _state(world) == before


def test_the_last_owner_can_be_neither_demoted_nor_removed(world):
    owner = _owner(world)
    own = _membership(world, MEMBER)
    before = _state(world)
    with pytest.raises(ApplicationError) as demoted:
        member_role_change(actor=owner, membership=own, role=CompanyRole.STAFF)
    assert demoted.value.code == "last_owner"
    assert "ただ一人の経営者" in str(demoted.value.message)
    with pytest.raises(ApplicationError) as removed:
        member_remove(actor=owner, membership=own)
    assert removed.value.code == "last_owner"
    assert _state(world) == before
    assert (
        not AuditEvent.objects.filter(verb__startswith="membership.")
        .exclude(verb="membership.create")
        .exists()
    )
    # With a second owner, either may step back.
    second = MembershipFactory(company=world.company, role=CompanyRole.OWNER)
    member_role_change(actor=owner, membership=own, role=CompanyRole.STAFF)
    assert not can(owner, MANAGE, world.company)
    with pytest.raises(ApplicationError) as last:
        member_remove(actor=second.user, membership=second)
    assert last.value.code == "last_owner"


def test_an_inactive_owner_does_not_count_as_the_remaining_one(world):
    MembershipFactory(company=world.company, role=CompanyRole.OWNER, user__is_active=False)
    with pytest.raises(ApplicationError) as refused:
        member_remove(actor=_owner(world), membership=_membership(world, MEMBER))
    assert refused.value.code == "last_owner"


def test_removal_ends_access_at_once_and_records_stay_attributed(world, client, mailbox):
    staff = world.users[STAFF]
    job = make_job(staff, world.company)
    client.force_login(staff)
    detail = reverse("network:job_detail", args=[job.pk])
    assert client.get(detail).status_code == 200
    with mailbox():
        member_remove(actor=_owner(world), membership=_membership(world, STAFF))
    assert not Membership.objects.filter(company=world.company, user=staff).exists()
    # The very next request: the job is not found, the jobs list has no company for them.
    assert client.get(detail).status_code == 404
    assert client.get(reverse("network:jobs")).status_code == 403
    job.refresh_from_db()
    assert job.created_by == staff
    event = _audited("membership.delete", world.company).get()
    assert event.before == {"user": staff.email, "role": "staff"}
    notice = Notification.objects.get(user=staff, kind="member_removed")
    assert "自社精機株式会社 のメンバーから外しました" in notice.body
    assert [m.to for m in mail.outbox] == [[staff.email]]


def test_an_owner_leaving_loses_the_roles_cached_for_the_request(world):
    """The access layer caches a user's memberships on the user object for the request;
    an owner who leaves (another owner stays) loses them at once, in the same request."""
    owner = _owner(world)
    MembershipFactory(company=world.company, role=CompanyRole.OWNER)
    assert can(owner, MANAGE, world.company)
    member_remove(actor=owner, membership=_membership(world, MEMBER))
    assert not can(owner, MANAGE, world.company)
    assert Membership.objects.for_user(owner, VIEW).count() == 0


def test_ownership_is_handed_over_and_the_owner_may_step_down(world, mailbox):
    owner, worker = _owner(world), world.users[FLOOR_WORKER]
    with mailbox():
        ownership_transfer(
            actor=owner,
            company=world.company,
            to=_membership(world, FLOOR_WORKER),
            step_down=True,
        )
    assert _membership(world, FLOOR_WORKER).role == CompanyRole.OWNER
    assert _membership(world, MEMBER).role == CompanyRole.STAFF
    assert Membership.objects.filter(company=world.company, role=CompanyRole.OWNER).count() == 1
    assert not can(owner, MANAGE, world.company)
    assert can(worker, MANAGE, world.company)
    assert _audited("ownership.transfer", world.company).get().after == {
        "to": worker.email,
        "step_down": True,
    }
    assert _audited("membership.update", world.company).count() == 2
    assert Notification.objects.get(user=worker).kind == "ownership_transferred"
    assert [m.to for m in mail.outbox] == [[worker.email]]


def test_handing_over_keeps_the_owner_unless_asked(world):
    ownership_transfer(actor=_owner(world), company=world.company, to=_membership(world, STAFF))
    assert {m.role for m in Membership.objects.filter(user__in=[_owner(world)])} == {"owner"}
    assert _membership(world, STAFF).role == CompanyRole.OWNER


def test_handing_over_to_an_owner_oneself_or_another_company_is_refused(world):
    owner = _owner(world)
    second = MembershipFactory(company=world.company, role=CompanyRole.OWNER)
    foreign = Membership.objects.get(user=world.users[OTHER_COMPANY])
    before = _state(world)
    for target in (second, _membership(world, MEMBER), foreign):
        with pytest.raises(ApplicationError) as refused:
            ownership_transfer(actor=owner, company=world.company, to=target, step_down=True)
        assert refused.value.code == "ownership_transfer_invalid"
    assert _state(world) == before
    assert foreign.role == Membership.objects.get(pk=foreign.pk).role


# --- pages ---------------------------------------------------------------------------


def test_the_people_page_lists_who_has_access_and_open_invitations(
    world, django_assert_max_num_queries
):
    owner = _owner(world)
    issued = invitation_create(
        actor=owner,
        company=world.company,
        role=CompanyRole.STAFF,
        channel=InvitationChannel.EMAIL,
        email="taro@example.jp",
    )
    used = _qr_token(world)
    invitation_accept(actor=UserFactory(), token=used)
    page = people_page(user=owner, company=world.company)
    assert [p.membership.role for p in page.people] == [
        "owner",
        "staff",
        "floor_worker",
        "floor_worker",
    ]
    assert [p.is_last_owner for p in page.people] == [True, False, False, False]
    assert [p.is_you for p in page.people] == [True, False, False, False]
    assert page.invitations == [issued.invitation]
    assert owner not in [m.user for m in page.transfer_candidates]
    # Nobody else reads it.
    assert people_page(user=world.users[STAFF], company=world.company).people == []

    client = Client()
    client.force_login(owner)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("companies:people", args=[world.company.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "taro@example.jp" in body
    assert world.users[FLOOR_WORKER].get_full_name() in body
    assert "ただ一人の経営者" in body


def test_a_worker_opening_the_invite_page_is_told_only_owners_may(world, client):
    client.force_login(world.users[FLOOR_WORKER])
    response = client.get(reverse("companies:people_invite", args=[world.company.pk]))
    assert response.status_code == 403
    body = response.content.decode()
    assert "この企業の経営者だけができます" in body
    assert _owner(world).get_full_name() in body
    posted = client.post(
        reverse("companies:people_invite", args=[world.company.pk]),
        {"role": "owner", "channel": "qr"},
    )
    assert posted.status_code == 403
    assert not Invitation.objects.exists()


def test_the_qr_page_shows_the_invite_as_svg_and_text(world, client, settings):
    settings.MACHIKOBA_SITE_URL = SITE
    client.force_login(_owner(world))
    response = client.post(
        reverse("companies:people_invite", args=[world.company.pk]),
        {"role": "floor_worker", "channel": "qr", "email": ""},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    body = response.content.decode()
    (token,) = set(LINK.findall(body))
    assert Invitation.objects.get().token_hash == invitation_token_hash(token)
    assert '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' in body
    assert 'style="' not in body
    assert "「現場作業者」として招待" in body


def test_the_qr_svg_draws_the_code_modules():
    svg = qr_svg("https://machikoba.example.jp/invite/x/", label="招待 <QR>")
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    # Version 3 at level M holds this URL: 29 modules and the 4-module quiet zone.
    assert size == 29 + 8
    assert 'aria-label="招待 &lt;QR&gt;"' in svg
    # The three finder patterns' top rows: 7 dark modules from the corner of the code.
    assert svg.count("h7v1h-7z") >= 3
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")


def test_an_email_invite_from_the_page_goes_back_to_the_list(world, client, mailbox):
    client.force_login(_owner(world))
    with mailbox():
        response = client.post(
            reverse("companies:people_invite", args=[world.company.pk]),
            {"role": "staff", "channel": "email", "email": "jiro@example.jp"},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("companies:people", args=[world.company.pk])
    assert [m.to for m in mail.outbox] == [["jiro@example.jp"]]
    bad = client.post(
        reverse("companies:people_invite", args=[world.company.pk]),
        {"role": "staff", "channel": "email", "email": "jiro"},
    )
    assert bad.status_code == 200
    assert "招待する人のメールアドレスを正しく入力してください。" in bad.content.decode()
    assert Invitation.objects.count() == 1


def test_the_invite_link_asks_a_visitor_to_sign_up_and_remembers_it(world, client):
    token = _qr_token(world)
    url = reverse("companies:invite_accept", args=[token])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "自社精機株式会社" in body
    assert "現場作業者" in body
    assert f"/accounts/signup/?next={url}" in body
    assert f"/accounts/login/?next={url}" in body
    assert client.session[PENDING_INVITATION_SESSION_KEY] == token
    # A visitor's POST joins nobody: it asks to sign in first.
    posted = client.post(url)
    assert posted.status_code == 302
    assert posted["Location"].startswith("/accounts/login/")
    assert Invitation.objects.get().used_at is None
    # Signed in (the session survives sign-in), they join and the pending link is gone.
    client.force_login(UserFactory())
    assert client.session[PENDING_INVITATION_SESSION_KEY] == token
    assert client.post(url).status_code == 302
    assert PENDING_INVITATION_SESSION_KEY not in client.session
    assert Invitation.objects.get().used_at is not None


def test_the_invite_link_joins_a_signed_in_person_who_then_works_there(world, client):
    token = _qr_token(world, role=CompanyRole.STAFF)
    person = MembershipFactory(company=world.other_company, role=CompanyRole.OWNER).user
    client.force_login(person)
    url = reverse("companies:invite_accept", args=[token])
    page = client.get(url)
    assert "参加する" in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert Membership.objects.get(company=world.company, user=person).role == "staff"
    home = client.get(reverse("web:home"))
    assert "自社精機株式会社 に「事務・技術スタッフ」として参加しました。" in home.content.decode()
    # The joined company is the one they now work for.
    assert 'data-testid="active-company">自社精機株式会社<' in home.content.decode()
    # Opening the used link again says they joined through it; another person is refused.
    again = client.get(url)
    assert again.status_code == 200
    assert "この招待で 自社精機株式会社 に参加しました。" in again.content.decode()
    other = Client()
    other.force_login(UserFactory())
    refused = other.get(url)
    assert refused.status_code == 410
    assert "すでに使われています" in refused.content.decode()
    assert other.post(url).status_code == 410
    assert Membership.objects.filter(company=world.company).count() == 4


def test_an_expired_link_says_so_and_changes_nothing(world, client):
    token = _qr_token(world)
    client.force_login(UserFactory())
    url = reverse("companies:invite_accept", args=[token])
    with clock_at(timezone.now() + dt.timedelta(hours=1)):
        responses = [client.get(url), client.post(url)]
    for response in responses:
        assert response.status_code == 410
        assert "有効期限が切れています" in response.content.decode()
    assert Membership.objects.filter(company=world.company).count() == 3


def test_an_owner_who_steps_back_is_sent_home(world, client):
    second = MembershipFactory(company=world.company, role=CompanyRole.OWNER)
    client.force_login(_owner(world))
    response = client.post(
        reverse("companies:people_role", args=[world.company.pk, _membership(world, MEMBER).pk]),
        {"role": "staff"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert second.role == Membership.objects.get(pk=second.pk).role == "owner"


def test_the_last_owner_is_told_why_on_the_pages(world, client):
    client.force_login(_owner(world))
    own = _membership(world, MEMBER)
    role = client.post(
        reverse("companies:people_role", args=[world.company.pk, own.pk]), {"role": "staff"}
    )
    assert role.status_code == 200
    assert "ただ一人の経営者なので、役割を変えられません。" in role.content.decode()
    remove_url = reverse("companies:people_remove", args=[world.company.pk, own.pk])
    confirm = client.get(remove_url).content.decode()
    assert 'data-testid="last-owner"' in confirm
    assert 'data-testid="remove-form"' not in confirm
    removed = client.post(remove_url, follow=True)
    assert "ただ一人の経営者なので、外せません。" in removed.content.decode()
    assert _membership(world, MEMBER).role == CompanyRole.OWNER


def test_only_owners_see_the_way_to_the_people_page(world):
    for actor, shown in [(MEMBER, True), (STAFF, False), (FLOOR_WORKER, False)]:
        client = Client()
        client.force_login(world.users[actor])
        for url in (reverse("web:home"), reverse("companies:detail", args=[world.company.pk])):
            body = client.get(url).content.decode()
            assert ('data-testid="manage-people"' in body) is shown, (actor, url)


def test_platform_admins_read_invitations_without_the_secret(world):
    issued = invitation_create(
        actor=_owner(world),
        company=world.company,
        role=CompanyRole.STAFF,
        channel=InvitationChannel.EMAIL,
        email="taro@example.jp",
    )
    client = Client()
    force_login_with_mfa(client, world.users[ADMIN])
    for url in (
        reverse("admin:companies_invitation_changelist"),
        reverse("admin:companies_invitation_change", args=[issued.invitation.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "taro@example.jp" in body
        assert issued.invitation.token_hash not in body
        assert issued.token not in body
    assert client.get(reverse("admin:companies_invitation_add")).status_code == 403
