"""`ocop serve`: a local preview of the built site (the standard library's server)."""

from __future__ import annotations

import contextlib
import functools
import http.server
from pathlib import Path


def serve(site_dir: Path, port: int) -> int:
    if not (site_dir / "index.html").is_file():
        print(f"Chưa có trang trong {site_dir}; chạy `ocop build` trước. / Build the site first.")
        return 1
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site_dir))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"Xem thử tại / preview at http://localhost:{port}/  (Ctrl+C để dừng / to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0
