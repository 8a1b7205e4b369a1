"""numpy reference of `npm run bench`: the same passes as the TypeScript workloads, in float32
numpy (BLAS sgemm), so the bench can say how far each compute backend is from numpy.

    python3 bench/reference.py info                     -> JSON: python, numpy and BLAS versions
    python3 bench/reference.py run <spec.json> <out.json> -> times one workload, writes JSON

Python 3 and numpy only. Without numpy it still exits 0 and answers {"status": "unavailable"}:
the bench then prints "numpy not available" and omits ratios. Threads are the caller's choice
(OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS in the environment).

The TypeScript side writes the networks (bench/numpyFiles.ts: network.json + raw float32
weights, [units x inputs] as MimosaNet stores them) and the plan: for the sweep and the protect
job, a report.json (the protect job's own, or one shaped like it), read here for kinds,
magnitudes, repeats, sample counts, fine-tuning steps, learning rates and batch size, so the two
sides never drift. What the perturbation kinds do mirrors src/core/perturbations/.
"""
import json
import math
import os
import platform
import re
import resource
import sys
import time

try:
    import numpy as np
except ImportError as error:  # the bench must run without numpy
    np = None
    NUMPY_ERROR = str(error)

F32 = None if np is None else np.float32
if np is not None:
    np.seterr(all="ignore")  # noise sweeps overflow on purpose at their largest magnitudes


# ---------------------------------------------------------------------------- networks and data

class Layer:
    """One dense layer: w is [inputs x units] (transposed from the stored [units x inputs])."""

    def __init__(self, w, b, activation, inserted=False):
        self.w, self.b, self.activation, self.inserted = w, b, activation, inserted

    def copy(self, w=None, b=None):
        return Layer(self.w.copy() if w is None else w, self.b.copy() if b is None else b, self.activation, self.inserted)


def load_network(folder):
    meta = json.load(open(os.path.join(folder, "network.json")))
    layers = []
    for spec in meta["layers"]:
        w = np.fromfile(os.path.join(folder, spec["weights"]), dtype="<f4").reshape(spec["units"], spec["inputs"])
        b = np.fromfile(os.path.join(folder, spec["bias"]), dtype="<f4")
        layers.append(Layer(np.ascontiguousarray(w.T), b, spec["activation"], spec.get("inserted", False)))
    return layers


def activate(activation, z):
    if activation == "relu":
        return np.maximum(z, 0, out=z)
    if activation in ("linear", "softmax"):  # softmax only on the last layer: argmax and logits need none
        return z
    if activation == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if activation == "tanh":
        return np.tanh(z)
    raise ValueError(f"activation {activation} is not in the numpy reference")


def forward(layers, x, start=0, dtype=None):
    """Logits of layers[start:] on x (float32 unless dtype says otherwise)."""
    h = x if dtype is None else x.astype(dtype)
    for l in range(start, len(layers)):
        layer = layers[l]
        w = layer.w if dtype is None else layer.w.astype(dtype)
        h = h @ w
        h += layer.b
        if l < len(layers) - 1:
            h = activate(layer.activation, h)
    return h


def forward_batched(layers, x, batch):
    return np.concatenate([forward(layers, x[i:i + batch]) for i in range(0, len(x), batch)])


def layer_inputs(layers, x):
    inputs = [x]
    for l in range(len(layers) - 1):
        z = inputs[-1] @ layers[l].w
        z += layers[l].b
        inputs.append(activate(layers[l].activation, z))
    return inputs


def accuracy(logits, labels):
    return float(np.mean(np.argmax(logits, axis=1) == labels))


