"""The applicant's bonus points (加点申請) through the same selector and service as the
page: what the call offers with each claim's status, and a claim with its evidence (PDF,
PNG or JPEG, the same size limit as the page). The company's owner and staff of the
application; the ward's office and the assigned reviewer see the application but may not
claim (403); anyone else finds nothing. The office verifies or rejects a claim through
the screening operation (``subsidies_screening_action``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import File, Form, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from pydantic import Field

from machikoba.core.access import CHANGE, VIEW, get_for_user_or_404
from machikoba.core.api_uploads import upload_limit
from machikoba.core.ids import MAX_ID, PathId
from machikoba.drawings.sniffing import too_large_message
from machikoba.subsidies import selectors, services
from machikoba.subsidies.api._router import router
from machikoba.subsidies.api.schemas import SubsidiesDocumentOut, document_out
from machikoba.subsidies.choices import BonusClaimStatus
from machikoba.subsidies.error_codes_screening import ScreeningErrorCode
from machikoba.subsidies.models import Application, BonusCriterion
from machikoba.subsidies.selectors import BonusClaimsPage


class SubsidyBonusClaimOut(Schema):
    id: int
    status: str = Field(description="claimed (waiting for the office), verified or rejected")
    automatic: bool = Field(description="verified from the records (DX道場), not claimed")
    evidence: SubsidiesDocumentOut | None
    evidence_note: str
    officer_note: str = Field(description="the office's reason, when it rejected the claim")
    verified_at: dt.datetime | None


class SubsidyBonusClaimRowOut(Schema):
    criterion_id: int
    kind: str = Field(description="dojo_graduate (verified from the records) or claimed")
    name: str
    description: str
    points: int
    claim: SubsidyBonusClaimOut | None
    claimable: bool = Field(description="may be claimed (again) now, with new evidence")


class SubsidyBonusClaimsOut(Schema):
    application_id: int
    open: bool = Field(description="whether the application still takes claims")
    rows: list[SubsidyBonusClaimRowOut]


def _application(request: Any, pk: int) -> Application:
    """The application the caller may change (its company's owner and staff): one they
    only see is a 403, another company's a 404, as the page."""
    return get_for_user_or_404(
        Application.objects.select_related("stage__call", "company"),
        request.user,
        CHANGE,
        pk=pk,
    )


def _claims_out(page: BonusClaimsPage) -> SubsidyBonusClaimsOut:
    claimable = {c.pk for c in page.claimable} if page.open else set()
    return SubsidyBonusClaimsOut(
        application_id=page.application.pk,
        open=page.open,
        rows=[
            SubsidyBonusClaimRowOut(
                criterion_id=row.criterion.pk,
                kind=row.criterion.kind,
                name=row.criterion.name,
                description=row.criterion.description,
                points=row.criterion.points,
                claim=SubsidyBonusClaimOut(
                    id=row.claim.pk,
                    status=row.claim.status,
                    automatic=row.claim.automatic,
                    evidence=document_out(row.claim.evidence) if row.claim.evidence else None,
                    evidence_note=row.claim.evidence_note,
                    officer_note=row.claim.officer_note
                    if row.claim.status == BonusClaimStatus.REJECTED
                    else "",
                    verified_at=row.claim.verified_at,
                )
                if row.claim
                else None,
                claimable=row.criterion.pk in claimable,
            )
            for row in page.rows
        ],
    )


def _page(request: Any, application: Application) -> SubsidyBonusClaimsOut:
    return _claims_out(selectors.bonus_claims_page(request.user, application))


@router.get(
    "/applications/{application_id}/bonus",
    response=SubsidyBonusClaimsOut,
    summary="The call's bonus points for an application, with its claims and their status",
)
def subsidies_bonus_claims(request: Any, application_id: PathId) -> SubsidyBonusClaimsOut:
    return _page(request, _application(request, application_id))


@router.post(
    "/applications/{application_id}/bonus",
    response={201: SubsidyBonusClaimsOut},
    summary="Claim a bonus point with its evidence (PDF, PNG or JPEG); again to replace it",
)
@decorate_view(
    upload_limit(
        services.evidence_max_bytes,
        code=ScreeningErrorCode.BONUS_INVALID,
        message=too_large_message,
    )
)
def subsidies_bonus_claim_add(
    request: Any,
    application_id: PathId,
    criterion_id: Annotated[int, Form(..., ge=1, le=MAX_ID, description="a criterion")],
    file: Annotated[UploadedFile, File(..., description="the evidence: PDF, PNG or JPEG")],
    note: Annotated[str, Form("", max_length=300)] = "",
) -> Status[SubsidyBonusClaimsOut]:
    application = _application(request, application_id)
    criterion = get_for_user_or_404(
        BonusCriterion, request.user, VIEW, pk=criterion_id, call_id=application.stage.call_id
    )
    services.bonus_claim_add(
        actor=request.user, application=application, criterion=criterion, upload=file, note=note
    )
    return Status(201, _page(request, _application(request, application_id)))
