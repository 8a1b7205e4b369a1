/** What the packaging tests share: the manifest, the user README's links, and PNG sizes. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Manifest {
  name: string;
  version: string;
  publisher: string;
  icon?: string;
  galleryBanner?: { color?: string; theme?: string };
  repository?: { type?: string; url?: string } | string;
  homepage?: string;
  bugs?: { url?: string } | string;
  keywords?: string[];
  scripts: Record<string, string>;
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
    configuration: { properties: Record<string, unknown> };
    walkthroughs?: {
      id: string;
      title: string;
      description: string;
      steps: { id: string; title: string; description: string; media: { image?: string; markdown?: string; altText?: string }; completionEvents?: string[] }[];
    }[];
  };
}

export const manifest = (): Manifest => JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;

/** The file `npm run package` ships as the extension's README (`--readme-path`), or README.md. */
export function userReadmePath(m: Manifest = manifest()): string {
  return /--readme-path[= ](\S+)/.exec(m.scripts.package ?? '')?.[1] ?? 'README.md';
}

/** `https://github.com/owner/repo` from package.json's repository (a `.git` suffix dropped). */
export function repositoryUrl(m: Manifest = manifest()): string {
  const url = typeof m.repository === 'string' ? m.repository : (m.repository?.url ?? '');
  return url.replace(/^git\+/, '').replace(/\.git$/, '');
}

/** Image and link targets of a Markdown text: `![alt](target)`, `[text](target)` and `<img src>`. */
export function markdownTargets(markdown: string): { images: string[]; links: string[] } {
  const images: string[] = [];
  const links: string[] = [];
  for (const m of markdown.matchAll(/(!?)\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) (m[1] ? images : links).push(m[2]!);
  for (const m of markdown.matchAll(/<img[^>]+src=["']([^"']+)["']/g)) images.push(m[1]!);
  return { images, links };
}

/** Width and height from a PNG's IHDR chunk, or undefined when the bytes are not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || signature.some((b, i) => bytes[i] !== b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Files git tracks or has staged, or undefined outside a git work tree (a source tarball). */
export function gitFiles(): Set<string> | undefined {
  const r = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? new Set(r.stdout.split('\n').filter(Boolean)) : undefined;
}
