"""`ocop serve`: a local preview of the built site (the standard library's server).

It answers as the static host does: a missing path gets the site's own 404 page with status
404 (whose script leads a hand-typed product address to its page), and a site built for a
sub-path ("https://owner.github.io/repo/") is also served under that path, which the 404 page's
absolute links use.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
from pathlib import Path

NOT_FOUND = "404.html"


def site_root(site_dir: Path) -> str:
    """The path the site was built for, as its 404 page declares it ("/" when unknown)."""
    page = site_dir / NOT_FOUND
    text = page.read_text(encoding="utf-8", errors="replace") if page.is_file() else ""
    found = re.search(r'<body data-root="(/[^"]*)"', text)
    return found.group(1) if found else "/"


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """Serves `directory` at / and at `root`; a missing file gets the site's 404 page."""

    def __init__(self, *args: object, directory: str, root: str = "/", **kwargs: object) -> None:
        self.root = root
        super().__init__(*args, directory=directory, **kwargs)  # type: ignore[arg-type]

    def translate_path(self, path: str) -> str:
        if self.root != "/" and path.startswith(self.root):
            path = "/" + path.removeprefix(self.root)
        return super().translate_path(path)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(str(self.directory)) / NOT_FOUND
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def make_server(site_dir: Path, port: int) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(PreviewHandler, directory=str(site_dir), root=site_root(site_dir))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve(site_dir: Path, port: int) -> int:
    if not (site_dir / "index.html").is_file():
        print(f"Chưa có trang trong {site_dir}; chạy `ocop build` trước. / Build the site first.")
        return 1
    with make_server(site_dir, port) as server:
        print(f"Xem thử tại / preview at http://localhost:{port}/  (Ctrl+C để dừng / to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0
