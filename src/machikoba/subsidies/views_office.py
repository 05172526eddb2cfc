"""The ward office's pages of the DX subsidy: its calls, one call's dashboard (pipeline,
budget, reviewers, overdue reports), creating, changing and copying a call, its stages
with their expense categories and attachments, the rubric and bonus points, the list of
applications and its CSV / Excel export. Officers only (``officer_required``; their second
factor is enforced by the MFA middleware); another ward's call is "not found"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.choices import WardRole
from machikoba.accounts.decorators import officer_required
from machikoba.accounts.models import User
from machikoba.core.access import CHANGE, AccessQuerySet, get_for_user_or_404
from machikoba.core.fiscal import add_months
from machikoba.core.fiscal import fiscal_year as fiscal_year_of
from machikoba.core.forms import ServiceForm
from machikoba.core.ids import parse_id
from machikoba.core.pagination import page_number
from machikoba.core.views import content_disposition, run_and_flash, save_form
from machikoba.subsidies import selectors, services
from machikoba.subsidies.choices import ApplicationStatus
from machikoba.subsidies.forms_office import (
    AttachmentForm,
    BonusForm,
    CallForm,
    CategoryForm,
    RubricForm,
    StageForm,
)
from machikoba.subsidies.models import (
    AttachmentRequirement,
    BonusCriterion,
    Call,
    ExpenseCategory,
    RubricCriterion,
    Stage,
)
from machikoba.wards.selectors import served_municipalities

EXPORT_FORMATS = ("csv", "xlsx")

_M = TypeVar("_M", bound=Model)


class OfficerRequest(HttpRequest):
    user: User


def _posted(request: HttpRequest) -> Any:
    """The form's data on a POST, even an empty one (no box ticked is an answer too)."""
    return request.POST if request.method == "POST" else None


def _changeable(request: OfficerRequest, source: AccessQuerySet[_M], pk: int) -> _M:
    """The row ``pk`` of ``source`` the officer may change (another ward's: not found)."""
    return get_for_user_or_404(source, request.user, CHANGE, pk=pk)


def _call(request: OfficerRequest, pk: int) -> Call:
    return _changeable(request, Call.objects.select_related("municipality"), pk)


def _stage(request: OfficerRequest, pk: int) -> Stage:
    return _changeable(request, Stage.objects.select_related("call__municipality"), pk)


def _category(request: OfficerRequest, pk: int) -> ExpenseCategory:
    return _changeable(request, ExpenseCategory.objects.select_related("stage__call"), pk)


def _rubric_criterion(request: OfficerRequest, pk: int) -> RubricCriterion:
    return _changeable(request, RubricCriterion.objects.select_related("call"), pk)


def _bonus(request: OfficerRequest, pk: int) -> BonusCriterion:
    return _changeable(request, BonusCriterion.objects.select_related("call"), pk)


def _call_url(call: Call | int) -> str:
    return reverse("subsidies:office_call", args=[call if isinstance(call, int) else call.pk])


def _rules_url(stage_id: int) -> str:
    return reverse("subsidies:office_rules", args=[stage_id])


def _rubric_url(call_id: int) -> str:
    return reverse("subsidies:office_rubric", args=[call_id])


# --- the office's home and a call --------------------------------------------------------


@officer_required
@require_GET
def office_home(request: OfficerRequest) -> HttpResponse:
    return render(
        request, "subsidies/office/home.html", {"home": selectors.office_home(user=request.user)}
    )


def _years_later(moment: dt.datetime, years: int) -> dt.datetime:
    local = timezone.localtime(moment)
    day = add_months(local.date(), 12 * years)
    return local.replace(year=day.year, month=day.month, day=day.day)


def _copy_initial(source: Call) -> dict[str, Any]:
    """Next year's call as a first guess: the same dates a whole number of years later
    (the first year whose window opens in the future), the same budget and rules."""
    now = timezone.now()
    years = 1
    while _years_later(source.opens_at, years) <= now:
        years += 1
    return {
        "fiscal_year": source.fiscal_year + years,
        "name": source.name,
        "description": source.description,
        "budget": source.budget,
        "opens_at": _years_later(source.opens_at, years),
        "closes_at": _years_later(source.closes_at, years),
        "screening_on": add_months(source.screening_on, 12 * years),
        "decision_on": add_months(source.decision_on, 12 * years),
        "requires_gbiz_verified": source.requires_gbiz_verified,
    }


