"""Sphinx configuration: the API reference, built from the docstrings, offline.

``make docs`` builds it into ``docs/_build/html`` and fails on any warning.
"""

from importlib.metadata import version as _version

project = "ecgtoolkit"
author = "ecgtoolkit developers"
copyright = "2026, ecgtoolkit developers"  # noqa: A001 - Sphinx's name
release = _version("ecgtoolkit")

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
autosummary_generate = True
# Each object is documented once, in the module that defines it; the flat API and the
# subpackages' __init__ link there.
autodoc_default_options = {"members": True, "ignore-module-all": True}
autodoc_typehints = "none"  # the numpydoc sections give the types
autodoc_member_order = "bysource"
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
# Parameter types as written ("path", "ECG", "array_like"), not cross-references: the
# same short names would resolve to several targets.
napoleon_use_param = False
napoleon_use_keyword = False
# Offline: no intersphinx; names of other projects stay plain text.
nitpicky = False
suppress_warnings = ["myst.header"]
html_theme = "alabaster"
html_static_path: list[str] = []
