"""Refusal codes of partners, projects, DX-loan referrals and matchings."""

from machikoba.core.errors import ErrorCode


class EcosystemErrorCode(ErrorCode):
    """partners, projects, DX-loan referrals and matchings."""

    # Who acts
    NOT_OFFICE = "lab_ecosystem_not_office"
    NOT_OFFICER = "lab_ecosystem_not_officer"
    # Partners
    PARTNER_INVALID = "lab_partner_invalid"
    PARTNER_DUPLICATE = "lab_partner_duplicate"
    PARTNER_COMPANY_KIND = "lab_partner_company_kind"
    PARTNER_STATE = "lab_partner_state"
    # Projects, participants, documents
    PROJECT_INVALID = "lab_project_invalid"
    PROJECT_STATE = "lab_project_state"
    PROJECT_NOT_READY = "lab_project_not_ready"
    PROJECT_OUTCOME_MISSING = "lab_project_outcome_missing"
    PARTICIPANT_INVALID = "lab_project_participant_invalid"
    PARTICIPANT_DUPLICATE = "lab_project_participant_duplicate"
    DOCUMENT_INVALID = "lab_project_document_invalid"
    # DX-loan referrals
    REFERRAL_INVALID = "lab_referral_invalid"
    REFERRAL_COMPANY_WARD = "lab_referral_company_ward"
    REFERRAL_BANK_OFFLINE = "lab_referral_bank_offline"
    REFERRAL_STATE = "lab_referral_state"
    REFERRAL_AMOUNT = "lab_referral_amount"
    REFERRAL_NOT_BANK = "lab_referral_not_bank"
    # Matchings
    MATCHING_INVALID = "lab_matching_invalid"
    MATCHING_SAME_COMPANY = "lab_matching_same_company"
    MATCHING_FUTURE_DATE = "lab_matching_future_date"
    MATCHING_SOURCE = "lab_matching_source"
    MATCHING_DUPLICATE = "lab_matching_duplicate"
    MATCHING_SURVEY = "lab_matching_survey"
    MATCHING_NOT_PARTY = "lab_matching_not_party"
    MATCHING_STATE = "lab_matching_state"
    FOLLOW_UP_NOT_DUE = "lab_matching_follow_up_not_due"
    FOLLOW_UP_INVALID = "lab_matching_follow_up_invalid"
