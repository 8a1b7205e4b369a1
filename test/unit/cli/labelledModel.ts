import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argmaxRows, forward } from '../../../src/core/forward';
import { outputWidth } from '../../../src/core/network';
import { Rng } from '../../../src/core/rng';
import { nodeFileReader } from '../../../src/engine/nodeFileReader';
import { encodeNpy } from '../../../src/formats/data/npy';
import { tfjsLayersFormat } from '../../../src/formats/tfjs/tfjsLayersFormat';
import { fixtureDir } from '../../fixtures/tfjsManifest';

/**
 * A scratch folder with the tfjs-save fixture model and `rows` normal random inputs labelled by
 * the model itself (x.npy, y.npy): data the original answers perfectly, for CLI tests that need
 * labelled data.
 */
export async function labelledModel(prefix: string, rows: number): Promise<{ work: string; model: string }> {
  const work = mkdtempSync(join(tmpdir(), prefix));
  cpSync(fixtureDir('tfjs-save'), join(work, 'model'), { recursive: true });
  const model = join(work, 'model', 'model.json');
  const { network } = await tfjsLayersFormat.load(model, nodeFileReader);
  const rng = new Rng(5);
  const x = Float32Array.from({ length: rows * network.inputs }, () => rng.normal());
  const labels = argmaxRows(forward(network, x, rows, { precision: 'float64' }), rows, outputWidth(network));
  writeFileSync(join(work, 'x.npy'), encodeNpy([rows, network.inputs], x));
  writeFileSync(join(work, 'y.npy'), encodeNpy([rows], labels));
  return { work, model };
}
