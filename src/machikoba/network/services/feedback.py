"""After the work: ratings between the parties of a closed job, claims, and the
questions a shop asks about an RFQ."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.core.access import EDITOR_ROLES, has_role
from machikoba.core.audit import audit_record
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.notifications import notify_company
from machikoba.network.choices import (
    JobStatus,
    RfqStatus,
)
from machikoba.network.error_codes import NetworkErrorCode
from machikoba.network.models import (
    Claim,
    Job,
    Rating,
    Rfq,
    RfqQuestion,
    RfqRecipient,
)
from machikoba.network.selectors import (
    rating_pairs,
)
from machikoba.network.services._guards import (
    _require_job_editor,
)

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import Company


@transaction.atomic
def rfq_question_ask(*, actor: User, recipient: RfqRecipient, question: str) -> RfqQuestion:
    """A shop asked for a quote asks the owner something (before the deadline)."""
    if not has_role(actor, recipient.company, EDITOR_ROLES):
        raise PermissionRefused(
            NetworkErrorCode.NOT_RECIPIENT_EDITOR,
            _("質問できるのは、依頼先企業の経営者とスタッフだけです。"),
        )
    rfq = Rfq.objects.select_related("job__company").get(pk=recipient.rfq_id)
    if rfq.status != RfqStatus.OPEN or rfq.deadline <= timezone.now():
        raise ApplicationError(
            NetworkErrorCode.RFQ_CLOSED, _("この見積依頼はすでに締め切られています。")
        )
    if not question.strip():
        raise invalid_input(
            NetworkErrorCode.QUESTION_INVALID, question=_("質問を入力してください。")
        )
    asked = RfqQuestion(
        rfq=rfq,
        company=recipient.company,
        asked_by=actor,
        question=question.strip(),
        is_public=rfq.questions_public,
    )
    full_clean_or_raise(asked, code=NetworkErrorCode.QUESTION_INVALID)
    asked.save()
    audit_record(actor=actor, verb="rfq.question", target=asked, company=recipient.company)
    notify_company(
        company=rfq.job.company,
        kind="rfq_question",
        params={"supplier": recipient.company.name, "part": rfq.job.part_name},
        path=reverse("network:rfq_detail", args=[rfq.pk]),
    )
    return asked


@transaction.atomic
def rfq_question_answer(*, actor: User, question: RfqQuestion, answer: str) -> RfqQuestion:
    """The owner answers; the asker hears of it, and every shop asked when it is public."""
    rfq = question.rfq
    _require_job_editor(actor, rfq.job)
    question = RfqQuestion.objects.select_for_update().get(pk=question.pk)
    if question.answered_at is not None:
        raise ApplicationError(
            NetworkErrorCode.QUESTION_ANSWERED, _("この質問にはすでに回答しています。")
        )
    if not answer.strip():
        raise invalid_input(NetworkErrorCode.ANSWER_INVALID, answer=_("回答を入力してください。"))
    question.answer, question.answered_at, question.answered_by = (
        answer.strip(),
        timezone.now(),
        actor,
    )
    full_clean_or_raise(question, code=NetworkErrorCode.ANSWER_INVALID)
    question.save()
    audit_record(actor=actor, verb="rfq.answer", target=question, company=rfq.job.company)
    told = (
        [r.company for r in rfq.recipients.select_related("company")]
        if question.is_public
        else [question.company]
    )
    for company in told:
        notify_company(
            company=company,
            kind="rfq_answer",
            params={"buyer": rfq.job.company.name, "part": rfq.job.part_name},
            path=reverse("network:rfq_detail", args=[rfq.pk]),
        )
    return question


@transaction.atomic
def claim_resolve(*, actor: User, claim: Claim) -> Claim:
    """The owner closes a shortfall/defect record once it is settled (rework, credit …)."""
    _require_job_editor(actor, claim.step.job)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.resolved_at is not None:
        raise ApplicationError(NetworkErrorCode.CLAIM_RESOLVED, _("この記録はすでに解決済みです。"))
    claim.resolved_at = timezone.now()
    claim.save(update_fields=["resolved_at", "updated_at"])
    audit_record(actor=actor, verb="claim.resolve", target=claim, company=claim.step.job.company)
    return claim


PERFORMER_CRITERIA = ("quality", "delivery", "communication")


OWNER_CRITERIA = ("clarity", "payment")


@transaction.atomic
def rating_submit(
    *,
    actor: User,
    job: Job,
    rater: Company,
    rated: Company,
    scores: dict[str, int],
    comment: str = "",
) -> Rating:
    """Rate the other side of a closed job, once: the owner rates each performer on
    quality, delivery and communication; a performer rates the owner on clarity of specs
    and payment."""
    if not has_role(actor, rater, EDITOR_ROLES):
        raise PermissionRefused(
            NetworkErrorCode.NOT_RATER, _("評価できるのは、その企業の経営者とスタッフだけです。")
        )
    if job.status != JobStatus.CLOSED:
        raise ApplicationError(NetworkErrorCode.JOB_NOT_CLOSED, _("評価は案件の完了後にできます。"))
    pair = next((p for p in rating_pairs(job) if p[0] == rater.pk and p[1] == rated.pk), None)
    if pair is None:
        raise ApplicationError(
            NetworkErrorCode.NOT_A_PARTY, _("この案件で取引した相手だけを評価できます。")
        )
    criteria = PERFORMER_CRITERIA if pair[2] else OWNER_CRITERIA
    errors = {}
    for name in criteria:
        value = scores.get(name)
        if not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = _("1 から 5 で評価してください。")
    if errors:
        raise invalid_input(NetworkErrorCode.RATING_INVALID, **errors)
    if Rating.objects.filter(job=job, rater=rater, rated=rated).exists():
        raise ApplicationError(
            NetworkErrorCode.ALREADY_RATED, _("この相手はすでに評価しています。")
        )
    rating = Rating(
        job=job,
        rater=rater,
        rated=rated,
        rated_as_performer=pair[2],
        comment=comment.strip(),
        rated_by=actor,
        **{name: scores[name] for name in criteria},
    )
    full_clean_or_raise(
        rating,
        code=NetworkErrorCode.RATING_INVALID,
        duplicate_code=NetworkErrorCode.ALREADY_RATED,
        duplicate_message=_("この相手はすでに評価しています。"),
    )
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:
        raise ApplicationError(
            NetworkErrorCode.ALREADY_RATED, _("この相手はすでに評価しています。")
        ) from None
    audit_record(actor=actor, verb="rating.submit", target=rating, company=rater)
    return rating


@transaction.atomic
def rating_respond(*, actor: User, rating: Rating, response: str) -> Rating:
    """The rated company answers a rating, once."""
    if not has_role(actor, rating.rated, EDITOR_ROLES):
        raise PermissionRefused(
            NetworkErrorCode.NOT_RATED,
            _("返信できるのは、評価された企業の経営者とスタッフだけです。"),
        )
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    if rating.responded_at is not None:
        raise ApplicationError(
            NetworkErrorCode.ALREADY_RESPONDED, _("この評価にはすでに返信しています。")
        )
    if not response.strip():
        raise invalid_input(
            NetworkErrorCode.RESPONSE_INVALID, response=_("返信を入力してください。")
        )
    rating.response, rating.responded_at = response.strip(), timezone.now()
    full_clean_or_raise(rating, code=NetworkErrorCode.RESPONSE_INVALID)
    rating.save(update_fields=["response", "responded_at", "updated_at"])
    audit_record(actor=actor, verb="rating.respond", target=rating, company=rating.rated)
    return rating
