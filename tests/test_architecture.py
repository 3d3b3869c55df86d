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
