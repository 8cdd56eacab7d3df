#!/usr/bin/env bash
# Gradescope autograder: setup.sh
#
# Gradescope runs this once, as root, while it builds the autograder's Docker
# image (Ubuntu), with the autograder zip unpacked in /autograder/source.
# It installs what grading needs (requirements.txt: NumPy, nbformat, nbconvert,
# PyYAML, Jinja2, tqdm, nh3, mistune; no TensorFlow) into a virtual environment beside
# the sources, so the system Python is left alone (PEP 668 on recent Ubuntu).
set -euo pipefail
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$SOURCE"

if ! command -v python3 >/dev/null || ! python3 -c "import venv, ensurepip" 2>/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends python3 python3-venv python3-pip >/dev/null
fi

python3 -m venv "$SOURCE/.venv"
"$SOURCE/.venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$SOURCE/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt

# Fail the image build now, not the first student's run, if the rubric or its fixtures are broken.
"$SOURCE/.venv/bin/python" - <<'PY'
from grader.commands import DEFAULT_RUBRIC, load_context
context = load_context(DEFAULT_RUBRIC)
print(f"rubric {context.rubric.name}: {len(context.rubric.cases)} cases, "
      f"{context.rubric.max_points:g} points; fixtures loaded")
PY
