import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.accounts.models import User
from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Company, Membership
from machikoba.core.access import (
    ACTIONS,
    CHANGE,
    DELETE,
    EDITOR_ROLES,
    EVERYTHING,
    MANAGE,
    MEMBER_ROLES,
    NOTHING,
    OWNER_ROLES,
    VIEW,
    AccessManager,
    AccessPolicy,
    AccessQuerySet,
    ScopedPolicy,
    TenantPolicy,
    access_controlled_models,
    allowed,
    can,
    company_ids_for,
    company_usable,
    deactivation_grace,
    editor_company_ids,
    forget_cached_roles,
    get_for_user_or_404,
    has_role,
    member_company_ids,
    require,
    require_role,
    usable_companies_q,
    ward_roles_of,
)
from machikoba.core.errors import PermissionRefused
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory, WardRoleFactory
from machikoba.core.testing.matrix import (
    ADMIN,
    ANONYMOUS,
    FLOOR_WORKER,
    MEMBER,
    OFFICER,
    OTHER_COMPANY,
    STAFF,
)

# Models that are deliberately not behind for_user, and why.
EXEMPT_MODELS = {
    User: "people are reached through memberships and ward roles; "
    "only the user themself and platform admins (Django admin) read the table",
}


def test_every_project_model_is_behind_the_access_layer():
    from django.apps import apps

    ours = [m for m in apps.get_models() if m.__module__.startswith("machikoba.")]
    controlled = set(access_controlled_models())
    missing = [m.__name__ for m in ours if m not in controlled and m not in EXEMPT_MODELS]
    assert missing == []
    for model in controlled:
        assert isinstance(model._default_manager, AccessManager), model


def test_every_policy_is_a_tenant_policy_or_scopes_of_its_apps_access_module():
    """One way to declare access: ``TenantPolicy`` for rows owned through a company
    field, otherwise ``ScopedPolicy`` over functions of the app's ``access`` module (core's
    generic ones, such as ``own_rows_scope``, included)."""
    for model in access_controlled_models():
        policy = model.access_policy
        if isinstance(policy, TenantPolicy):
            assert type(policy) is TenantPolicy, model
            continue
        assert type(policy) is ScopedPolicy, model
        modules = {f"{model._meta.app_config.name}.access", "machikoba.core.access"}
        for function in (policy.scope_function, policy.anonymous_function):
            assert function is None or function.__module__ in modules, (model, function)
        assert policy.scope_function.__name__.endswith("_scope"), model


@pytest.mark.parametrize("directory_public", [False, True])
def test_every_scope_runs_for_every_action_signed_in_and_anonymous(
    world, settings, directory_public
):
    """Each policy's scope, for each action and actor, builds a query the database runs:
    a misspelt field, a missing import or a wrong model name fails here."""
    settings.MACHIKOBA_DIRECTORY_PUBLIC = directory_public
    actors = [*world.users.values(), AnonymousUser()]
    for model in access_controlled_models():
        for action in ACTIONS:
            for user in actors:
                rows = model._default_manager.for_user(user, action)
                list(rows.values_list("pk", flat=True)[:1])
                # The Q itself too, even where for_user short-cuts "nothing" to none().
                policy = model.access_policy
                signed_in = user is not None and user.is_authenticated
                q = policy.scope(user, action) if signed_in else policy.anonymous_scope(action)
                list(model._default_manager.filter(q).values_list("pk", flat=True)[:1])


def test_a_model_without_policy_is_refused(db):
    user = User.objects.create_user("x@example.test", "pw-long-enough")
    with pytest.raises(ImproperlyConfigured, match="declares no access_policy"):
        AccessQuerySet(model=User).for_user(user, VIEW)


def test_the_base_policy_denies_everything(world):
    policy = AccessPolicy()
    for actor, user in world.users.items():
        if user is not None:
            assert not Company.objects.filter(policy.scope(user, VIEW)).exists(), actor
    assert not Company.objects.filter(policy.anonymous_scope(VIEW)).exists()


