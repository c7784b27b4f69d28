"""gunicorn settings for the web process (scripts/serve.sh starts it through deploy/Procfile).

Everything comes from the environment: GUNICORN_BIND (127.0.0.1:8000, nginx in front),
WEB_CONCURRENCY (worker processes; default 2 per core + 1), GUNICORN_THREADS (threads per worker;
default 1), GUNICORN_TIMEOUT (seconds),
ZJTX_RUN_USER (the user to run as when started as root).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# GUNICORN_THREADS > 1: threaded workers (gthread), so a worker keeps serving while its requests wait on
# the database; 1: sync workers. nginx buffers slow clients either way.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (± jitter): a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# nginx logs each request with its request id; the application logs its own line (zjtx.requestid).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# gunicorn's control socket (gunicornc) lives in the state folder, one per node; without one, off.
if os.environ.get("ZJTX_STATE_DIR"):
    control_socket = os.path.join(os.environ["ZJTX_STATE_DIR"], "gunicorn.ctl")
else:
    control_socket_disable = True
forwarded_allow_ips = os.environ.get("ZJTX_TRUSTED_PROXIES", "127.0.0.1")
if os.getuid() == 0 and os.environ.get("ZJTX_RUN_USER"):
    user = group = os.environ["ZJTX_RUN_USER"]


# The application is loaded (and warmed: zjtx/warmup.py) once in the master, then forked: workers start
# warm and share its memory.
preload_app = True


def when_ready(server):
    from zjtx.warmup import warm

    server.log.info("warmed %s templates, the URLconf and the catalogues before forking", warm())


def child_exit(server, worker):
    # Prometheus multiprocess mode: the figures of a worker that ended are kept, its live gauges dropped.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


# gunicorn's own lines (start, stop, worker timeouts) as JSON too, like the application's (LOG_FORMAT).
if os.environ.get("LOG_FORMAT", "json" if os.environ.get("ZJTX_PRODUCTION") == "1" else "text") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "zjtx.logformat.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "loggers": {"gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False}},
    }
