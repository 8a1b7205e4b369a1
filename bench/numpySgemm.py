"""Independent field check: run an original and a protected TF.js dense ReLU model in numpy
(float32 sgemm through OpenBLAS or whatever BLAS numpy links) at several batch sizes.

    python3 bench/numpySgemm.py <original-folder> <protected-folder> <eval-x.npy>

Not part of the test suite (numpy is not a dependency); used to check the emulated worst case
against a real blocked GEMM. Assumes Dense layers with ReLU between them and weights listed
kernel, bias per layer, as MimosaNet writes and the Keras converter does.
"""
import json, sys, numpy as np
def load(d):
    j = json.load(open(f"{d}/model.json"))
    data = b"".join(open(f"{d}/{p}", "rb").read() for g in j["weightsManifest"] for p in g["paths"])
    specs = [w for g in j["weightsManifest"] for w in g["weights"]]
    arrs, off = {}, 0
    for w in specs:
        n = int(np.prod(w["shape"])); arrs[w["name"]] = np.frombuffer(data, np.float32, n, off).reshape(w["shape"]); off += 4 * n
    names = list(arrs)
    layers = [(arrs[names[i]], arrs[names[i+1]]) for i in range(0, len(names), 2)]
    return layers
def fwd(layers, x):
    h = x
    for i, (W, b) in enumerate(layers):
        h = h @ W + b
        if i < len(layers) - 1: h = np.maximum(h, 0)
    return h
orig, prot = load(sys.argv[1]), load(sys.argv[2])
x = np.load(sys.argv[3]).astype(np.float32)
for batch in [1, 32, 256, 2000]:
    n = 200 if batch == 1 else 2000
    o = np.concatenate([fwd(orig, x[i:i+batch]) for i in range(0, n, batch)])
    p = np.concatenate([fwd(prot, x[i:i+batch]) for i in range(0, n, batch)])
    rel = np.abs(p - o).max() / np.abs(o).max()
    print(f"batch {batch}: relDiff {rel:.2e}, top-1 {np.mean(o.argmax(1) == p.argmax(1)):.4f}, max|w| {max(np.abs(W).max() for W, _ in prot):.2e}")