# What an anonymous visitor may read when the ward publishes its directory.
PUBLIC_DIRECTORY_MODELS = {
    "Company",
    "Capability",
    "Equipment",
    "CompanyCertification",
    "CompanyPhoto",
    "SearchGram",
    "ProcessCategory",
    "MaterialGroup",
    "Material",
    "CertificationKind",
    "Municipality",
    "MunicipalityGroup",
    "Indicator",
    "Definition",
}
# Reference data anyone reads, whether or not the directory is public.
PUBLIC_REFERENCE_MODELS = {
    "ProcessCategory",
    "MaterialGroup",
    "Material",
    "CertificationKind",
    "Municipality",
    "MunicipalityGroup",
    # The KPI definitions: the policy paper's indicators and formulas, public by nature.
    "Indicator",
    "Definition",
}


def test_anonymous_gets_nothing_when_the_directory_is_closed(world, settings):
    settings.MACHIKOBA_DIRECTORY_PUBLIC = False
    for model in access_controlled_models():
        if model.__name__ in PUBLIC_REFERENCE_MODELS:
            continue  # reference taxonomies and municipalities, public by nature
        assert model._default_manager.for_user(None, VIEW).count() == 0, model
        assert model._default_manager.for_user(world.users[ANONYMOUS], VIEW).count() == 0


def test_anonymous_reads_only_the_public_directory(world, settings):
    settings.MACHIKOBA_DIRECTORY_PUBLIC = True
    assert Company.objects.for_user(None, VIEW).count() == Company.objects.count()
    for model in access_controlled_models():
        if model.__name__ not in PUBLIC_DIRECTORY_MODELS:
            assert model._default_manager.for_user(None, VIEW).count() == 0, model
        for action in ("change", "delete", "manage"):
            assert model._default_manager.for_user(None, action).count() == 0, model


def test_unknown_action_is_a_programming_error(world):
    with pytest.raises(ValueError, match="unknown action"):
        Company.objects.for_user(world.users[MEMBER], "steal")


def test_inactive_user_is_treated_as_anonymous(world):
    owner = world.users[MEMBER]
    owner.is_active = False
    owner.save()
    assert Membership.objects.for_user(owner, VIEW).count() == 0


@pytest.mark.parametrize(
    ("actor", "view", "change", "manage"),
    [
        (MEMBER, True, True, True),
        (STAFF, True, True, False),
        (FLOOR_WORKER, True, False, False),
        (OTHER_COMPANY, True, False, False),
        (OFFICER, True, False, False),
        (ADMIN, True, False, False),
    ],
)
def test_company_profile_rights(world, actor, view, change, manage):
    user = world.users[actor]
    assert can(user, VIEW, world.company) is view
    assert can(user, CHANGE, world.company) is change
    assert can(user, MANAGE, world.company) is manage


def test_memberships_are_visible_only_inside_the_company(world):
    own = Membership.objects.for_user(world.users[MEMBER], VIEW)
    assert {m.company_id for m in own} == {world.company.pk}
    assert own.count() == 3
    foreign = Membership.objects.for_user(world.users[OTHER_COMPANY], VIEW)
    assert {m.company_id for m in foreign} == {world.other_company.pk}
    assert Membership.objects.for_user(world.users[OFFICER], VIEW).count() == 0


def test_foreign_id_is_404_and_visible_but_forbidden_is_403(world):
    staff = world.users[STAFF]
    other_membership = Membership.objects.filter(company=world.other_company).first()
    with pytest.raises(Http404):
        get_for_user_or_404(Membership, staff, VIEW, pk=other_membership.pk)
    own_membership = Membership.objects.filter(company=world.company).first()
    # Staff can see their colleagues' memberships but only owners may change them.
    with pytest.raises(PermissionDenied):
        get_for_user_or_404(Membership, staff, CHANGE, pk=own_membership.pk)
    assert get_for_user_or_404(Membership, world.users[MEMBER], CHANGE, pk=own_membership.pk)


