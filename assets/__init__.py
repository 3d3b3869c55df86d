"""Data shipped with Medius Coach: the pose model and the exercise texts.

The folder stays at the top of the repository; the build installs it as the package `medius_assets`
(see pyproject.toml), and `app.assets` finds it with importlib.resources, so a wheel, a pipx install and the
standalone bundle read the same files as a checkout.
"""
