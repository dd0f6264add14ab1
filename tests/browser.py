"""Load pages in headless Chromium: the DOM after its scripts ran, and what its console logged.

Tests that need a browser call ``chromium()`` first: it skips them, saying
why, where no Chromium is installed (CI installs Debian's ``chromium``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--allow-file-access-from-files",
    "--enable-logging=stderr",
    "--v=0",
)
CONSOLE = re.compile(r"INFO:CONSOLE[^\]]*\] (.*)")


def chromium() -> str:
    """The Chromium executable (``$CHROMIUM`` or the first found on PATH); skips the test when there is none."""
    found = os.environ.get("CHROMIUM") or next(filter(None, map(shutil.which, CANDIDATES)), None)
    if not found:
        pytest.skip("no Chromium found (install it with `apt-get install chromium`, or set $CHROMIUM)")
    return found


@dataclass
class Loaded:
    dom: str  #: the serialised DOM after the scripts ran
    console: list[str]  #: every console message, errors included ("Uncaught …")


def load(url: str, budget_ms: int = 4000, screenshot: Path | None = None, size: str = "1400,900") -> Loaded:
    """Open ``url`` headless, let its scripts run for ``budget_ms`` of virtual time; the DOM (or a screenshot) and the console."""
    with tempfile.TemporaryDirectory() as profile:
        args = [chromium(), *FLAGS, f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}"]
        args += [f"--screenshot={screenshot}", f"--window-size={size}"] if screenshot else ["--dump-dom"]
        done = subprocess.run([*args, url], capture_output=True, text=True, timeout=120)
    return Loaded(done.stdout, CONSOLE.findall(done.stderr))


def file_url(path: Path, fragment: str = "") -> str:
    return Path(path).resolve().as_uri() + (f"#{fragment}" if fragment else "")
