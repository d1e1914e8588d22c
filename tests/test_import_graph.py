"""No import cycles: between the packages of hipwise (``hipwise.<pkg>``), and between the
modules of ``hipwise.synth``. Every import counts, at module level, inside functions and under
``TYPE_CHECKING`` alike: a cycle hidden in a function is still a cycle in the design."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import hipwise

ROOT = Path(hipwise.__file__).parent


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every hipwise module (or package) ``name`` imports, anywhere in the file."""
    found: set[str] = set()
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package[: len(package) - (node.level - 1)]
                base = ".".join([*up, base] if base else up)
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules)
    return {m for m in found if m.startswith("hipwise.")}


def _graph(level: str) -> dict[str, set[str]]:
    modules = _modules()
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        for target in _imports(name, path, modules):
            if level == "package":
                a, b = name.split("."), target.split(".")
                if len(a) > 1 and len(b) > 1 and a[1] != b[1]:
                    edges.setdefault(a[1], set()).add(b[1])
            elif (
                name.startswith(f"{level}.") and target.startswith(f"{level}.")
                and target in modules and target not in (name, level)
            ):
                edges.setdefault(name, set()).add(target)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def test_no_cycles_between_packages() -> None:
    edges = _graph("package")
    assert "reps" in edges and "settings" in edges  # the graph was read
    assert _cycles(edges) == []


def test_no_cycles_within_synth() -> None:
    edges = _graph("hipwise.synth")
    assert edges
    assert _cycles(edges) == []


def test_settings_import_no_other_hipwise_package() -> None:
    assert _graph("package").get("settings", set()) <= {"settings_base"}


def test_the_check_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_cli_start_up_loads_no_heavy_library() -> None:
    """``hipwise`` imports every command's module to build its parser: the video stack, the
    pose model, the web and database stacks and the charts load only in the command that runs
    (the reason the remaining imports inside functions are there)."""
    code = (
        "import sys\n"
        "from hipwise.cli import build_parser\n"
        "build_parser()\n"
        "heavy = ('av', 'cv2', 'mediapipe', 'matplotlib', 'sqlalchemy', 'fastapi', 'uvicorn',"
        " 'celery', 'torch', 'PIL', 'cryptography')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == ""
