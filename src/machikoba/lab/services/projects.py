"""Consortium projects: PBL course projects and internships with a university,
co-development among shops. The ward's office registers a project, adds its participants
(companies and partner organisations, each with a role), moves it through its states
(planned → running → completed, or cancelled) and keeps its documents; the participating
companies' people read it (``lab.access.project_scope``).

Documents are checked from their content like every uploaded document
(``drawings.uploads``): a refused file stores nothing."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import ApplicationError, full_clean_or_raise, invalid_input
from machikoba.core.notifications import notify_company
from machikoba.core.stored_files import delete_quietly
from machikoba.drawings.uploads import describe_upload, store_upload
from machikoba.lab.choices import (
    UNIVERSITY_PROJECT_KINDS,
    PartnerKind,
    ProjectKind,
    ProjectStatus,
)
from machikoba.lab.error_codes_ecosystem import EcosystemErrorCode
from machikoba.lab.models_ecosystem import Partner, Project, ProjectDocument, ProjectParticipant
from machikoba.lab.services.partners import require_office
from machikoba.wards.models import Municipality

# Which status may follow which (the project page reads it for its buttons).
PROJECT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ProjectStatus.PLANNED: (ProjectStatus.RUNNING, ProjectStatus.CANCELLED),
    ProjectStatus.RUNNING: (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED),
    ProjectStatus.COMPLETED: (),
    ProjectStatus.CANCELLED: (),
}
# A project still open to participants and edits.
OPEN_STATUSES = (ProjectStatus.PLANNED, ProjectStatus.RUNNING)
MAX_PROJECT_DAYS = 3 * 366
DOCUMENT_KINDS = ("pdf", "png", "jpeg")
DOCUMENT_MAX_PAGES = 300
# Links a later change leaves as they are (the person's account may have been deleted).
KEPT = ["created_by"]
FIELDS = ["kind", "title", "summary", "starts_on", "ends_on", "status", "outcome"]


def document_max_bytes() -> int:
    """The upload limit (for ``core.uploads.limit_upload_size``)."""
    return int(getattr(settings, "MACHIKOBA_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))


def project_may_move(current: str, to: str) -> bool:
    return to in PROJECT_TRANSITIONS.get(current, ())


def _check_period(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < starts_on:
        raise invalid_input(
            EcosystemErrorCode.PROJECT_INVALID,
            ends_on=_("終了日は開始日と同じか、それより後の日にしてください。"),
        )
    if (ends_on - starts_on).days > MAX_PROJECT_DAYS:
        raise invalid_input(
            EcosystemErrorCode.PROJECT_INVALID,
            ends_on=_("期間は3年以内にしてください。"),
        )


def _save(actor: User, project: Project, *, verb: str, before: dict | None) -> None:
    full_clean_or_raise(project, code=EcosystemErrorCode.PROJECT_INVALID, exclude=KEPT)
    project.save()
    audit_record(
        actor=actor, verb=verb, target=project, before=before, after=snapshot(project, FIELDS)
    )


@transaction.atomic
def project_create(
    *,
    actor: User,
    municipality: Municipality,
    kind: str,
    title: str,
    summary: str = "",
    starts_on: dt.date,
    ends_on: dt.date,
) -> Project:
    require_office(actor, municipality.pk)
    _check_period(starts_on, ends_on)
    project = Project(
        municipality=municipality,
        kind=kind,
        title=title.strip(),
        summary=summary.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    _save(actor, project, verb="lab.project.create", before=None)
    return project


def _lock(actor: User, project: Project) -> Project:
    require_office(actor, project.municipality_id)
    return Project.objects.select_for_update(of=("self",)).get(pk=project.pk)


def _require_open(project: Project) -> None:
    if project.status not in OPEN_STATUSES:
        raise ApplicationError(
            EcosystemErrorCode.PROJECT_STATE,
            _("完了・中止したプロジェクトは変更できません。"),
        )


@transaction.atomic
def project_update(
    *,
    actor: User,
    project: Project,
    kind: str,
    title: str,
    summary: str = "",
    starts_on: dt.date,
    ends_on: dt.date,
    outcome: str = "",
) -> Project:
    """Edit a planned or running project; its kind only while it is planned."""
    project = _lock(actor, project)
    _require_open(project)
    if kind != project.kind and project.status != ProjectStatus.PLANNED:
        raise invalid_input(
            EcosystemErrorCode.PROJECT_STATE,
            kind=_("実施中のプロジェクトの種類は変えられません。"),
        )
    _check_period(starts_on, ends_on)
    before = snapshot(project, FIELDS)
    project.kind = kind
    project.title = title.strip()
    project.summary = summary.strip()
    project.starts_on = starts_on
    project.ends_on = ends_on
    project.outcome = outcome.strip()
    _save(actor, project, verb="lab.project.update", before=before)
    return project


def _check_ready(project: Project) -> None:
    """What a project needs before it starts: a university for PBL and internships, two
    shops for a co-development, someone for anything else."""
    participants = project.participants.all()
    if project.kind in UNIVERSITY_PROJECT_KINDS:
        if not participants.filter(partner__kind=PartnerKind.UNIVERSITY).exists():
            raise ApplicationError(
                EcosystemErrorCode.PROJECT_NOT_READY,
                _("PBL・インターンシップを始める前に、大学・高専を参加者に加えてください。"),
            )
        if not participants.filter(company__isnull=False).exists():
            raise ApplicationError(
                EcosystemErrorCode.PROJECT_NOT_READY,
                _("受け入れる企業を参加者に加えてから始めてください。"),
            )
    elif project.kind == ProjectKind.CO_DEVELOPMENT:
        if participants.filter(company__isnull=False).count() < 2:
            raise ApplicationError(
                EcosystemErrorCode.PROJECT_NOT_READY,
                _("共同開発を始める前に、参加する企業を2社以上加えてください。"),
            )
    elif not participants.exists():
        raise ApplicationError(
            EcosystemErrorCode.PROJECT_NOT_READY,
            _("参加者を加えてから始めてください。"),
        )


@transaction.atomic
def project_transition(*, actor: User, project: Project, to: str, outcome: str = "") -> Project:
    """Start, complete or cancel a project. Completing it needs its outcome."""
    project = _lock(actor, project)
    if not project_may_move(project.status, to):
        raise ApplicationError(
            EcosystemErrorCode.PROJECT_STATE,
            _("このプロジェクトはいまの状態からその操作はできません。"),
        )
    outcome = outcome.strip() or project.outcome
    if to == ProjectStatus.RUNNING:
        _check_ready(project)
    if to == ProjectStatus.COMPLETED and not outcome:
        raise invalid_input(
            EcosystemErrorCode.PROJECT_OUTCOME_MISSING,
            outcome=_("完了にするには、成果を書いてください。"),
        )
    before = snapshot(project, FIELDS)
    project.status = to
    project.outcome = outcome
    _save(actor, project, verb="lab.project.status", before=before)
    return project


# --- participants --------------------------------------------------------------------------


@transaction.atomic
def participant_add(
    *,
    actor: User,
    project: Project,
    company: Company | None = None,
    partner: Partner | None = None,
    role: str = "",
) -> ProjectParticipant:
    """A company or a partner of the project's ward joins the project."""
    project = _lock(actor, project)
    _require_open(project)
    if (company is None) == (partner is None):
        raise invalid_input(
            EcosystemErrorCode.PARTICIPANT_INVALID,
            company=_("企業か連携先のどちらか一方を選んでください。"),
        )
    if partner is not None and (partner.municipality_id != project.municipality_id):
        raise invalid_input(
            EcosystemErrorCode.PARTICIPANT_INVALID,
            partner=_("この区の連携先を選んでください。"),
        )
    if partner is not None and not partner.active:
        raise invalid_input(
            EcosystemErrorCode.PARTICIPANT_INVALID,
            partner=_("参加を終了した連携先は加えられません。"),
        )
    if company is not None and not company.is_active:
        raise invalid_input(
            EcosystemErrorCode.PARTICIPANT_INVALID,
            company=_("利用を停止している企業は加えられません。"),
        )
    same = project.participants.filter(company=company) if company else None
    if partner is not None:
        same = project.participants.filter(partner=partner)
    if same is not None and same.exists():
        raise ApplicationError(
            EcosystemErrorCode.PARTICIPANT_DUPLICATE,
            _("すでにこのプロジェクトの参加者です。"),
        )
    participant = ProjectParticipant(
        project=project, company=company, partner=partner, role=role.strip()
    )
    full_clean_or_raise(participant, code=EcosystemErrorCode.PARTICIPANT_INVALID)
    participant.save()
    audit_record(
        actor=actor,
        verb="lab.project.participant.add",
        target=project,
        company=company,
        after={
            "company": company.pk if company else None,
            "partner": partner.pk if partner else None,
            "role": participant.role,
        },
    )
    if company is not None:
        notify_company(
            company=company,
            kind="lab_project_joined",
            params={"title": project.title, "ward": project.municipality.name},
            path=reverse("lab:project_detail", args=[project.pk]),
        )
    return participant


