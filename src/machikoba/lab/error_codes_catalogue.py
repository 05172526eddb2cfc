"""Refusal codes of the catalogue, vendors' exhibits and trainings."""

from machikoba.core.errors import ErrorCode


class CatalogueErrorCode(ErrorCode):
    """the catalogue, vendors' exhibits and trainings."""

    NOT_LAB_STAFF = "lab_not_lab_staff"
    NOT_EXHIBITOR = "lab_not_exhibitor"
    FIELD_NOT_EDITABLE = "lab_item_field_not_editable"
    LAB_INVALID = "lab_settings_invalid"
    HOURS_INVALID = "lab_hours_invalid"
    CLOSURE_INVALID = "lab_closure_invalid"
    ITEM_INVALID = "lab_item_invalid"
    EXHIBITOR_INVALID = "lab_exhibitor_invalid"
    PHOTO_INVALID = "lab_item_photo_invalid"
    PHOTO_LIMIT = "lab_item_photo_limit"
    TRAINING_INVALID = "lab_training_invalid"
    RECORD_INVALID = "lab_training_record_invalid"
    RECORD_USER_UNKNOWN = "lab_training_record_user_unknown"
    RECORD_REVOKED = "lab_training_record_revoked"
    VENDOR_INVALID = "lab_vendor_invalid"
    VENDOR_EXISTS = "lab_vendor_exists"
    VENDOR_HAS_OWNER = "lab_vendor_has_owner"
