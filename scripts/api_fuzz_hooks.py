"""schemathesis hooks for scripts/api_fuzz.py (loaded through SCHEMATHESIS_HOOKS).

1. Every request the fuzzer sends gets a fresh Idempotency-Key: the fuzzer would otherwise
   reuse its generated keys ("0", "00" …) on different requests, which the API rightly
   refuses as a reused key, hiding what the operation itself does with the request. The
   key's own handling is tested in apitokens/tests/test_middleware.py.

2. The rules JSON Schema cannot state (docs/api.md, "Rules beyond the schema"): a date
   relative to today (a due date from today on, a deadline in the future, a day's report
   within the last week, a survey's ended fiscal year) and one field against another (an
   end after its start, a call's window before its screening and its decision). For the
   *positive* examples only, the generated values of those fields are moved into the
   window the rule allows, so "valid request rejected" counts what the schema gets wrong,
   not the calendar. The negative examples go out untouched, and each service's refusal
   of a past date or a reversed period is tested in its app's tests.

3. A body's references (``equipment_id``, ``step_ids``, ``ward_ids`` …) must name rows the
   caller may use: the schema can only say "an integer". For the positive examples, a
   generated id is replaced by one of the actor's own (FUZZ_IDS, a JSON file of field →
   ids that api_fuzz.py writes per actor), as that actor's client would send. A reference
   to somebody else's row is refused with the field named (422), and tested so in each
   app; the negative examples still send whatever was generated.
"""

import datetime as dt
import json
import os
import re
import uuid
from zoneinfo import ZoneInfo

import httpx
import schemathesis

