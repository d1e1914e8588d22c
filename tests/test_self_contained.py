"""The repository stands alone: its Markdown links stay inside it, no file reaches for a
folder beside it, and the JSON contract ships in the package."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest

from hipwise.cli import EXIT_OK, main
from hipwise.contract import SCHEMA_ID, Analysis, VideoInfo, analysis_schema, analysis_schema_text

ROOT = Path(__file__).resolve().parents[1]

#: ``[text](target)`` and ``![alt](target)``, the target up to a space or ``)``
_INLINE = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
#: ``[label]: target`` reference definitions
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
#: ``src="..."`` / ``href="..."`` in inline HTML
_HTML = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']""")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def _markdown_files() -> list[Path]:
    """Every Markdown file git knows of (tracked or not ignored)."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.md"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    return sorted(ROOT / line for line in out.splitlines() if (ROOT / line).is_file())


def links(text: str) -> list[str]:
    """The link targets of one Markdown document (code blocks left out)."""
    text = _FENCE.sub("", text)
    return [m.group(1) for rx in (_INLINE, _REFERENCE, _HTML) for m in rx.finditer(text)]


def outside_links(md: Path, root: Path = ROOT) -> list[str]:
    """The local links of ``md`` that resolve outside ``root`` or to nothing."""
    bad: list[str] = []
    for target in links(md.read_text(encoding="utf-8")):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not parts.path:  # web address, or "#anchor"
            if parts.scheme == "file":
                bad.append(target)
            continue
        path = unquote(parts.path)
        resolved = (root / path.lstrip("/")) if path.startswith("/") else (md.parent / path)
        resolved = resolved.resolve()
        if not resolved.is_relative_to(root.resolve()) or not resolved.exists():
            bad.append(target)
    return bad


def test_the_link_finder_sees_inline_reference_and_html_links(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "rules.md").write_text("x")
    md = tmp_path / "README.md"
    md.write_text(
        "[ok](docs/rules.md) [web](https://example.org/a) [anchor](#top)\n"
        "[out](../beside/DOMAIN.md) ![img](../pic.png)\n"
        "[ref]: /etc/passwd\n"
        '<img src="../../x.png">\n'
        "```\n[in code](../ignored.md)\n```\n"
        "[gone](docs/missing.md)\n"
    )
    assert outside_links(md, tmp_path) == [
        "../beside/DOMAIN.md", "../pic.png", "docs/missing.md", "/etc/passwd", "../../x.png"
    ]


@pytest.mark.parametrize("md", _markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_markdown_links_stay_inside_the_repository(md: Path) -> None:
    assert outside_links(md) == [], f"{md.relative_to(ROOT)} links outside the repository"


def test_no_file_reaches_for_a_folder_beside_the_repository() -> None:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard",
         "README.md", "docs", "src", "tests", "scripts", "bench"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    pattern = re.compile("|".join(re.escape(s) for s in ("../" + "shared", "/work/" + "shared")))
    found = []
    for line in out.splitlines():
        path = ROOT / line
        if path.suffix not in {".md", ".py", ".sh", ".toml", ".json", ".html", ".js", ".txt"}:
            continue
        if not path.is_file():
            continue
        found += [f"{line}: {m.group(0)}" for m in pattern.finditer(path.read_text("utf-8"))]
    assert found == []


def test_the_packaged_schema_is_a_valid_schema_of_the_contract() -> None:
    schema = analysis_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == SCHEMA_ID
    doc = Analysis(video=VideoInfo(duration_s=1.0, fps=30.0, frames=30), sets=[]).to_json()
    jsonschema.validate(json.loads(doc), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"schema": SCHEMA_ID}, schema)


def test_print_schema_prints_the_packaged_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--print-schema"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out == analysis_schema_text()
    assert json.loads(out) == analysis_schema()


def test_print_schema_is_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["analyze", "--help"])
    assert exit_info.value.code == 0
    assert "--print-schema" in capsys.readouterr().out