def test_audit_trail_is_for_owners_and_admins(world):
    from machikoba.core.audit import audit_record

    event = audit_record(actor=world.users[MEMBER], verb="company.switch", company=world.company)
    assert can(world.users[MEMBER], VIEW, event)
    for actor in (STAFF, FLOOR_WORKER, OTHER_COMPANY, OFFICER):
        assert not can(world.users[actor], VIEW, event), actor
    assert can(world.users[ADMIN], VIEW, event)
    assert AuditEvent.objects.for_user(world.users[MEMBER], CHANGE).count() == 0


def test_a_tenant_policy_takes_the_options_it_knows_and_refuses_others(world):
    owners_change = TenantPolicy(change_roles=OWNER_ROLES, ward_view_roles=(WardRole.OFFICER,))
    assert owners_change.change_roles == OWNER_ROLES

    def rows(policy, actor, action):
        return Membership.objects.filter(policy.scope(world.users[actor], action)).count()

    assert rows(owners_change, MEMBER, CHANGE) == 3
    assert rows(owners_change, STAFF, CHANGE) == 0
    assert rows(TenantPolicy(), STAFF, CHANGE) == 3
    assert rows(owners_change, OFFICER, VIEW) == Membership.objects.count()
    # The ward's roles read; they change nothing, and no one else reads more than before.
    assert rows(owners_change, OFFICER, CHANGE) == 0
    assert rows(owners_change, OTHER_COMPANY, VIEW) == 1
    assert rows(TenantPolicy(), OFFICER, VIEW) == 0
    with pytest.raises(TypeError, match="unknown policy option colour"):
        TenantPolicy(colour="red")


def test_a_scoped_policy_answers_with_its_functions(world):
    def scope(user, action):
        return Q(company__in=company_ids_for(user, MEMBER_ROLES)) if action == VIEW else NOTHING

    def anonymous(action):
        return EVERYTHING if action == VIEW else NOTHING

    policy = ScopedPolicy(scope, anonymous=anonymous)
    own = Membership.objects.filter(policy.scope(world.users[STAFF], VIEW))
    assert {m.company_id for m in own} == {world.company.pk}
    assert policy.scope(world.users[STAFF], CHANGE) == NOTHING
    assert policy.anonymous_scope(VIEW) == EVERYTHING
    assert policy.anonymous_scope(CHANGE) == NOTHING
    assert ScopedPolicy(scope).anonymous_scope(VIEW) == NOTHING


def test_cached_roles_hold_for_the_request_until_forgotten(world):
    user = world.users[OTHER_COMPANY]
    assert company_ids_for(user, MEMBER_ROLES) == [world.other_company.pk]
    assert ward_roles_of(user) == frozenset()
    MembershipFactory(user=user, company=world.company, role=CompanyRole.STAFF)
    WardRoleFactory(user=user, role=WardRole.ADVISOR)
    assert company_ids_for(user, MEMBER_ROLES) == [world.other_company.pk]
    assert ward_roles_of(user) == frozenset()
    forget_cached_roles(user)
    assert company_ids_for(user, MEMBER_ROLES) == sorted([world.company.pk, world.other_company.pk])
    assert ward_roles_of(user) == {WardRole.ADVISOR}


def test_require_role_refuses_with_the_callers_code(world):
    require_role(world.users[STAFF], world.company, EDITOR_ROLES, "not_editor", "編集者だけ")
    for actor in (FLOOR_WORKER, OTHER_COMPANY, OFFICER, ADMIN):
        with pytest.raises(PermissionRefused) as refused:
            require_role(
                world.users[actor], world.company, EDITOR_ROLES, "not_editor", "編集者だけ"
            )
        assert (refused.value.code, refused.value.message) == ("not_editor", "編集者だけ"), actor
    with pytest.raises(PermissionRefused):
        require_role(world.users[MEMBER], None, OWNER_ROLES, "no_company", "会社がありません")


