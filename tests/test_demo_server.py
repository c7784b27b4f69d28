"""The demo as scripts/demo.sh serves it: DEBUG off, static files served, the Chinese error pages."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import ROOT, _database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode("utf-8")


def test_demo_script_runs_with_debug_off_and_serves_static_files():
    script = (ROOT / "scripts" / "demo.sh").read_text()
    assert 'export DEBUG="${DEBUG:-0}"' in script
    command = re.search(r"exec \$py manage.py (runserver [^\n]*)", script)
    assert command is not None and "--insecure" in command.group(1)
    port = _free_port()
    env = {**os.environ, "DEBUG": "0", "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "zjtx.settings"}
    args = command.group(1).replace('"$addr"', f"127.0.0.1:{port}").split()
    server = subprocess.Popen(
        [sys.executable, "manage.py", *args, "--noreload"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, kind, body = _get(f"http://127.0.0.1:{port}/static/css/site.css")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        assert status == 200 and "text/css" in kind and "header.top" in body
        status, kind, body = _get(f"http://127.0.0.1:{port}/no-such-page/")
        assert status == 404 and 'id="error-page"' in body and "未找到" in body
        assert "Using the URLconf" not in body and "DEBUG = True" not in body  # no debug page listing URLs
    finally:
        server.terminate()
        server.wait(timeout=20)
