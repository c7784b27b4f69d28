"""Private nginx, pgbouncer and production nodes (scripts/serve.sh) for tests and the benchmark.

Each runs on free loopback ports chosen at run time, with its files in a temporary folder, from the
same configuration templates an operator uses (deploy/), and is stopped by the code that started it.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_port(port: int, timeout: float = 30, proc: subprocess.Popen[bytes] | None = None, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what or 'process'} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what or 'server'} not listening on {port} after {timeout}s")


def render(template: Path, values: Mapping[str, object]) -> str:
    text = template.read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", str(value))
    assert "@" not in "".join(line.split("#", 1)[0] for line in text.splitlines() if not line.startswith(";")), text
    return text


def shared_folder(prefix: str) -> Path:
    """A temporary folder that the unprivileged users of nginx, pgbouncer and the nodes can enter."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    return folder


def stop_group(proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGTERM to the process group this code started (start_new_session=True), then SIGKILL if needed."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


class PgBouncer:
    """pgbouncer (Debian's) in transaction pooling in front of a PostgreSQL server.

    Rotation makes a reliance on session state fail fast: `min_pool_size` server connections are
    kept open per database and `server_round_robin` hands them out in turn, so two consecutive
    transactions of one client run on different server sessions.
    """

    def __init__(self, pg_host: str, pg_port: int, user: str, pool_size: int = 8, min_pool_size: int = 3) -> None:
        self.folder = shared_folder("zjtx-pgbouncer-")
        self.port = free_port()
        self.user = user
        auth = self.folder / "users.txt"
        auth.write_text(f'"{user}" ""\n')
        ini = self.folder / "pgbouncer.ini"
        ini.write_text(
            render(
                DEPLOY / "pgbouncer.ini",
                {
                    "PG_HOST": pg_host, "PG_PORT": pg_port, "LISTEN_ADDR": "127.0.0.1", "LISTEN_PORT": self.port,
                    "AUTH_TYPE": "trust", "AUTH_FILE": auth, "POOL_SIZE": pool_size, "MIN_POOL_SIZE": min_pool_size,
                    "ADMIN_USER": user, "LOGFILE": self.folder / "pgbouncer.log",
                    "PIDFILE": self.folder / "pgbouncer.pid",
                },
            )
        )  # fmt: skip
        binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        command = [binary, str(ini)]
        if os.getuid() == 0:  # pgbouncer refuses to run as root
            run_as = "zjtx" if _user_exists("zjtx") else "postgres"
            for path in (self.folder, auth, ini):
                shutil.chown(path, run_as)
            command = [binary, "-u", run_as, str(ini)]
        self.log = open(self.folder / "stdout.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_port(self.port, proc=self.proc, what="pgbouncer")

    def url(self, database: str) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        stop_group(self.proc)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


class Certificate:
    """A self-signed certificate for 127.0.0.1 / localhost: nginx terminates TLS as in production."""

    def __init__(self, folder: Path) -> None:
        self.cert, self.key = folder / "cert.pem", folder / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(self.key), "-out", str(self.cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        self.key.chmod(0o644)


class Nginx:
    """Debian's nginx with the project's site (deploy/nginx/zjtx.conf) in front of one web node."""

    def __init__(self, upstream: str, media_root: Path, static_root: Path, cert: Certificate) -> None:
        self.folder = shared_folder("zjtx-nginx-")
        self.port = free_port()
        snippets = self.folder / "snippets"
        snippets.mkdir()
        shutil.copy(DEPLOY / "nginx" / "zjtx-proxy.conf", snippets / "zjtx-proxy.conf")
        site = render(
            DEPLOY / "nginx" / "zjtx.conf",
            {
                "LISTEN": f"127.0.0.1:{self.port} ssl", "SERVER_NAME": "127.0.0.1 localhost", "CERT": cert.cert,
                "CERT_KEY": cert.key, "UPSTREAM": upstream, "STATIC_ROOT": static_root, "MEDIA_ROOT": media_root,
                "SNIPPETS": snippets,
            },
        )  # fmt: skip
        temp = self.folder / "temp"
        temp.mkdir()
        temp.chmod(0o777)
        (self.folder / "nginx.conf").write_text(
            f"""
daemon off;
worker_processes 1;
pid {self.folder}/nginx.pid;
error_log {self.folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {self.folder}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{site}
}}
"""
        )
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.log = open(self.folder / "stdout.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [binary, "-c", str(self.folder / "nginx.conf"), "-e", str(self.folder / "error.log")],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        wait_port(self.port, proc=self.proc, what="nginx")
        self.url = f"https://127.0.0.1:{self.port}"

    def stop(self) -> None:
        stop_group(self.proc)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class Node:
    """One production node: scripts/serve.sh (honcho: gunicorn, a Celery worker, maybe beat) as in production."""

    def __init__(self, name: str, processes: list[str], env: Mapping[str, str], web_workers: int = 2) -> None:
        self.name = name
        self.state = shared_folder(f"zjtx-node-{name}-")
        self.media_root = self.state / "media"
        self.web_port = free_port()
        self.log_path = self.state / "node.log"
        self.env = {
            **os.environ,
            "ZJTX_SKIP_SETUP": "1",
            "ZJTX_STATE_DIR": str(self.state),
            "MEDIA_ROOT": str(self.media_root),
            "STATIC_ROOT": str(self.state / "static"),
            "GUNICORN_BIND": f"127.0.0.1:{self.web_port}",
            "WEB_CONCURRENCY": str(web_workers),
            "ZJTX_WORKER_NAME": f"node-{name}-{secrets.token_hex(3)}",
            "ZJTX_RUN_USER": run_user(),
            **env,
        }
        self.log = open(self.log_path, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(ROOT / "scripts" / "serve.sh"), *processes],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        if "web" in processes:
            wait_port(self.web_port, timeout=90, proc=self.proc, what=f"node {name}")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        stop_group(self.proc, timeout=40)
        self.log.close()

    def remove(self) -> None:
        shutil.rmtree(self.state, ignore_errors=True)


def run_user() -> str:
    """Who serve.sh runs the processes as here: zjtx when started as root and zjtx can read this checkout
    (a checkout under /root cannot be: then root, and the test of unprivileged processes says so)."""
    if os.getuid() != 0:
        return pwd.getpwuid(os.getuid()).pw_name
    probe = ["test", "-r", str(ROOT / "manage.py"), "-a", "-x", str(ROOT / ".venv" / "bin" / "python")]
    readable = subprocess.run(["runuser", "-u", "zjtx", "--", *probe], capture_output=True)
    return "zjtx" if _user_exists("zjtx") and readable.returncode == 0 else "root"


def insecure_tls() -> ssl.SSLContext:
    """The client side of the self-signed certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def fetch(url: str, timeout: float = 30, headers: Mapping[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=insecure_tls()) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()
