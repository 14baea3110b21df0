"""`mosaics setup` + `mosaics serve`: the production server answers, static files included."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, bytes, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read(), response.headers.get("Content-Type", "")


def test_setup_then_serve_answers_pages_and_static_files(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "MOSAICS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "DEBUG": "false",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "-m", "mosaics", "setup", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mosaics", "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                status, body, _ = _get(base + "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("the server did not answer within 20 s")
        assert status == 200
        status, body, _ = _get(base + "/")
        html = body.decode()
        assert status == 200
        assert "Skills you can show" in html
        stylesheet = html.split('rel="stylesheet" href="')[1].split('"')[0]
        assert stylesheet.endswith(".css")
        assert stylesheet != "/static/mosaics/site.css"  # the hashed, cacheable name
        status, body, content_type = _get(base + stylesheet)
        assert status == 200
        assert content_type.startswith("text/css")
    finally:
        server.terminate()
        server.wait(timeout=30)
