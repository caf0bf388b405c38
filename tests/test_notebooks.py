"""Every notebook in notebooks/ runs top to bottom without an error."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from ecgtoolkit.databases import data_dir

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path):
    notebook = nbformat.read(path, as_version=4)
    if notebook.metadata.get("ecgtoolkit", {}).get("needs_data") and data_dir() is None:
        pytest.skip(f"{path.name} reads the shared ECG data: set ECGTOOLKIT_DATA")
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    code = [c for c in notebook.cells if c.cell_type == "code"]
    # Every code cell ran, in order, once (a skipped or re-run cell would break this) ...
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    # ... and none printed a warning a reader would see (deprecations, runtime warnings).
    warned = [
        (i, o.text.strip().splitlines()[0])
        for i, c in enumerate(code)
        for o in c.get("outputs", [])
        if o.output_type == "stream" and o.name == "stderr" and "Warning" in o.text
    ]
    assert not warned