TOKYO = ZoneInfo("Asia/Tokyo")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Body fields that must lie ahead, and how many days ahead the example puts them (an
# answer is due before the work, the work before a quote runs out).
FUTURE_DAYS = {
    "answer_by": 5,
    "deadline": 5,
    "due_date": 20,
    "valid_until": 30,
    "expires_at": 30,
    "due_on": 20,
    # A window and what follows it, in order: a cohort's applications, a subsidy call's
    # window, its screening day and its decision day.
    "applications_open_at": 2,
    "applications_close_at": 12,
    "opens_at": 3,
    "closes_at": 10,
    "screening_on": 12,
    "decision_on": 20,
}
# Dates whose window depends on the operation: a drawing's destruction day lies ahead, the
# day its deal closed does not.
PATH_DAYS = {"/retention": {"date": 400, "closed_on": 0}}
# Periods: (start, end) field pairs and the example's values.
TIME_PAIRS = (("start", "end"), ("day_start", "day_end"))
# A query's day or period: the last few days (reports and metrics are kept for a window
# ending today).
QUERY_DAYS = {"date": 0, "day": 0, "from": 1, "to": 0, "since": 1, "until": 0}


def _is_positive(case) -> bool:
    meta = getattr(case, "meta", None)
    generation = getattr(meta, "generation", None)
    mode = getattr(generation, "mode", None)
    return bool(mode is not None and mode.is_positive)


def _moved(value, days: int, now: dt.datetime):
    """``value`` moved ``days`` from now, keeping its kind (a date or a date-time)."""
    if not isinstance(value, str):
        return value
    moment = now + dt.timedelta(days=days)
    if DATE.match(value):
        return moment.date().isoformat()
    return moment.replace(hour=10, minute=0, second=0, microsecond=0).isoformat()


def _last_ended_fiscal_year(now: dt.datetime) -> int:
    """Japan's fiscal year runs from April: the one before the current one."""
    return (now.year if now.month >= 4 else now.year - 1) - 1


def _fit_body(body: dict, now: dt.datetime, operation: str = "") -> None:
    for name, days in FUTURE_DAYS.items():
        if name in body:
            body[name] = _moved(body[name], days, now)
    for place, fields in PATH_DAYS.items():
        if place in operation:
            for name, days in fields.items():
                if isinstance(body.get(name), str) and DATE.match(body[name]):
                    body[name] = _moved(body[name], days, now)
    # A fiscal year's survey is for an ended year, a few back at most; a cohort's or a
    # call's year takes any, the last ended one among them.
    if isinstance(body.get("fiscal_year"), int) and not isinstance(body["fiscal_year"], bool):
        body["fiscal_year"] = _last_ended_fiscal_year(now)
    # A day's report is written for today or the week before; an agreement is dated
    # from its event on, and not in the future.
    for name in ("day", "agreed_on"):
        if isinstance(body.get(name), str) and DATE.match(body[name]):
            body[name] = now.date().isoformat()
    if isinstance(body.get("starts_at"), str) and isinstance(body.get("ends_at"), str):
        start = (now + dt.timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
        body["starts_at"] = start.isoformat()
        body["ends_at"] = (start + dt.timedelta(hours=1)).isoformat()
    for first, last in TIME_PAIRS:
        if isinstance(body.get(first), str) and isinstance(body.get(last), str):
            body[first], body[last] = "08:00", "17:00"


def _own_ids() -> dict[str, list[int]]:
    path = os.environ.get("FUZZ_IDS")
    if not path:
        return {}
    return json.loads(open(path, encoding="utf-8").read())


OWN_IDS = _own_ids()


# Body fields that name rows by something other than an id, and the operations where they
# do (an e-mail elsewhere is a new address: an invitation's, a contact's).
REFERENCE_PATHS = {"email": ("/advisory/office/advisors",)}


def _job_steps(job_id) -> list[dict]:
    """A job's steps as the actor's client reads them (GET /api/network/jobs/{id}): for a
    job the fuzzer itself made after the setup listed the actor's jobs."""
    base, token = os.environ.get("FUZZ_BASE"), os.environ.get("FUZZ_TOKEN")
    if not base or not token:
        return []
    try:
        answer = httpx.get(
            f"{base}/api/network/jobs/{int(job_id)}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
    except (httpx.HTTPError, ValueError):
        return []
    return answer.json().get("steps", []) if answer.status_code == 200 else []


def _fit_references(body: dict, path: dict, operation: str = "") -> None:
    own = dict(OWN_IDS)
    # The steps a job's board post or RFQ names are that job's own partner steps still in
    # the plan: known from the setup, or read from the job.
    job_steps = own.pop("job_steps", {})
    if "job_id" in path and "step_ids" in body:
        known = job_steps.get(str(path["job_id"]))
        if known is None:
            known = [
                step["id"]
                for step in _job_steps(path["job_id"])
                if not step.get("in_house") and step.get("status") == "planned"
            ]
        own["step_ids"] = known or own.get("step_ids", [])
    for name, places in REFERENCE_PATHS.items():
        if not any(place in operation for place in places):
            own.pop(name, None)
    for name, ids in own.items():
        if name not in body or not ids or not isinstance(ids, list):
            continue
        value = body[name]
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            body[name] = ids[value % len(ids)]
        elif isinstance(value, str) and all(isinstance(i, str) for i in ids):
            body[name] = ids[len(value) % len(ids)]
        elif isinstance(value, list) and all(isinstance(v, int) for v in value):
            # Without repeats (a list of ids names each row once).
            body[name] = list(dict.fromkeys(ids[v % len(ids)] for v in value))
    # Nested rows (a request's route): the same, row by row.
    for value in body.values():
        if isinstance(value, list):
            for row in value:
                if isinstance(row, dict):
                    _fit_references(row, {}, operation)


def _fit_query(query: dict, now: dt.datetime) -> None:
    for name, days_back in QUERY_DAYS.items():
        if isinstance(query.get(name), str) and DATE.match(query[name]):
            query[name] = (now - dt.timedelta(days=days_back)).date().isoformat()


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.method.upper() in {"POST", "PUT", "PATCH", "DELETE"}:
        case.headers = {**(case.headers or {}), "Idempotency-Key": uuid.uuid4().hex}
    if not _is_positive(case):
        return
    now = dt.datetime.now(TOKYO)
    if isinstance(case.body, dict):
        _fit_body(case.body, now, case.path)
        _fit_references(case.body, case.path_parameters or {}, case.path)
    if isinstance(case.query, dict):
        _fit_query(case.query, now)
