"""The office's pages with a browser's input: forms refuse bad input with the Japanese
message beside the field and change nothing; a call is copied from the home page's button
with next year's dates filled in; fields that may no longer change are shown greyed; the
list filters; the dashboard shows the figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.factories import SUMIDA, force_login_with_mfa, give_totp, ward
from machikoba.core.testing.factories_subsidies import (
    make_application,
    make_officer,
    make_paper_call,
)
from machikoba.core.testing.factories_subsidies_office import (
    call_form_data,
    future_dates,
    local_input,
    make_future_paper_call,
    stage_form_data,
)
from machikoba.subsidies.choices import ApplicationStatus as S
from machikoba.subsidies.models import Call, ExpenseCategory, Stage

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture
def officer_client(client):
    officer = make_officer()
    give_totp(officer)
    force_login_with_mfa(client, officer)
    return client


def _text(response):
    return response.content.decode()


def test_a_call_is_created_from_the_form_and_the_office_goes_on_to_its_first_stage(
    officer_client,
):
    data = call_form_data(municipality=str(ward().pk), budget="６５,０００,０００円")
    response = officer_client.post(reverse("subsidies:office_call_create"), data)
    call = Call.objects.get()
    assert call.budget == 65_000_000  # commas, full-width digits and 円 are read
    assert response.headers["Location"] == reverse("subsidies:office_stage_create", args=[call.pk])
    # The times were entered in JST.
    assert local_input(call.opens_at) == data["opens_at"]
    assert call.opens_at.utcoffset() == dt.timedelta(0)  # stored in UTC
    assert timezone.localtime(call.opens_at).utcoffset() == dt.timedelta(hours=9)


def test_dates_out_of_order_are_shown_on_the_form_and_nothing_is_made(officer_client):
    dates = future_dates()
    response = officer_client.post(
        reverse("subsidies:office_call_create"),
        call_form_data(
            municipality=str(ward().pk),
            closes_at=local_input(dates["opens_at"] - dt.timedelta(hours=1)),
        ),
    )
    assert response.status_code == 200
    assert "受付締切は、受付開始より後の日時にしてください。" in _text(response)
    assert not Call.objects.exists()


def test_a_budget_that_is_not_a_number_is_refused_on_the_form(officer_client):
    response = officer_client.post(
        reverse("subsidies:office_call_create"),
        call_form_data(municipality=str(ward().pk), budget="たくさん"),
    )
    assert "金額は数字で入力してください" in _text(response)
    assert not Call.objects.exists()


def test_the_copy_button_fills_in_next_years_dates_and_copies_the_stages(officer_client):
    source = make_paper_call()
    home = officer_client.get(reverse("subsidies:office_home"))
    copy_url = reverse("subsidies:office_call_create") + f"?from={source.pk}"
    assert copy_url in _text(home)
    page = officer_client.get(copy_url)
    form = page.context["form"]
    assert form.initial["fiscal_year"] == source.fiscal_year + 1
    assert form.initial["opens_at"] > timezone.now()
    assert form.initial["screening_on"].year == source.screening_on.year + 1
    assert "municipality" not in form.fields
    data = {
        name: (
            local_input(value)
            if isinstance(value, dt.datetime)
            else value.isoformat()
            if isinstance(value, dt.date)
            else value
        )
        for name, value in form.initial.items()
        if value is not False
    }
    response = officer_client.post(copy_url, data)
    copy = Call.objects.exclude(pk=source.pk).get()
    assert response.headers["Location"] == reverse("subsidies:office_call", args=[copy.pk])
    assert copy.stages.count() == 3
    assert copy.fiscal_year == source.fiscal_year + 1


def test_after_opening_the_rules_are_greyed_and_a_posted_change_to_them_is_ignored(
    officer_client,
):
    call = make_paper_call()
    url = reverse("subsidies:office_call_edit", args=[call.pk])
    page = officer_client.get(url)
    assert page.context["form"].fields["fiscal_year"].disabled
    assert page.context["form"].fields["opens_at"].disabled
    assert not page.context["form"].fields["closes_at"].disabled
    assert 'data-testid="rules-locked"' in _text(page)
    data = call_form_data(
        fiscal_year=str(call.fiscal_year + 5),
        name="改名",
        budget="65,000,000",
        closes_at=local_input(call.closes_at),
        screening_on=call.screening_on.isoformat(),
        decision_on=call.decision_on.isoformat(),
    )
    response = officer_client.post(url, data)
    assert response.status_code == 302
    call.refresh_from_db()
    assert (call.name, call.fiscal_year) == ("改名", call.fiscal_year)


def test_after_opening_a_stages_rate_is_greyed(officer_client):
    stage = make_paper_call().stages.get(number=2)
    page = officer_client.get(reverse("subsidies:office_stage_edit", args=[stage.pk]))
    fields = page.context["form"].fields
    assert fields["rate_numerator"].disabled
    assert fields["cap"].disabled
    assert not fields["budget"].disabled
    assert not fields["name"].disabled


def test_a_stage_with_a_rate_above_one_is_refused_on_the_form(officer_client):
    call = make_future_paper_call(budget=70_000_000)
    response = officer_client.post(
        reverse("subsidies:office_stage_create", args=[call.pk]),
        stage_form_data(rate_numerator="5", rate_denominator="4"),
    )
    assert response.status_code == 200
    assert "分子を 1 以上・分母以下に" in _text(response)
    assert Stage.objects.filter(call=call).count() == 3


def test_stage_budgets_above_the_call_are_refused_on_the_form(officer_client):
    call = make_future_paper_call()  # 65M, all given to the three stages
    response = officer_client.post(
        reverse("subsidies:office_stage_create", args=[call.pk]), stage_form_data()
    )
    assert "公募の予算額 (65,000,000円) を超えます" in _text(response)
    assert Stage.objects.filter(call=call).count() == 3


def test_a_new_stage_leads_to_its_rules(officer_client):
    call = make_future_paper_call(budget=70_000_000)
    response = officer_client.post(
        reverse("subsidies:office_stage_create", args=[call.pk]), stage_form_data()
    )
    stage = Stage.objects.get(call=call, number=4)
    assert response.headers["Location"] == reverse("subsidies:office_rules", args=[stage.pk])


def test_a_category_out_of_range_is_refused_on_the_rules_page(officer_client):
    stage = make_future_paper_call().stages.get(number=1)
    response = officer_client.post(
        reverse("subsidies:office_rules", args=[stage.pk]),
        {
            "form": "category",
            "category-code": "training",
            "category-name": "研修費",
            "category-max_share_percent": "120",
            "category-quotes_required": "1",
        },
    )
    assert response.status_code == 200
    assert "100 以下にしてください" in _text(response)
    assert ExpenseCategory.objects.filter(stage=stage).count() == 3


def test_removing_a_category_in_use_is_refused_with_a_message(officer_client):
    stage = make_future_paper_call().stages.get(number=1)
    make_application(stage, lines=[("devices", 200_000)])
    category = stage.categories.get(code="devices")
    response = officer_client.post(
        reverse("subsidies:office_category_delete", args=[category.pk]), follow=True
    )
    assert "申請ですでに使われているため、削除できません" in _text(response)
    assert ExpenseCategory.objects.filter(pk=category.pk).exists()


def test_the_rules_page_of_an_open_call_offers_no_change(officer_client):
    stage = make_paper_call().stages.get(number=1)
    page = officer_client.get(reverse("subsidies:office_rules", args=[stage.pk]))
    text = _text(page)
    assert 'data-testid="rules-locked"' in text
    assert 'data-testid="category-add"' not in text
    assert (
        reverse("subsidies:office_category_delete", args=[stage.categories.first().pk]) not in text
    )


def test_the_list_filters_by_status_and_company_name(officer_client):
    call = make_paper_call()
    stage = call.stages.get(number=1)
    returned = make_application(stage, status=S.RETURNED, requested_amount=100_000)
    make_application(stage, status=S.SUBMITTED, requested_amount=200_000)
    url = reverse("subsidies:office_applications", args=[call.pk])
    page = officer_client.get(url, {"status": "returned"})
    assert [row.application for row in page.context["rows"]] == [returned]
    page = officer_client.get(url, {"q": returned.company.name})
    assert [row.application for row in page.context["rows"]] == [returned]
    page = officer_client.get(url, {"stage": "999999", "status": "nonsense"})
    assert len(page.context["rows"]) == 2  # an unknown filter filters nothing


def test_the_dashboard_shows_the_figures(officer_client):
    call = make_paper_call()
    stage = call.stages.get(number=1)
    make_application(stage, status=S.GRANTED, requested_amount=500_000, decided_amount=450_000)
    page = officer_client.get(reverse("subsidies:office_call", args=[call.pk]))
    text = _text(page)
    assert "450,000円" in text
    assert "14,550,000円" in text  # stage 1's remaining budget
    assert reverse("subsidies:office_applications", args=[call.pk]) in text


def test_another_wards_officer_does_not_see_this_wards_calls(client):
    call = make_paper_call()
    sumida_officer = make_officer(ward(SUMIDA))
    give_totp(sumida_officer)
    force_login_with_mfa(client, sumida_officer)
    page = client.get(reverse("subsidies:office_home"))
    assert page.status_code == 200
    assert call.name not in _text(page)
    assert 'data-testid="no-calls"' in _text(page)
    assert 'data-testid="call-copy-latest"' not in _text(page)