def tiled(x, rows):
    reps = -(-rows // len(x))
    return np.ascontiguousarray(np.tile(x, (reps, 1))[:rows])


# ---------------------------------------------------------------------------- perturbations

def multiplicative(layers, s, noise):
    return [layer.copy(layer.w * (1 + s * nw), layer.b * (1 + s * nb)) for layer, (nw, nb) in zip(layers, noise)]


def layer_std(layers):
    return [float(np.std(layer.w, dtype=np.float64)) for layer in layers]


def additive_units(original, layers):
    """additiveUnits: the original's layer std, a construction's inserted layer its own."""
    own, orig, units, nxt = layer_std(layers), layer_std(original), [], 0
    for l, layer in enumerate(layers):
        if layer.inserted or nxt >= len(orig):
            units.append(own[l])
        else:
            units.append(orig[nxt])
            nxt += 1
    return units


def additive(layers, s, noise, stds):
    return [layer.copy(layer.w + F32(s * sd) * nw, layer.b + F32(s * sd) * nb) for layer, (nw, nb), sd in zip(layers, noise, stds)]


def draw_noise(layers, rng):
    return [(rng.standard_normal(layer.w.shape, dtype=np.float32), rng.standard_normal(layer.b.shape, dtype=np.float32)) for layer in layers]


def float16(layers):
    return [layer.copy(layer.w.astype(np.float16).astype(np.float32), layer.b.astype(np.float16).astype(np.float32)) for layer in layers]


def int8(layers):
    out = []
    for layer in layers:
        scale = np.abs(layer.w).max() / 127
        w = layer.w if scale == 0 else np.clip(np.round(layer.w / scale), -127, 127).astype(np.float32) * scale
        out.append(layer.copy(w.astype(np.float32)))
    return out


def prune(layers, percent):
    out = []
    for layer in layers:
        w = layer.w.copy()
        flat = w.reshape(-1)
        nonzero = np.flatnonzero(flat)
        count = int(len(nonzero) * percent // 100)
        if count > 0:
            flat[nonzero[np.argpartition(np.abs(flat[nonzero]), count - 1)[:count]]] = 0
        out.append(layer.copy(w))
    return out


def random_nonzero_weight(layers, rng):
    sizes = [layer.w.size for layer in layers]
    total = sum(sizes)
    for _ in range(10000):
        k = int(rng.integers(total))
        for l, size in enumerate(sizes):
            if k < size:
                if layers[l].w.reshape(-1)[k] != 0:
                    return l, k
                break
            k -= size
    raise ValueError("no nonzero weights")


def single_edit_logits(layers, inputs, position, s):
    """Logits with one weight x (1 + s), recomputing only the edited unit, then the layers above."""
    l, k = position
    layer = layers[l]
    i, j = divmod(k, layer.w.shape[1])  # w is [inputs x units]: flat index of the transposed copy
    if not inputs[l][:, i].any():
        return None
    column = inputs[l] @ layer.w[:, j] + layer.b[j] + inputs[l][:, i] * (layer.w[i, j] * F32(s))
    if l == len(layers) - 1:
        out = forward(layers, inputs[l], start=l)
        out[:, j] = column
        return out
    h = inputs[l + 1].copy()
    h[:, j] = activate(layer.activation, column)
    return forward(layers, h, start=l + 1)


# ---------------------------------------------------------------------------- fine-tuning

def fine_tune(layers, x, labels, checkpoints, optimizer, lr, batch, rng):
    """Minibatch cross-entropy training (Adam as Keras: beta 0.9/0.999, eps 1e-7); snapshots at checkpoints."""
    net = [layer.copy() for layer in layers]
    state = [[np.zeros_like(p) for p in (layer.w, layer.b, layer.w, layer.b)] for layer in net]
    rows, batch = len(x), min(batch, len(x))
    order, cursor, snapshots = rng.permutation(rows), 0, []
    wanted = set(checkpoints)
    for step in range(1, max(checkpoints) + 1):
        idx = np.empty(batch, dtype=np.int64)
        for b in range(batch):
            if cursor >= rows:
                order, cursor = rng.permutation(rows), 0
            idx[b] = order[cursor]
            cursor += 1
        grads = gradients(net, x[idx], labels[idx])
        for layer, st, (gw, gb) in zip(net, state, grads):
            update(layer.w, gw, st[0], st[2], step, optimizer, lr)
            update(layer.b, gb, st[1], st[3], step, optimizer, lr)
        if step in wanted:
            snapshots.append([layer.copy() for layer in net])
    return snapshots


def gradients(net, x, labels):
    acts, pre = [x], []
    for l, layer in enumerate(net):
        z = acts[-1] @ layer.w + layer.b
        pre.append(z)
        if l < len(net) - 1:
            acts.append(activate(layer.activation, z.copy()))
    z = pre[-1]
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(labels)), labels] -= 1
    delta = p / len(labels)
    grads = [None] * len(net)
    for l in range(len(net) - 1, -1, -1):
        grads[l] = (acts[l].T @ delta, delta.sum(axis=0))
        if l > 0:
            if net[l - 1].activation != "relu":
                raise ValueError("the numpy fine-tuning reference handles ReLU hidden layers")
            delta = (delta @ net[l].w.T) * (pre[l - 1] > 0)
    return grads


