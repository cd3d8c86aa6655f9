"""The package's imports point one way: no upward edge, no cycle, not even inside a function."""

import ast
import os

import pytest

import keras_gans

PACKAGE_DIR = os.path.dirname(keras_gans.__file__)

# Lower ranks are imported by higher ones, never the other way round; modules
# of one subpackage may import each other (without cycles).
RANKS = {
    "keras_gans.utils": 0,
    "keras_gans.layers": 1,
    "keras_gans.losses": 2,
    "keras_gans.augmentation": 2,
    "keras_gans.data": 2,
    "keras_gans.architectures": 3,
    "keras_gans.models": 4,
    "keras_gans.export": 5,
    "keras_gans.metrics": 5,
    "keras_gans.callbacks": 6,
    "keras_gans.presets": 7,
    "keras_gans.applications": 8,
    "keras_gans.cli": 9,
    "keras_gans.__main__": 10,
    "keras_gans": 11,
}


def _module_names():
    names = {}
    for root, _, files in os.walk(PACKAGE_DIR):
        for file in files:
            if not file.endswith(".py"):
                continue
            path = os.path.join(root, file)
            relative = os.path.relpath(path, os.path.dirname(PACKAGE_DIR))[: -len(".py")]
            name = relative.replace(os.sep, ".")
            if name.endswith(".__init__"):
                name = name[: -len(".__init__")]
            names[name] = path
    return names


def _imports(name, path, modules=()):
    """Every keras_gans module `name` imports, at any depth of its code."""
    tree = ast.parse(open(path).read(), path)
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module
            # `from keras_gans.x import y` imports the module `keras_gans.x.y`
            # when there is one, else a name of `keras_gans.x`.
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                found.add(submodule if submodule in modules else module)
    return {module for module in found if module and module.split(".")[0] == "keras_gans"}


def _owner(module):
    """The entry of RANKS a module belongs to."""
    parts = module.split(".")
    for length in range(len(parts), 0, -1):
        prefix = ".".join(parts[:length])
        if prefix in RANKS:
            return prefix
    raise AssertionError(f"{module} belongs to no layer: add its package to RANKS")


MODULES = _module_names()
GRAPH = {
    name: {
        target for target in _imports(name, path, MODULES) if target in MODULES and target != name
    }
    for name, path in MODULES.items()
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_upward_import(name):
    source = _owner(name)
    for target in GRAPH[name]:
        owner = _owner(target)
        if owner == source or name == "keras_gans":
            continue
        assert RANKS[owner] < RANKS[source], (
            f"{name} (layer {source}, rank {RANKS[source]}) imports {target} "
            f"(layer {owner}, rank {RANKS[owner]}): imports must point down"
        )


def test_no_cycle():
    state = {}

    def visit(node, path):
        state[node] = "open"
        for target in sorted(GRAPH[node]):
            if state.get(target) == "open":
                cycle = path[path.index(target) :] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, path + [target])
        state[node] = "done"

    for node in sorted(GRAPH):
        if node not in state:
            visit(node, [node])


def test_models_import_neither_callbacks_nor_export():
    for name, targets in GRAPH.items():
        if _owner(name) == "keras_gans.models":
            bad = [t for t in targets if _owner(t) in ("keras_gans.callbacks", "keras_gans.export")]
            assert not bad, f"{name} imports {bad}"


def test_the_checker_sees_imports_inside_functions(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text("def f():\n    from keras_gans.export import export_generator\n")
    assert _imports("keras_gans.models.probe", str(path)) >= {"keras_gans.export"}
