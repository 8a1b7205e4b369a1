// Copies examples/ to out/test/workspace for the extension-host suite: the suite protects the
// example model and writes settings, which must not touch the repository's own files.
import { cpSync, mkdirSync, rmSync } from 'node:fs';

const target = 'out/test/workspace';
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
cpSync('examples', target, { recursive: true, filter: (src) => !src.endsWith('.mimosa') && !src.includes('.mimosa/') });
console.log(`prepared ${target}`);