def update(param, grad, m, v, step, optimizer, lr):
    if optimizer == "sgd":
        param -= F32(lr) * grad
        return
    m *= 0.9
    m += 0.1 * grad
    v *= 0.999
    v += 0.001 * grad * grad
    param -= (F32(lr) * (m / F32(1 - 0.9 ** step))) / (np.sqrt(v / F32(1 - 0.999 ** step)) + F32(1e-7))


FINE_TUNE_NOTES = re.compile(r"^(\w+) at lr ([0-9.eE+\-, ]+), batch (\d+)")


def fine_tune_plan(kind):
    """Optimiser, learning rates and batch size from the kind's notes ("Adam at lr 0.0001, 0.001, batch 32, ...")."""
    match = FINE_TUNE_NOTES.match(kind.get("notes", ""))
    if not match:
        raise ValueError(f"cannot read learning rates and batch size of {kind['kind']} from its notes: {kind.get('notes')!r}")
    return {"optimizer": match.group(1).lower(), "rates": [float(r) for r in match.group(2).split(",")], "batch": int(match.group(3))}


# ---------------------------------------------------------------------------- sweeps

def noise_sweep(network, mags, repeats, clean, perturb, evaluate, rng, at_chance):
    """seededSweep with stopAtChance: one draw per repeat over the grid; a repeat stops after sitting at chance for two magnitudes."""
    for _ in range(repeats):
        noise, streak = draw_noise(network, rng), 0
        for s in mags:
            if streak >= 2:
                break
            streak = streak + 1 if at_chance(evaluate(perturb(s, noise)), clean) else 0


def sweep_kind(kind, original, network, x, labels, rng, constants):
    """One kind on one network, as src/core/perturbations/<kind>.ts sweeps it; returns the clean metric."""
    name, mags, repeats = kind["kind"], kind["magnitudes"], kind["repeats"]
    metric = lambda layers: accuracy(forward(layers, x), labels)
    if name.startswith("finetune-"):
        plan = fine_tune_plan(kind)
        half = len(x) // 2
        for lr in plan["rates"]:
            for snap in fine_tune(network, x[:half], labels[:half], mags, plan["optimizer"], lr, plan["batch"], rng):
                accuracy(forward(snap, x[half:]), labels[half:])
        return accuracy(forward(network, x[half:]), labels[half:])
    clean = metric(network)
    if name in ("multiplicative", "additive"):
        stds = additive_units(original, network) if name == "additive" else None
        perturb = (lambda s, noise: multiplicative(network, s, noise)) if stds is None else (lambda s, noise: additive(network, s, noise, stds))
        width = network[-1].w.shape[1]
        chance = 1 / (2 if width == 1 else width)
        at_chance = lambda m, clean_: m <= chance + constants["atChanceShare"] * (clean_ - chance)
        noise_sweep(network, mags, repeats, clean, perturb, metric, rng, at_chance)
    elif name == "float16":
        metric(float16(network))
    elif name == "int8":
        metric(int8(network))
    elif name == "prune":
        for percent in mags:
            metric(prune(network, percent))
    elif name == "single-edit":
        inputs = layer_inputs(network, x)
        for _ in range(repeats):
            position = random_nonzero_weight(network, rng)
            for s in mags:
                out = single_edit_logits(network, inputs, position, s)
                if out is not None:
                    accuracy(out, labels)
    else:
        raise ValueError(f"perturbation kind {name} is not in the numpy reference")
    return clean


