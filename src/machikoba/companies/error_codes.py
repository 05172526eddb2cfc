"""Machine-readable refusal codes of the companies app (the ``code`` of an ApplicationError).

The API returns them as ``{"code": ...}``; docs/error-codes.md lists them (regenerate with
``python manage.py error_codes``).
"""

from machikoba.core.errors import ErrorCode


class CompaniesErrorCode(ErrorCode):
    ALREADY_DEACTIVATED = "already_deactivated"
    CAPABILITY_EXISTS = "capability_exists"
    CAPABILITY_INVALID = "capability_invalid"
    CERTIFICATION_EXISTS = "certification_exists"
    CERTIFICATION_INVALID = "certification_invalid"
    COMPANY_INVALID = "company_invalid"
    DX_STAGE_FUTURE = "dx_stage_future"
    DX_STAGE_INVALID = "dx_stage_invalid"
    EQUIPMENT_INVALID = "equipment_invalid"
    IMPORT_ALREADY_STARTED = "import_already_started"
    IMPORT_BAD_CSV = "import_bad_csv"
    IMPORT_EMPTY = "import_empty"
    IMPORT_ENCODING = "import_encoding"
    IMPORT_INVALID = "import_invalid"
    IMPORT_MAPPING_INVALID = "import_mapping_invalid"
    IMPORT_NO_ROWS = "import_no_rows"
    IMPORT_NOT_XLSX = "import_not_xlsx"
    IMPORT_OLD_EXCEL = "import_old_excel"
    IMPORT_TOO_LARGE = "import_too_large"
    IMPORT_TOO_MANY_ROWS = "import_too_many_rows"
    IMPORT_UNSUPPORTED_TYPE = "import_unsupported_type"
    IMPORT_XLSX_TOO_LARGE = "import_xlsx_too_large"
    INVALID = "invalid"
    INVOICE_NUMBER_MISMATCH = "invoice_number_mismatch"
    MEMBERSHIP_EXISTS = "membership_exists"
    MEMBERSHIP_INVALID = "membership_invalid"
    NOT_ALLOWED_TO_REGISTER = "not_allowed_to_register"
    NOT_COMPANY_EDITOR = "not_company_editor"
    NOT_COMPANY_OWNER = "not_company_owner"
    NOT_DEACTIVATED = "not_deactivated"
    NOT_PLATFORM_ADMIN = "not_platform_admin"
    NOT_WARD_OFFICER = "not_ward_officer"
    PHOTO_FORMAT = "photo_format"
    PHOTO_INVALID = "photo_invalid"
    PHOTO_NOT_AN_IMAGE = "photo_not_an_image"
    PHOTO_TOO_LARGE = "photo_too_large"
    PHOTO_TOO_MANY_PIXELS = "photo_too_many_pixels"
    POSTAL_CODE_UNKNOWN = "postal_code_unknown"
