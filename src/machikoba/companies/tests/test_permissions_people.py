"""Permission matrix for the people of a company: every page that invites, changes a role,
removes or hands over ownership is the company's owners' alone (its staff and floor
workers, another company, the ward's officers, another ward's, the metro viewer and
platform admins get 403); another company's row under this company's address is not
found. The page an invite link opens is authorised by its token alone."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Membership
from machikoba.companies.models_people import Invitation, InvitationChannel
from machikoba.companies.services_people import invitation_create
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    DONE,
    FLOOR_WORKER,
    LOGIN,
    MEMBER,
    REFUSED,
    STAFF,
    Case,
    assert_case,
    expect,
)

# The owners' pages: owners get them; everyone else signed in who sees the company is
# refused (403); visitors are asked to sign in.
OWNERS = expect(403, **{ANONYMOUS: LOGIN, MEMBER: 200})


def _owners_post(outcome):
    return expect(403, **{ANONYMOUS: LOGIN, MEMBER: outcome})


def _owner(w):
    return Membership.objects.get(company=w.company, role=CompanyRole.OWNER).user


def _membership(w, actor):
    return Membership.objects.get(company=w.company, user=w.users[actor])


def _issue(company, owner, channel=InvitationChannel.QR):
    return invitation_create(
        actor=owner,
        company=company,
        role=CompanyRole.FLOOR_WORKER,
        channel=channel,
        email="invitee@example.jp" if channel == InvitationChannel.EMAIL else "",
    )


def _url(name, *extra):
    def build(w):
        return reverse(f"companies:{name}", args=[w.company.pk, *(e(w) for e in extra)])

    return build


def _of(actor):
    return lambda w: _membership(w, actor).pk


def _own_invitation(w):
    return _issue(w.company, _owner(w), InvitationChannel.EMAIL).invitation.pk


def _foreign_invitation(w):
    other_owner = Membership.objects.get(company=w.other_company).user
    return _issue(w.other_company, other_owner).invitation.pk


def _foreign_membership(w):
    return Membership.objects.get(company=w.other_company).pk


def _role_of(actor):
    return lambda w: _membership(w, actor).role


def _accept_url(*, tamper=False, expired=False):
    """Each actor gets a fresh, genuine link (its token is otherwise only on the owner's
    screen), or a tampered or an expired one."""

    def build(w):
        issued = _issue(w.company, _owner(w))
        token = issued.token
        if tamper:
            token = token[:-1] + ("A" if token[-1] != "A" else "B")
        if expired:
            Invitation.objects.filter(pk=issued.invitation.pk).update(
                expires_at=timezone.now() - dt.timedelta(minutes=1)
            )
        return reverse("companies:invite_accept", args=[token])

    return build


def _members(w):
    return Membership.objects.filter(company=w.company).count()


def _owners(w):
    return sorted(
        Membership.objects.filter(company=w.company, role=CompanyRole.OWNER).values_list(
            "user_id", flat=True
        )
    )


# Members of the company already are members: the link tells them so and joins nobody.
ACCEPT_POST = expect(DONE, **{ANONYMOUS: LOGIN, MEMBER: 400, STAFF: 400, FLOOR_WORKER: 400})

MATRIX = [
    Case("companies:people", _url("people"), OWNERS),
    Case(
        "companies:people",
        lambda w: reverse("companies:people", args=[987_654]),
        expect(404, **{ANONYMOUS: LOGIN}),
        note="unknown id",
    ),
    Case("companies:people_invite", _url("people_invite"), OWNERS),
    Case(
        "companies:people_invite",
        _url("people_invite"),
        _owners_post(200),
        method="POST",
        data=lambda w: {"role": "floor_worker", "channel": "qr"},
        note="QR code",
    ),
    Case(
        "companies:people_invite",
        _url("people_invite"),
        _owners_post(DONE),
        method="POST",
        data=lambda w: {"role": "staff", "channel": "email", "email": "new@example.jp"},
        effect=lambda w: Invitation.objects.count(),
        note="e-mail",
    ),
    Case(
        "companies:people_invite_revoke",
        _url("people_invite_revoke", _own_invitation),
        _owners_post(DONE),
        method="POST",
        effect=lambda w: list(Invitation.objects.values_list("revoked_at", flat=True)),
    ),
    Case(
        "companies:people_invite_revoke",
        _url("people_invite_revoke", _foreign_invitation),
        _owners_post(404),
        method="POST",
        note="another company's invitation",
    ),
    Case("companies:people_role", _url("people_role", _of(FLOOR_WORKER)), OWNERS),
    Case(
        "companies:people_role",
        _url("people_role", _foreign_membership),
        _owners_post(404),
        note="another company's member",
    ),
    Case(
        "companies:people_role",
        _url("people_role", _of(FLOOR_WORKER)),
        _owners_post(DONE),
        method="POST",
        data=lambda w: {"role": "staff"},
        effect=_role_of(FLOOR_WORKER),
    ),
    Case(
        "companies:people_role",
        _url("people_role", _of(MEMBER)),
        # The only owner: the form says why, and nothing changes.
        _owners_post(200),
        method="POST",
        data=lambda w: {"role": "staff"},
        effect=_role_of(MEMBER),
        note="last owner",
    ),
    Case("companies:people_remove", _url("people_remove", _of(STAFF)), OWNERS),
    Case(
        "companies:people_remove",
        _url("people_remove", _of(STAFF)),
        _owners_post(DONE),
        method="POST",
        effect=_members,
    ),
    Case(
        "companies:people_remove",
        _url("people_remove", _of(MEMBER)),
        _owners_post(REFUSED),
        method="POST",
        effect=_members,
        note="last owner",
    ),
    Case(
        "companies:people_remove",
        _url("people_remove", _foreign_membership),
        _owners_post(404),
        method="POST",
        effect=_members,
        note="another company's member",
    ),
    Case("companies:people_transfer", _url("people_transfer"), OWNERS),
    Case(
        "companies:people_transfer",
        _url("people_transfer"),
        _owners_post(DONE),
        method="POST",
        data=lambda w: {"to": str(_membership(w, STAFF).pk), "step_down": "on"},
        effect=_owners,
    ),
    Case("companies:invite_accept", _accept_url(), expect(200), note="valid"),
    Case("companies:invite_accept", _accept_url(tamper=True), expect(404), note="tampered"),
    Case("companies:invite_accept", _accept_url(expired=True), expect(410), note="expired"),
    Case(
        "companies:invite_accept",
        _accept_url(),
        ACCEPT_POST,
        method="POST",
        effect=_members,
        note="valid",
    ),
    Case(
        "companies:invite_accept",
        _accept_url(tamper=True),
        expect(404),
        method="POST",
        effect=_members,
        note="tampered",
    ),
    Case(
        "companies:invite_accept",
        _accept_url(expired=True),
        expect(410, **{ANONYMOUS: LOGIN}),
        method="POST",
        effect=_members,
        note="expired",
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