def sweep(fragility, original, protected, x_all, y_all, constants):
    """Every kind of the report's fragility section, on the original then the protected network."""
    rows = fragility["samples"]
    x, labels = x_all[:rows], y_all[:rows]
    rng = np.random.default_rng(constants["seed"])
    checks = {}
    for kind in fragility["kinds"]:
        checks[kind["kind"]] = [round(sweep_kind(kind, original, net, x, labels, rng, constants), 4) for net in (original, protected)]
    return checks


# ---------------------------------------------------------------------------- the protect job's other passes

def error_bound(layers, x):
    """forwardErrorBound's passes: an exact (float64) forward, then |W| carried through every layer."""
    h, e = x.astype(np.float64), np.zeros(x.shape, dtype=np.float64)
    for l, layer in enumerate(layers):
        a = np.abs(layer.w).astype(np.float64)
        z = h @ layer.w.astype(np.float64) + layer.b
        e = e @ a + 1e-7 * ((np.abs(h) + e) @ a + np.abs(layer.b))
        h = z if l == len(layers) - 1 else activate(layer.activation, z)
    return e.max()


def exact_and_bounds(layers, x):
    """The exact (float64) outputs and the deterministic and probabilistic bounds on them."""
    forward(layers, x, dtype=np.float64)
    error_bound(layers, x)
    error_bound(layers, x)


def protect_passes(report, spec, original, protected, x_all, y_all):
    """The compute passes of one protect job as its report records them (src/engine/protect/*.ts).

    Calibration: the original in the reference runtime (`equivalence.samples` rows at the runtime
    matrix's large batch) and in the compute engine (`construction.search.samples` rows); each
    search trial in the engine, then, when it passed there, the emulated orders' quick screen
    (`screenSamples` rows); the full emulation (`emulatedSamples` rows) of the chosen copy; one
    runtime matrix per step-down and the final one. Real-runtime predictions are memoised by the
    job (the original's once per runtime and batch, its large-batch row is the reference logits,
    the headline check is the protected large-batch row again). Equivalence: the bounds and the
    float64 comparison on the emulated rows; each trade-off row's emulation and bound on its own
    `samples` and its one-repeat multiplicative sweep. Then the fragility sweep.

    Every candidate is run as the chosen protected network (the same shapes, give or take the
    tripwire units the trade-off leaves out), and one emulated kernel order is one float32
    forward pass here. Reports before 0.3 (no `construction.search`) ran trials in the reference
    runtime on every row with the full emulation; they are read that way.
    """
    c = spec["constants"]
    equivalence = report["equivalence"]
    x = x_all[:equivalence.get("samples", report["data"]["samples"])]
    construction = report["construction"]
    search = construction.get("search")
    field = equivalence["field"]
    assignments = len(field["emulated"]["results"])
    xe = x_all[:field["emulated"]["samples"]]
    xs = x_all[:search["screenSamples"]] if search else xe
    runtimes = field["runtimes"]
    large = max(row["batch"] for row in runtimes)
    emulate = lambda layers, rows: [forward(layers, rows) for _ in range(assignments)]
    predicted = set()
    # CPU seconds of the passes that stand for the job's real-runtime predictions (the reference
    # logits and the runtime matrix rows): the bench counts them apart too.
    in_runtimes = [0.0]

    def runtime_matrix():
        started = time.process_time()
        for row in runtimes:
            key = (row["runtime"], row["batch"])
            if key not in predicted and not (row["runtime"] == equivalence["runtime"] and row["batch"] == large):
                forward_batched(original, x_all[:row["samples"]], row["batch"])
            predicted.add(key)
            forward_batched(protected, x_all[:row["samples"]], row["batch"])
        in_runtimes[0] += time.process_time() - started

    started = time.process_time()
    forward_batched(original, x, large)
    in_runtimes[0] += time.process_time() - started
    if search:
        forward(original, x_all[:search["samples"]])
        emulate(original, xs)
    emulate(original, xe)
    for trial in construction["amplitudeSearch"]:
        if "failedIn" in trial:
            runtime_matrix()
            continue
        if search:
            forward(protected, x_all[:search["samples"]])
        else:
            forward_batched(protected, x, large)
        if "emulatedRelDiff" in trial:
            emulate(protected, xs)
    if search:
        emulate(protected, xe)
    runtime_matrix()
    exact_and_bounds(original, xe)
    exact_and_bounds(protected, xe)
    trade = {"samples": min(len(y_all), c["tradeOffSamples"]), "kinds": [{"kind": "multiplicative", "magnitudes": c["tradeOffMagnitudes"], "repeats": 1}]}
    for i, row in enumerate(construction.get("tradeOff", [])):
        xt = x_all[:row.get("samples", len(xe))]
        if i == 0:
            emulate(original, xt)
            exact_and_bounds(original, xt)
        emulate(protected, xt)
        sweep(trade, original, protected, x_all, y_all, c)
        exact_and_bounds(protected, xt)
    forward(protected, xe, dtype=np.float64)
    return sweep(report["fragility"], original, protected, x_all, y_all, c), in_runtimes[0]


