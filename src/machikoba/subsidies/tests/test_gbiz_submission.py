"""A call that requires a GビズID-verified representative (as jGrants does for プライム
accounts): the owner whose GビズID プライム of the company's own 法人番号 is connected
submits; an エントリー account, a プライム of another company, no GビズID at all, or a staff
member (even with the company's プライム) is refused with the precise message, and the draft
stays a draft. The office may turn the requirement on only while the platform is
configured for GビズID (otherwise nobody could submit)."""

import pytest
from allauth.socialaccount.models import SocialAccount

from machikoba.accounts.gbizid import GBIZID_PROVIDER_ID
from machikoba.core.errors import ApplicationError
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory, ward
from machikoba.core.testing.factories_subsidies import make_officer, make_paper_call
from machikoba.core.testing.factories_subsidies_apply import make_ready_application
from machikoba.core.testing.factories_subsidies_office import make_future_paper_call
from machikoba.subsidies import services
from machikoba.subsidies.choices import ApplicationStatus
from machikoba.subsidies.error_codes_apply import ApplyErrorCode
from machikoba.subsidies.error_codes_office import CallOfficeErrorCode
from machikoba.subsidies.models import Call
from machikoba.subsidies.tests.conftest import call_fields, configure_gbizid, refused

PRIME, ENTRY = "2", "1"  # GビズID's account_type codes (accounts.gbizid)
ONLY_OWNERS = "GビズIDプライムを連携した経営者 (代表者) だけが提出できます"


@pytest.fixture
def setting(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call = make_paper_call(requires_gbiz_verified=True)
    company = CompanyFactory()
    owner = MembershipFactory(company=company, role="owner").user
    application = make_ready_application(call.stages.get(number=1), company, filed_by=owner)
    return company, owner, application


def _connect(user, *, account_type: str, corporate_number: str) -> None:
    SocialAccount.objects.create(
        user=user,
        provider=GBIZID_PROVIDER_ID,
        uid=f"gbiz-{user.pk}",
        extra_data={
            "account_type": account_type,
            "corporate_number": corporate_number,
            "name": "テスト",
        },
    )


def _still_a_draft(application) -> None:
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.submitted_at is None


def test_a_prime_representative_of_the_company_submits(setting):
    company, owner, application = setting
    _connect(owner, account_type=PRIME, corporate_number=company.corporate_number)
    submitted = services.application_submit(actor=owner, application=application)
    assert submitted.status == ApplicationStatus.SUBMITTED


@pytest.mark.parametrize(
    ("account_type", "own_number"),
    [(None, True), (ENTRY, True), (PRIME, False)],
    ids=["no GビズID", "エントリー", "プライム of another company"],
)
def test_anyone_else_is_refused_and_the_draft_stays(setting, account_type, own_number):
    company, owner, application = setting
    if account_type is not None:
        number = company.corporate_number if own_number else CompanyFactory().corporate_number
        _connect(owner, account_type=account_type, corporate_number=number)
    with pytest.raises(ApplicationError) as refused_error:
        services.application_submit(actor=owner, application=application)
    assert refused_error.value.code == ApplyErrorCode.GBIZ_REQUIRED
    message = str(refused_error.value.as_dict())
    assert ONLY_OWNERS in message
    assert "「ログインの安全設定」から" in message  # says how to connect one
    _still_a_draft(application)


def test_a_staff_member_with_the_companys_prime_is_refused(setting):
    company, _owner, application = setting
    staff = MembershipFactory(company=company, role="staff").user
    _connect(staff, account_type=PRIME, corporate_number=company.corporate_number)
    error = refused(
        ApplyErrorCode.GBIZ_REQUIRED,
        services.application_submit,
        actor=staff,
        application=application,
    )
    assert ONLY_OWNERS in str(error.message)
    assert "経営者の方に提出を依頼してください" in str(error.message)
    _still_a_draft(application)


# --- the office turns the requirement on only while GビズID is configured --------------------


def _update_fields(call: Call, **overrides):
    fields = {
        "fiscal_year": call.fiscal_year,
        "name": call.name,
        "description": call.description,
        "budget": call.budget,
        "opens_at": call.opens_at,
        "closes_at": call.closes_at,
        "screening_on": call.screening_on,
        "decision_on": call.decision_on,
        "requires_gbiz_verified": call.requires_gbiz_verified,
    }
    return {**fields, **overrides}


@pytest.mark.clock_sensitive
def test_a_call_requiring_gbizid_is_refused_while_gbizid_is_not_configured(db, settings):
    configure_gbizid(settings, enabled=False)
    officer = make_officer()
    error = refused(
        CallOfficeErrorCode.CALL_GBIZ_NOT_CONFIGURED,
        services.call_create,
        actor=officer,
        municipality=ward(),
        **call_fields(requires_gbiz_verified=True),
    )
    assert "GビズIDとの連携がまだ設定されていない" in str(error.message)
    assert error.fields == {"requires_gbiz_verified": [error.message]}
    # The site's set-up refuses a well-formed call: 409 in the API, the field named.
    assert error.http_status() == 409
    assert not Call.objects.exists()

    call = make_future_paper_call()
    before = Call.objects.values().get(pk=call.pk)
    refused(
        CallOfficeErrorCode.CALL_GBIZ_NOT_CONFIGURED,
        services.call_update,
        actor=officer,
        call=call,
        **_update_fields(call, requires_gbiz_verified=True, name="変わらない"),
    )
    assert Call.objects.values().get(pk=call.pk) == before


@pytest.mark.clock_sensitive
def test_once_gbizid_is_configured_the_office_may_require_it(db, settings):
    configure_gbizid(settings, enabled=True)
    officer = make_officer()
    created = services.call_create(
        actor=officer, municipality=ward(), **call_fields(requires_gbiz_verified=True)
    )
    assert created.requires_gbiz_verified
    call = make_future_paper_call()
    services.call_update(
        actor=officer, call=call, **_update_fields(call, requires_gbiz_verified=True)
    )
    call.refresh_from_db()
    assert call.requires_gbiz_verified


@pytest.mark.clock_sensitive
def test_a_call_that_already_requires_it_still_takes_other_changes(db, settings):
    """The requirement is a rule fixed once the window opens: when GビズID is switched off
    later, the office may still change the name, the budget and the dates to come."""
    configure_gbizid(settings, enabled=False)
    call = make_paper_call(requires_gbiz_verified=True)  # opened a week ago
    services.call_update(actor=make_officer(), call=call, **_update_fields(call, name="改名"))
    call.refresh_from_db()
    assert (call.name, call.requires_gbiz_verified) == ("改名", True)
