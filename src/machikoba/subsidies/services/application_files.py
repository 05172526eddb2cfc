"""Writes of an application's expense lines (with their quotes) and its documents (quotes,
the attachments its stage requires, the expert's evaluation), while it is a draft or
returned.

Uploaded files are checked from their content (PDF, PNG or JPEG), every file of a request
before any is stored: a refused file stores nothing, and a write that fails after a file
was stored deletes it again (``atomic_storing_files``). The file of a removed line or
document goes once the change is committed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import ApplicationError, full_clean_or_raise, invalid_input
from machikoba.drawings.error_codes import DrawingsErrorCode
from machikoba.drawings.uploads import describe_upload, store_upload
from machikoba.subsidies.choices import DocumentKind
from machikoba.subsidies.error_codes_apply import ApplyErrorCode
from machikoba.subsidies.models import (
    Application,
    ApplicationDocument,
    AttachmentRequirement,
    ExpenseCategory,
    ExpenseLine,
)
from machikoba.subsidies.selectors.plan import STEP_DOCUMENTS
from machikoba.subsidies.services._application_checks import (
    _content_changed,
    _editable,
    _refuse_change,
    atomic_storing_files,
    remember_stored,
)
from machikoba.subsidies.services.applications import application_save_step

DOCUMENT_KINDS = ("pdf", "png", "jpeg")
DOCUMENT_MAX_PAGES = 200
# Files per expense line (quotes) and per required attachment: enough for 相見積 and a
# correction, few enough to keep a draft's storage bounded.
MAX_FILES_PER_SLOT = 5
MAX_LINES = 30
MAX_AMOUNT = 10_000_000_000
# The kinds of document the applicant adds here (bonus evidence and the 実績報告's
# receipts belong to screening and to what follows the selection).
APPLICANT_DOCUMENT_KINDS = (
    DocumentKind.QUOTE,
    DocumentKind.ATTACHMENT,
    DocumentKind.EXPERT_EVALUATION,
)
# The sniffer's refusals of a file of another type: the message names what is accepted here.
WRONG_TYPE_CODES = (DrawingsErrorCode.FILE_TYPE_UNSUPPORTED, DrawingsErrorCode.FILE_ZIP)
LINE_FIELDS = ["category", "description", "vendor", "amount"]
DOCUMENT_FIELDS = ["kind", "expense", "requirement", "original_name", "mime", "size", "sha256"]


def document_max_bytes() -> int:
    """The upload limit (for ``core.uploads.limit_upload_size``)."""
    return int(getattr(settings, "MACHIKOBA_SUBSIDY_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024))


# --- expense lines -------------------------------------------------------------------------


def _line_values(
    locked: Application, category: ExpenseCategory, description: str, vendor: str, amount: Any
) -> dict[str, Any]:
    errors = {}
    if category.stage_id != locked.stage_id:
        errors["category"] = _("この経費区分は、このステージでは選べません。")
    description, vendor = (description or "").strip(), (vendor or "").strip()
    if not description:
        errors["description"] = _("何に使う経費かを入力してください。")
    if not vendor:
        errors["vendor"] = _("発注先 (見積書を出した会社) を入力してください。")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
        errors["amount"] = _("金額は1円以上の整数 (税抜) で入力してください。")
    elif amount > MAX_AMOUNT:
        errors["amount"] = _("金額が大きすぎます。")
    if errors:
        raise invalid_input(ApplyErrorCode.EXPENSE_INVALID, **errors)
    return {"category": category, "description": description, "vendor": vendor, "amount": amount}


@atomic_storing_files
def expense_add(
    *,
    actor: User,
    application: Application,
    category: ExpenseCategory,
    description: str,
    vendor: str,
    amount: int,
    quotes: Sequence[File[bytes]] = (),
) -> ExpenseLine:
    """Add an expense line (tax-exclusive yen) of one of the stage's categories, with the
    quotes given (PDF or images). A refused quote refuses the line: nothing is kept."""
    locked = _editable(actor, application)
    values = _line_values(locked, category, description, vendor, amount)
    existing = ExpenseLine.objects.filter(application=locked)
    if existing.count() >= MAX_LINES:
        raise invalid_input(
            ApplyErrorCode.EXPENSE_INVALID,
            description=_("経費は %(n)s 行までです。") % {"n": MAX_LINES},
        )
    order = (existing.aggregate(last=Max("order"))["last"] or 0) + 1
    line = ExpenseLine(application=locked, order=order, **values)
    full_clean_or_raise(line, code=ApplyErrorCode.EXPENSE_INVALID)
    line.save()
    audit_record(
        actor=actor,
        verb="subsidy_expense.add",
        target=line,
        company=locked.company,
        after=snapshot(line, LINE_FIELDS),
    )
    uploads = [upload for upload in quotes if upload is not None]
    if len(uploads) > MAX_FILES_PER_SLOT:
        raise _file_refusal(_("見積書は1行に %(n)s 通までです。") % {"n": MAX_FILES_PER_SLOT})
    _store_documents(
        actor,
        locked,
        [(_quote_document(locked, line), upload) for upload in uploads],
    )
    _content_changed(actor, locked)
    return line


def _line_of(actor: User, expense: ExpenseLine) -> tuple[Application, ExpenseLine]:
    locked = _editable(actor, expense.application)
    line = ExpenseLine.objects.select_related("category").filter(pk=expense.pk).first()
    if line is None or line.application_id != locked.pk:
        raise _refuse_change()
    return locked, line


@transaction.atomic
def expense_update(
    *,
    actor: User,
    expense: ExpenseLine,
    category: ExpenseCategory,
    description: str,
    vendor: str,
    amount: int,
) -> ExpenseLine:
    """Change an expense line; its quotes stay with it."""
    locked, line = _line_of(actor, expense)
    values = _line_values(locked, category, description, vendor, amount)
    before = snapshot(line, LINE_FIELDS)
    for name, value in values.items():
        setattr(line, name, value)
    full_clean_or_raise(line, code=ApplyErrorCode.EXPENSE_INVALID)
    line.save()
    after = snapshot(line, LINE_FIELDS)
    if before != after:
        audit_record(
            actor=actor,
            verb="subsidy_expense.update",
            target=line,
            company=locked.company,
            before=before,
            after=after,
        )
        _content_changed(actor, locked)
    return line


def _delete_file_on_commit(storage: Any, name: str | None) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _delete_files_on_commit(names: list[tuple[Any, str | None]]) -> None:
    for storage, name in names:
        _delete_file_on_commit(storage, name)


@transaction.atomic
def expense_remove(*, actor: User, expense: ExpenseLine) -> None:
    """Remove an expense line and its quotes (their files go once this is committed)."""
    locked, line = _line_of(actor, expense)
    files = [(d.file.storage, d.file.name) for d in line.quotes.all()]
    audit_record(
        actor=actor,
        verb="subsidy_expense.remove",
        target=line,
        company=locked.company,
        before=snapshot(line, LINE_FIELDS),
    )
    line.delete()
    _delete_files_on_commit(files)
    _content_changed(actor, locked)


# --- documents -------------------------------------------------------------------------------


def _file_refusal(message: str) -> ApplicationError:
    return ApplicationError(ApplyErrorCode.DOCUMENT_INVALID, message, fields={"file": [message]})


def _quote_document(application: Application, line: ExpenseLine) -> ApplicationDocument:
    return ApplicationDocument(
        application=application,
        kind=DocumentKind.QUOTE,
        expense=line,
        title=(_("見積書: %(line)s") % {"line": line.description})[:120],
    )


def _recorder(
    actor: User, application: Application, document: ApplicationDocument
) -> Callable[[], object]:
    def record() -> object:
        return audit_record(
            actor=actor,
            verb="subsidy_document.add",
            target=document,
            company=application.company,
            after=snapshot(document, DOCUMENT_FIELDS),
        )

    return record


def _store_documents(
    actor: User,
    application: Application,
    items: list[tuple[ApplicationDocument, Any]],
    *,
    name_the_file: bool = False,
) -> list[ApplicationDocument]:
    """Check every file first (nothing is written if one is refused; with
    ``name_the_file`` the refusal says which document and file it was), then store them;
    the caller is an ``atomic_storing_files`` write, so a failure deletes the files
    already stored."""
    names = []
    type_message = _("書類は PDF・PNG・JPEG のいずれかのファイルにしてください。")
    for document, upload in items:
        try:
            name = describe_upload(
                document,
                upload,
                actor=actor,
                kinds=DOCUMENT_KINDS,
                max_bytes=document_max_bytes(),
                max_pages=DOCUMENT_MAX_PAGES,
                code=ApplyErrorCode.DOCUMENT_INVALID,
                type_message=type_message,
            )
        except ApplicationError as error:
            # The sniffer's own wording names the drawing formats; say what fits here (a
            # Word or Excel file is a ZIP to the sniffer).
            unsupported = error.code in WRONG_TYPE_CODES
            reason = type_message if unsupported else str(error.message)
            if name_the_file:
                reason = _(
                    "「%(title)s」のファイル (%(file)s) は添付できません: %(reason)s"
                    " ほかのファイルも添付していません。ファイルを選び直してください。"
                ) % {
                    "title": document.title,
                    "file": getattr(upload, "name", "") or "",
                    "reason": reason,
                }
            raise _file_refusal(reason) from None
        names.append(name)
        full_clean_or_raise(document, code=ApplyErrorCode.DOCUMENT_INVALID, exclude=["file"])
    stored: list[ApplicationDocument] = []
    for (document, upload), name in zip(items, names, strict=True):
        store_upload(document, upload, name, record=_recorder(actor, application, document))
        remember_stored(document.file)
        stored.append(document)
    return stored


def _new_document(
    application: Application,
    *,
    kind: str,
    expense: ExpenseLine | None = None,
    requirement: AttachmentRequirement | None = None,
    adding: int = 1,
) -> ApplicationDocument:
    """An unsaved document of ``kind`` in its place (a quote of one of the application's
    lines, an attachment its stage requires, the expert's evaluation where the stage asks
    for it); refused when the place is wrong or ``adding`` more would overfill it."""
    if kind not in APPLICANT_DOCUMENT_KINDS:
        raise _file_refusal(_("この種類の書類はここでは添付できません。"))
    siblings = ApplicationDocument.objects.filter(application=application, kind=kind)
    if kind == DocumentKind.QUOTE:
        if expense is None or expense.application_id != application.pk:
            raise _file_refusal(_("見積書を付ける経費を選んでください。"))
        document = _quote_document(application, expense)
        siblings = siblings.filter(expense=expense)
    elif kind == DocumentKind.ATTACHMENT:
        if requirement is None or requirement.stage_id != application.stage_id:
            raise _file_refusal(_("どの書類かを選んでください。"))
        document = ApplicationDocument(
            application=application,
            kind=kind,
            requirement=requirement,
            title=requirement.name[:120],
        )
        siblings = siblings.filter(requirement=requirement)
    else:
        if not application.stage.requires_expert_evaluation:
            raise _file_refusal(_("このステージでは専門家の評価書は必要ありません。"))
        document = ApplicationDocument(
            application=application, kind=kind, title=str(DocumentKind.EXPERT_EVALUATION.label)
        )
    if siblings.count() + adding > MAX_FILES_PER_SLOT:
        raise _file_refusal(
            _(
                "「%(title)s」は %(n)s 通までしか添付できません。"
                "不要なものを削除してから追加してください。"
            )
            % {"title": document.title, "n": MAX_FILES_PER_SLOT}
        )
    return document


@atomic_storing_files
def document_add(
    *,
    actor: User,
    application: Application,
    kind: str,
    upload: File[bytes] | None,
    expense: ExpenseLine | None = None,
    requirement: AttachmentRequirement | None = None,
) -> ApplicationDocument:
    """Attach a file to ``application``: a quote of one of its expense lines, a required
    attachment of its stage, or the expert's evaluation of the plan (stages that require
    it). PDF, PNG or JPEG, checked from the content; a refused file stores nothing."""
    locked = _editable(actor, application)
    if upload is None:
        raise _file_refusal(_("ファイルを選んでください。"))
    document = _new_document(locked, kind=kind, expense=expense, requirement=requirement)
    _store_documents(actor, locked, [(document, upload)])
    _content_changed(actor, locked)
    return document


@atomic_storing_files
def documents_step_save(
    *,
    actor: User,
    application: Application,
    uploads: Sequence[tuple[AttachmentRequirement | None, File[bytes]]],
    expert_name: str | None = None,
    advance: bool = True,
) -> list[ApplicationDocument]:
    """The wizard's step ④ in one go: a file for each required attachment chosen (the
    requirement None: the expert's evaluation), the expert's name where the stage asks
    (None: left as it is), and where the applicant goes next (``advance``: step ⑤). Every
    file is checked before any is stored; one refused file refuses the whole step, and
    nothing changes: no document, no file, the name as it was."""
    locked = _editable(actor, application)
    per_place = Counter(requirement.pk if requirement else None for requirement, _up in uploads)
    items = []
    for requirement, upload in uploads:
        kind = DocumentKind.ATTACHMENT if requirement else DocumentKind.EXPERT_EVALUATION
        document = _new_document(
            locked,
            kind=kind,
            requirement=requirement,
            adding=per_place[requirement.pk if requirement else None],
        )
        items.append((document, upload))
    documents = _store_documents(actor, locked, items, name_the_file=len(items) > 1)
    data = {} if expert_name is None else {"expert_name": expert_name}
    application_save_step(
        actor=actor, application=locked, step=STEP_DOCUMENTS, data=data, advance=advance
    )
    if documents:
        _content_changed(actor, locked)
    return documents


@transaction.atomic
def document_remove(*, actor: User, document: ApplicationDocument) -> None:
    """Remove a quote, an attachment or the expert's evaluation from a draft (or a returned
    application); the file goes once this is committed."""
    locked = _editable(actor, document.application)
    current = ApplicationDocument.objects.filter(pk=document.pk, application=locked).first()
    if current is None or current.kind not in APPLICANT_DOCUMENT_KINDS:
        raise _refuse_change()
    files = [(current.file.storage, current.file.name)]
    audit_record(
        actor=actor,
        verb="subsidy_document.remove",
        target=current,
        company=locked.company,
        before=snapshot(current, DOCUMENT_FIELDS),
    )
    current.delete()
    _delete_files_on_commit(files)
    _content_changed(actor, locked)
