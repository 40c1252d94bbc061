"""`mkdocs serve` rebuilds the pages when a proposal, a theme or the settings change."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import copy_repo


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def wait_for(url, needle, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if needle in fetch(url):
            return True
        time.sleep(0.5)
    return False


@pytest.mark.slow
def test_serve_rebuilds_when_data_changes(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    try:
        base = f"http://127.0.0.1:{port}/agenda"  # serve uses site_url's path
        page = f"{base}/proposals/foi-request-tracker/"
        assert wait_for(page, "A public tracker for freedom of information requests")
        path = repo / "proposals" / "foi-request-tracker.yaml"
        path.write_text(path.read_text().replace("A public tracker for", "A shared tracker for"))
        assert wait_for(page, "A shared tracker for freedom of information requests")
        theme = repo / "themes" / "access-to-information.yaml"
        name = "Accès à l'information"
        assert name in theme.read_text()
        theme.write_text(theme.read_text().replace(name, "Droit d'accès à l'information", 1))
        assert wait_for(f"{base}/themes/", "Droit d&#x27;accès à l&#x27;information")
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout:
            server.stdout.close()