@officer_required
@require_http_methods(["GET", "POST"])
def office_call_create(request: OfficerRequest) -> HttpResponse:
    """A new call; with ``?from=<call>``, next year's call copied from that one (stages,
    categories, attachments, rubric and bonus points)."""
    source = None
    if "from" in request.GET:
        source_pk = parse_id(request.GET.get("from"))
        if source_pk is None:
            raise Http404
        source = _call(request, source_pk)
    if source is not None:
        form = CallForm(_posted(request), with_ward=False, initial=_copy_initial(source))
        done = save_form(
            request,
            form,
            lambda data: services.call_copy(actor=request.user, source=source, **data),
            success_message=_("公募を複製しました。日付・予算・ステージを確かめてください。"),
            next_url=_call_url,
        )
    else:
        form = CallForm(
            _posted(request),
            wards=served_municipalities(request.user, WardRole.OFFICER),
            initial={"fiscal_year": fiscal_year_of(timezone.localdate()), "budget": None},
        )
        done = save_form(
            request,
            form,
            lambda data: services.call_create(actor=request.user, **data),
            success_message=_("公募を作りました。続けてステージを追加してください。"),
            next_url=lambda call: reverse("subsidies:office_stage_create", args=[call.pk]),
        )
    return done or render(
        request, "subsidies/office/call_form.html", {"form": form, "source": source}
    )


@officer_required
@require_GET
def office_call(request: OfficerRequest, pk: int) -> HttpResponse:
    call = _call(request, pk)
    page = selectors.call_dashboard(user=request.user, call=call)
    return render(request, "subsidies/office/call.html", {"page": page, "call": call})


def _locked_call_fields(call: Call, lock: object) -> list[str]:
    """The call's fields the form shows greyed: the rules once fixed, the dates passed."""
    now = timezone.now()
    today = timezone.localdate(now)
    locked = list(services.CALL_RULE_FIELDS) if lock else []
    locked += [name for name in ("opens_at", "closes_at") if getattr(call, name) <= now]
    locked += [name for name in ("screening_on", "decision_on") if getattr(call, name) < today]
    return locked


@officer_required
@require_http_methods(["GET", "POST"])
def office_call_edit(request: OfficerRequest, pk: int) -> HttpResponse:
    call = _call(request, pk)
    initial = {
        "fiscal_year": call.fiscal_year,
        "name": call.name,
        "description": call.description,
        "budget": call.budget,
        "opens_at": timezone.localtime(call.opens_at),
        "closes_at": timezone.localtime(call.closes_at),
        "screening_on": call.screening_on,
        "decision_on": call.decision_on,
        "requires_gbiz_verified": call.requires_gbiz_verified,
    }
    lock = selectors.rules_lock(call)
    form = CallForm(
        _posted(request), with_ward=False, initial=initial, locked=_locked_call_fields(call, lock)
    )
    done = save_form(
        request,
        form,
        lambda data: services.call_update(actor=request.user, call=call, **data),
        success_message=_("公募を変更しました。"),
        next_url=_call_url(call),
    )
    return done or render(
        request,
        "subsidies/office/call_form.html",
        {"form": form, "call": call, "rules_lock": lock},
    )


# --- stages ------------------------------------------------------------------------------


def _stage_initial(stage: Stage) -> dict[str, Any]:
    return {name: getattr(stage, name) for name in services.STAGE_FIELDS}


@officer_required
@require_http_methods(["GET", "POST"])
def office_stage_create(request: OfficerRequest, pk: int) -> HttpResponse:
    call = _call(request, pk)
    stages = selectors.call_stages(user=request.user, call=call)
    taken = {stage.number for stage in stages}
    initial = {
        "number": next(n for n in range(1, 11) if n not in taken),
        "rounding": 1000,
        "min_project_cost": 0,
        "budget": max(0, call.budget - sum(stage.budget for stage in stages)) or None,
    }
    form = StageForm(_posted(request), initial=initial)
    done = save_form(
        request,
        form,
        lambda data: services.stage_create(actor=request.user, call=call, **data),
        success_message=_("ステージを追加しました。続けて経費区分と必要書類を設定してください。"),
        next_url=lambda stage: _rules_url(stage.pk),
    )
    return done or render(
        request,
        "subsidies/office/stage_form.html",
        {"form": form, "call": call, "rules_lock": selectors.rules_lock(call)},
    )


@officer_required
@require_http_methods(["GET", "POST"])
def office_stage_edit(request: OfficerRequest, pk: int) -> HttpResponse:
    stage = _stage(request, pk)
    lock = selectors.rules_lock(stage.call)
    form = StageForm(
        _posted(request),
        initial=_stage_initial(stage),
        locked=services.STAGE_RULE_FIELDS if lock else (),
    )
    done = save_form(
        request,
        form,
        lambda data: services.stage_update(actor=request.user, stage=stage, **data),
        success_message=_("ステージを変更しました。"),
        next_url=_call_url(stage.call_id),
    )
    return done or render(
        request,
        "subsidies/office/stage_form.html",
        {
            "form": form,
            "call": stage.call,
            "stage": stage,
            "rules_lock": lock,
        },
    )


