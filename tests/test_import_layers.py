"""Imports run one way: no two modules of leadgen import each other, however far round, and the
domains others build on never import the ones built on them.

Read from the source (imports inside functions count too, so a loop cannot hide in one).
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "leadgen"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The leadgen modules a file imports, wherever the import stands."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = f"{base}.{node.module}" if node.level and node.module else node.module or base
            # `from . import service` imports the module service, not the package's __init__.
            submodules = [f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in known]
            candidates = submodules or [target]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        found |= {candidate for candidate in candidates if candidate in known}
    return found - {name}


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    known = {module_name(path) for path in paths}
    return {module_name(path): imported_modules(path, known) for path in paths}


def loop_through(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """The modules of an import loop that returns to `start`, or None."""
    trail, seen = [start], set()

    def walk(module: str) -> list[str] | None:
        for target in sorted(graph[module]):
            if target == start:
                return [*trail, start]
            if target not in seen:
                seen.add(target)
                trail.append(target)
                if found := walk(target):
                    return found
                trail.pop()
        return None

    return walk(start)


def test_no_module_imports_itself_round_a_loop():
    graph = import_graph()
    loops = [loop for module in graph if (loop := loop_through(graph, module))]
    assert loops == [], "import loops: " + "; ".join(" -> ".join(loop) for loop in loops)


STAFF_FACING = {"leadgen.leads.api", "leadgen.leads.admin"}


def test_leads_and_the_outbox_store_import_no_domain_built_on_them():
    """leads and the outbox's store are what the other domains build on.

    The staff API and console pages (leads.api, leads.admin) and the outbox's delivery side (policy, render, worker) sit
    above every domain; the leads list's filter by webinar still reads the webinars' tables.
    """
    graph = import_graph()
    base = [module for module in graph if module.startswith("leadgen.leads.") and module not in STAFF_FACING] + [
        f"leadgen.outbox.{name}" for name in ("models", "service", "claims", "mailer")
    ]
    above = ("leadgen.followups", "leadgen.blog", "leadgen.ebook", "leadgen.privacy")
    wrong = {
        module: sorted(target for target in graph[module] if target.startswith(above))
        for module in base
        if any(target.startswith(above) for target in graph[module])
    }
    assert wrong == {}
