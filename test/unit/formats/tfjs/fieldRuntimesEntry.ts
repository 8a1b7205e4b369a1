/**
 * Not a test: wasmRuntime.test.ts bundles this file with esbuild into a temporary folder with no
 * node_modules above it, as dist/worker.js runs in the packaged extension, and runs it with
 * `node bundle.js <model.json> <rows>`. Prints the field runtimes, their notes and their logits
 * on probe inputs as JSON.
 */
import { nodeFileReader } from '../../../../src/engine/nodeFileReader';
import { tfjsLayersFormat as format } from '../../../../src/formats/tfjs/tfjsLayersFormat';

async function main(): Promise<void> {
  const [path, rowsArg] = process.argv.slice(2);
  const rows = Number(rowsArg);
  const model = await format.load(path!, nodeFileReader);
  const files = await format.readFiles(path!, nodeFileReader);
  const x = Float32Array.from({ length: rows * model.network.inputs }, (_, i) => Math.sin(i * 0.37));
  const { runtimes, notes } = await format.createFieldRuntimes();
  const logits: number[][] = [];
  for (const runtime of runtimes) logits.push(Array.from(await runtime.predict(files, x, rows, { logits: true })));
  process.stdout.write(JSON.stringify({ names: runtimes.map((r) => r.name), notes, logits }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
