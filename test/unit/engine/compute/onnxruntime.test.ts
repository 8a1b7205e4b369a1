import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { ACTIVATIONS, type Activation } from '../../../../src/core/activations';
import type { OptimizerName } from '../../../../src/core/compute';
import { jsCompute } from '../../../../src/core/jsCompute';
import { cloneNetwork, type DenseNetwork } from '../../../../src/core/network';
import { Rng } from '../../../../src/core/rng';
import { createOnnxRuntimeCompute, type OnnxRuntimeCompute } from '../../../../src/engine/compute/onnxruntime/backend';
import { UNROLL_MAX_PARAMETERS, UNROLLED_STEPS } from '../../../../src/engine/compute/onnxruntime/trainer';
import { randomInputs, randomNetwork } from '../../helpers/randomNetwork';

/**
 * The onnxruntime engine against the float64 JavaScript reference (jsCompute). Tolerances are
 * relative to the largest reference value: relDiff = max|Δ| / max|reference|; each test reports
 * the largest it saw as a diagnostic.
 *
 * Measured (onnxruntime-node 1.30.0, linux-x64, 1 thread): forward, logits and layer inputs
 * ≤ 4e-6 (weights 2.5× Glorot, inputs in [−2, 2]; float32 rounding); after 300 minibatch steps
 * (batch 32 of 256 rows) the trained networks' logits ≤ 1.3e-6 for Adam at lr 1e-3 and
 * ≤ 4e-7 for SGD at lr 1e-2, every hidden activation. Held to 1e-5 and 1e-4.
 *
 * The training runs use Glorot weights and these learning rates on purpose: when a kinked
 * activation (relu6, leaky relu) meets a pre-activation within float32 rounding of its kink,
 * float32 and float64 take different branches and the runs part for good. Measured: Adam at
 * lr 1e-2, a leaky-relu unit with |z| = 2e-6 at step 209 took the logits 6e-2 apart; with 1.5×
 * Glorot weights relu6 ended 7e-5 apart. A 1-ulp change of the start weights moves the float64
 * reference itself by up to 3e-2 in such runs: the conditioning of the problem, not an error.
 */

const FORWARD_TOLERANCE = 1e-5;
const TRAINING_TOLERANCE = 1e-4;

function relDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length, 'lengths differ');
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / (scale || 1);
}

/** Largest relDiff seen per test, reported as a diagnostic (the numbers the header quotes). */
let largest = 0;

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  const d = relDiff(actual, expected);
  largest = Math.max(largest, d);
  assert.ok(d <= tolerance, `${what}: relDiff ${d.toExponential(2)} > ${tolerance}`);
}

/** Hidden activations of the trainer tests: every one but softmax (last layer only). */
const HIDDEN = ACTIVATIONS.filter((a): a is Exclude<Activation, 'softmax'> => a !== 'softmax');

/**
 * A network with three hidden layers of `activation`; leaky relu and elu get a stored
 * non-default alpha. `gain` scales Glorot-like weights (forward tests use 2.5, so the
 * activations' nonlinear ranges are used).
 */
function threeHidden(activation: Activation, { last = 'softmax', outputs = 6, gain = 2.5, seed = 11 }: { last?: Activation; outputs?: number; gain?: number; seed?: number } = {}): DenseNetwork {
  const network = randomNetwork([24, 20, 16, 12, outputs], [activation, activation, activation, last], seed);
  for (const layer of network.layers) for (let i = 0; i < layer.weights.length; i++) layer.weights[i] = layer.weights[i]! * gain;
  if (activation === 'leaky_relu' || activation === 'elu') network.layers[1]!.alpha = activation === 'leaky_relu' ? 0.1 : 0.7;
  return network;
}

function signedInputs(rows: number, cols: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: rows * cols }, () => rng.uniform() * 4 - 2);
}

