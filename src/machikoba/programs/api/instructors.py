"""The instructors an officer may choose for a cohort and its sessions: the choices the
office's instructor and session forms offer (holders of the instructor role, in force, for
the programme's lead ward or a partner ward), so a program can send their ids. Officers
only (anyone else: 403); another ward's cohort is not found."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from ninja import Schema
from pydantic import Field

from machikoba.accounts.rules import is_ward_officer
from machikoba.core.access import CHANGE, get_for_user_or_404
from machikoba.core.ids import PathId
from machikoba.programs.api._router import router
from machikoba.programs.models import Cohort
from machikoba.programs.selectors import office as selectors


class ProgramsInstructorOut(Schema):
    id: int
    name: str
    current: bool = Field(description="teaches the cohort now")


@router.get(
    "/office/cohorts/{cohort_id}/instructor-candidates",
    response=list[ProgramsInstructorOut],
    summary="Who may teach the cohort (the instructors' and sessions' choices)",
)
def programs_instructor_candidates(request, cohort_id: PathId):
    if not is_ward_officer(request.user):
        raise PermissionDenied
    cohort = get_for_user_or_404(
        Cohort.objects.select_related("program"), request.user, CHANGE, pk=cohort_id
    )
    current = set(cohort.instructors.values_list("pk", flat=True))
    return [
        ProgramsInstructorOut(id=user.pk, name=user.get_full_name(), current=user.pk in current)
        for user in selectors.instructor_candidates(user=request.user, program=cohort.program)
    ]
