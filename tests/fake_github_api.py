"""A local stand-in for GitHub's REST API, serving recorded answers (tests/fixtures/github/api/):
`agenda github-snapshot` is tested against it on 127.0.0.1, never against the network.

routes.json maps "GET <path?query>" to {"status", "headers", "body": a file of the folder, or
null}; "{api}" in a header is this server's address (the Link headers of pagination). A test
changes routes to play a rate limit, an outage, a slow or broken answer, a redirect. Every
request is recorded with its Authorization header."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "github" / "api"


def recorded_routes() -> dict:
    return json.loads((FIXTURES / "routes.json").read_text(encoding="utf-8"))


class FakeGitHub:
    def __init__(self, routes: dict | None = None):
        self.routes = recorded_routes() if routes is None else routes
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                fake.requests.append({"path": self.path, "authorization": self.headers.get("Authorization"),
                                      "accept": self.headers.get("Accept")})
                route = fake.routes.get(f"GET {self.path}")
                if route is None:
                    route = {"status": 404, "headers": {"Date": "Thu, 01 Dec 2016 09:30:00 GMT"},
                             "data": {"message": "Not Found"}}
                if route.get("sleep"):
                    time.sleep(route["sleep"])
                body = route.get("bytes")
                if body is None and route.get("body"):
                    body = (FIXTURES / route["body"]).read_bytes()
                if body is None and "data" in route:
                    body = json.dumps(route["data"]).encode("utf-8")
                body = body if body is not None else b""
                try:
                    self.send_response_only(route["status"])  # no Date of this machine's clock
                    for key, value in route.get("headers", {}).items():
                        self.send_header(key, value.replace("{api}", fake.url))
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client stopped reading: bounded
                    pass

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def route(self, path: str, **answer):
        """Replace the answer to GET `path` (status, headers, body / data / bytes, sleep)."""
        answer.setdefault("headers", {"Date": "Thu, 01 Dec 2016 09:30:00 GMT"})
        self.routes[f"GET {path}"] = answer
