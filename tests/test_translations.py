"""Every user-facing string has a French translation, and the plugin loads it for a French QGIS."""

import os
import subprocess
import sys

from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QCoreApplication

from tests.conftest import ROOT


def test_every_tr_string_has_a_french_translation():
    checked = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "translations.py"), "--check"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout


def test_french_locale_translates_the_algorithm(qgis_app):
    from geoindicators.processing_provider.i18n import install_translator, tr
    from geoindicators.processing_provider.algorithms.overlay import OverlayAlgorithm

    settings = QgsSettings()
    previous = settings.value("locale/userLocale", "")
    settings.setValue("locale/userLocale", "fr_FR")
    translator = install_translator()
    try:
        assert translator is not None
        assert OverlayAlgorithm().displayName() == "Indicateur de superposition"
        assert tr("{count} units of '{layer}' have no geometry: their measures are 0.", count=3, layer="communes") == (
            "3 unités de « communes » n'ont pas de géométrie : leurs mesures valent 0."
        )
    finally:
        if translator is not None:
            QCoreApplication.removeTranslator(translator)
        settings.setValue("locale/userLocale", previous)
    assert OverlayAlgorithm().displayName() == "Overlay indicator"
