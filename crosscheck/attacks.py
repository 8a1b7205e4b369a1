"""Independent cross-check of two attacks of MimosaNet's attack lab: merge and head retraining.

    python3 crosscheck/attacks.py --protected <copy/model.json> --original <model.json> \
        --data <x.npy> --labels <y.npy> [--seeds 0,1,2,3,4] [--noise-seeds 10] [--json]

Python 3 and numpy only, and none of the project's code: the TF.js files are read from the
model.json topology, its weightsManifest and the raw weight shards; the .npy files by numpy. It
does what DESIGN §3/§4 and issue 8 describe, written from that description:

- data split as the tool's lab splits it: the first floor(N/2) rows are the attacker's, the next
  floor(N/2) rows are where every accuracy is measured;
- merge: every ReLU-family hidden unit is scaled to unit norm of (incoming weights, bias), the
  scale moved to its outgoing weights (float64 throughout); units whose normalised incoming
  vectors coincide (max |difference| below MERGE_TOL) are merged, their outgoing weights summed;
  units whose summed outgoing weights are zero relative to the magnitudes summed (below
  DEAD_TOL) are dropped. Reported: layer widths, the accuracy (float64 forward), a worst-case
  float32 error bound turned into the number of evaluation samples whose prediction float32
  rounding could change, the accuracy under 1e-3 multiplicative weight noise w(1+1e-3 eps) on
  every weight and bias (mean, std, min, max over --noise-seeds draws), and the alignment with
  the canonicalised original: units matched by their incoming vectors, max |weight difference|
  over the matched weights, and what the unmatched units (tripwires, their relays) carry;
- head retraining: the layers but the last are frozen, the last is replaced by a fresh one
  (Glorot-uniform weights, zero bias) trained with mean softmax cross-entropy by Adam
  (lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-7, bias correction), batches of 32 drawn without
  replacement from a reshuffled order of the attacker's rows; the attacker keeps the best of the
  snapshots after 300, 1000 and 3000 steps, judged on the evaluation rows (hindsight, as the
  tool's lab does). Run once per --seeds entry on the protected copy and on the original.

Exit 0 with one JSON document on stdout (--json) or a table; exit 2 on unreadable input.
"""
import argparse
import json
import os
import sys
import time

try:
    import numpy as np
except ImportError:  # the caller (test) checks for numpy first and says why it skips
    print("numpy is not installed (python3-numpy)", file=sys.stderr)
    sys.exit(3)

MERGE_TOL = 1e-6  # normalised incoming vectors closer than this (max abs) are one direction
U32 = 2.0 ** -24  # float32 unit roundoff
# |summed outgoing| / sum |outgoing| at or below this: the unit is dead. Each stored float32
# weight is its exact value to a relative 2^-24, so a group whose exact outgoing weights sum to
# zero leaves at most that ratio; twice that is indistinguishable from zero in the file.
DEAD_TOL = 2 * U32
NOISE = 1e-3
HEAD_STEPS = (300, 1000, 3000)
HEAD_LR = 1e-3
BATCH = 32
HOMOGENEOUS = ("relu", "linear", "leakyrelu", "leaky_relu")


# ------------------------------------------------------------------------------------ reading

class Dense:
    """W is [inputs x units] as TF.js stores a Dense kernel."""

    def __init__(self, name, w, b, activation, alpha=None):
        self.name, self.w, self.b, self.activation, self.alpha = name, w, b, activation, alpha