def test_require_refuses_what_the_scopes_do_not_grant(world):
    require(world.users[STAFF], CHANGE, world.company)
    for actor in (FLOOR_WORKER, OTHER_COMPANY):
        with pytest.raises(PermissionDenied):
            require(world.users[actor], CHANGE, world.company)


def test_allowed_reads_the_role_permissions_without_a_pass_for_superusers(world):
    assert allowed(world.users[OFFICER], "web.view_officer_home")
    for actor in (ADMIN, MEMBER):
        assert not allowed(world.users[actor], "web.view_officer_home"), actor


def test_ward_roles_are_for_active_signed_in_people_only(world):
    officer = world.users[OFFICER]
    assert ward_roles_of(officer) == {WardRole.OFFICER}
    assert ward_roles_of(None) == frozenset()
    assert ward_roles_of(AnonymousUser()) == frozenset()
    officer.is_active = False
    forget_cached_roles(officer)
    assert ward_roles_of(officer) == frozenset()


def test_own_rows_are_the_users_own(world):
    from machikoba.core.models import Notification

    for actor in (MEMBER, STAFF):
        Notification.objects.create(user=world.users[actor], kind="rfq_received", title="t")
    mine = Notification.objects.for_user(world.users[STAFF], VIEW)
    assert {n.user for n in mine} == {world.users[STAFF]}


def test_allowed_hands_the_object_to_the_rule(world):
    import rules

    rules.add_perm("tests.read_own_note", rules.predicate(lambda user, note: note == user.email))
    try:
        user = world.users[STAFF]
        assert allowed(user, "tests.read_own_note", user.email)
        assert not allowed(user, "tests.read_own_note", "someone@example.test")
    finally:
        rules.remove_perm("tests.read_own_note")


# --- a deactivated company (issue 15, finding 10) ---------------------------------------


def test_the_grace_period_is_the_setting_in_days(settings):
    settings.MACHIKOBA_DEACTIVATED_READ_DAYS = 30
    assert deactivation_grace() == dt.timedelta(days=30)
    settings.MACHIKOBA_DEACTIVATED_READ_DAYS = 7
    assert deactivation_grace() == dt.timedelta(days=7)


def test_a_deactivated_company_is_readable_only_during_its_grace_period(settings):
    settings.MACHIKOBA_DEACTIVATED_READ_DAYS = 30
    now = timezone.now()
    grace = dt.timedelta(days=30)
    for action in ACTIONS:
        assert company_usable(True, None, action, now), action
        assert company_usable(True, now - 2 * grace, action, now), action
        assert not company_usable(False, None, action, now), action
    just_now, almost = now - dt.timedelta(seconds=1), now - grace + dt.timedelta(seconds=1)
    for deactivated_at in (just_now, almost):
        assert company_usable(False, deactivated_at, VIEW, now)
        for action in (CHANGE, DELETE, MANAGE):
            assert not company_usable(False, deactivated_at, action, now), action
    assert not company_usable(False, now - grace, VIEW, now)  # the grace period is over
    assert not company_usable(False, now - grace - dt.timedelta(seconds=1), VIEW, now)


def _deactivated(ago: dt.timedelta | None, **fields):
    deactivated_at = None if ago is None else timezone.now() - ago
    return CompanyFactory(is_active=False, deactivated_at=deactivated_at, **fields)


def test_usable_companies_as_a_filter(world, settings):
    settings.MACHIKOBA_DEACTIVATED_READ_DAYS = 30
    in_grace = _deactivated(dt.timedelta(days=29))
    past = _deactivated(dt.timedelta(days=31))
    undated = _deactivated(None)
    active = {world.company.pk, world.other_company.pk, world.vendor.pk, world.bank.pk}
    readable = set(Company.objects.filter(usable_companies_q(VIEW)).values_list("pk", flat=True))
    assert readable == active | {in_grace.pk}
    for action in (CHANGE, DELETE, MANAGE):
        q = usable_companies_q(action)
        assert set(Company.objects.filter(q).values_list("pk", flat=True)) == active, action
    for company in (in_grace, past, undated):
        MembershipFactory(company=company, role=CompanyRole.OWNER)
    through = Membership.objects.filter(usable_companies_q(VIEW, "company__"))
    assert {m.company_id for m in through} == active | {in_grace.pk}
    assert past.pk not in {m.company_id for m in through}
    assert undated.pk not in {m.company_id for m in through}


