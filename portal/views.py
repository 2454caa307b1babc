import logging
from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.models import Case, Count, F, Min, Q, When
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_tasks_db.models import DBTaskResult, get_date_max

from portal.http import AuthenticatedHttpRequest
from portal.workqueue import work_queue_for

logger = logging.getLogger(__name__)


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What is waiting for this person (``portal.workqueue``), most pressing first, beside their agency and role."""
    return render(
        request,
        "portal/home.html",
        {"membership": request.user.membership, "sections": work_queue_for(request.user).waiting},
    )


def _unavailable(reason: str) -> JsonResponse:
    """503 with what failed in a word: never the error's text (it may name hosts, users or tables)."""
    return JsonResponse({"status": "unavailable", "reason": reason}, status=503)


@never_cache
@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """Public: liveness, for the load balancer. Says only whether the database answers; 503 JSON when it does not,
    never the HTML error page."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("Health check: the database does not answer", exc_info=True)
        return _unavailable("database")
    return JsonResponse({"status": "ok"})


@never_cache
@login_not_required
def readyz(request: HttpRequest) -> HttpResponse:
    """Public: readiness, for operators and their monitoring. The database answers and the background worker takes
    its tasks: how many are due, how long the oldest due one has waited (503 past ``PORTAL_TASKS_DUE_MAX_WAIT``: no
    worker runs), and how many have been running longer than ``PORTAL_TASKS_RUNNING_STALE_AFTER`` (a worker killed
    mid-task leaves its task "running" for ever; django_tasks_db records no heartbeat). One query; no task's name,
    arguments or error. docs/deployment.md says how to use it."""
    try:
        queue = _task_queue(timezone.now())
    except DatabaseError:
        logger.warning("Readiness check: the database does not answer", exc_info=True)
        return _unavailable("database")
    if queue["oldest_due_seconds"] > settings.PORTAL_TASKS_DUE_MAX_WAIT.total_seconds():
        return JsonResponse({"status": "unavailable", "reason": "tasks", "tasks": queue}, status=503)
    return JsonResponse({"status": "ok", "tasks": queue})


def _task_queue(now: datetime) -> dict[str, int]:
    """The queue's state in one aggregate over the tasks waiting or running, read through two partial indexes
    (django_tasks_db's on waiting tasks, portal_task_running_idx on running ones): finished ones are never read.
    Written as an OR so that PostgreSQL combines the two indexes (``IN`` would scan the table)."""
    never = get_date_max()  # django_tasks_db's "run as soon as possible"
    due = Q(status=TaskResultStatus.READY) & (Q(run_after=never) | Q(run_after__lte=now))
    waiting_or_running = Q(status=TaskResultStatus.READY) | Q(status=TaskResultStatus.RUNNING)
    counts = DBTaskResult.objects.filter(waiting_or_running).aggregate(
        due=Count("pk", filter=due),
        due_since=Min(Case(When(run_after=never, then=F("enqueued_at")), default=F("run_after")), filter=due),
        stale=Count(
            "pk",
            filter=Q(status=TaskResultStatus.RUNNING, started_at__lte=now - settings.PORTAL_TASKS_RUNNING_STALE_AFTER),
        ),
    )
    waited = (now - counts["due_since"]).total_seconds() if counts["due_since"] is not None else 0
    return {"due": counts["due"], "oldest_due_seconds": max(0, int(waited)), "stale_running": counts["stale"]}
