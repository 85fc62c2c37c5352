"""costplane ships compiled: the Lambda layer `sam build` makes (BuildMethod: makefile, the
target in shared/Makefile) holds bytecode Python loads without looking at the sources, and the
image functions compile theirs when the image is built. Lambda's file system is read-only, so
without it every cold start would compile costplane again.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.functions.aws.sam_template import resource

REPO = Path(__file__).resolve().parents[2]
UNCHECKED_HASH = 0b01  # PEP 552: hash-based, source not checked


@pytest.fixture(scope="module")
def layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    artifacts = tmp_path_factory.mktemp("layer")
    subprocess.run(
        ["make", "-s", "-C", str(REPO / "shared"), "build-CostplaneLayer"],
        env={**os.environ, "ARTIFACTS_DIR": str(artifacts), "PYTHON": sys.executable},
        check=True,
    )
    return artifacts / "python"


def test_the_template_builds_the_layer_with_the_makefile_target():
    layer = resource("CostplaneLayer")

    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert "build-CostplaneLayer:" in (REPO / "shared" / "Makefile").read_text()


def test_every_module_of_the_layer_has_bytecode_checked_by_hash_not_time(layer):
    modules = list((layer / "costplane").rglob("*.py"))

    flags = {
        int.from_bytes(Path(importlib.util.cache_from_source(str(m))).read_bytes()[4:8], "little")
        for m in modules
    }
    assert len(modules) > 100
    assert flags == {UNCHECKED_HASH}


def test_the_layer_runs_from_its_bytecode_whatever_its_sources_say(layer):
    source = layer / "costplane" / "bootstrap.py"
    source.write_text('raise ImportError("compiled from source")\n')
    os.utime(source, (0, 0))

    done = subprocess.run(
        [sys.executable, "-c", "import costplane.bootstrap as b; print(b.__file__)"],
        env={**os.environ, "PYTHONPATH": str(layer)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(source)


@pytest.mark.parametrize("function", ["cost_ingest", "policy_runner"])
def test_an_image_function_compiles_costplane_bytecode_when_the_image_is_built(function):
    steps = (REPO / "functions" / "aws" / function / "Dockerfile").read_text().splitlines()
    copy = steps.index("COPY shared/costplane ${LAMBDA_TASK_ROOT}/costplane")

    compile_step = next(s for s in steps[copy:] if s.startswith("RUN python -m compileall"))
    assert "--invalidation-mode unchecked-hash ${LAMBDA_TASK_ROOT}/costplane" in compile_step
