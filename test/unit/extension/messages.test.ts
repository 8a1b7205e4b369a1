import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFromWorkerMessage } from '../../../src/client/workerMessages';
import { decodePngDataUrl, isFromWebviewMessage } from '../../../src/extension/messages';

// A 1×1 transparent PNG.
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

describe('messages from the report webview', () => {
  const valid: unknown[] = [
    { type: 'ready' },
    { type: 'showLog' },
    { type: 'compareSuspect' },
    { type: 'saveHtml', messageId: 1, suggestedName: 'mnist-report.html', html: '<!DOCTYPE html>' },
    { type: 'savePng', messageId: 2, suggestedName: 'charts.png', dataUrl: PNG },
    { type: 'openPath', path: '/w/model.json', reveal: false },
  ];
  for (const m of valid) it(`accepts ${(m as { type: string }).type}`, () => assert.equal(isFromWebviewMessage(m), true));

  const invalid: [string, unknown][] = [
    ['null', null],
    ['unknown type', { type: 'runCommand', command: 'rm' }],
    ['a suggested name that leaves the folder', { type: 'saveHtml', messageId: 1, suggestedName: '../../.bashrc', html: '' }],
    ['a non-PNG data URL', { type: 'savePng', messageId: 1, suggestedName: 'a.png', dataUrl: 'data:text/html;base64,PGI+' }],
    ['a missing messageId', { type: 'saveHtml', suggestedName: 'a.html', html: '' }],
    ['an empty path', { type: 'openPath', path: '', reveal: true }],
  ];
  for (const [name, m] of invalid) it(`rejects ${name}`, () => assert.equal(isFromWebviewMessage(m), false));
});

describe('messages from the worker', () => {
  it('accepts the protocol and rejects anything else', () => {
    assert.equal(isFromWorkerMessage({ type: 'progress', id: 1, progress: { phase: 'read', message: 'x', fraction: 0 } }), true);
    assert.equal(isFromWorkerMessage({ type: 'partialReport', id: 1, report: {} }), true);
    assert.equal(isFromWorkerMessage({ type: 'protectResult', id: 1, result: { report: {}, reportPath: '/r', protectedPath: '/p' } }), true);
    assert.equal(isFromWorkerMessage({ type: 'inspectResult', id: 1, info: { format: 'tfjs-layers' } }), true);
    assert.equal(isFromWorkerMessage({ type: 'error', id: 1, error: { name: 'E', code: 'DATA', message: 'bad' } }), true);
    assert.equal(isFromWorkerMessage({ type: 'verifyResult', id: 1, result: { ok: true, modelPath: '/m', reportPath: '/r', originalPath: '/o', files: [] } }), true);
    assert.equal(isFromWorkerMessage({ type: 'verifyResult', id: 1, result: { ok: 'yes', files: [] } }), false);
    const report = { verdict: 'derived', decidedBy: 'weights', reason: 'r', evidence: {}, baselines: {} };
    assert.equal(isFromWorkerMessage({ type: 'compareResult', id: 1, report }), true);
    assert.equal(isFromWorkerMessage({ type: 'compareResult', id: 1, report: { ...report, evidence: undefined } }), false);
    assert.equal(isFromWorkerMessage({ type: 'compareResult', id: 1, result: report }), false);
    assert.equal(isFromWorkerMessage({ type: 'progress', progress: {} }), false);
    assert.equal(isFromWorkerMessage({ type: 'hello', id: 1 }), false);
  });
});

describe('PNG data URLs', () => {
  it('decodes a PNG', () => {
    const bytes = decodePngDataUrl(PNG);
    assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  });
  it('refuses bytes that are not a PNG', () => {
    assert.throws(() => decodePngDataUrl('data:image/png;base64,' + Buffer.from('<html>').toString('base64')), /does not hold a PNG/);
    assert.throws(() => decodePngDataUrl('data:text/plain,hi'), /not a PNG data URL/);
  });
});