def read_tfjs(path):
    folder = os.path.dirname(os.path.abspath(path))
    doc = json.load(open(path))
    topology = doc["modelTopology"]
    if "model_config" in topology:  # Keras-converter files nest the config once more
        topology = topology["model_config"]
    config = topology["config"]
    layer_specs = config["layers"] if isinstance(config, dict) else config
    arrays = {}
    for group in doc["weightsManifest"]:
        blob = b"".join(open(os.path.join(folder, p), "rb").read() for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            if spec.get("dtype", "float32") != "float32" or "quantization" in spec:
                raise ValueError(f"{path}: weight {spec['name']} is not plain float32")
            count = int(np.prod(spec["shape"])) if spec["shape"] else 1
            arrays[spec["name"]] = np.frombuffer(blob, dtype="<f4", count=count, offset=offset).reshape(spec["shape"])
            offset += 4 * count
        if offset != len(blob):
            raise ValueError(f"{path}: the manifest describes {offset} bytes, the shards hold {len(blob)}")

    def weight(layer, kind):
        hits = [name for name in arrays if name == f"{layer}/{kind}" or name.endswith(f"/{layer}/{kind}")]
        if len(hits) != 1:
            raise ValueError(f"{path}: no single weight {layer}/{kind} in the manifest ({hits})")
        return arrays[hits[0]]

    layers = []
    for spec in layer_specs:
        cls, cfg = spec["class_name"], spec["config"]
        if cls in ("InputLayer", "Dropout"):
            continue
        if cls in ("Activation", "ReLU", "LeakyReLU", "Softmax"):
            if not layers or layers[-1].activation != "linear":
                raise ValueError(f"{path}: activation layer {cfg.get('name')} not right after a linear Dense")
            act = {"ReLU": "relu", "LeakyReLU": "leaky_relu", "Softmax": "softmax"}.get(cls, cfg.get("activation"))
            layers[-1].activation = act
            layers[-1].alpha = cfg.get("alpha", cfg.get("negative_slope"))
            continue
        if cls != "Dense":
            raise ValueError(f"{path}: layer {cls} is outside this cross-check (Dense networks only)")
        w = weight(cfg["name"], "kernel").astype(np.float64)
        b = weight(cfg["name"], "bias").astype(np.float64) if cfg.get("use_bias", True) else np.zeros(w.shape[1])
        layers.append(Dense(cfg["name"], w, b, cfg.get("activation", "linear") or "linear"))
    return layers


def read_data(x_path, y_path):
    x = np.load(x_path).astype(np.float64)
    y = np.load(y_path).astype(np.int64).reshape(-1)
    if x.ndim != 2 or len(x) != len(y):
        raise ValueError(f"{x_path}/{y_path}: shapes {x.shape} and {y.shape} do not fit")
    half = len(x) // 2
    return (x[:half], y[:half]), (x[half:2 * half], y[half:2 * half])


# ------------------------------------------------------------------------------------ forward

def act(layer, z):
    a = layer.activation
    if a == "relu":
        return np.maximum(z, 0)
    if a in ("leaky_relu", "leakyrelu"):
        return np.where(z > 0, z, (0.3 if layer.alpha is None else layer.alpha) * z)
    if a in ("linear", "softmax"):
        return z
    if a == "tanh":
        return np.tanh(z)
    if a == "sigmoid":
        return 1 / (1 + np.exp(-z))
    raise ValueError(f"activation {a} is outside this cross-check")


def logits(layers, x, upto=None):
    """Pre-activation outputs of layer `upto` (default the last); earlier layers activated."""
    last = len(layers) - 1 if upto is None else upto
    h = x
    for l in range(last + 1):
        z = h @ layers[l].w + layers[l].b
        h = z if l == last else act(layers[l], z)
    return h


def features(layers, x):
    """Input of the last layer."""
    h = x
    for layer in layers[:-1]:
        h = act(layer, h @ layer.w + layer.b)
    return h


def accuracy(out, y):
    return float(np.mean(np.argmax(out, axis=1) == y))


def float32_flips(layers, x):
    """Samples whose float64 prediction float32 evaluation could change, from a worst-case bound.

    For each layer, float32 evaluation of z = h W + b in any summation order differs from the
    float64 value by at most |W|^T e + (n+2) u (|h| |W| + |b|): e the error already in h, n the
    fan-in, u = 2^-24 (the weights' own rounding to float32 is inside the (n+2) u term). ReLU
    does not increase it, and a unit whose pre-activation is below -bound outputs an exact 0 in
    float32 too (error 0: silent tripwires stay silent). A sample can change its arg-max only
    when its top-1 margin is at most twice the bound.
    """
    h, e = x, np.zeros_like(x)
    for l, layer in enumerate(layers):
        aw = np.abs(layer.w)
        n = layer.w.shape[0]
        z = h @ layer.w + layer.b
        e = e @ aw + (n + 2) * U32 * (np.abs(h) @ aw + np.abs(layer.b))
        if l < len(layers) - 1:
            if layer.activation == "relu":
                e = np.where(z < -e, 0.0, e)
            elif layer.activation not in ("linear", "leaky_relu", "leakyrelu"):
                e = e * (1.0 if layer.activation == "tanh" else 0.25)  # tanh, sigmoid: Lipschitz 1, 1/4
        h = z if l == len(layers) - 1 else act(layer, z)
    top2 = np.sort(h, axis=1)[:, -2:]
    margin = top2[:, 1] - top2[:, 0]
    return int(np.sum(margin <= 2 * e.max(axis=1))), float(np.max(e))


def noisy(layers, rng):
    out = []
    for layer in layers:
        w = layer.w * (1 + NOISE * rng.standard_normal(layer.w.shape))
        b = layer.b * (1 + NOISE * rng.standard_normal(layer.b.shape))
        out.append(Dense(layer.name, w, b, layer.activation, layer.alpha))
    return out


def noise_accuracy(layers, x, y, seeds):
    values = [accuracy(logits(noisy(layers, np.random.default_rng(1000 + s)), x), y) for s in range(seeds)]
    return {"mean": float(np.mean(values)), "std": float(np.std(values, ddof=1)) if seeds > 1 else 0.0, "min": min(values), "max": max(values), "draws": seeds}


# ------------------------------------------------------------------------------------ merge

def canonical_layer(layer, nxt):
    """Unit incoming norm (weights and bias) for each unit; scale moved to the next layer's rows."""
    norm = np.sqrt(np.sum(layer.w ** 2, axis=0) + layer.b ** 2)
    alive = norm > 0
    w = layer.w[:, alive] / norm[alive]
    b = layer.b[alive] / norm[alive]
    out = nxt.w[alive, :] * norm[alive, None]
    return w, b, out


def groups_of(vectors, tol):
    """Connected components of 'max |difference| <= tol' among the rows of `vectors`.

    Also returns the largest distance inside a group and the smallest between groups, which
    show whether the tolerance sits in a clear gap.
    """
    n = len(vectors)
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    inside, between = 0.0, np.inf
    for i in range(n):
        d = np.max(np.abs(vectors[i + 1:] - vectors[i]), axis=1) if i + 1 < n else np.zeros(0)
        close = d <= tol
        if np.any(close):
            inside = max(inside, float(d[close].max()))
        if np.any(~close):
            between = min(between, float(d[~close].min()))
        for j in np.nonzero(close)[0]:
            a, c = find(i), find(i + 1 + int(j))
            if a != c:
                parent[c] = a
    roots = [find(i) for i in range(n)]
    order = sorted(set(roots), key=roots.index)
    return [[i for i in range(n) if roots[i] == r] for r in order], inside, between


def merge(layers):
    """The merge attack on a copy of `layers`; returns the network and per-layer diagnostics."""
    layers = [Dense(l.name, l.w.copy(), l.b.copy(), l.activation, l.alpha) for l in layers]
    info = []
    for l in range(len(layers) - 1):
        layer, nxt = layers[l], layers[l + 1]
        if layer.activation not in HOMOGENEOUS:
            info.append({"layer": l, "skipped": layer.activation})
            continue
        w, b, out = canonical_layer(layer, nxt)
        vectors = np.concatenate([w.T, b[:, None]], axis=1)
        groups, inside, between = groups_of(vectors, MERGE_TOL)
        summed = np.array([out[g].sum(axis=0) for g in groups])
        magnitude = np.array([np.abs(out[g]).sum(axis=0) for g in groups])
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(magnitude > 0, np.abs(summed) / magnitude, 0.0).max(axis=1)
        keep = ratio > DEAD_TOL
        first = [g[0] for g in groups]
        layer.w = w[:, first][:, keep]
        layer.b = b[first][keep]
        nxt.w = summed[keep]
        info.append({
            "layer": l,
            "unitsBefore": int(vectors.shape[0]),
            "directions": len(groups),
            "dropped": int(np.sum(~keep)),
            "units": int(np.sum(keep)),
            "maxDistanceInsideGroup": inside,
            "minDistanceBetweenGroups": between,
            "largestDroppedRatio": float(ratio[~keep].max()) if np.any(~keep) else None,
            "smallestKeptRatio": float(ratio[keep].min()) if np.any(keep) else None,
        })
    return layers, info


def canonical(layers):
    """Every homogeneous hidden layer at unit incoming norm, nothing merged (for the original)."""
    layers = [Dense(l.name, l.w.copy(), l.b.copy(), l.activation, l.alpha) for l in layers]
    for l in range(len(layers) - 1):
        if layers[l].activation in HOMOGENEOUS:
            layers[l].w, layers[l].b, layers[l + 1].w = canonical_layer(layers[l], layers[l + 1])
    return layers


def align(merged, original):
    """Matches each original hidden unit to the merged unit with the closest incoming vector.

    Layer by layer: the incoming vectors of layer l are compared on the columns of the previous
    layer's matched units (plus the bias); the merged units left over are the extra units (the
    tripwires and their relays). Returns the max |weight difference| over matched weights of
    every layer (the last layer included) and what the extra units carry.
    """
    a, o = canonical(merged), canonical(original)
    rows = np.arange(a[0].w.shape[0])  # inputs: identical
    result = {"layers": []}
    worst = 0.0
    for l in range(len(o)):
        aw = a[l].w[rows, :]  # merged incoming, restricted to matched inputs
        ow = o[l].w
        va = np.concatenate([aw, a[l].b[None, :]], axis=0).T
        vo = np.concatenate([ow, o[l].b[None, :]], axis=0).T
        if l == len(o) - 1:
            match = np.arange(vo.shape[0])  # the outputs are not permuted
        else:
            d = np.max(np.abs(vo[:, None, :] - va[None, :, :]), axis=2)  # [orig x merged]
            match = np.argmin(d, axis=1)
            if len(set(match.tolist())) != len(match):
                result["layers"].append({"layer": l, "error": "two original units matched one merged unit"})
        diff = float(np.max(np.abs(va[match] - vo)))
        extra_in = np.setdiff1d(np.arange(a[l].w.shape[0]), rows)
        # weights from extra (unmatched) inputs into matched units: zero when the extras form a
        # separate path; into the last layer it is the (defused) tripwires' outgoing weight
        leak = float(np.max(np.abs(a[l].w[np.ix_(extra_in, match)]))) if len(extra_in) else 0.0
        extra_units = a[l].w.shape[1] - len(match)
        result["layers"].append({"layer": l, "matched": int(len(match)), "extraUnits": int(extra_units), "maxAbsDiff": diff, "maxWeightFromExtraUnits": leak})
        worst = max(worst, diff)
        rows = match
    result["maxAbsDiff"] = worst
    return result


# ------------------------------------------------------------------------------------ head retraining

def softmax_xent_grad(z, y):
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def head_retrain(layers, attacker, evaluation, seed):
    """Fresh last layer on frozen features; the best of the HEAD_STEPS snapshots on the evaluation rows."""
    (xa, ya), (xe, ye) = attacker, evaluation
    fa, fe = features(layers, xa), features(layers, xe)
    n_in, n_out = layers[-1].w.shape
    rng = np.random.default_rng(seed)
    limit = np.sqrt(6 / (n_in + n_out))
    w = rng.uniform(-limit, limit, (n_in, n_out))
    b = np.zeros(n_out)
    mw, vw, mb, vb = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    beta1, beta2, eps = 0.9, 0.999, 1e-7
    order, cursor = rng.permutation(len(ya)), 0
    batch = min(BATCH, len(ya))
    scores = {}
    for step in range(1, max(HEAD_STEPS) + 1):
        idx = np.empty(batch, dtype=np.int64)
        for k in range(batch):
            if cursor >= len(order):
                order, cursor = rng.permutation(len(ya)), 0
            idx[k] = order[cursor]
            cursor += 1
        h = fa[idx]
        g = softmax_xent_grad(h @ w + b, ya[idx])
        gw, gb = h.T @ g, g.sum(axis=0)
        c1, c2 = 1 - beta1 ** step, 1 - beta2 ** step
        for p, m, v, gr in ((w, mw, vw, gw), (b, mb, vb, gb)):
            m *= beta1
            m += (1 - beta1) * gr
            v *= beta2
            v += (1 - beta2) * gr * gr
            p -= HEAD_LR * (m / c1) / (np.sqrt(v / c2) + eps)
        if step in HEAD_STEPS:
            scores[step] = (accuracy(fe @ w + b, ye), w.copy(), b.copy())
    best = max(HEAD_STEPS, key=lambda s: scores[s][0])  # first of equal scores, as the tool keeps the first
    acc, bw, bb = scores[best]
    net = layers[:-1] + [Dense(layers[-1].name, bw, bb, layers[-1].activation)]
    return {"seed": seed, "accuracy": acc, "steps": best, "perCheckpoint": {str(s): scores[s][0] for s in HEAD_STEPS}}, net


# ------------------------------------------------------------------------------------ main

def run(args):
    protected = read_tfjs(args.protected)
    original = read_tfjs(args.original)
    attacker, evaluation = read_data(args.data, args.labels)
    xe, ye = evaluation
    out = {
        "tool": "crosscheck/attacks.py",
        "numpy": np.__version__,
        "attackerSamples": len(attacker[1]),
        "evaluationSamples": len(ye),
        "widths": {"protected": [int(l.w.shape[1]) for l in protected], "original": [int(l.w.shape[1]) for l in original]},
        "cleanAccuracy": {"protected": accuracy(logits(protected, xe), ye), "original": accuracy(logits(original, xe), ye)},
    }
    started = time.perf_counter()
    merged, info = merge(protected)
    seconds = time.perf_counter() - started
    flips, bound = float32_flips(merged, xe)
    out["merge"] = {
        "widths": [int(l.w.shape[1]) for l in merged],
        "layers": info,
        "accuracy": accuracy(logits(merged, xe), ye),
        "float32": {"samplesThatCouldFlip": flips, "maxLogitErrorBound": bound, "accuracyTolerance": flips / len(ye)},
        "noiseAccuracy": noise_accuracy(merged, xe, ye, args.noise_seeds),
        "alignment": align(merged, original),
        "seconds": seconds,
    }
    merged_original, _ = merge(original)
    out["merge"]["original"] = {"widths": [int(l.w.shape[1]) for l in merged_original], "accuracy": accuracy(logits(merged_original, xe), ye)}
    head = {}
    for name, net in (("protected", protected), ("original", original)):
        runs, noise = [], []
        for seed in args.seeds:
            result, trained = head_retrain(net, attacker, evaluation, seed)
            result["noiseAccuracy"] = noise_accuracy(trained, xe, ye, 3)["mean"] if args.head_noise else None
            runs.append(result)
        accs = [r["accuracy"] for r in runs]
        head[name] = {"runs": runs, "mean": float(np.mean(accs)), "std": float(np.std(accs, ddof=1)) if len(accs) > 1 else 0.0, "min": min(accs), "max": max(accs)}
    out["headRetrain"] = head
    return out


def table(out):
    m = out["merge"]
    lines = [
        f"protected {out['widths']['protected']}  original {out['widths']['original']}  clean accuracy {out['cleanAccuracy']['protected']:.4f} / {out['cleanAccuracy']['original']:.4f}",
        f"merge: widths {m['widths']}, accuracy {m['accuracy']:.4f} (float32 could flip {m['float32']['samplesThatCouldFlip']} samples), "
        f"under 1e-3 noise {m['noiseAccuracy']['mean']:.4f} ± {m['noiseAccuracy']['std']:.4f} ({m['noiseAccuracy']['draws']} draws), "
        f"max |Δw| vs original after alignment {m['alignment']['maxAbsDiff']:.2e}",
    ]
    for name in ("protected", "original"):
        h = out["headRetrain"][name]
        lines.append(f"head retrain on the {name}: mean {h['mean']:.4f}, std {h['std']:.4f}, range {h['min']:.4f}–{h['max']:.4f} over {len(h['runs'])} seeds")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--protected", required=True)
    parser.add_argument("--original", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--labels", required=True)
    parser.add_argument("--seeds", default="0,1,2,3,4", help="head-retraining seeds (comma-separated)")
    parser.add_argument("--noise-seeds", type=int, default=10, help="noise draws for the merged network's noise accuracy")
    parser.add_argument("--head-noise", action="store_true", help="also the retrained network's accuracy under 1e-3 noise")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    try:
        out = run(args)
    except (OSError, ValueError, KeyError) as error:
        print(f"crosscheck: {error}", file=sys.stderr)
        return 2
    print(json.dumps(out, indent=1) if args.json else table(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
