"""Settings file: defaults, round trip, malformed files and clamping, all under a temporary config dir."""

import json

import pytest

from app.settings import RANGES, SETTINGS_VERSION, Settings, load_settings, save_settings, settings_path


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIUS_CONFIG_DIR", str(tmp_path / "cfg"))
    return tmp_path / "cfg"


def test_missing_file_gives_defaults(config_dir):
    result = load_settings()
    assert result.settings == Settings() and result.warnings == ()
    assert result.path == config_dir / "settings.json"


def test_round_trip_is_versioned(config_dir):
    s = Settings(camera_index=2, mirror=False, sound=False, ceiling_deg=35.0, plan={"blocks": []})
    path = save_settings(s)
    assert path == settings_path()
    assert json.loads(path.read_text())["version"] == SETTINGS_VERSION
    assert load_settings().settings == s


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", "\xff\xfe"])
def test_malformed_file_gives_defaults_and_a_clear_message(config_dir, text):
    config_dir.mkdir(parents=True)
    (config_dir / "settings.json").write_text(text, encoding="latin-1")
    result = load_settings()
    assert result.settings == Settings()
    assert len(result.warnings) == 1 and "using the default settings" in result.warnings[0]


def test_out_of_range_values_are_clamped_with_a_warning(config_dir):
    config_dir.mkdir(parents=True)
    (config_dir / "settings.json").write_text(json.dumps(
        {"version": 1, "ceiling_deg": 200, "pelvic_drop_tol_deg": -3, "camera_index": 99, "mirror": "yes",
         "rest_s": "long", "future_key": 1}
    ))
    result = load_settings()
    s = result.settings
    assert s.ceiling_deg == RANGES["ceiling_deg"][1] and s.pelvic_drop_tol_deg == RANGES["pelvic_drop_tol_deg"][0]
    assert s.camera_index == 16
    assert s.mirror is True and s.rest_s == 60.0
    assert len(result.warnings) == 5
    assert Settings().ceiling_deg is None  # None = the engine's default until a therapist sets it
    assert any("ceiling_deg" in w and "200" in w for w in result.warnings)
