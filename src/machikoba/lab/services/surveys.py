"""The short survey after an event: an attendee answers once (rating 1–5, whether it was
useful, someone they met to do business with, a comment). The lab's staff read the
answers summarised (``selectors.events.survey_summary``); the partners named there are
what the consortium's staff may turn into matchings."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.audit import audit_record
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.lab.choices import RegistrationStatus
from machikoba.lab.error_codes_events import EventErrorCode
from machikoba.lab.models_events import Registration, SurveyResponse

PARTNER_MAX_LENGTH = 200
COMMENT_MAX_LENGTH = 1000


@transaction.atomic
def survey_submit(
    *,
    actor: User,
    registration: Registration,
    rating: int | None,
    useful: bool,
    met_partner: str = "",
    comment: str = "",
) -> SurveyResponse:
    """The attendee of ``registration`` answers its event's survey, once."""
    current = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
    if current.user_id != actor.pk:
        raise PermissionRefused(
            EventErrorCode.NOT_ATTENDED,
            _("アンケートに答えられるのは、イベントに参加した本人だけです。"),
        )
    if current.status != RegistrationStatus.ATTENDED:
        raise ApplicationError(
            EventErrorCode.NOT_ATTENDED,
            _("アンケートには、イベントに出席した方だけが答えられます。"),
            status_code=409,
        )
    if SurveyResponse.objects.filter(registration=current).exists():
        raise ApplicationError(
            EventErrorCode.SURVEY_ALREADY_ANSWERED,
            _("このイベントのアンケートには、すでに回答いただいています。"),
            status_code=409,
        )
    met_partner = (met_partner or "").strip()
    comment = (comment or "").strip()
    errors = {}
    if rating is None or not 1 <= rating <= 5:
        errors["rating"] = _("満足度を1〜5から選んでください。")
    if len(met_partner) > PARTNER_MAX_LENGTH:
        errors["met_partner"] = _("200文字以内で入力してください。")
    if len(comment) > COMMENT_MAX_LENGTH:
        errors["comment"] = _("1000文字以内で入力してください。")
    if errors or rating is None:
        raise invalid_input(EventErrorCode.SURVEY_INVALID, **errors)
    answer = SurveyResponse(
        registration=current,
        rating=rating,
        useful=bool(useful),
        met_partner=met_partner,
        comment=comment,
    )
    full_clean_or_raise(answer, code=EventErrorCode.SURVEY_INVALID)
    answer.save()
    audit_record(
        actor=actor,
        verb="lab_survey.submit",
        target=answer,
        company=current.company,
        after={"rating": answer.rating, "useful": answer.useful},
    )
    return answer
