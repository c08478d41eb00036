"""The app with the demo data, served on 127.0.0.1 from its own migrated SQLite database (for
the browser tests and the screenshot command)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import make_app


@dataclass
class LiveServer:
    url: str
    app: object
    passwords: dict[str, str]


@contextmanager
def demo_server(folder: Path, prepare: Callable[[], None] | None = None,
                **overrides) -> Iterator[LiveServer]:
    """Migrate a new database in ``folder``, load the demo into it (then run ``prepare`` in
    the app context, to add a test's own rows) and serve the app on a free port until the
    block ends (``overrides``: settings on top of the tests' own)."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from quizapp.demo import load_demo

    app = make_app(f"sqlite:///{folder / 'live.sqlite3'}", str(folder / "instance"),
                   TESTING=False, **overrides)
    with app.app_context():
        upgrade()
        passwords = load_demo()
        if prepare is not None:
            prepare()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, passwords)
    finally:
        server.shutdown()
        thread.join(timeout=5)
