import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reportHtml } from '../../../src/extension/reportHtml';

describe('report webview document', () => {
  const html = reportHtml({ cspSource: 'https://res.vscode-cdn.net', nonce: 'abc123', scriptUri: 'https://res/x/report.js', styleUri: 'https://res/x/report.css' });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';

  it("denies by default and allows scripts only by nonce", () => {
    assert.match(csp, /^default-src 'none';/);
    assert.match(csp, /script-src 'nonce-abc123'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  });

  it('takes styles and images only from the extension (images also as data: for chart exports)', () => {
    assert.match(csp, /style-src https:\/\/res\.vscode-cdn\.net(;|$)/);
    assert.match(csp, /img-src https:\/\/res\.vscode-cdn\.net data:/);
  });

  it('every script carries the nonce', () => {
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    for (const s of scripts) assert.match(s, /nonce="abc123"/);
    assert.doesNotMatch(html, /style="/);
  });
});
