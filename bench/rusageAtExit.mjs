// Preloaded into the measured CLI process (node --import bench/rusageAtExit.mjs dist/cli.js …):
// at exit, writes the process's resource usage (CPU time of all threads, peak RSS) to the file
// named by MIMOSANET_BENCH_RUSAGE, which the bench reads. Plain JavaScript, so the measured
// process loads nothing else (no TypeScript loader).
import { writeFileSync } from 'node:fs';
import process from 'node:process';

const file = process.env.MIMOSANET_BENCH_RUSAGE;
if (file) process.on('exit', () => writeFileSync(file, JSON.stringify(process.resourceUsage())));
