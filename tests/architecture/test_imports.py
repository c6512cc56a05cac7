"""The import rules of ARCHITECTURE §2 that a reader cannot see at a glance: imports sit at
the top of their module (a function-local import is allowed only where it is listed below,
with its reason), and no two of the project's modules import each other, directly or around
a longer circle."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("nomarr_site", "jobs", "library", "calibration", "invitations", "media_meta")

# (module, imported module): why it is imported inside a function.
ALLOWED_LOCAL = {
    # Loading TensorFlow costs a second and most processes (web, scans) never tag.
    ("library.tagging.essentia_loader", "essentia"): "heavy, only in tagging workers",
    ("library.tagging.essentia_loader", "essentia.standard"): "heavy, only in tagging workers",
    # OpenVINO takes half a second to import and may be absent (the Essentia engine remains).
    ("library.tagging.openvino_models", "openvino"): "optional, only in tagging workers",
    ("library.tagging.openvino_models", "openvino.frontend"): "optional, only in tagging workers",
    ("library.tagging.musicnn_cuts", "openvino"): "optional, only in tagging workers",
    ("library.tagging.conv_taps", "openvino"): "optional, only in tagging workers",
    # An optional binary package, only needed when the system has no ffmpeg.
    ("library.tagging.steps", "imageio_ffmpeg"): "optional",
}


@functools.cache
def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(node: ast.AST) -> list[str]:
    """The modules an import statement loads: `from pkg import mod` loads `pkg.mod` when that
    is a module of the project (its package runs first, as for any submodule: no circle), else
    `pkg`."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        known = modules()
        loaded = [f"{node.module}.{alias.name}" for alias in node.names]
        return (
            [node.module, *[name for name in loaded if name in known]]
            if not all(name in known for name in loaded)
            else loaded
        )
    return []


def function_local_imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if node.name == "ready":  # AppConfig.ready: Django's place for registrations
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    found += [(inner.lineno, name) for name in imports(inner)[:1]]
    return found


def runtime_imports(tree: ast.Module) -> set[str]:
    """Modules imported when the module runs (TYPE_CHECKING blocks excluded)."""
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If) and is_type_checking(node):
                visit(node.orelse)
                continue
            found.update(imports(node))
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    visit([n for n in inner if isinstance(n, ast.stmt | ast.ExceptHandler)])

    visit(tree.body)
    return found


def test_imports_sit_at_the_top_of_their_module_unless_listed_with_a_reason():
    offenders = []
    for name, path in modules().items():
        for line, imported in function_local_imports(ast.parse(path.read_text())):
            if (name, imported) not in ALLOWED_LOCAL:
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert offenders == [], "function-local imports (move them up, or break the cycle):\n" + (
        "\n".join(offenders)
    )


def circles(graph: dict[str, set[str]]) -> list[str]:
    """Each import circle found by a depth-first walk, written `a -> b -> a`."""
    found: list[str] = []
    state: dict[str, int] = {}

    def walk(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                found.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target not in state:
                walk(target, [*trail, target])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name, [name])
    return found


def test_no_modules_of_the_project_import_each_other_around_a_circle():
    known = modules()
    graph = {
        name: (runtime_imports(ast.parse(path.read_text())) & set(known)) - {name}
        for name, path in known.items()
    }
    assert circles(graph) == []


def test_the_checks_see_a_local_import_and_a_circle():
    source = "def f():\n    from library.models import Track\n"
    assert function_local_imports(ast.parse(source)) == [(2, "library.models")]
    guarded = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import jobs.runner\n"
    assert "jobs.runner" not in runtime_imports(ast.parse(guarded))
    assert "jobs.runner" in runtime_imports(
        ast.parse("try:\n    import jobs.runner\nexcept E:\n    pass\n")
    )
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a -> b -> c -> a"]
