"""A real headless Chromium for the site tests, driven over the DevTools protocol on a pipe
(--remote-debugging-pipe): no selenium, no websocket library, no network port.

Every request the page makes is recorded (Network.requestWillBeSent), and the browser is
started with every host name resolving to nothing, so that a request meant for the network
could not leave the machine even if a page tried.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ENV_BROWSER = "GKCTL_CHROMIUM"


def find() -> str | None:
    """The browser to use: $GKCTL_CHROMIUM, else the first of CANDIDATES on PATH."""
    forced = os.environ.get(ENV_BROWSER)
    if forced:
        return forced if shutil.which(forced) or Path(forced).is_file() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    def __init__(self, executable: str) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="gkctl-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # Above 4, so that moving them to 3 and 4 in the child cannot overwrite one another.
        to_child_r, from_child_w = (_high(fd) for fd in (to_child_r, from_child_w))
        args = [
            executable,
            "--headless=new",
            "--no-sandbox",  # CI containers run as root
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--font-render-hinting=none",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={self._profile.name}",
            "--remote-debugging-pipe",
            "about:blank",
        ]

        def protocol_fds() -> None:
            # The protocol pipe is the child's fds 3 (commands in) and 4 (answers out).
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        self._proc = subprocess.Popen(
            args,
            pass_fds=(3, 4),
            preexec_fn=protocol_fds,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=None if os.environ.get("GKCTL_BROWSER_LOG") else subprocess.DEVNULL,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        self.send("Page.enable")
        self.send("Network.enable")
        self.send("Runtime.enable")

    # --- the protocol ------------------------------------------------------------------

    def _read_message(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        ident = self._next_id
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._read_message()
            if answer.get("id") == ident:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            if "method" in answer:
                self.events.append(answer)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        return self.call(method, self._session, **params)

    def _wait_for(self, method: str) -> None:
        for event in self.events:
            if event["method"] == method:
                return
        while True:
            message = self._read_message()
            if "method" in message:
                self.events.append(message)
                if message["method"] == method:
                    return

    # --- what the tests use --------------------------------------------------------------

    def open(self, url: str, width: int, height: int = 900, mobile: bool = False) -> None:
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )
        self.events.clear()
        self.send("Page.navigate", url=url)
        self._wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def requests(self) -> list[str]:
        """Every URL the page asked for since it was opened."""
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e["method"] == "Network.requestWillBeSent"
        ]

    def screenshot(self, full_page: bool = True) -> bytes:
        import base64

        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=full_page)
        return base64.b64decode(data["data"])

    def print_pdf(self) -> bytes:
        """The page as printed, on the paper its print stylesheet asks for (@page)."""
        import base64

        data = self.send("Page.printToPDF", preferCSSPageSize=True, printBackground=True)
        return base64.b64decode(data["data"])

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, OSError):
            self.call("Browser.close")
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        os.close(self._to_child)
        os.close(self._from_child)
        self._profile.cleanup()


def _high(fd: int) -> int:
    import fcntl

    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return moved


def png_colours(png: bytes, limit: int = 64) -> int:
    """How many different byte values the image's pixel rows hold (up to `limit`): a blank
    page gives one or two, a rendered one dozens. Decoded with zlib, no image library."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    seen: set[int] = set()
    for byte in zlib.decompress(idat)[:4_000_000]:
        seen.add(byte)
        if len(seen) >= limit:
            break
    return len(seen)