@officer_required
@require_POST
def office_stage_delete(request: OfficerRequest, pk: int) -> HttpResponse:
    stage = _stage(request, pk)
    if run_and_flash(
        request,
        lambda: services.stage_delete(actor=request.user, stage=stage),
        _("ステージを削除しました。"),
    ):
        return redirect(_call_url(stage.call_id))
    return redirect(reverse("subsidies:office_stage_edit", args=[stage.pk]))


# --- a stage's expense categories and attachments -----------------------------------------


@officer_required
@require_http_methods(["GET", "POST"])
def office_rules(request: OfficerRequest, pk: int) -> HttpResponse:
    """A stage's expense categories and required attachments, with a form to add each."""
    stage = _stage(request, pk)
    which = request.POST.get("form") if request.method == "POST" else None
    category_form = CategoryForm(
        _posted(request) if which == "category" else None, prefix="category"
    )
    attachment_form = AttachmentForm(
        _posted(request) if which == "attachment" else None, prefix="attachment"
    )
    here = _rules_url(stage.pk)
    done = None
    if which == "category":
        done = save_form(
            request,
            category_form,
            lambda data: services.category_add(actor=request.user, stage=stage, **data),
            success_message=_("経費区分を追加しました。"),
            next_url=here,
        )
    elif which == "attachment":
        done = save_form(
            request,
            attachment_form,
            lambda data: services.attachment_requirement_add(
                actor=request.user, stage=stage, **data
            ),
            success_message=_("必要書類を追加しました。"),
            next_url=here,
        )
    return done or render(
        request,
        "subsidies/office/rules.html",
        {
            "rules": selectors.stage_rules(user=request.user, stage=stage),
            "stage": stage,
            "call": stage.call,
            "category_form": category_form,
            "attachment_form": attachment_form,
        },
    )


# --- one rule of a stage or a call (category, attachment, rubric, bonus): change, delete --


def _item_edit(
    request: OfficerRequest,
    item: Any,
    form_class: type[ServiceForm],
    *,
    save: Callable[[dict[str, Any]], Any],
    success_message: str,
    title: str,
    context_line: str,
    call: Call,
    back: str,
    back_label: str,
) -> HttpResponse:
    """The page changing one rule: its form, filled with the rule's current values (every
    field of the form is a field of the rule), saved through ``save`` (a service)."""
    initial = {name: getattr(item, name) for name in form_class.base_fields}
    form = form_class(_posted(request), initial=initial)
    done = save_form(request, form, save, success_message=success_message, next_url=back)
    return done or render(
        request,
        "subsidies/office/item_form.html",
        {
            "form": form,
            "title": title,
            "context_line": context_line,
            "back": back,
            "back_label": back_label,
            "rules_lock": selectors.rules_lock(call),
        },
    )


def _item_delete(
    request: OfficerRequest, remove: Callable[[], Any], success_message: str, back: str
) -> HttpResponse:
    """Deleting one rule from its button: the outcome flashed, back to the list."""
    run_and_flash(request, remove, success_message)
    return redirect(back)


@officer_required
@require_http_methods(["GET", "POST"])
def office_category_edit(request: OfficerRequest, pk: int) -> HttpResponse:
    category = _category(request, pk)
    return _item_edit(
        request,
        category,
        CategoryForm,
        save=lambda data: services.category_update(actor=request.user, category=category, **data),
        success_message=_("経費区分を変更しました。"),
        title=_("経費区分を変更"),
        context_line=f"{category.stage.call.name} ・ {category.stage}",
        call=category.stage.call,
        back=_rules_url(category.stage_id),
        back_label=_("経費区分と必要書類に戻る"),
    )


@officer_required
@require_POST
def office_category_delete(request: OfficerRequest, pk: int) -> HttpResponse:
    category = _category(request, pk)
    return _item_delete(
        request,
        lambda: services.category_remove(actor=request.user, category=category),
        _("経費区分を削除しました。"),
        _rules_url(category.stage_id),
    )


@officer_required
@require_POST
def office_attachment_delete(request: OfficerRequest, pk: int) -> HttpResponse:
    requirement = _changeable(
        request, AttachmentRequirement.objects.select_related("stage__call"), pk
    )
    return _item_delete(
        request,
        lambda: services.attachment_requirement_remove(actor=request.user, requirement=requirement),
        _("必要書類を削除しました。"),
        _rules_url(requirement.stage_id),
    )


# --- the rubric and bonus points -----------------------------------------------------------


