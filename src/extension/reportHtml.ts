/**
 * The report webview's HTML document. Pure (no `vscode`), so the CSP is unit-tested.
 */

/** The webview document: CSP `default-src 'none'`, nonce script, styles and images from the extension only (images also as data: for chart exports). */
export function reportHtml(options: { cspSource: string; nonce: string; scriptUri: string; styleUri: string }): string {
  const { cspSource, nonce, scriptUri, styleUri } = options;
  const csp = [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${styleUri}">
<title>MimosaNet report</title>
</head>
<body>
<main id="app" aria-live="polite"></main>
<script nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>`;
}
