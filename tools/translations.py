"""Keep resources/i18n/geoindicators_fr.ts in step with the ``tr()`` strings of the code.

    python tools/translations.py          # add new strings (untranslated) and drop obsolete ones
    python tools/translations.py --check  # list strings without a French translation; exit 1 if any

Strings are found with Python's own parser: every ``tr("...")`` call whose first argument is a
literal, in the plugin's Python files (core/ has none: it speaks English to Python users).
"""

import argparse
import ast
import os
import sys
import xml.etree.ElementTree as ElementTree

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TS_FILE = os.path.join(ROOT, "resources", "i18n", "geoindicators_fr.ts")
CONTEXT = "GeoIndicators"
SOURCES = ["plugin.py", "processing_provider", "ui"]


def source_strings():
    found = []
    for entry in SOURCES:
        path = os.path.join(ROOT, entry)
        files = [path] if path.endswith(".py") else [os.path.join(folder, name) for folder, _dirs, names in os.walk(path) for name in sorted(names) if name.endswith(".py")]
        for file in files:
            with open(file, encoding="utf-8") as handle:
                tree = ast.parse(handle.read())
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None)
                # tr("text", ...) translates its first argument; tr_tags("word", ...) every one.
                texts = node.args[:1] if name == "tr" else node.args if name == "tr_tags" else []
                for text in texts:
                    if isinstance(text, ast.Constant) and text.value not in found:
                        found.append(text.value)
    return found


def read_translations():
    if not os.path.exists(TS_FILE):
        return {}
    root = ElementTree.parse(TS_FILE).getroot()
    return {message.findtext("source"): message.findtext("translation") or "" for message in root.iter("message")}


def write_translations(translations):
    root = ElementTree.Element("TS", version="2.1", language="fr_FR")
    context = ElementTree.SubElement(root, "context")
    ElementTree.SubElement(context, "name").text = CONTEXT
    for source, translation in translations.items():
        message = ElementTree.SubElement(context, "message")
        ElementTree.SubElement(message, "source").text = source
        element = ElementTree.SubElement(message, "translation")
        element.text = translation
        if not translation:
            element.set("type", "unfinished")
    ElementTree.indent(root)
    with open(TS_FILE, "w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
        handle.write(ElementTree.tostring(root, encoding="unicode") + "\n")


def missing():
    translations = read_translations()
    return [text for text in source_strings() if not translations.get(text)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    arguments = parser.parse_args()
    if arguments.check:
        untranslated = missing()
        for text in untranslated:
            print(f"untranslated: {text!r}")
        return 1 if untranslated else 0
    known = read_translations()
    write_translations({text: known.get(text, "") for text in source_strings()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
