"""programs API: the ward's DX道場 and leader course. For companies: the cohorts open to
them, applying, their applications with attendance, check-in, homework (worksheet, ROI
estimate, DX plan, comments), graduation certificates and the one-year follow-up; for
anyone, checking a certificate by its printed number. For the instructors and the ward
office: sessions (roll call, check-in codes), handouts, plan decisions, programmes,
cohorts, sessions, graduation and the reports (also as CSV or Excel). Through the same
selectors, services and access layer as the pages: ward-scoped, another ward's or another
company's rows are not found."""

from __future__ import annotations

from machikoba.programs.api import (  # noqa: F401  (operations)
    certificates,
    checkin,
    homework,
    instructors,
    office,
    participant,
    reports,
)
from machikoba.programs.api._router import router

__all__ = ["router"]
