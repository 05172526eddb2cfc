"""Failure drills: a task worker killed mid-task, PostgreSQL restarted under load, a full disk
on upload. Run by ``.ci/drills``; prints figures (docs/drills.md).

Everything runs against a private PostgreSQL cluster started from a temporary folder on
port 5544 (never the machine's main server), a private gunicorn on loopback and, for the
disk drill, a 2 MB tmpfs (or, where mounting is not allowed, a storage that fails with
ENOSPC, said in the output).

    python scripts/drills/drills.py [workers] [postgres] [disk]
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
PG_BIN = Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])
PG_PORT = int(os.environ.get("DRILL_PG_PORT", "5544"))
PG_DIR = Path(os.environ.get("DRILL_PG_DIR") or tempfile.mkdtemp(prefix="machikoba-drill-pg-"))
DB_URL = f"postgres://postgres@127.0.0.1:{PG_PORT}/machikoba_drill"
WORK = Path(tempfile.mkdtemp(prefix="machikoba-drill-"))
MEDIA = WORK / "media"
MAIL = WORK / "mail"
FIGURES: dict[str, object] = {}
STARTED: list[subprocess.Popen] = []  # stopped at the end, whatever happens


def log(message: str) -> None:
    print(f"[drill {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the private PostgreSQL cluster ----------------------------------------------------------


def _as_postgres(*command: str) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command], capture_output=True, text=True, check=False)


def pg_start() -> None:
    if not (PG_DIR / "PG_VERSION").exists():
        PG_DIR.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            subprocess.run(["chown", "postgres:postgres", str(PG_DIR)], check=True)
        result = _as_postgres(
            str(PG_BIN / "initdb"), "-D", str(PG_DIR), "-A", "trust", "-U", "postgres", "--no-sync"
        )
        if result.returncode:
            raise SystemExit(result.stdout + result.stderr)
    pg_ctl("start")
    subprocess.run(
        [
            str(PG_BIN / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(PG_PORT),
            "-U",
            "postgres",
            "machikoba_drill",
        ],
        capture_output=True,
        check=False,
    )


def pg_ctl(action: str) -> float:
    """start / stop / restart the private cluster; the seconds it took."""
    began = time.monotonic()
    options = f"-p {PG_PORT} -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=100"
    result = _as_postgres(
        str(PG_BIN / "pg_ctl"), "-D", str(PG_DIR), "-l", str(PG_DIR / "server.log"),
        "-o", options, "-m", "fast", "-w", action,
    )  # fmt: skip
    if result.returncode and action != "stop":
        raise SystemExit(f"pg_ctl {action} failed: {result.stdout}{result.stderr}")
    return time.monotonic() - began


def env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "MACHIKOBA_ENV": "development",
        "DEBUG": "0",
        "PYTHONPATH": str(ROOT / "src"),
        "MEDIA_ROOT": str(MEDIA),
        "EMAIL_DELIVERY_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(MAIL),
        "TASK_HEARTBEAT_SECONDS": "1",
        "TASK_LEASE_SECONDS": "6",
        "DB_CONN_MAX_AGE": "60",
        # The drills measure a restart and a kill, not the API's rate limits (tested in
        # apitokens/tests): a fast machine's writers would otherwise be refused with 429.
        "API_RATE_LIMIT_READ": "1000000",
        "API_RATE_LIMIT_WRITE": "1000000",
        **extra,
    }


def manage(*arguments: str) -> None:
    subprocess.run([PY, str(ROOT / "manage.py"), *arguments], env=env(), check=True, cwd=ROOT)


def django_setup() -> None:
    os.environ.update(env())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "machikoba.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def start_worker() -> subprocess.Popen:
    return _started(subprocess.Popen(
        [PY, str(ROOT / "manage.py"), "db_worker", "--queue-name", "*", "--interval", "0.2",
         "--no-startup-delay", "--no-reload"],
        env=env(), cwd=ROOT, start_new_session=True,
        stdout=open(WORK / "worker.log", "a"), stderr=subprocess.STDOUT,
    ))  # fmt: skip


def _started(process: subprocess.Popen) -> subprocess.Popen:
    STARTED.append(process)
    return process


def wait_for(predicate, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def kill_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


# --- data ------------------------------------------------------------------------------------


def shop():
    from machikoba.companies.models import Membership
    from machikoba.core.testing.factories import MembershipFactory

    membership = Membership.objects.filter(user__email="drill-owner@example.test").first()
    if membership is None:
        membership = MembershipFactory(role="owner", user__email="drill-owner@example.test")
    return membership.user, membership.company


# --- drill 1: the task worker killed mid-task -------------------------------------------------


def drill_workers() -> None:
    from django.core import mail
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_tasks_db.models import DBTaskResult

    from machikoba.drawings import services
    from machikoba.drawings.models import PreviewPage, Revision
    from machikoba.drawings.tests.samples import pdf_bytes

    user, company = shop()
    DBTaskResult.objects.all().delete()
    MAIL.mkdir(parents=True, exist_ok=True)

    def upload(title: str, pages: int) -> Revision:
        document = services.document_create(
            actor=user, company=company, title=title, drawing_number="D-1", kind="drawing",
            upload=SimpleUploadedFile(f"{title}.pdf", pdf_bytes(pages=pages, lines=200)),
            change_note="drill",
        )  # fmt: skip
        return document.revisions.get()

    pages = int(os.environ.get("DRILL_PREVIEW_PAGES", "8"))
    killed = upload("kill9", pages)
    stopped = upload("sigterm", pages)
    mails = 20
    for index in range(mails):
        mail.send_mail(f"drill {index}", "本文", None, [f"drill{index}@example.test"])
    queued = DBTaskResult.objects.count()
    log(f"queued {queued} tasks: 2 previews of {pages} pages, {mails} e-mails")

    def status(revision: Revision) -> tuple[str, int]:
        revision.refresh_from_db()
        return revision.preview_status, revision.preview_pages_done

    # 1a. SIGKILL (the OOM killer, a power cut) to the worker and its renderer.
    first = start_worker()
    if not wait_for(lambda: status(killed)[1] >= 2 or status(stopped)[1] >= 2, 300):
        raise SystemExit("drill: the first worker rendered nothing in 300 s")
    log(f"worker 1 mid-preview {status(killed)} / {status(stopped)}; kill -9")
    kill_group(first, signal.SIGKILL)
    first.wait()
    killed_at = time.monotonic()
    second = start_worker()

    # 1b. SIGTERM to the process group (systemctl stop) while it renders again.
    cut = next(r for r in (killed, stopped) if status(r)[0] == "processing")
    wait_for(lambda: status(cut)[1] == 0, 120, 0.05)  # the task started over
    recovered_seconds = time.monotonic() - killed_at

    def rendering() -> Revision | None:
        return next(
            (r for r in (killed, stopped) if status(r)[0] == "processing" and status(r)[1] >= 1),
            None,
        )

    wait_for(lambda: rendering() is not None, 300)
    in_flight = rendering() or cut
    log(f"worker 2 took over after {recovered_seconds:.1f} s; SIGTERM to its process group")
    kill_group(second, signal.SIGTERM)
    try:
        second.wait(timeout=60)
    except subprocess.TimeoutExpired:
        kill_group(second, signal.SIGKILL)
        second.wait()
    after_stop = status(in_flight)[0]
    log(f"after the stop the revision is {after_stop!r} (never 'failed')")
    third = start_worker()
    done = wait_for(
        lambda: not DBTaskResult.objects.exclude(status__in=("SUCCESSFUL", "FAILED")).exists(), 600
    )
    kill_group(third, signal.SIGTERM)
    third.wait(timeout=60)
    rows = list(DBTaskResult.objects.all())
    # Django's file backend names a file by the second and its own id(), so two messages
    # sent in the same second can share a file: count the messages, not the files.
    subjects = [
        line
        for path in MAIL.glob("*.log")
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
        if line.startswith("Subject: drill ")
    ]
    sent = len(set(subjects))
    preview_files = list(MEDIA.rglob("*.png"))
    results = {
        "tasks_queued": queued,
        "tasks_finished": sum(r.status == "SUCCESSFUL" for r in rows),
        "tasks_failed": sum(r.status == "FAILED" for r in rows),
        "tasks_rerun": sum(len(r.worker_ids) > 1 for r in rows),
        "task_runs_cut_short": sum(len(r.worker_ids) - 1 for r in rows),
        "previews_ready": [status(killed)[0], status(stopped)[0]],
        "preview_pages": [
            PreviewPage.objects.filter(revision=r).count() for r in (killed, stopped)
        ],
        "preview_files": len(preview_files),
        "preview_files_expected": 4 * pages,
        "emails_queued": mails,
        "emails_sent": sent,
        "status_after_sigterm": after_stop,
        "recovery_seconds_after_kill9": round(recovered_seconds, 1),
        "all_done": done,
    }
    duplicated = (len(subjects) - sent) + sum(max(0, n - pages) for n in results["preview_pages"])
    results["duplicated_effects"] = duplicated + max(0, len(preview_files) - 4 * pages)
    FIGURES["workers"] = results
    ok = (
        done and results["tasks_failed"] == 0 and results["previews_ready"] == ["ready", "ready"]
        and results["preview_pages"] == [pages, pages] and sent == mails
        and results["duplicated_effects"] == 0 and after_stop != "failed"
    )  # fmt: skip
    log(("PASS" if ok else "FAIL") + " workers " + json.dumps(results, ensure_ascii=False))
    if not ok:
        FIGURES["failed"] = True


# --- drill 2: PostgreSQL restarted under load -------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def drill_postgres(seconds: float = 20.0, writers: int = 4) -> None:
    import datetime as dt
    import threading

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from machikoba.network.models import Job

    user, _company = shop()
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    connection.close()
    csrf = "drillcsrftoken0000000000000000ab"
    port = _free_port()
    server = _started(subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "machikoba.config.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", "3", "--timeout", "30", "--graceful-timeout", "5"],
        env=env(), cwd=ROOT, start_new_session=True,
        stdout=open(WORK / "gunicorn.log", "a"), stderr=subprocess.STDOUT,  # noqa: SIM115
    ))  # fmt: skip
    url = f"http://127.0.0.1:{port}/api/network/jobs"
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()

    def post(name: str) -> tuple[int, dict]:
        body = json.dumps({"part_name": name, "quantity": 1, "due_date": due}).encode()
        request = urllib.request.Request(url, data=body, method="POST")
        request.add_header("Content-Type", "application/json")
        request.add_header("Cookie", f"sessionid={session}; csrftoken={csrf}")
        request.add_header("X-CSRFToken", csrf)
        request.add_header("Referer", f"http://127.0.0.1:{port}/")
        try:
            # Longer than gunicorn's worker timeout (30 s): a request the server gives up on
            # comes back as a closed connection, not as this client's impatience on a busy
            # machine.
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw)
            except ValueError:
                return error.code, {"raw": raw[:200].decode(errors="replace")}
        except OSError as error:
            return 0, {"error": str(error)}

    if not wait_for(lambda: post("drill-warmup")[0] == 201, 60, 0.5):
        kill_group(server, signal.SIGTERM)
        raise SystemExit(f"drill: gunicorn did not accept a write: {post('drill-probe')}")
    acknowledged: list[str] = []
    outcomes: dict[str, int] = {}
    bad_shapes: list[dict] = []
    last_failure = [0.0]
    failure_times: list[float] = []
    first_failure = [0.0]
    lock = threading.Lock()
    stop = threading.Event()

    def writer(number: int) -> None:
        sequence = 0
        while not stop.is_set():
            sequence += 1
            name = f"drill-{number}-{sequence}"
            status, body = post(name)
            with lock:
                outcomes[str(status)] = outcomes.get(str(status), 0) + 1
                if 200 <= status < 300:
                    acknowledged.append(name)
                else:
                    now = time.monotonic()
                    last_failure[0] = now
                    failure_times.append(now)
                    first_failure[0] = first_failure[0] or now
                    if status != 503 or set(body) != {"code", "message", "fields"}:
                        bad_shapes.append({"status": status, **body})

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    time.sleep(seconds / 3)
    log("restarting PostgreSQL under load")
    restart_began = time.monotonic()
    restart_took = pg_ctl("restart")
    restarted_at = time.monotonic()
    time.sleep(seconds * 2 / 3)
    stop.set()
    for thread in threads:
        thread.join()
    kill_group(server, signal.SIGTERM)
    server.wait(timeout=30)
    stored = set(
        Job.objects.filter(part_name__startswith="drill-").values_list("part_name", flat=True)
    )
    lost = [name for name in acknowledged if name not in stored]
    recovery = max(0.0, last_failure[0] - restarted_at) if last_failure[0] else 0.0
    results = {
        "writes_acknowledged": len(acknowledged),
        "writes_lost": len(lost),
        "responses": outcomes,
        "errors_during_outage": sum(v for k, v in outcomes.items() if not k.startswith("2")),
        "errors_not_clean_503": len(bad_shapes),
        "restart_seconds": round(restart_took, 1),
        "recovery_seconds_after_restart": round(recovery, 1),
        "failures_after_restart_returned": sum(t > restarted_at for t in failure_times),
        "restart_began_to_first_failure": round(first_failure[0] - restart_began, 1)
        if first_failure[0]
        else None,
        "outage_seconds_seen_by_clients": round(last_failure[0] - first_failure[0], 1)
        if first_failure[0]
        else 0.0,
    }
    FIGURES["postgres"] = results
    ok = not lost and not bad_shapes and len(acknowledged) > 0
    log(("PASS" if ok else "FAIL") + " postgres " + json.dumps(results))
    if bad_shapes:
        log(f"unclean answers: {bad_shapes[:3]}")
    if not ok:
        FIGURES["failed"] = True


# --- drill 3: a full disk on upload -----------------------------------------------------------


def drill_disk() -> None:
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client, override_settings

    from machikoba.drawings.models import Document, Revision

    user, company = shop()
    full = WORK / "full"
    full.mkdir()
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(full)],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    how = "tmpfs of 2 MB" if mounted else "storage raising ENOSPC (mount not allowed)"
    try:
        if mounted:
            (full / "filler").write_bytes(b"\0" * (2 * 2**20 - 96 * 1024))  # ~96 KB left
        client = Client(raise_request_exception=False, SERVER_NAME="127.0.0.1")
        client.force_login(user)
        session = client.session
        session["machikoba.active_company_id"] = company.pk
        session.save()
        from machikoba.drawings.tests.samples import pdf_bytes

        big = pdf_bytes(pages=60, lines=200)  # a few hundred KB: more than is left
        documents, revisions = Document.objects.count(), Revision.objects.count()
        with override_settings(MEDIA_ROOT=str(full)):
            if not mounted:
                import errno as errno_module
                from unittest import mock

                def no_space(self, name, content):
                    raise OSError(errno_module.ENOSPC, "No space left on device")

                patcher = mock.patch(
                    "machikoba.core.storage.CleanFileSystemStorage._save", no_space
                )
                patcher.start()
            from django.urls import reverse

            api = client.post(
                reverse("api:drawings_document_create"),
                {"title": "満杯", "kind": "drawing", "file": SimpleUploadedFile("full.pdf", big)},
                HTTP_ACCEPT_LANGUAGE="ja",
            )
            if not mounted:
                patcher.stop()
        before_files = {"filler"}
        left = sorted(p.name for p in full.rglob("*") if p.is_file() and p.name not in before_files)
        results = {
            "storage": how,
            "api_status": api.status_code,
            "api_body": api.json()
            if api.get("Content-Type", "").startswith("application/json")
            else api.content[:200].decode(errors="replace"),
            "orphan_files": len(left),
            "rows_written": (Document.objects.count() - documents)
            + (Revision.objects.count() - revisions),
            "media_root_default": str(settings.MEDIA_ROOT),
        }
    finally:
        if mounted:
            subprocess.run(["umount", str(full)], check=False)
    FIGURES["disk"] = results
    ok = (
        results["api_status"] == 507
        and results["orphan_files"] == 0
        and results["rows_written"] == 0
    )
    log(("PASS" if ok else "FAIL") + " disk " + json.dumps(results, ensure_ascii=False))
    if not ok:
        FIGURES["failed"] = True


def main(argv: list[str]) -> int:
    chosen = argv or ["workers", "postgres", "disk"]
    began = time.monotonic()
    log(f"private PostgreSQL on port {PG_PORT} in {PG_DIR}; work folder {WORK}")
    pg_start()
    try:
        manage("migrate", "--noinput", "-v", "0", "--skip-checks")
        django_setup()
        for name in chosen:
            log(f"--- {name}")
            {"workers": drill_workers, "postgres": drill_postgres, "disk": drill_disk}[name]()
    finally:
        for process in STARTED:
            kill_group(process, signal.SIGKILL)
        pg_ctl("stop")
    FIGURES["seconds"] = round(time.monotonic() - began, 1)
    print("DRILL FIGURES " + json.dumps(FIGURES, ensure_ascii=False), flush=True)
    return 1 if FIGURES.get("failed") else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
