"""Helpers shared by the headless-Chromium tests: run JavaScript on the page and wait for it."""

from __future__ import annotations

import time
from typing import Any

__all__ = ["js", "wait_js"]


def js(page: Any, expr: str) -> Any:
    """The value of the JavaScript expression ``expr`` on ``page``."""
    return page.evaluate(f"() => {expr}")


def wait_js(page: Any, expr: str, timeout_s: float, every_s: float = 0.25) -> Any:
    """Poll ``expr`` until it is truthy and return it; fail after ``timeout_s`` seconds."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        value = js(page, expr)
        if value:
            return value
        time.sleep(every_s)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {expr}")