describe('onnxruntime engine', () => {
  let ort: OnnxRuntimeCompute;
  before(async () => {
    ort = await createOnnxRuntimeCompute({ threads: 1 });
  });
  after(async () => ort.dispose());
  beforeEach(() => {
    largest = 0;
  });
  afterEach((t) => {
    if (largest > 0 && 'diagnostic' in t) t.diagnostic(`largest relDiff ${largest.toExponential(2)}`);
  });

  it('names itself with its version and threads', () => {
    assert.equal(ort.name, 'onnxruntime');
    assert.match(ort.description, /^onnxruntime-node 1\.30\.\d+ \(CPU\), 1 thread$/);
  });

  it('computes every hidden activation as the reference does (outputs and logits)', async () => {
    const x = signedInputs(64, 24, 3);
    for (const activation of HIDDEN) {
      const network = threeHidden(activation);
      assertClose(await ort.forward(network, x, 64), await jsCompute.forward(network, x, 64), FORWARD_TOLERANCE, `${activation} outputs`);
      const logits = { logits: true };
      assertClose(await ort.forward(network, x, 64, logits), await jsCompute.forward(network, x, 64, logits), FORWARD_TOLERANCE, `${activation} logits`);
    }
  });

  it('computes every activation on the last layer, softmax and a single sigmoid output included', async () => {
    const x = signedInputs(50, 24, 4);
    for (const last of ACTIVATIONS) {
      for (const outputs of last === 'softmax' ? [6] : [6, 1]) {
        const network = threeHidden('relu', { last, outputs });
        assertClose(await ort.forward(network, x, 50), await jsCompute.forward(network, x, 50), FORWARD_TOLERANCE, `${last} × ${outputs}`);
      }
    }
  });

  it('returns the inputs of every layer and computes forward from any layer', async () => {
    const network = threeHidden('gelu');
    const x = signedInputs(40, 24, 5);
    const mine = await ort.layerInputs(network, x, 40);
    const reference = await jsCompute.layerInputs(network, x, 40);
    assert.equal(mine.length, 4);
    assert.equal(mine[0], x, 'entry 0 is x itself');
    mine.forEach((h, l) => assertClose(h, reference[l]!, FORWARD_TOLERANCE, `input of layer ${l}`));
    for (let from = 0; from < 4; from++) {
      for (const logits of [false, true]) {
        const expected = await jsCompute.forward(network, reference[from]!, 40, { from, logits });
        // From the reference's float64 layer inputs and from the engine's own float32 ones.
        assertClose(await ort.forward(network, reference[from]!, 40, { from, logits }), expected, FORWARD_TOLERANCE, `from ${from}`);
        assertClose(await ort.forward(network, mine[from]!, 40, { from, logits }), expected, FORWARD_TOLERANCE, `from ${from} (own)`);
      }
    }
  });

  it('handles one row, 2000 rows and a one-layer network', async () => {
    const network = randomNetwork([784, 128, 64, 10], ['relu', 'relu', 'softmax'], 5);
    const x = randomInputs(2000, 784, 6);
    assertClose(await ort.forward(network, x.subarray(0, 784), 1), await jsCompute.forward(network, x.subarray(0, 784), 1), FORWARD_TOLERANCE, 'one row');
    assertClose(await ort.forward(network, x, 2000), await jsCompute.forward(network, x, 2000), FORWARD_TOLERANCE, '2000 rows');
    const single = randomNetwork([784, 10], ['softmax'], 7);
    assertClose(await ort.forward(single, x, 2000), await jsCompute.forward(single, x, 2000), FORWARD_TOLERANCE, 'one layer');
    assert.deepEqual(await ort.layerInputs(single, x, 2000), [x]);
  });

  it('builds one session per network shape: a perturbed network is a new feed, not a new session', async () => {
    const network = threeHidden('tanh', { seed: 21 });
    const x = signedInputs(30, 24, 7);
    await ort.forward(network, x, 30);
    const sessions = ort.sessionCount;
    const perturbed = cloneNetwork(network);
    perturbed.layers[1]!.weights[3] = perturbed.layers[1]!.weights[3]! + 0.5;
    const y = await ort.forward(perturbed, x, 17);
    assert.equal(ort.sessionCount, sessions);
    assertClose(y, await jsCompute.forward(perturbed, x, 17), FORWARD_TOLERANCE, 'perturbed network');
    // Another alpha is another graph (it is an attribute of the LeakyRelu node).
    const leaky = threeHidden('leaky_relu');
    await ort.forward(leaky, x, 30);
    const withLeaky = ort.sessionCount;
    leaky.layers[1]!.alpha = 0.2;
    assertClose(await ort.forward(leaky, x, 30), await jsCompute.forward(leaky, x, 30), FORWARD_TOLERANCE, 'leaky relu alpha 0.2');
    assert.equal(ort.sessionCount, withLeaky + 1);
  });

  describe('trainer', () => {
    /** 300 steps on batches of 32 of 256 rows; returns the trained networks' logits on all rows. */
    async function train(network: DenseNetwork, optimizer: OptimizerName, learningRate: number, classes: number) {
      const [rows, batch, steps] = [256, 32, 300];
      const x = signedInputs(rows, network.inputs, 8);
      const rng = new Rng(9);
      const labels = Int32Array.from({ length: rows }, () => rng.int(classes));
      const trainers = [await ort.trainer(network, { optimizer, learningRate }), await jsCompute.trainer(network, { optimizer, learningRate })];
      // onnxruntime takes an epoch's 8 batches in one call (its unrolled graph), the reference one at a time.
      for (let step = 0; step < steps; step += rows / batch) {
        const count = Math.min(rows / batch, steps - step);
        await trainers[0]!.step(x, labels, batch, count);
        for (let k = 0; k < count; k++) {
          await trainers[1]!.step(x.subarray(k * batch * network.inputs), labels.subarray(k * batch), batch);
        }
      }
      const trained = await Promise.all(trainers.map((t) => t.snapshot()));
      trainers.forEach((t) => t.dispose());
      const logits = await Promise.all(trained.map((n) => jsCompute.forward(n, x, rows, { logits: true })));
      const start = await jsCompute.forward(network, x, rows, { logits: true });
      return { mine: logits[0]!, reference: logits[1]!, moved: relDiff(logits[1]!, start) };
    }

    for (const [optimizer, learningRate] of [['adam', 1e-3], ['sgd', 1e-2]] as const) {
      it(`${optimizer}: 300 steps through every hidden activation match the reference`, async (t) => {
        const measured: string[] = [];
        for (const activation of HIDDEN) {
          const { mine, reference, moved } = await train(threeHidden(activation, { outputs: 10, gain: 1 }), optimizer, learningRate, 10);
          assert.ok(moved > 1e-2, `${activation}: training moved the logits by ${moved} only`);
          assertClose(mine, reference, TRAINING_TOLERANCE, `${optimizer} ${activation}`);
          measured.push(`${activation} ${relDiff(mine, reference).toExponential(1)}`);
        }
        t.diagnostic(measured.join(', '));
      });
    }

    it('trains a single sigmoid output on 0/1 labels, and a one-layer network', async () => {
      for (const optimizer of ['adam', 'sgd'] as const) {
        const binary = await train(threeHidden('swish', { last: 'sigmoid', outputs: 1, gain: 1 }), optimizer, optimizer === 'adam' ? 1e-3 : 1e-2, 2);
        assertClose(binary.mine, binary.reference, TRAINING_TOLERANCE, `${optimizer} sigmoid output`);
        const single = await train(randomNetwork([24, 5], ['softmax'], 12), optimizer, optimizer === 'adam' ? 1e-3 : 1e-2, 5);
        assertClose(single.mine, single.reference, TRAINING_TOLERANCE, `${optimizer} one layer`);
      }
    });

    it('runs of several steps give the same bits as the steps one at a time', async () => {
      const network = threeHidden('relu', { outputs: 10, gain: 1 });
      const [batch, steps] = [16, 2 * UNROLLED_STEPS + 3];
      const x = signedInputs(batch * steps, network.inputs, 11);
      const rng = new Rng(12);
      const labels = Int32Array.from({ length: batch * steps }, () => rng.int(10));
      for (const [optimizer, learningRate] of [['adam', 1e-3], ['sgd', 1e-2]] as const) {
        const together = await ort.trainer(network, { optimizer, learningRate });
        const apart = await ort.trainer(network, { optimizer, learningRate });
        await together.step(x, labels, batch, steps);
        for (let k = 0; k < steps; k++) await apart.step(x.subarray(k * batch * network.inputs), labels.subarray(k * batch), batch);
        const [a, b] = [await together.snapshot(), await apart.snapshot()];
        a.layers.forEach((layer, l) => {
          assert.deepEqual(layer.weights, b.layers[l]!.weights, `${optimizer}: layer ${l} weights`);
          assert.deepEqual(layer.bias, b.layers[l]!.bias, `${optimizer}: layer ${l} bias`);
        });
        assert.notDeepEqual(a.layers[0]!.weights, network.layers[0]!.weights, `${optimizer}: training moved the weights`);
        together.dispose();
        apart.dispose();
      }
    });

    it(`unrolls networks up to ${UNROLL_MAX_PARAMETERS.toLocaleString('en')} parameters and steps larger ones one run at a time`, async () => {
      const [batch, steps] = [4, UNROLLED_STEPS + 1];
      for (const [hidden, graphs] of [[16, 2], [Math.ceil(UNROLL_MAX_PARAMETERS / 794) + 1, 1]] as const) {
        const network = randomNetwork([784, hidden, 10], ['relu', 'softmax'], 13);
        const x = signedInputs(batch * steps, 784, 14);
        const trainer = await ort.trainer(network, { optimizer: 'adam', learningRate: 1e-3 });
        const before = ort.sessionCount;
        await trainer.step(x, Int32Array.from({ length: batch * steps }, (_, i) => i % 10), batch, steps);
        // The 8-step graph and the single-step one, or the single-step one alone.
        assert.equal(ort.sessionCount - before, graphs, `784-${hidden}-10`);
        assert.notDeepEqual((await trainer.snapshot()).layers[0]!.weights, network.layers[0]!.weights);
        trainer.dispose();
      }
    });

    it('leaves the caller\'s network unchanged, and snapshots are copies', async () => {
      const network = threeHidden('relu');
      const before = cloneNetwork(network);
      const trainer = await ort.trainer(network, { optimizer: 'adam', learningRate: 1e-2 });
      const x = signedInputs(8, 24, 10);
      await trainer.step(x, Int32Array.from([0, 1, 2, 3, 4, 5, 0, 1]), 8);
      const first = await trainer.snapshot();
      const kept = first.layers[0]!.weights.slice();
      await trainer.step(x, Int32Array.from([0, 1, 2, 3, 4, 5, 0, 1]), 8);
      assert.deepEqual(first.layers[0]!.weights, kept, 'a snapshot does not change with later steps');
      assert.deepEqual(network, before, 'the caller\'s network is untouched');
      assert.notDeepEqual((await trainer.snapshot()).layers[0]!.weights, kept);
      trainer.dispose();
      await assert.rejects(trainer.step(x, new Int32Array(8), 8), /disposed/);
    });
  });
});
