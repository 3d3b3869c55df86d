"""The layering rules of architecture.md, checked by import-linter (contracts live in pyproject.toml)."""

import shutil
import subprocess
import sys

from medius_testdata import REPO


def test_import_contracts_hold():
    exe = shutil.which("lint-imports") or str(__import__("pathlib").Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([exe, "--config", str(REPO / "pyproject.toml")], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.split("Contracts:")[-1].split("\n")[0] or " 0 broken" in result.stdout


def test_every_python_package_on_disk_is_in_the_wheel():
    """pyproject lists the packages by hand (assets/ is mapped to medius_assets); a new subpackage left out of
    the list would be missing from every installed copy while the editable checkout still worked."""
    import tomllib

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(REPO).parts) for top in ("app", "ui")
               for p in (REPO / top).rglob("__init__.py")}
    assert on_disk | {"medius_assets"} == listed
