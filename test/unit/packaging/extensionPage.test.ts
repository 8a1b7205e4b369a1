/**
 * What the extension's page and first run are made of, checked without packaging: the
 * Marketplace metadata vsce needs to package without asking, the icon, the user README (its
 * images must reach the page), the changelog and the "Protect your first model" walkthrough.
 * The packaged .vsix itself is checked in vsixAtTerminal.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gitFiles, manifest, markdownTargets, pngSize, repositoryUrl, ROOT, userReadmePath } from './packaging';

const pkg = manifest();
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

describe('Marketplace metadata in package.json', () => {
  it('has repository, homepage, bugs and keywords (vsce asks "Do you want to continue?" at a terminal without a repository)', () => {
    assert.match(repositoryUrl(), /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/, 'a GitHub repository: vsce rewrites the README links against it');
    assert.ok(pkg.homepage?.startsWith(repositoryUrl()), `homepage ${pkg.homepage}`);
    const bugs = typeof pkg.bugs === 'string' ? pkg.bugs : pkg.bugs?.url;
    assert.equal(bugs, `${repositoryUrl()}/issues`);
    assert.ok(pkg.keywords && pkg.keywords.length >= 3 && pkg.keywords.length <= 30, 'the Marketplace takes up to 30 keywords');
    assert.equal(new Set(pkg.keywords).size, pkg.keywords.length, 'no duplicate keywords');
  });

  it('has a 128×128 PNG icon and a gallery banner', () => {
    assert.ok(pkg.icon, 'icon');
    const size = pngSize(readFileSync(join(ROOT, pkg.icon)));
    assert.deepEqual(size, { width: 128, height: 128 }, `${pkg.icon} is a 128×128 PNG`);
    assert.match(pkg.galleryBanner?.color ?? '', /^#[0-9a-f]{6}$/i);
    assert.ok(pkg.galleryBanner?.theme === 'dark' || pkg.galleryBanner?.theme === 'light');
  });

  it('packages the user README and lets vsce rewrite its relative links', () => {
    const script = pkg.scripts.package ?? '';
    assert.notEqual(userReadmePath(), 'README.md', 'README.md is the developer README');
    assert.ok(existsSync(join(ROOT, userReadmePath())), userReadmePath());
    // VS Code's extension page drops relative and data: images and shows https ones only, so the
    // links must become absolute (vsce does that against `repository` unless told not to).
    assert.doesNotMatch(script, /--no-rewrite-relative-links/);
    assert.doesNotMatch(script, /--allow-missing-repository/);
  });
});

describe('the user README (the extension page)', () => {
  const readme = read(userReadmePath());
  const { images, links } = markdownTargets(readme);
  const published = gitFiles();

  it('is the user README, not the developer one', () => {
    assert.match(readme, /^# MimosaNet\n/);
    for (const section of ['## Install', '## Use it in VS Code', '## What it does and does not stop', '## Settings', '## Formats']) assert.ok(readme.includes(section), section);
    assert.doesNotMatch(readme, /On a fresh clone|npm run test:e2e|## Development/);
  });

  it('installs the .vsix of the current version', () => {
    assert.ok(readme.includes(`code --install-extension ${pkg.name}-${pkg.version}.vsix`), `the install line names ${pkg.name}-${pkg.version}.vsix`);
  });

  it('lists every setting', () => {
    for (const key of Object.keys(pkg.contributes.configuration.properties)) assert.ok(readme.includes(`\`${key}\``), key);
  });

  it('has images, each a committed PNG in the repository (the page loads them from there)', () => {
    assert.ok(images.length >= 3, images.join(', '));
    for (const image of images) {
      assert.doesNotMatch(image, /^(data:|https?:|\/)/, `${image}: relative, so GitHub shows it and vsce points it at the repository`);
      assert.doesNotMatch(image, /\.svg$/i, `${image}: vsce refuses SVG images`);
      assert.ok(pngSize(readFileSync(join(ROOT, image))), `${image} is a PNG`);
      if (published) assert.ok(published.has(image), `${image} is in git (not ignored), so the repository URL will serve it`);
    }
  });

  it('links only to files that exist', () => {
    for (const link of links.filter((l) => !/^(https?:|mailto:|#)/.test(l))) assert.ok(existsSync(join(ROOT, link.split('#')[0]!)), link);
  });

  it('is linked from the developer README', () => {
    assert.ok(read('README.md').includes(`](${userReadmePath()})`));
  });
});

describe('CHANGELOG.md', () => {
  const changelog = read('CHANGELOG.md');
  it('has the released version and an Unreleased section', () => {
    assert.match(changelog, new RegExp(`^## ${pkg.version.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(changelog, /^## Unreleased/m);
  });
});

describe('the "Protect your first model" walkthrough', () => {
  const walkthroughs = pkg.contributes.walkthroughs ?? [];
  const commands = new Set(pkg.contributes.commands.map((c) => c.command));
  const views = new Set(Object.values(pkg.contributes.views).flat().map((v) => v.id));
  /** Commands a step may run besides the extension's own: VS Code's, and the focus command VS Code generates per view. */
  const builtin = new Set(['workbench.action.files.openFolder', ...[...views].map((v) => `${v}.focus`)]);

  it('has three steps: open a model, protect it, open the report', () => {
    assert.equal(walkthroughs.length, 1);
    const [w] = walkthroughs;
    assert.equal(w!.title, 'Protect your first model');
    assert.deepEqual(
      w!.steps.map((s) => s.id),
      ['openModel', 'protectModel', 'openReport'],
    );
  });

  for (const step of walkthroughs[0]?.steps ?? []) {
    it(`step ${step.id}: a description with a working button, an image and a completion event`, () => {
      assert.ok(step.title && step.description, 'title and description');
      // The walkthrough renders links, **bold** and *italics* but shows backticks literally.
      assert.doesNotMatch(step.description, /`/);
      const buttons = [...step.description.matchAll(/\]\(command:([\w.]+)/g)].map((m) => m[1]!);
      assert.ok(buttons.length > 0, 'a button');
      for (const id of buttons) assert.ok(commands.has(id) || builtin.has(id), `command:${id}`);

      assert.ok(step.media.image && step.media.altText, 'an image with alt text');
      assert.ok(pngSize(readFileSync(join(ROOT, step.media.image))), `${step.media.image} is a PNG`);

      assert.ok(step.completionEvents?.length, 'completion events');
      for (const event of step.completionEvents ?? []) {
        const [kind, id] = event.split(/:(.*)/s);
        if (kind === 'onCommand') assert.ok(commands.has(id!) || builtin.has(id!), event);
        else if (kind === 'onView') assert.ok(views.has(id!), event);
        else assert.fail(`unexpected completion event ${event}`);
      }
    });
  }

  it('completes each step with the command its button runs', () => {
    const steps = walkthroughs[0]!.steps;
    assert.deepEqual(steps[1]!.completionEvents, ['onCommand:mimosanet.protectModel']);
    assert.deepEqual(steps[2]!.completionEvents, ['onCommand:mimosanet.openReport']);
  });
});
