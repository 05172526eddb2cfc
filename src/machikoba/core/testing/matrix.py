"""The permission matrix: who gets what from every URL of the project.

Each app's ``tests/test_permissions.py`` declares ``MATRIX``, a list of ``Case``:
a route, how to build its URL and request from the test ``World``, and the
expected outcome for each actor. ``assert_case`` runs one case for every actor;
``core/tests/test_url_coverage.py`` fails when a URL pattern of the project is in
no case and not declared public in ``PUBLIC_ROUTES``.

Outcomes: an HTTP status (200, 403, 404, …), ``LOGIN`` (redirect to sign-in),
or ``REDIRECT`` (any other redirect, for GET). A POST that redirects is read further,
because a refused button also redirects, with the refusal flashed
(``core.views.run_and_flash``): ``REFUSED`` (a refusal flashed, and the case's ``effect``
unchanged), ``DONE`` (the ``effect`` changed, or without one a success flashed), or
``UNCHANGED`` (nothing flashed, the ``effect`` unchanged).
Each actor's request runs in a savepoint that is rolled back, so every actor meets the
same state: what one actor did cannot refuse or enable the next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.messages import constants, get_messages
from django.db import transaction
from django.test import Client

from machikoba.accounts.choices import WardRole
from machikoba.companies.choices import CompanyRole

ANONYMOUS = "anonymous"
OTHER_COMPANY = "other_company"
MEMBER = "member"  # owner of the company that owns the object
STAFF = "staff"  # staff of that company
FLOOR_WORKER = "floor_worker"
OFFICER = "officer"  # an officer of the ward both companies are in (大田区)
OTHER_WARD_OFFICER = "other_ward_officer"  # an officer of another ward (墨田区)
METRO_VIEWER = "metro_viewer"  # 特別区全体: aggregates only, never a company's record
ADVISOR = "advisor"  # the advisor dispatched to the company (an engagement names them)
INSTRUCTOR = "instructor"  # the instructor of a cohort the company's owner attends
# A subsidy reviewer of 大田区 assigned to the company's application, no conflict declared.
REVIEWER = "reviewer"
LAB_STAFF = "lab_staff"  # runs the DX Lab of 大田区 (the ward both companies are in)
VENDOR = "vendor"  # the owner of an IT vendor (a company of kind ``vendor``)
BANK = "bank"  # a member of a partner bank (a company of kind ``bank``)
ADMIN = "admin"
ACTORS = (
    ANONYMOUS,
    OTHER_COMPANY,
    MEMBER,
    STAFF,
    FLOOR_WORKER,
    OFFICER,
    OTHER_WARD_OFFICER,
    METRO_VIEWER,
    ADVISOR,
    INSTRUCTOR,
    REVIEWER,
    LAB_STAFF,
    VENDOR,
    BANK,
    ADMIN,
)
# The actors who passed a second factor at sign-in.
MFA_ACTORS = (OFFICER, OTHER_WARD_OFFICER, ADMIN)

LOGIN = "login"
REDIRECT = "redirect"
DONE = "done"
REFUSED = "refused"
UNCHANGED = "unchanged"  # redirected with nothing flashed and the effect unchanged


@dataclass
class World:
    """Two companies (both in 大田区) and one person per role, built fresh for each test.
    The company's owner attends a dojo cohort (``application``) whose instructor is the
    instructor actor, the company is supported by the advisor actor (``engagement``), and
    its application for the DX subsidy (``subsidy_application``, in screening) is assigned
    to the reviewer actor, who declared no conflict: what they reach of the company beyond
    that is what the matrix pins down."""

    company: Any
    other_company: Any
    users: dict[str, Any]
    application: Any = None
    engagement: Any = None
    subsidy_application: Any = None
    vendor: Any = None  # an IT vendor company (no exhibit yet: a case adds what it needs)
    bank: Any = None  # a partner bank's company

    @classmethod
    def build(cls) -> World:
        from machikoba.core.testing.factories import (
            SUMIDA,
            CompanyFactory,
            MembershipFactory,
            UserFactory,
            WardRoleFactory,
            give_totp,
            ward,
        )

        company = CompanyFactory(name="自社精機株式会社")
        other = CompanyFactory(name="他社工業株式会社")
        users: dict[str, Any] = {ANONYMOUS: None}
        users[MEMBER] = MembershipFactory(company=company, role=CompanyRole.OWNER).user
        users[STAFF] = MembershipFactory(company=company, role=CompanyRole.STAFF).user
        users[FLOOR_WORKER] = MembershipFactory(company=company, role=CompanyRole.FLOOR_WORKER).user
        users[OTHER_COMPANY] = MembershipFactory(company=other, role=CompanyRole.OWNER).user
        users[OFFICER] = WardRoleFactory(role=WardRole.OFFICER).user
        users[OTHER_WARD_OFFICER] = WardRoleFactory(
            role=WardRole.OFFICER, municipality=ward(SUMIDA)
        ).user
        users[METRO_VIEWER] = WardRoleFactory(role=WardRole.METRO_VIEWER).user
        users[ADMIN] = UserFactory(is_staff=True, is_superuser=True)
        for actor in MFA_ACTORS:
            give_totp(users[actor])
        from machikoba.core.testing.factories_programs import (
            AdvisorFactory,
            ApplicationFactory,
            make_cohort_with_sessions,
            make_engagement,
            make_instructor,
        )

        cohort = make_cohort_with_sessions(sessions=5, first_in_days=-7)
        users[INSTRUCTOR] = make_instructor(cohort)
        application = ApplicationFactory(cohort=cohort, company=company, participant=users[MEMBER])
        advisor = AdvisorFactory()
        users[ADVISOR] = advisor.user
        engagement = make_engagement(company, [advisor])
        from machikoba.core.testing.factories_subsidies import (
            make_application as make_subsidy_application,
        )
        from machikoba.core.testing.factories_subsidies import make_paper_call, make_reviewer
        from machikoba.subsidies.choices import ApplicationStatus, AssignmentStatus
        from machikoba.subsidies.models import ReviewerAssignment

        call = make_paper_call()
        subsidy_application = make_subsidy_application(
            call.stages.get(number=1), company, status=ApplicationStatus.SCREENING
        )
        users[REVIEWER] = make_reviewer()
        ReviewerAssignment.objects.create(
            application=subsidy_application,
            reviewer=users[REVIEWER],
            status=AssignmentStatus.CLEARED,
            declared_at=subsidy_application.submitted_at,
        )
        from machikoba.core.testing.factories_lab import make_bank, make_lab_staff, make_vendor

        users[LAB_STAFF] = make_lab_staff()
        vendor = make_vendor()
        users[VENDOR] = vendor.memberships.get().user
        bank = make_bank()
        users[BANK] = bank.memberships.get().user
        return cls(
            company=company,
            other_company=other,
            users=users,
            application=application,
            engagement=engagement,
            subsidy_application=subsidy_application,
            vendor=vendor,
            bank=bank,
        )

    def client_for(self, actor: str) -> Client:
        from machikoba.core.testing.factories import force_login_with_mfa

        client = Client()
        user = self.users[actor]
        if actor in MFA_ACTORS:
            # They passed TOTP at sign-in (the sign-in itself is tested in accounts/tests).
            force_login_with_mfa(client, user)
        elif user is not None:
            client.force_login(user)
        return client


@dataclass
class Case:
    route: str  # URL pattern name, e.g. "web:home"
    url: Callable[[World], str]
    expect: dict[str, int | str]
    method: str = "GET"
    data: Callable[[World], dict] | None = None
    content_type: str | None = None
    note: str = ""
    # What the POST changes, read before and after each actor's request (a status, a
    # row count …): DONE needs it changed, REFUSED needs it unchanged.
    effect: Callable[[World], Any] | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}{' ' + self.note if self.note else ''}"


def outcome_of(response, *, changed: bool | None = None) -> int | str:
    if response.status_code in (301, 302, 303):
        location = response.headers.get("Location", "")
        if "/accounts/login/" in location:
            return LOGIN
        if response.wsgi_request.method != "POST":
            return REDIRECT
        levels = {m.level for m in get_messages(response.wsgi_request)}
        if constants.ERROR in levels:
            return REFUSED if not changed else f"{REFUSED}, yet the effect changed"
        if changed is not None:
            return DONE if changed else UNCHANGED
        return DONE if constants.SUCCESS in levels else REDIRECT
    return response.status_code


def _effect_of(case: Case, world: World) -> Any:
    value = case.effect(world)
    # A queryset is read now, not when compared.
    return list(value) if hasattr(value, "__iter__") and not isinstance(value, str) else value


def assert_case(case: Case, world: World) -> None:
    missing = set(ACTORS) - set(case.expect)
    assert not missing, f"{case.id}: no expectation for {sorted(missing)}"
    if case.method == "POST" and not case.content_type:
        assert REDIRECT not in case.expect.values(), (
            f"{case.id}: say what a POST that redirects did (DONE, REFUSED, UNCHANGED)"
        )
    failures = []
    for actor in ACTORS:
        client = world.client_for(actor)
        kwargs: dict[str, Any] = {}
        with transaction.atomic():
            url = case.url(world)
            if case.data is not None:
                kwargs["data"] = case.data(world)
            if case.content_type:
                kwargs["content_type"] = case.content_type
            before = _effect_of(case, world) if case.effect else None
            response = getattr(client, case.method.lower())(url, **kwargs)
            changed = _effect_of(case, world) != before if case.effect else None
            got = outcome_of(response, changed=changed)
            transaction.set_rollback(True)
        if got != case.expect[actor]:
            failures.append(f"{actor}: expected {case.expect[actor]}, got {got}")
    assert not failures, f"{case.id}:\n  " + "\n  ".join(failures)


def expect(default: int | str, **overrides: int | str) -> dict[str, int | str]:
    """Expectations for every actor: ``default`` unless overridden by name."""
    result = dict.fromkeys(ACTORS, default)
    result.update(overrides)
    return result


def posted(base: dict[str, int | str], **outcomes: int | str) -> dict[str, int | str]:
    """``base`` with what a POST did for the actors it reached (``DONE``, ``REFUSED`` …)."""
    result = dict(base)
    result.update(outcomes)
    return result
