"""What the analyst reads: help that survives its HTML rendering, help per parameter, tags that
the toolbox search finds, an icon per algorithm."""

import re

import pytest
from qgis.core import QgsApplication

ALGORITHMS = ["geoindicators:overlay", "geoindicators:zonalstats", "geoindicators:interpolate", "geoindicators:earthengine", "geoindicators:h3units",
              "geoindicators:clusterstatus"]


@pytest.mark.parametrize("algorithm_id", ALGORITHMS)
def test_help_renders_and_every_parameter_has_its_own(provider, algorithm_id):
    algorithm = QgsApplication.processingRegistry().algorithmById(algorithm_id)
    text = algorithm.shortHelpString()
    # "<unit ID field>" and "<measure>_<class>" vanished once rendered: only real tags may stand.
    assert not [tag for tag in re.findall(r"</?([^ >/]+)", text) if tag not in ("p", "b", "i", "br")], text
    if algorithm_id not in ("geoindicators:clusterstatus", "geoindicators:h3units"):  # these two compute nothing on a cluster
        assert "Run on" in text and "tcp://host:8786" in text
    assert algorithm.helpUrl() == ""  # no Help button opening a page that does not exist: the help is the dialog's panel
    for parameter in algorithm.parameterDefinitions():
        assert parameter.help(), parameter.name()


@pytest.mark.parametrize(("words", "algorithm_id"), [("land cover", "geoindicators:overlay"), ("burnt area", "geoindicators:overlay"),
                                                      ("dask", "geoindicators:clusterstatus"), ("NDVI", "geoindicators:zonalstats")])
def test_the_toolbox_search_finds_the_algorithms_by_their_tags(provider, words, algorithm_id):
    algorithm = QgsApplication.processingRegistry().algorithmById(algorithm_id)
    assert any(words.lower() in tag.lower() for tag in algorithm.tags())


def test_each_algorithm_has_an_icon_of_its_own(provider):
    icons = {algorithm_id: QgsApplication.processingRegistry().algorithmById(algorithm_id).icon() for algorithm_id in ALGORITHMS}
    assert all(not icon.isNull() for icon in icons.values())
    images = {algorithm_id: icon.pixmap(32, 32).toImage() for algorithm_id, icon in icons.items()}
    assert len({bytes(image.constBits().asarray(image.sizeInBytes())) for image in images.values()}) == len(ALGORITHMS)


def test_the_settings_speak_plainly(provider):
    from processing.core.ProcessingConfig import ProcessingConfig, Setting

    settings = ProcessingConfig.settings
    assert settings["GEOINDICATORS_CONNECT_TIMEOUT"].valuetype == Setting.FLOAT  # 2.5 s is a timeout too
    assert settings["GEOINDICATORS_SCHEDULER"].placeholder == "tcp://host:8786"
    # Empty by default (5 million, shown as the placeholder): the dialog saves every setting on OK,
    # and a saved number would hide GEOINDICATORS_H3_MAX_CELLS from qgis_process runs of this profile.
    limit = settings["GEOINDICATORS_H3_MAX_CELLS"]
    assert limit.valuetype == Setting.STRING and limit.default == "" and limit.placeholder == "5000000"
    assert settings["GEOINDICATORS_PATH_MAPPINGS"].placeholder.startswith("Z:/=/media/commun/")
    assert "chunk" not in settings["GEOINDICATORS_CHUNK_SIZE"].description and "client=cluster" not in settings["GEOINDICATORS_PATH_MAPPINGS"].description
    icon = ProcessingConfig.getGroupIcon("GeoIndicators")
    assert icon.cacheKey() != QgsApplication.getThemeIcon("/processingAlgorithm.svg").cacheKey() and not icon.isNull()


def test_the_metadata_is_real_and_its_changelog_names_every_algorithm(provider):
    """What the plugin repository shows: no placeholder address, a changelog of what is there, and
    qgisMaximumVersion past 4.0 (the repository offers a plugin to QGIS 4 only then)."""
    import configparser
    import os

    metadata = configparser.ConfigParser()
    metadata.read(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "metadata.txt"), encoding="utf-8")
    general = metadata["general"]
    assert not [key for key, value in general.items() if "example." in value or "github.com/geoindicators" in value]
    assert float(general["qgisMaximumVersion"]) >= 4.0 and general["qgisMinimumVersion"] == "3.22"
    changelog = general["changelog"]
    algorithms = [algorithm.id() for algorithm in provider.algorithms() if ":" in algorithm.id() and " " not in algorithm.id()]
    assert len(algorithms) == 6 and all(algorithm_id in changelog for algorithm_id in algorithms), algorithms
    assert changelog.strip().startswith(general["version"])
