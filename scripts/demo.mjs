// `npm run demo`: protects the bundled MNIST example with its held-out data and prints the
// summary; the protected model and report.json land in out/demo/.
import { spawnSync } from 'node:child_process';

const args = [
  'dist/cli.js',
  'protect',
  'examples/mnist-mlp/model.json',
  '--data', 'examples/mnist-mlp/eval-x.npy',
  '--labels', 'examples/mnist-mlp/eval-y.npy',
  '--out', 'out/demo',
  '--force',
  ...process.argv.slice(2),
];
console.error(`$ node ${args.join(' ')}`);
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
