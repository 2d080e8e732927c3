from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from health.selectors import broker_reachable, database_reachable, last_worker_heartbeat


@require_GET
@never_cache
def healthz(request):
    checks = {"database": database_reachable(), "broker": broker_reachable()}
    heartbeat = last_worker_heartbeat() if checks["database"] else None
    body = {
        "status": "ok" if all(checks.values()) else "unavailable",
        "checks": {name: "ok" if ok else "unreachable" for name, ok in checks.items()},
        "worker_last_seen": heartbeat.isoformat(timespec="minutes") if heartbeat else None,
    }
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
