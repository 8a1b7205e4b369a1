/**
 * `npm run package` at a real terminal. vsce asks "Do you want to continue? [y/N]" only when its
 * stdout is a TTY (in a pipe it assumes yes), and Enter means no: that is how packaging failed for
 * a user while every piped test passed. So this runs the command under a pseudo-terminal
 * (util-linux `script`) with an empty stdin, as a user's terminal would be, and then reads the
 * .vsix: the user README with absolute image URLs into the repository, the changelog, the icon
 * and the walkthrough's images.
 *
 * It runs the real build (`vscode:prepublish`: a minified dist/) and takes about 10 s.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { gitFiles, manifest, markdownTargets, pngSize, repositoryUrl, ROOT, userReadmePath } from './packaging';

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const skip = hasScript ? false : 'util-linux `script` is not installed (apt-get install bsdutils): nothing here can give vsce a pseudo-terminal';
/** Generous: the build and vsce take ~10 s; a prompt waits for ever. */
const TIMEOUT_MS = 240_000;

interface Run {
  code: number | null;
  output: string;
  timedOut: boolean;
}

/** Runs a shell command under a pseudo-terminal with an empty stdin; kills its process group after the timeout. */
function underPty(command: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    let output = '';
    let timedOut = false;
    const kill = (): void => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const collect = (d: Buffer): void => {
      output += d.toString();
      // A prompt never gets an answer here: stop at once rather than at the timeout.
      if (/Do you want to continue/.test(output)) setTimeout(kill, 1000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

describe('npm run package at a real terminal (pseudo-terminal)', { skip, timeout: TIMEOUT_MS + 60_000 }, () => {
  const pkg = manifest();
  let dir: string;
  let run: Run;
  let files: Record<string, Uint8Array> = {};
  const text = (name: string): string => new TextDecoder().decode(files[name]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mimosanet-vsix-pty-'));
    run = await underPty(`npm run package -- --out ${join(dir, 'mimosanet.vsix')}`);
    const vsix = join(dir, 'mimosanet.vsix');
    if (existsSync(vsix)) files = unzipSync(readFileSync(vsix), { filter: (f) => !f.name.startsWith('extension/dist/') });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('asks nothing and writes the .vsix', () => {
    assert.doesNotMatch(run.output, /Do you want to continue/, `vsce prompted:\n${run.output.slice(-2000)}`);
    assert.equal(run.timedOut, false, `still running after ${TIMEOUT_MS / 1000} s: waiting for an answer?\n${run.output.slice(-2000)}`);
    assert.doesNotMatch(run.output, /'repository' field is missing|LICENSE.*not found/i);
    assert.equal(run.code, 0, run.output.slice(-2000));
    assert.ok(files['extension/package.json'], `no .vsix (or an empty one):\n${run.output.slice(-2000)}`);
  });

  it('ships the user README as the extension page, with the images pointing into the repository', () => {
    const readme = text('extension/readme.md');
    const source = readFileSync(join(ROOT, userReadmePath()), 'utf8');
    assert.equal(readme.split('\n')[0], source.split('\n')[0], 'the user README');
    assert.doesNotMatch(readme, /On a fresh clone/, 'not the developer README');
    assert.equal(Object.keys(files).filter((f) => /^extension\/readme(\.[a-z.]+)?$/i.test(f)).length, 1, 'one README in the package');

    const base = `${repositoryUrl()}/raw/HEAD/`;
    const { images } = markdownTargets(readme);
    assert.equal(images.length, markdownTargets(source).images.length);
    const published = gitFiles();
    for (const image of images) {
      // VS Code's extension page shows https images only (relative and data: ones are dropped).
      assert.ok(image.startsWith(base), `${image} is under ${base}`);
      const file = image.slice(base.length);
      assert.ok(pngSize(readFileSync(join(ROOT, file))), `${file} is a PNG in the working tree`);
      if (published) assert.ok(published.has(file), `${file} is in git, so ${image} will exist`);
    }
  });

  it('ships the changelog, the licence and the 128×128 icon', () => {
    assert.match(text('extension/changelog.md'), /^## Unreleased/m);
    assert.ok(files['extension/LICENSE.txt']);
    const icon = files[`extension/${pkg.icon}`];
    assert.ok(icon, `extension/${pkg.icon}`);
    assert.deepEqual(pngSize(icon), { width: 128, height: 128 });
    assert.match(text('extension.vsixmanifest'), new RegExp(`<Icon>extension/${pkg.icon}</Icon>`));
  });

  it("ships the walkthrough's images, and no screenshots or sources", () => {
    for (const step of pkg.contributes.walkthroughs?.[0]?.steps ?? []) {
      const image = files[`extension/${step.media.image}`];
      assert.ok(image && pngSize(image), `extension/${step.media.image}`);
    }
    const names = Object.keys(files);
    assert.deepEqual(names.filter((f) => /^extension\/(src|test|webview|node_modules|media\/screenshots)\//.test(f) || f === 'extension/README.md'), []);
  });
});
