#!/usr/bin/env bash
# Creates the Python virtual environment the Keras interoperability test loads written files in
# (test/unit/formats/keras/realKeras.test.ts): real Keras 3 on its numpy backend, with h5py.
# No TensorFlow: KERAS_BACKEND=numpy runs inference without it (that backend imports scipy, and jax for a few kernels: the CPU wheel). Idempotent; the test skips with
# a visible reason when the environment is missing. Usage: scripts/kerasVenv.sh [folder]
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${1:-${MIMOSANET_KERAS_VENV:-.venv-keras}}"
if [ -x "$VENV/bin/python" ] && KERAS_BACKEND=numpy "$VENV/bin/python" -c 'import keras, h5py, numpy' 2>/dev/null; then
  echo "keras venv ready: $VENV"
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check 'keras>=3,<4' h5py numpy scipy jax
KERAS_BACKEND=numpy "$VENV/bin/python" -c 'import keras, h5py, numpy; print("keras venv ready:", keras.__version__, "h5py", h5py.__version__, "numpy", numpy.__version__)'
