"""Loads an original and a protected Keras file in real Keras 3 and compares their predictions.

Usage (inside the venv scripts/kerasVenv.sh makes, with KERAS_BACKEND=numpy):
    python realKeras.py ORIGINAL PROTECTED [ROWS] [SEED]
Prints one JSON object: rows, outputs, maxAbsDiff, maxAbsOriginal, top1Agreement, and the
Keras version. Inputs are seeded uniform values in [-1, 1), predicted in one batch of ROWS
(tiled kernels, the harder case for cancelling weights), as float32.
"""
import json
import sys

import keras
import numpy as np


def main() -> None:
    original_path, protected_path = sys.argv[1], sys.argv[2]
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    original = keras.saving.load_model(original_path, compile=False)
    protected = keras.saving.load_model(protected_path, compile=False)
    inputs = int(original.inputs[0].shape[-1])
    x = np.random.default_rng(seed).uniform(-1, 1, size=(rows, inputs)).astype("float32")
    a = np.asarray(original.predict(x, batch_size=rows, verbose=0), dtype=np.float32).reshape(rows, -1)
    b = np.asarray(protected.predict(x, batch_size=rows, verbose=0), dtype=np.float32).reshape(rows, -1)
    # One output unit (a sigmoid score): the prediction is the side of 0.5, not an arg-max.
    top1 = (a > 0.5) == (b > 0.5) if a.shape[1] == 1 else a.argmax(axis=1) == b.argmax(axis=1)
    print(json.dumps({
        "rows": rows,
        "outputs": int(a.shape[1]),
        "maxAbsDiff": float(np.abs(a - b).max()),
        "maxAbsOriginal": float(np.abs(a).max()),
        "top1Agreement": float(np.mean(top1)),
        "protectedParameters": int(protected.count_params()),
        "originalParameters": int(original.count_params()),
        "keras": keras.__version__,
    }))


if __name__ == "__main__":
    main()