@transaction.atomic
def participant_remove(*, actor: User, participant: ProjectParticipant) -> None:
    project = _lock(actor, participant.project)
    _require_open(project)
    participant = ProjectParticipant.objects.get(pk=participant.pk, project=project)
    audit_record(
        actor=actor,
        verb="lab.project.participant.remove",
        target=project,
        company=participant.company,
        before={
            "company": participant.company_id,
            "partner": participant.partner_id,
            "role": participant.role,
        },
    )
    participant.delete()


# --- documents -----------------------------------------------------------------------------


@transaction.atomic
def document_add(
    *, actor: User, project: Project, title: str, upload: File[bytes]
) -> ProjectDocument:
    """A PDF or an image beside the project (a plan, a report, photos of the outcome). The
    file's type comes from its content; a refused file stores nothing."""
    project = _lock(actor, project)
    if project.status == ProjectStatus.CANCELLED:
        raise ApplicationError(
            EcosystemErrorCode.PROJECT_STATE,
            _("中止したプロジェクトには資料を登録できません。"),
        )
    title = title.strip()
    if not title:
        raise invalid_input(EcosystemErrorCode.DOCUMENT_INVALID, title=_("件名を書いてください。"))
    document = ProjectDocument(project=project, title=title)
    name = describe_upload(
        document,
        upload,
        actor=actor,
        kinds=DOCUMENT_KINDS,
        max_bytes=document_max_bytes(),
        max_pages=DOCUMENT_MAX_PAGES,
        code=EcosystemErrorCode.DOCUMENT_INVALID,
        type_message=_("資料は PDF・PNG・JPEG のファイルにしてください。"),
    )
    full_clean_or_raise(document, code=EcosystemErrorCode.DOCUMENT_INVALID, exclude=["file"])
    store_upload(
        document,
        upload,
        name,
        record=lambda: audit_record(
            actor=actor,
            verb="lab.project.document.add",
            target=project,
            after={"document": document.pk, "name": name, "sha256": document.sha256},
        ),
    )
    return document


@transaction.atomic
def document_remove(*, actor: User, document: ProjectDocument) -> None:
    project = _lock(actor, document.project)
    document = ProjectDocument.objects.get(pk=document.pk, project=project)
    audit_record(
        actor=actor,
        verb="lab.project.document.remove",
        target=project,
        before={"document": document.pk, "name": document.original_name, "sha256": document.sha256},
    )
    stored = document.file
    document.delete()
    transaction.on_commit(lambda: delete_quietly(stored))
