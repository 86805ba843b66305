"""gunicorn settings for the gateway (``gunicorn -c gunicorn.conf.py wsgi:app``)."""

import os

bind = os.environ.get("PUNCHOUT_BIND", "127.0.0.1:8000")
# The worker model: threaded workers (gthread). A punch-out start waits for the supplier's
# answer (up to PUNCHOUT_SUPPLIER_TIMEOUT) in its thread; at most PUNCHOUT_SUPPLIER_CONCURRENCY
# (default 4) calls per supplier wait in one process, a further one is refused at once with 503
# supplier_busy (punchout/net/supplier_slots.py), so a supplier that hangs holds 4 of a worker's
# 16 threads and never all of them. Threads, not gevent: psycopg 3 and sqlite3 do not cooperate
# with gevent's monkey-patching. The GIL makes more threads no faster for CPU work, so workers
# stay one per core.
workers = int(os.environ.get("PUNCHOUT_WORKERS", "2"))
threads = int(os.environ.get("PUNCHOUT_THREADS", "16"))
worker_class = "gthread"
# An OCI basket returned with GET travels in the request line; gunicorn's default is 4094.
# 8190 is the most gunicorn allows; larger baskets must be posted.
limit_request_line = 8190
limit_request_field_size = 8190
# Setup calls wait for the supplier (PUNCHOUT_SUPPLIER_TIMEOUT, default 15 s).
timeout = 60
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
# Return and OCI start tokens are capabilities in the URL path: masked in the access log.
logger_class = "punchout.logmask.GunicornLogger"

# PUNCHOUT_LOG_FORMAT=json: gunicorn's own lines (errors, and one access line per request, the
# path without its query) as JSON lines too, in the gateway's format (punchout/logs.py).
if os.environ.get("PUNCHOUT_LOG_FORMAT", "").strip().lower() == "json":
    access_log_format = '%(m)s %(U)s %(s)s %(B)s bytes %(D)s us'
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "punchout.logs.JsonLines"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                                "stream": "ext://sys.stderr"}},
        "loggers": {
            "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        },
    }

def on_starting(server):  # type: ignore[no-untyped-def]
    """Once, as gunicorn starts: list baskets a crash left at "received" and mark sessions
    that never got a start URL failed (punchout archive sweep does the same on demand)."""
    from punchout.cli.archive import startup_sweep

    startup_sweep(server.log)
