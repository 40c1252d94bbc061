"""`mkdocs serve` rebuilds the pages when a proposal, a theme or the settings change, answers
at the address the README gives, and shows an invalid programme's problems in the browser
(while `mkdocs build` still refuses it)."""

from __future__ import annotations

import html
import os
import re
import signal
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
    """Ctrl-C: MkDocs shuts down, calls on_shutdown and removes its folders (SIGTERM would leave
    them in the temporary folder)."""
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
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
        stop(server)
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


# --- an edited proposal at once, the whole site after it (scripts/agenda/site/serve_fast.py) ------

OLD_TITLE = "A public tracker for freedom of information requests"
NEW_TITLE = "A shared tracker for freedom of information requests"
SHOWN = "agenda: showed 1 edited proposal"
LIVERELOAD = re.compile(r"<script>\s*var livereload = .*?</script>", re.S)

# A build waits in on_pre_build while the file named by AGENDA_TEST_HOLD exists. The fast path
# runs no build (only the edited pages' events), so the test sees what it serves before the whole
# site, however fast or slow the machine.
HOLD_HOOK = '''import os
import time


def on_pre_build(config):
    hold = os.environ.get("AGENDA_TEST_HOLD")
    while hold and os.path.exists(hold):
        time.sleep(0.05)
'''


def held_repo(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    (repo / "hold.py").write_text(HOLD_HOOK, encoding="utf-8")
    with open(repo / "mkdocs.yml", "a", encoding="utf-8") as config:
        config.write("\nhooks:\n  - hold.py\n")
    return repo


def serve_logged(repo, port, log, hold=None, verbose=False):
    """`mkdocs serve`, its messages in the file `log`."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "AGENDA_TEST_HOLD": str(hold or "")}
    with open(log, "w", encoding="utf-8") as out:
        return subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}",
                                 *(["-v"] if verbose else [])],
                                cwd=repo, stdout=out, stderr=subprocess.STDOUT, env=env)


def wait_in_log(log, needle, count=1, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if log.read_text(encoding="utf-8").count(needle) >= count:
            return True
        time.sleep(0.1)
    return False


def retitle(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert f'title: "{old}"' in text
    path.write_text(text.replace(f'title: "{old}"', f'title: "{new}"', 1), encoding="utf-8")


@pytest.mark.slow
def test_serve_shows_an_edited_proposal_before_the_whole_site_follows(tmp_path):
    repo = held_repo(tmp_path)
    hold, log, port = tmp_path / "hold", tmp_path / "serve.log", free_port()
    base = f"http://127.0.0.1:{port}/agenda"
    pages = [f"{base}/{lang}proposals/foi-request-tracker/" for lang in ("", "en/")]
    lists = [f"{base}/{lang}{page}" for lang in ("", "en/") for page in ("programme/", "themes/access-to-information/")]
    server, beside = serve_logged(repo, port, log, hold), None
    try:
        assert all(wait_for(url, OLD_TITLE) for url in pages + lists)
        hold.touch()  # the full build after the fast path waits
        retitle(repo / "proposals" / "foi-request-tracker.yaml", OLD_TITLE, NEW_TITLE)
        # The edited proposal, in both languages, while the whole site is not rebuilt yet.
        assert all(wait_for(url, NEW_TITLE) for url in pages)
        assert wait_in_log(log, SHOWN)
        for url in lists:
            body = fetch(url)
            assert OLD_TITLE in body and NEW_TITLE not in body, url
        shown = {url: LIVERELOAD.sub("", fetch(url)) for url in pages}
        hold.unlink()
        # The whole site follows: the lists of proposals show the new title too ...
        assert all(wait_for(url, NEW_TITLE) for url in lists)
        # ... and the pages the fast path wrote are the ones a full build writes.
        for url in pages:
            assert LIVERELOAD.sub("", fetch(url)) == shown[url], url
        text = log.read_text(encoding="utf-8")
        assert text.count(SHOWN) == 1 and text.index(SHOWN) < text.rindex("Documentation built")
        beside = re.search(r"building the 'en' pages into (\S+)/en\b", text[text.index(SHOWN):]).group(1)
        assert beside.endswith("-next") and os.path.isdir(beside)
    finally:
        hold.unlink(missing_ok=True)
        stop(server)
    assert beside and not os.path.exists(beside)  # on_shutdown removes the folder the follow-up builds wrote


@pytest.mark.slow
def test_serve_builds_everything_when_an_edit_breaks_the_programme(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    log, port = tmp_path / "serve.log", free_port()
    base = f"http://127.0.0.1:{port}/agenda"
    page = f"{base}/proposals/accessible-civic-tech-design/"
    path = repo / "proposals" / "accessible-civic-tech-design.yaml"
    good = path.read_text(encoding="utf-8")
    # The same room as acces-information-maghreb at the same time: an error only the whole
    # repository shows (each file alone is valid).
    moved = {'start: "10:30"': 'start: "09:30"', 'end: "12:30"': 'end: "11:30"', "room: atelier-1": "room: salle-seine"}
    bad = good
    for old, new in moved.items():
        assert bad.count(old) == 1
        bad = bad.replace(old, new)
    title = re.search(r'^title: "(.*)"$', good, re.M).group(1)
    bad = bad.replace(f'title: "{title}"', 'title: "A renamed session"', 1)
    server = serve_logged(repo, port, log)
    try:
        assert wait_for(page, title)
        path.write_text(bad, encoding="utf-8")
        assert wait_for(f"{base}/", "room-conflict")  # the full build's problem pages
        assert "A renamed session" not in fetch(page)
        path.write_text(good, encoding="utf-8")  # fixed: the whole site again, from a full build
        assert wait_for(f"{base}/programme/", title)
        assert SHOWN not in log.read_text(encoding="utf-8")
    finally:
        stop(server)


@pytest.mark.slow
def test_serve_full_build_gives_way_to_a_proposal_saved_meanwhile(tmp_path):
    repo = held_repo(tmp_path)
    hold, log, port = tmp_path / "hold", tmp_path / "serve.log", free_port()
    base = f"http://127.0.0.1:{port}/agenda"
    page = f"{base}/proposals/foi-request-tracker/"
    path = repo / "proposals" / "foi-request-tracker.yaml"
    server = serve_logged(repo, port, log, hold, verbose=True)  # -v: the watcher's events
    try:
        assert wait_for(page, OLD_TITLE)
        hold.touch()
        retitle(path, OLD_TITLE, NEW_TITLE)
        assert wait_for(page, NEW_TITLE)
        # Saved again while the full build after the fast path waits: once the server has seen
        # it, the full build gives way and the fast path shows it.
        seen = log.read_text(encoding="utf-8").count(f"FileModifiedEvent(src_path='{path}'")
        retitle(path, NEW_TITLE, "A common tracker for freedom of information requests")
        assert wait_in_log(log, f"FileModifiedEvent(src_path='{path}'", seen + 1)
        hold.unlink()
        assert wait_for(page, "A common tracker for")
        assert wait_in_log(log, SHOWN, 2)
        assert wait_for(f"{base}/programme/", "A common tracker for")
        text = log.read_text(encoding="utf-8")
        first, second = text.index(SHOWN), text.index(SHOWN, text.index(SHOWN) + 1)
        assert "files were saved meanwhile" in text[first:second]
        assert "Documentation built" not in text[first:second]  # the full build did not finish
        assert "ERROR" not in text
    finally:
        hold.unlink(missing_ok=True)
        stop(server)
