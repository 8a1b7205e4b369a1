// Preloaded into every Node process of a measured CLI run (NODE_OPTIONS=--import=…, so the
// engine process the CLI forks loads it too): at exit, each writes its resource usage (CPU time
// of all its threads, peak RSS) to `<MIMOSANET_BENCH_RUSAGE>.<pid>`; the bench adds the CPU
// times and takes the largest RSS. Plain JavaScript, so the measured processes load nothing else.
import { writeFileSync } from 'node:fs';
import process from 'node:process';

const file = process.env.MIMOSANET_BENCH_RUSAGE;
if (file) process.on('exit', () => writeFileSync(`${file}.${process.pid}`, JSON.stringify(process.resourceUsage())));
