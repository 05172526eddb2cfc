"""The ward office's set-up of a call through the same services as its pages: creating a
call (or next year's copied from one), its dashboard, changing it, the export of its
applications (CSV or Excel), and its stages (adding, reading with their rules, changing,
deleting). Officers of the call's ward only: anyone else who is not an officer is refused
(403), another ward's officer finds nothing (404). The rules of a stage and the call's
rubric and bonus points are in ``office_rules``."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Schema, Status
from pydantic import Field

from machikoba.accounts.choices import WardRole
from machikoba.accounts.rules import is_ward_officer
from machikoba.core.access import CHANGE, get_for_user_or_404
from machikoba.core.ids import PathId
from machikoba.core.views import content_disposition
from machikoba.subsidies import selectors, services
from machikoba.subsidies.api._router import router
from machikoba.subsidies.api.schemas_office import (
    SubsidyCallCopyIn,
    SubsidyCallDashboardOut,
    SubsidyCallIn,
    SubsidyCallPatchIn,
    SubsidyStageIn,
    SubsidyStagePatchIn,
    SubsidyStageRulesOut,
    dashboard_out,
    merged,
    stage_rules_out,
)
from machikoba.subsidies.models import Call, Stage
from machikoba.subsidies.services.calls import CALL_FIELDS as SERVICE_CALL_FIELDS
from machikoba.wards.selectors import served_municipalities

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CALL_FIELDS = [name for name in SERVICE_CALL_FIELDS if name != "municipality"]


def officer_only(request: Any) -> None:
    """The office's operations: a ward officer, else 403 (their rows are found below)."""
    if not is_ward_officer(request.user):
        raise PermissionDenied


def office_call(request: Any, pk: int) -> Call:
    """A call of the officer's wards (another ward's: 404), as the office's pages find it."""
    officer_only(request)
    return get_for_user_or_404(
        Call.objects.select_related("municipality"), request.user, CHANGE, pk=pk
    )


def office_stage(request: Any, pk: int) -> Stage:
    officer_only(request)
    return get_for_user_or_404(
        Stage.objects.select_related("call__municipality"), request.user, CHANGE, pk=pk
    )


def _dashboard(request: Any, pk: int) -> SubsidyCallDashboardOut:
    call = office_call(request, pk)
    return dashboard_out(selectors.call_dashboard(user=request.user, call=call))


# --- calls --------------------------------------------------------------------------------


@router.post(
    "/office/calls",
    response={201: SubsidyCallDashboardOut},
    summary="Create a call of a ward the officer serves (its window opens in the future)",
)
def subsidies_office_call_create(
    request: Any, payload: SubsidyCallIn
) -> Status[SubsidyCallDashboardOut]:
    officer_only(request)
    municipality = (
        served_municipalities(request.user, WardRole.OFFICER)
        .filter(pk=payload.municipality_id)
        .first()
    )
    if municipality is None:
        raise Http404
    call = services.call_create(
        actor=request.user,
        municipality=municipality,
        **payload.dict(exclude={"municipality_id"}),
    )
    return Status(201, _dashboard(request, call.pk))


@router.post(
    "/office/calls/{call_id}/copy",
    response={201: SubsidyCallDashboardOut},
    summary="Next year's call copied from this one (stages, their rules, rubric, bonus points)",
)
def subsidies_office_call_copy(
    request: Any, call_id: PathId, payload: SubsidyCallCopyIn
) -> Status[SubsidyCallDashboardOut]:
    source = office_call(request, call_id)
    call = services.call_copy(actor=request.user, source=source, **payload.dict())
    return Status(201, _dashboard(request, call.pk))


@router.get(
    "/office/calls/{call_id}",
    response=SubsidyCallDashboardOut,
    summary="A call's dashboard: per stage the pipeline, budget, money and reviewers",
)
def subsidies_office_call(request: Any, call_id: PathId) -> SubsidyCallDashboardOut:
    return _dashboard(request, call_id)


@router.patch(
    "/office/calls/{call_id}",
    response=SubsidyCallDashboardOut,
    summary="Change a call (the rules only until they are fixed; a date while still to come)",
)
def subsidies_office_call_update(
    request: Any, call_id: PathId, payload: SubsidyCallPatchIn
) -> SubsidyCallDashboardOut:
    call = office_call(request, call_id)
    values = merged(call, CALL_FIELDS, payload)
    services.call_update(actor=request.user, call=call, **values)
    return _dashboard(request, call_id)


class SubsidyExportQuery(Schema):
    format: Literal["csv", "xlsx"] = Field(description="csv (UTF-8 with a BOM) or xlsx")


@router.get(
    "/office/calls/{call_id}/export",
    response={200: None},
    summary="The call's applications as CSV or Excel (the taking is audited)",
    openapi_extra={
        "responses": {
            200: {
                "description": "the file",
                "content": {
                    "text/csv": {"schema": {"type": "string", "format": "binary"}},
                    XLSX: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def subsidies_office_call_export(
    request: Any, call_id: PathId, query: Query[SubsidyExportQuery]
) -> HttpResponse:
    call = office_call(request, call_id)
    header, rows = selectors.export_table(user=request.user, call=call)
    content, content_type = services.call_export(
        actor=request.user,
        call=call,
        file_format=query.format,
        sheet=_("申請"),
        header=header,
        rows=rows,
    )
    response = HttpResponse(content, content_type=content_type)
    filename = _("補助金の申請_%(call)s_%(day)s") % {
        "call": call.name,
        "day": timezone.localdate().isoformat(),
    }
    response["Content-Disposition"] = content_disposition(f"{filename}.{query.format}")
    response["Cache-Control"] = "private, no-store"
    return response


# --- stages -------------------------------------------------------------------------------


def _stage_rules(request: Any, pk: int) -> SubsidyStageRulesOut:
    stage = office_stage(request, pk)
    return stage_rules_out(selectors.stage_rules(user=request.user, stage=stage))


@router.post(
    "/office/calls/{call_id}/stages",
    response={201: SubsidyStageRulesOut},
    summary="Add a stage to a call (its categories and attachments follow)",
)
def subsidies_office_stage_create(
    request: Any, call_id: PathId, payload: SubsidyStageIn
) -> Status[SubsidyStageRulesOut]:
    call = office_call(request, call_id)
    stage = services.stage_create(actor=request.user, call=call, **payload.dict())
    return Status(201, _stage_rules(request, stage.pk))


@router.get(
    "/office/stages/{stage_id}",
    response=SubsidyStageRulesOut,
    summary="A stage with its expense categories, required attachments and the rules lock",
)
def subsidies_office_stage(request: Any, stage_id: PathId) -> SubsidyStageRulesOut:
    return _stage_rules(request, stage_id)


@router.patch(
    "/office/stages/{stage_id}",
    response=SubsidyStageRulesOut,
    summary="Change a stage (name, purpose, budget always; its rules until they are fixed)",
)
def subsidies_office_stage_update(
    request: Any, stage_id: PathId, payload: SubsidyStagePatchIn
) -> SubsidyStageRulesOut:
    stage = office_stage(request, stage_id)
    values = merged(stage, services.STAGE_FIELDS, payload)
    services.stage_update(actor=request.user, stage=stage, **values)
    return _stage_rules(request, stage_id)


@router.delete(
    "/office/stages/{stage_id}",
    response={204: None},
    summary="Delete a stage no application names, while the rules may change",
)
def subsidies_office_stage_delete(request: Any, stage_id: PathId) -> Status[None]:
    stage = office_stage(request, stage_id)
    services.stage_delete(actor=request.user, stage=stage)
    return Status(204, None)