def _deactivate(company, ago: dt.timedelta) -> None:
    Company.objects.filter(pk=company.pk).update(
        is_active=False, deactivated_at=timezone.now() - ago
    )
    company.refresh_from_db()


def test_the_people_of_a_deactivated_company_only_read_in_the_grace_period(world, settings):
    settings.MACHIKOBA_DEACTIVATED_READ_DAYS = 30
    owner, other = world.users[MEMBER], world.users[OTHER_COMPANY]
    company = world.company
    _deactivate(company, dt.timedelta(days=1))
    assert company_ids_for(owner, MEMBER_ROLES, VIEW) == [company.pk]
    assert company_ids_for(owner, OWNER_ROLES, VIEW) == [company.pk]
    for action in (CHANGE, DELETE, MANAGE):
        assert company_ids_for(owner, MEMBER_ROLES, action) == [], action
    assert company_ids_for(owner, MEMBER_ROLES) == []  # the strict default
    assert member_company_ids(owner) == [company.pk]
    assert editor_company_ids(owner) == []
    assert editor_company_ids(other) == [world.other_company.pk]
    assert has_role(owner, company, MEMBER_ROLES, VIEW)
    assert not has_role(owner, company, MEMBER_ROLES)
    assert not has_role(owner, company, OWNER_ROLES, CHANGE)
    with pytest.raises(PermissionRefused):
        require_role(owner, company, EDITOR_ROLES, "not_editor", "編集者だけ")
    # Through a TenantPolicy: its people read the company's rows and change none.
    readable = Membership.objects.for_user(owner, VIEW)
    assert {m.company_id for m in readable} == {company.pk}
    for action in (CHANGE, DELETE, MANAGE):
        assert not Membership.objects.for_user(owner, action).exists(), action
    assert can(owner, VIEW, company)
    assert not can(owner, CHANGE, company)
    # After the grace period: nothing.
    _deactivate(company, dt.timedelta(days=30, seconds=1))
    forget_cached_roles(owner)
    assert company_ids_for(owner, MEMBER_ROLES, VIEW) == []
    assert member_company_ids(owner) == []
    assert not has_role(owner, company, MEMBER_ROLES, VIEW)
    assert not Membership.objects.for_user(owner, VIEW).exists()
    # The other company is untouched throughout.
    assert member_company_ids(other) == [world.other_company.pk]


def test_a_company_deactivated_with_no_date_gives_its_people_nothing(world):
    owner = world.users[MEMBER]
    Company.objects.filter(pk=world.company.pk).update(is_active=False, deactivated_at=None)
    assert company_ids_for(owner, MEMBER_ROLES, VIEW) == []
    assert not Membership.objects.for_user(owner, VIEW).exists()


def test_roles_are_read_once_per_request_with_the_companys_state(world, settings):
    settings.MACHIKOBA_DEACTIVATED_READ_DAYS = 30
    owner = world.users[MEMBER]
    assert company_ids_for(owner, MEMBER_ROLES, VIEW) == [world.company.pk]
    _deactivate(world.company, dt.timedelta(days=1))
    # Cached for the request (one query per request, not per check) ...
    assert company_ids_for(owner, EDITOR_ROLES) == [world.company.pk]
    forget_cached_roles(owner)
    # ... and read again, with the company's deactivation, once forgotten.
    assert company_ids_for(owner, EDITOR_ROLES) == []
    assert company_ids_for(owner, EDITOR_ROLES, VIEW) == [world.company.pk]
