"""`mkdocs serve` rebuilds the pages when a proposal, a theme or the settings change, answers
at the address the README gives, and shows an invalid programme's problems in the browser
(while `mkdocs build` still refuses it)."""

from __future__ import annotations

import html
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT, copy_repo


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


def status(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except OSError:
        return None


def serve(repo, port):
    return subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                            cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def stop(server):
    server.terminate()
    server.wait(timeout=30)


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
        assert wait_for(f"{base}/themes/", "Droit d&#39;accès à l&#39;information")  # escaped by the template
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout:
            server.stdout.close()


def readme_preview_address():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (url,) = re.findall(r"`mkdocs serve`[^`]*?(http://127\.0\.0\.1:8000/\S*?)[,)\s]", readme)
    return url


@pytest.mark.slow
def test_serve_answers_at_the_address_the_readme_gives(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    port = free_port()
    url = readme_preview_address().replace(":8000", f":{port}")
    server = serve(repo, port)
    try:
        assert wait_for(url, "agenda-cta")  # the home page, not a redirect or a 404
        assert status(url) == 200
        assert status(f"http://127.0.0.1:{port}/") == 200  # the bare address leads there too
    finally:
        stop(server)


HOSTILE_TITLE = '<script>alert(1)</script> "x"'


@pytest.mark.slow
def test_serve_shows_an_invalid_programmes_problems_in_the_browser(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    path = repo / "proposals" / "foi-request-tracker.yaml"
    good = path.read_text(encoding="utf-8")
    bad = re.sub(r"^title: .*$", f"title: '{HOSTILE_TITLE}'\nformat: nonsense-format", good, count=1, flags=re.M)
    bad = re.sub(r"^format: (?!nonsense).*\n", "", bad, count=1, flags=re.M)
    path.write_text(bad, encoding="utf-8")
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=repo, capture_output=True, text=True,
                           timeout=300, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert build.returncode != 0 and "unknown-format" in build.stdout + build.stderr  # build still refuses it

    port = free_port()
    base = f"http://127.0.0.1:{port}/agenda"
    server = serve(repo, port)
    try:
        # From the first build: every page of the navigation lists the problems, escaped.
        assert wait_for(f"{base}/", "unknown-format")
        for page in ("", "programme/", "themes/", "data/"):
            body = fetch(f"{base}/{page}")
            assert "proposals/foi-request-tracker.yaml:" in body and "[unknown-format]" in body, page
            assert "<script>alert(1)" not in body and html.unescape(body).count("'nonsense-format'") >= 1
            assert "'nonsense-format'" not in body  # the quotes arrive escaped
        # Fixed: the real site comes back.
        path.write_text(good, encoding="utf-8")
        page = f"{base}/proposals/foi-request-tracker/"
        assert wait_for(page, "A public tracker for freedom of information requests")
        # Broken again while serving: the browser gets the problems, not a request that hangs.
        path.write_text(bad, encoding="utf-8")
        assert wait_for(f"{base}/", "unknown-format")
        assert status(f"{base}/") == 200
    finally:
        stop(server)