# ---------------------------------------------------------------------------- workloads

def workload(spec):
    """The timed function of a workload and the FLOPs of one run (None when not a forward pass)."""
    x_all = np.load(spec["x"]).astype(np.float32)
    x_all = x_all.reshape(len(x_all), -1)
    if spec["workload"].startswith("forward-"):
        layers = load_network(spec["network"])
        x = tiled(x_all, spec["rows"])
        flops = 2 * spec["rows"] * sum(layer.w.size for layer in layers)
        return (lambda: forward(layers, x)), flops
    y_all = np.load(spec["y"]).astype(np.int64).reshape(-1)
    original, protected = load_network(spec["original"]), load_network(spec["protected"])
    report = json.load(open(spec["report"]))
    if spec["workload"] == "sweep":
        return (lambda: sweep(report["fragility"], original, protected, x_all, y_all, spec["constants"])), None
    return (lambda: protect_passes(report, spec, original, protected, x_all, y_all)), None


def run(spec_path, out_path):
    spec = json.load(open(spec_path))
    timed, flops = workload(spec)
    if spec.get("warmup"):
        timed()
    seconds, cpu, checks, in_runtimes = [], [], None, []
    for i in range(spec["runs"]):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        result = timed()
        seconds.append(time.perf_counter() - wall0)
        cpu.append(time.process_time() - cpu0)
        if isinstance(result, tuple):  # the protect job: (checks, CPU seconds standing for the real runtimes)
            result, spent = result
            in_runtimes.append(spent)
        checks = result if isinstance(result, dict) else checks
        print(f"  numpy {spec['workload']} (BLAS threads: {threads()}) run {i + 1}/{spec['runs']}: {seconds[-1]:.3f} s", file=sys.stderr)
    # ru_maxrss is in kilobytes on Linux.
    out = {"status": "ok", "seconds": seconds, "cpuSeconds": cpu, "maxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "flops": flops, "checks": checks}
    if in_runtimes:
        out["runtimeSeconds"] = in_runtimes
    json.dump(out, open(out_path, "w"))


def threads():
    return os.environ.get("OPENBLAS_NUM_THREADS", "default")


def blas():
    try:
        config = np.show_config(mode="dicts")
        lib = config["Build Dependencies"]["blas"]
        name = f"{lib.get('name', '?')} {lib.get('version', '')}".strip()
    except Exception:  # numpy < 1.25 has no mode="dicts"
        name = "unknown BLAS"
    return f"{name}, {kernel()} kernel"


def kernel():
    """The kernel OpenBLAS picked (OPENBLAS_CORETYPE can pin an older one: the bench clears it)."""
    try:
        import threadpoolctl
        found = [i.get("architecture") for i in threadpoolctl.threadpool_info() if i.get("internal_api") == "openblas"]
        return found[0] if found and found[0] else "unknown"
    except ImportError:
        return "unknown (pip install threadpoolctl shows it)"


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else "info"
    if np is None:
        answer = json.dumps({"status": "unavailable", "reason": f"numpy not available ({NUMPY_ERROR})", "python": platform.python_version()})
        if command == "run" and len(sys.argv) > 3:
            open(sys.argv[3], "w").write(answer)
        print(answer)
        return
    if command == "info":
        print(json.dumps({"status": "ok", "python": platform.python_version(), "numpy": np.__version__, "blas": blas()}))
    elif command == "run":
        run(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"usage: {sys.argv[0]} info | run <spec.json> <out.json>")


if __name__ == "__main__":
    main()
