"""HTML to PDF with WeasyPrint, in a child process.

WeasyPrint lays a report out in Python for a few seconds of CPU.  In the request's own process
that would stall every other request of a gevent worker (the live games' event streams among
them) until it finished; a child process waits cooperatively (gevent patches ``subprocess``),
keeps the memory of a large layout out of the worker, and is bounded by a timeout.

The child reads the HTML on stdin and writes the PDF on stdout; it may read the font files
named on its command line and nothing else (no network, no other file).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

TIMEOUT_SECONDS = 180


class PdfFailed(RuntimeError):
    """The PDF could not be made (the message has the renderer's last words)."""


def html_to_pdf(html: str, fonts: Sequence[Path], timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The PDF of ``html``, rendered in a child process that may read only ``fonts``."""
    # run from the folder holding this quizapp package: ``-m`` imports it, not another copy
    root = Path(__file__).resolve().parents[2]
    try:
        done = subprocess.run(
            [sys.executable, "-m", "quizapp.shared.pdf", *(str(f) for f in fonts)],
            input=html.encode("utf-8"), capture_output=True, timeout=timeout, cwd=root,
            check=False)
    except subprocess.TimeoutExpired:
        raise PdfFailed(f"the PDF took longer than {timeout:g} s") from None
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        raise PdfFailed(done.stderr.decode("utf-8", "replace")[-800:])
    return done.stdout


def render(html: str, fonts: Sequence[Path]) -> bytes:
    """The PDF of ``html`` in this process (what the child runs)."""
    import weasyprint

    allowed = {Path(f).as_uri() for f in fonts}

    class FontsOnly(weasyprint.URLFetcher):
        def fetch(self, url, headers=None):
            if url not in allowed:
                raise ValueError(f"the document reads no resource ({url})")
            return super().fetch(url, headers)

    return weasyprint.HTML(string=html, url_fetcher=FontsOnly(allowed_protocols=("file",))
                           ).write_pdf()


def main(argv: Sequence[str]) -> int:
    html = sys.stdin.buffer.read().decode("utf-8")
    sys.stdout.buffer.write(render(html, [Path(a) for a in argv]))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
