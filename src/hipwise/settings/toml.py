"""Every setting as a documented TOML file (``hipwise analyze --print-config``).

The text loads back to the same settings (:func:`hipwise.settings.load_settings`): each
section is a ``[table]`` and each key carries its description as a comment. TOML has no null:
a setting whose value is ``None`` (off) is written as a comment, and loading the file leaves
it at its default.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from pydantic import BaseModel

from hipwise.settings.root import Settings

__all__ = ["settings_toml", "toml_value"]


def toml_value(value: object) -> str:
    """``value`` (bool, number, string, tuple or list of them) as a TOML value.

    Raises:
        TypeError: a value TOML cannot hold (None, a mapping, an object).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML value for {value!r}")


def _comment(text: str | None) -> Iterator[str]:
    words = " ".join((text or "").split())
    line = "#"
    for word in words.split(" ") if words else ():
        if len(line) + 1 + len(word) > 98 and line != "#":
            yield line
            line = "#"
        line += " " + word
    if line != "#":
        yield line


def _table(model: BaseModel, name: str) -> Iterator[str]:
    """The lines of ``[name]`` (the model's plain keys), then its sub-tables."""
    fields = type(model).model_fields
    subs: list[tuple[str, BaseModel]] = []
    lines: list[str] = []
    for key, info in fields.items():
        value = getattr(model, key)
        if isinstance(value, BaseModel):
            subs.append((key, value))
            continue
        lines.extend(_comment(info.description))
        if value is None:
            lines.append(f"# {key} = (off: not expressible in TOML; delete the line)")
        else:
            lines.append(f"{key} = {toml_value(value)}")
    if name and lines:
        yield f"[{name}]"
    yield from lines
    if lines:
        yield ""
    for key, sub in subs:
        doc = fields[key].description
        if doc and name:
            yield from _comment(doc)
        yield from _table(sub, f"{name}.{key}" if name else key)


def settings_toml(settings: Settings | None = None) -> str:
    """Every setting of ``settings`` (default: the defaults) as TOML with comments."""
    cfg = settings or Settings()
    head = [
        "# hipwise settings: every key with its default. Load with --config FILE;",
        "# override one key with --set SECTION.KEY=VALUE. Unknown keys are errors.",
        "",
    ]
    return "\n".join([*head, *_table(cfg, "")]).rstrip() + "\n"