@officer_required
@require_http_methods(["GET", "POST"])
def office_rubric(request: OfficerRequest, pk: int) -> HttpResponse:
    call = _call(request, pk)
    which = request.POST.get("form") if request.method == "POST" else None
    rubric_form = RubricForm(_posted(request) if which == "rubric" else None, prefix="rubric")
    bonus_form = BonusForm(_posted(request) if which == "bonus" else None, prefix="bonus")
    here = _rubric_url(call.pk)
    done = None
    if which == "rubric":
        done = save_form(
            request,
            rubric_form,
            lambda data: services.rubric_criterion_add(actor=request.user, call=call, **data),
            success_message=_("審査項目を追加しました。"),
            next_url=here,
        )
    elif which == "bonus":
        done = save_form(
            request,
            bonus_form,
            lambda data: services.bonus_criterion_add(actor=request.user, call=call, **data),
            success_message=_("加点項目を追加しました。"),
            next_url=here,
        )
    return done or render(
        request,
        "subsidies/office/rubric.html",
        {
            "rubric": selectors.call_rubric(user=request.user, call=call),
            "call": call,
            "rubric_form": rubric_form,
            "bonus_form": bonus_form,
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def office_rubric_edit(request: OfficerRequest, pk: int) -> HttpResponse:
    criterion = _rubric_criterion(request, pk)
    return _item_edit(
        request,
        criterion,
        RubricForm,
        save=lambda data: services.rubric_criterion_update(
            actor=request.user, criterion=criterion, **data
        ),
        success_message=_("審査項目を変更しました。"),
        title=_("審査項目を変更"),
        context_line=criterion.call.name,
        call=criterion.call,
        back=_rubric_url(criterion.call_id),
        back_label=_("審査項目と加点に戻る"),
    )


@officer_required
@require_POST
def office_rubric_delete(request: OfficerRequest, pk: int) -> HttpResponse:
    criterion = _rubric_criterion(request, pk)
    return _item_delete(
        request,
        lambda: services.rubric_criterion_remove(actor=request.user, criterion=criterion),
        _("審査項目を削除しました。"),
        _rubric_url(criterion.call_id),
    )


@officer_required
@require_http_methods(["GET", "POST"])
def office_bonus_edit(request: OfficerRequest, pk: int) -> HttpResponse:
    bonus = _bonus(request, pk)
    return _item_edit(
        request,
        bonus,
        BonusForm,
        save=lambda data: services.bonus_criterion_update(actor=request.user, bonus=bonus, **data),
        success_message=_("加点項目を変更しました。"),
        title=_("加点項目を変更"),
        context_line=bonus.call.name,
        call=bonus.call,
        back=_rubric_url(bonus.call_id),
        back_label=_("審査項目と加点に戻る"),
    )


@officer_required
@require_POST
def office_bonus_delete(request: OfficerRequest, pk: int) -> HttpResponse:
    bonus = _bonus(request, pk)
    return _item_delete(
        request,
        lambda: services.bonus_criterion_remove(actor=request.user, bonus=bonus),
        _("加点項目を削除しました。"),
        _rubric_url(bonus.call_id),
    )


# --- applications and the export ---------------------------------------------------------


@officer_required
@require_GET
def office_applications(request: OfficerRequest, pk: int) -> HttpResponse:
    call = _call(request, pk)
    stages = selectors.call_stages(user=request.user, call=call)
    stage_id = parse_id(request.GET.get("stage"))
    if stage_id not in {stage.pk for stage in stages}:
        stage_id = None
    status = request.GET.get("status", "")
    if status not in ApplicationStatus.values or status == ApplicationStatus.DRAFT:
        status = ""
    text = request.GET.get("q", "")[:100]
    applications = selectors.call_applications(
        user=request.user, call=call, stage_id=stage_id, status=status, text=text
    )
    page = Paginator(applications, selectors.PAGE_SIZE).get_page(
        page_number(request.GET.get("page"))
    )
    rows = selectors.application_rows(user=request.user, applications=list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "subsidies/office/applications.html",
        {
            "call": call,
            "stages": stages,
            "statuses": [
                (value, label)
                for value, label in ApplicationStatus.choices
                if value != ApplicationStatus.DRAFT
            ],
            "stage_id": stage_id,
            "status": status,
            "q": text,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
        },
    )


@officer_required
@require_GET
def office_call_export(request: OfficerRequest, pk: int, fmt: str) -> HttpResponse:
    call = _call(request, pk)
    if fmt not in EXPORT_FORMATS:
        raise Http404
    header, rows = selectors.export_table(user=request.user, call=call)
    content, content_type = services.call_export(
        actor=request.user,
        call=call,
        file_format=fmt,
        sheet=_("申請"),
        header=header,
        rows=rows,
    )
    response = HttpResponse(content, content_type=content_type)
    filename = _("補助金の申請_%(call)s_%(day)s") % {
        "call": call.name,
        "day": timezone.localdate().isoformat(),
    }
    response["Content-Disposition"] = content_disposition(f"{filename}.{fmt}")
    response["Cache-Control"] = "private, no-store"
    return response
