"""Who sees what of the DX Lab, its events and the consortium.

- **Lab staff** (ward role ``lab_staff``) run the labs of the wards they serve: catalogue,
  trainings and records, bookings, the entry log, desk visitors, events and registrations,
  matchings, partners and projects.
- **Ward officers** read the lab and take part in the consortium (partners, projects,
  matchings; DX-loan referrals are theirs alone); of the lab's own records (bookings, the
  entry log, registrations) they get counts only: the action ``SUPPORT`` ("what the ward's
  office holds") is what the statistics selectors read, never a page of rows.
- **A company's people** see their own bookings, waitlist entries, training records,
  visits, registrations and surveys; their editors those of the company. Parties of a
  matching, a project or a referral see it.
- **An IT vendor's people** (a company of kind ``vendor``) keep their exhibits, publish
  demo slots and see the bookings, trials and consultations of their exhibits only.
- **A bank's people** see only the loan referrals addressed to their bank.
- A consultation is a message between a shop and a vendor: nobody else reads it, staff
  and officers included.
- Anyone, signed in or not, reads the active labs, their catalogue and trainings (the
  showroom's shop window). The metro viewer reads aggregates elsewhere, never a row here.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q

from machikoba.core.access import (
    CHANGE,
    DELETE,
    EDITOR_ROLES,
    LAB_STAFF,
    MANAGE,
    MEMBER_ROLES,
    NOTHING,
    SUPPORT,
    VIEW,
    WARD_OFFICER,
    company_ids_for,
    municipality_ids_for,
)


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def staff_wards(user) -> list[int]:
    """The municipalities whose labs ``user`` runs."""
    return municipality_ids_for(user, LAB_STAFF)


def office_wards(user) -> list[int]:
    """The municipalities whose support office ``user`` works in: lab staff and officers."""
    return sorted(set(staff_wards(user)) | set(municipality_ids_for(user, WARD_OFFICER)))


def _in(prefix: str, wards: list[int]) -> Q:
    return Q(**{f"{prefix}__in": wards}) if wards else NOTHING


def _members(user, action: str) -> list[int]:
    return company_ids_for(user, MEMBER_ROLES, VIEW if action == VIEW else action)


def _editors(user, action: str) -> list[int]:
    return company_ids_for(user, EDITOR_ROLES, action)


# ---------------------------------------------------------------- the lab and its catalogue


def lab_anonymous_scope(action: str) -> Q:
    return Q(active=True) if action == VIEW else NOTHING


def _lab_q(user, action: str, prefix: str = "") -> Q:
    ward = f"{prefix}municipality"
    if action == VIEW:
        public = Q(**{f"{prefix}active": True})
        if not _signed_in(user):
            return public
        return public | _in(ward, office_wards(user))
    if not _signed_in(user):
        return NOTHING
    if action in (CHANGE, MANAGE, DELETE):
        return _in(ward, staff_wards(user))
    if action == SUPPORT:
        return _in(ward, office_wards(user))
    return NOTHING


def lab_scope(user, action: str) -> Q:
    return _lab_q(user, action)


def lab_part_scope(user, action: str) -> Q:
    """Opening hours and closures: read with the lab, changed by its staff."""
    return _lab_q(user, action, "lab__")


def item_anonymous_scope(action: str) -> Q:
    return Q(active=True, lab__active=True) if action == VIEW else NOTHING


def _item_q(user, action: str, prefix: str = "") -> Q:
    staff = _in(f"{prefix}lab__municipality", staff_wards(user)) if _signed_in(user) else NOTHING
    if action == VIEW:
        public = Q(**{f"{prefix}active": True, f"{prefix}lab__active": True})
        if not _signed_in(user):
            return public
        exhibits = Q(**{f"{prefix}exhibitor__in": _members(user, VIEW)})
        office = _in(f"{prefix}lab__municipality", office_wards(user))
        return public | exhibits | office
    if not _signed_in(user):
        return NOTHING
    if action == CHANGE:  # the vendor keeps its exhibits' description and photos
        return staff | Q(**{f"{prefix}exhibitor__in": _editors(user, action)})
    if action in (MANAGE, DELETE):  # add, withdraw, set capacity and trainings
        return staff
    if action == SUPPORT:
        return _in(f"{prefix}lab__municipality", office_wards(user))
    return NOTHING


def item_scope(user, action: str) -> Q:
    return _item_q(user, action)


def item_part_scope(user, action: str) -> Q:
    return _item_q(user, action, "item__")


def training_anonymous_scope(action: str) -> Q:
    return Q(active=True, lab__active=True) if action == VIEW else NOTHING


def training_scope(user, action: str) -> Q:
    if action == VIEW:
        public = Q(active=True, lab__active=True)
        if not _signed_in(user):
            return public
        return public | _in("lab__municipality", office_wards(user))
    if not _signed_in(user):
        return NOTHING
    if action in (CHANGE, MANAGE, DELETE):
        return _in("lab__municipality", staff_wards(user))
    if action == SUPPORT:
        return _in("lab__municipality", office_wards(user))
    return NOTHING


def training_record_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    ward = "training__lab__municipality"
    if action == VIEW:
        return Q(user=user) | Q(company__in=_editors(user, VIEW)) | _in(ward, staff_wards(user))
    if action in (CHANGE, MANAGE, DELETE):
        return _in(ward, staff_wards(user))
    if action == SUPPORT:
        return _in(ward, office_wards(user))
    return NOTHING


# ------------------------------------------------------------------ bookings and the vendors


def demo_slot_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    staff = _in("item__lab__municipality", staff_wards(user))
    vendor = Q(item__exhibitor__in=_editors(user, action))
    if action == VIEW:
        public = Q(cancelled_at__isnull=True, item__active=True, item__lab__active=True)
        return public | staff | Q(item__exhibitor__in=_members(user, VIEW))
    if action in (CHANGE, MANAGE, DELETE):
        return staff | vendor
    if action == SUPPORT:
        return _in("item__lab__municipality", office_wards(user))
    return NOTHING


def booking_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    staff = _in("lab__municipality", staff_wards(user))
    if action == VIEW:
        own = Q(user=user) | Q(company__in=_members(user, VIEW))
        vendor = Q(item__exhibitor__in=_members(user, VIEW))
        return own | vendor | staff
    if action == CHANGE:  # modify or cancel: the person who booked, the company's editors
        mine = company_ids_for(user, MEMBER_ROLES, action)
        return Q(user=user, company__in=mine) | Q(company__in=_editors(user, action)) | staff
    if action in (MANAGE, DELETE):  # check-in, no-show: the lab
        return staff
    if action == SUPPORT:
        return _in("lab__municipality", office_wards(user))
    return NOTHING


def waitlist_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    staff = _in("item__lab__municipality", staff_wards(user))
    if action == VIEW:
        return Q(user=user) | Q(company__in=_editors(user, VIEW)) | staff
    if action == CHANGE:
        return Q(user=user, company__in=company_ids_for(user, MEMBER_ROLES, action)) | staff
    if action in (MANAGE, DELETE):
        return staff
    return NOTHING


def consultation_scope(user, action: str) -> Q:
    """Between the shop and the vendor only."""
    if not _signed_in(user):
        return NOTHING
    if action == VIEW:
        return Q(company__in=_editors(user, VIEW)) | Q(vendor__in=_members(user, VIEW))
    if action == CHANGE:  # the vendor answers, the shop closes
        return Q(company__in=_editors(user, action)) | Q(vendor__in=_editors(user, action))
    return NOTHING


def trial_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    shop = Q(company__in=_editors(user, action if action != SUPPORT else VIEW))
    vendor = Q(item__exhibitor__in=_editors(user, action if action != SUPPORT else VIEW))
    if action == VIEW:
        return shop | vendor | _in("item__lab__municipality", staff_wards(user))
    if action == CHANGE:  # the vendor approves, declines, ends; the shop withdraws
        return shop | vendor
    if action == SUPPORT:
        return _in("item__lab__municipality", office_wards(user))
    return NOTHING


# ------------------------------------------------------------------------- the entry log


def visitor_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    if action in (VIEW, CHANGE, MANAGE, DELETE):
        return _in("lab__municipality", staff_wards(user))
    if action == SUPPORT:
        return _in("lab__municipality", office_wards(user))
    return NOTHING


def entry_event_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    staff = _in("lab__municipality", staff_wards(user))
    if action == VIEW:
        return Q(user=user) | staff
    if action in (CHANGE, MANAGE):
        return staff
    if action == SUPPORT:
        return _in("lab__municipality", office_wards(user))
    return NOTHING


# -------------------------------------------------------------------------------- events


def event_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    staff = _in("lab__municipality", staff_wards(user))
    if action == VIEW:
        published = Q(status="published", lab__active=True)
        # A registrant keeps the page of an event that was cancelled (the notice links it).
        registration = apps.get_model("lab", "Registration")
        mine = Q(pk__in=registration.objects.filter(user=user).values("event"))
        return published | staff | mine | Q(host__in=_members(user, VIEW))
    if action in (CHANGE, MANAGE, DELETE):
        return staff
    if action == SUPPORT:
        return _in("lab__municipality", office_wards(user))
    return NOTHING


def registration_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    staff = _in("event__lab__municipality", staff_wards(user))
    if action == VIEW:
        return Q(user=user) | Q(company__in=_editors(user, VIEW)) | staff
    if action == CHANGE:
        return Q(user=user) | staff
    if action in (MANAGE, DELETE):
        return staff
    if action == SUPPORT:
        return _in("event__lab__municipality", office_wards(user))
    return NOTHING


def survey_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    staff = _in("registration__event__lab__municipality", staff_wards(user))
    if action == VIEW:
        return Q(registration__user=user) | staff
    if action == CHANGE:
        return Q(registration__user=user)
    if action == SUPPORT:
        return _in("registration__event__lab__municipality", office_wards(user))
    return NOTHING


# ------------------------------------------------------------- the consortium, matchings


def partner_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    office = _in("municipality", office_wards(user))
    if action == VIEW:
        return office | Q(company__in=_members(user, VIEW))
    if action in (CHANGE, MANAGE, DELETE, SUPPORT):
        return office
    return NOTHING


def project_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    office = _in("municipality", office_wards(user))
    if action == VIEW:
        participant = apps.get_model("lab", "ProjectParticipant")
        mine = _members(user, VIEW)
        joined = participant.objects.filter(
            Q(company__in=mine) | Q(partner__company__in=mine)
        ).values("project")
        return office | Q(pk__in=joined)
    if action in (CHANGE, MANAGE, DELETE, SUPPORT):
        return office
    return NOTHING


def project_part_scope(user, action: str) -> Q:
    """Participants and documents: read with their project, changed by the office."""
    if not _signed_in(user):
        return NOTHING
    project = apps.get_model("lab", "Project")
    return Q(project__in=project.objects.filter(project_scope(user, action)).values("pk"))


def referral_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    officers = _in("municipality", municipality_ids_for(user, WARD_OFFICER))
    bank = Q(bank__company__in=_members(user, VIEW if action == VIEW else action))
    if action == VIEW:
        return officers | Q(company__in=_editors(user, VIEW)) | bank
    if action == CHANGE:  # the bank records its outcome; the office withdraws
        return officers | Q(bank__company__in=_editors(user, action))
    if action in (MANAGE, DELETE, SUPPORT):
        return officers
    return NOTHING


def matching_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    office = _in("municipality", office_wards(user))
    if action == VIEW:
        mine = _editors(user, VIEW)
        return office | Q(party_a__in=mine) | Q(party_b__in=mine)
    if action in (CHANGE, MANAGE, DELETE, SUPPORT):
        return office
    return NOTHING


def lab_part_anonymous_scope(action: str) -> Q:
    return Q(lab__active=True) if action == VIEW else NOTHING


def item_part_anonymous_scope(action: str) -> Q:
    return Q(item__active=True, item__lab__active=True) if action == VIEW else NOTHING
