"""Qt 5-only spellings in Python files, found by asking PyQt6 (QGIS 4 runs on PyQt6).

    python tools/qt6_check.py plugin.py ui processing_provider tests/gui_scripts

Reports, with file and line:
- imports of PyQt5 (QGIS's ``qgis.PyQt`` serves both);
- a Qt enum member read off its class (``Qt.QueuedConnection``, ``QTableWidget.NoEditTriggers``):
  PyQt6's enums are Python enums, reached through their enum (``Qt.ConnectionType.QueuedConnection``),
  which PyQt5 5.11 and later accept too;
- any other name a class imported from ``qgis.PyQt`` lacks in PyQt6 (``QVariant.String``: field
  types are ``QMetaType.Type`` there), and ``exec_()``, which PyQt6 names ``exec()``.

A line ending in ``# qt6-check: ignore`` is left out: code for QGIS releases that run on Qt 5 only.
The names come from PyQt6's own modules, introspected as QGIS's ``pyqt5_to_pyqt6`` script does, so
the check follows the PyQt6 installed (requirements/dev.txt). Exit 1 when anything is found.
"""

import argparse
import ast
import importlib
import inspect
import os
import sys

IGNORE = "# qt6-check: ignore"
MODULES = ("QtCore", "QtGui", "QtWidgets", "QtNetwork", "QtXml", "QtSvg", "QtSql", "QtPrintSupport", "QtTest")


def pyqt6_classes():
    """``{class name: class}`` of PyQt6's modules."""
    classes = {}
    for name in MODULES:
        try:
            module = importlib.import_module(f"PyQt6.{name}")
        except ImportError:
            continue
        classes.update({key: value for key, value in vars(module).items() if inspect.isclass(value)})
    return classes


def enum_of(cls, member):
    """The name of the enum of ``cls`` (or of a class it derives from) holding ``member``, or None."""
    for klass in inspect.getmro(cls):
        for key, value in vars(klass).items():
            if inspect.isclass(value) and type(value).__name__ == "EnumType" and member in value.__members__:
                return key
    return None


def qt_names(tree):
    """Names a file imports from ``qgis.PyQt``'s Qt modules: ``{local name: class name}``."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("qgis.PyQt.Qt"):
            for alias in node.names:
                names[alias.asname or alias.name] = alias.name
    return names


def check_file(path, classes):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    tree = ast.parse(text, filename=path)
    # A line that spells Qt 5's names on purpose, for QGIS releases that run Qt 5 only, says so.
    allowed = {number for number, line in enumerate(text.splitlines(), start=1) if IGNORE in line}
    found = []
    imported = qt_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if any(module == "PyQt5" or module.startswith("PyQt5.") for module in modules):
                found.append((node.lineno, "imports PyQt5: import from qgis.PyQt instead"))
        elif isinstance(node, ast.Attribute):
            if node.attr == "exec_":
                found.append((node.lineno, "exec_() is exec() in PyQt6 (and in PyQt5 on Python 3)"))
            elif isinstance(node.value, ast.Name) and node.value.id in imported:
                name = imported[node.value.id]
                cls = classes.get(name)
                if cls is None or hasattr(cls, node.attr):
                    continue
                scope = enum_of(cls, node.attr)
                if scope:
                    found.append((node.lineno, f"{name}.{node.attr} is {name}.{scope}.{node.attr} in PyQt6"))
                else:
                    found.append((node.lineno, f"{name}.{node.attr} does not exist in PyQt6"))
    return [(path, line, message) for line, message in sorted(found) if line not in allowed]


def python_files(paths):
    for path in paths:
        if os.path.isdir(path):
            for folder, _subfolders, files in os.walk(path):
                yield from (os.path.join(folder, name) for name in sorted(files) if name.endswith(".py"))
        else:
            yield path


def main(arguments=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+")
    options = parser.parse_args(arguments)
    classes = pyqt6_classes()
    if not classes:
        print("PyQt6 is missing: install requirements/dev.txt (make lint does).", file=sys.stderr)
        return 2
    problems = [problem for path in python_files(options.paths) for problem in check_file(path, classes)]
    for path, line, text in problems:
        print(f"{path}:{line}: {text}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
