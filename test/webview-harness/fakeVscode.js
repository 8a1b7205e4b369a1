/* global window, document, location, sessionStorage, URLSearchParams */
// Stands in for VS Code inside the harness page: acquireVsCodeApi (messages recorded in
// window.__posted, state in sessionStorage) and the theme variables VS Code sets on <html>.
// Set through CSSOM, as VS Code does, so the page's real CSP (no inline styles) still applies.
(() => {
  // The theme variables VS Code sets on a webview's <html>, captured from a real workbench
  // (code-server, Default Dark Modern / Light Modern / High Contrast) into themes/*.json; the
  // harness server prepends them to this script as window.__themes.
  const themes = window.__themes;
  window.__setTheme = (name) => {
    const theme = themes[name];
    const style = document.documentElement.style;
    for (let i = style.length - 1; i >= 0; i--) if (style[i].startsWith('--vscode-')) style.removeProperty(style[i]);
    for (const [key, value] of Object.entries(theme.vars)) style.setProperty(`--vscode-${key}`, value);
    document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast', 'vscode-high-contrast-light');
    document.body.classList.add(theme.bodyClass);
    document.body.dataset.vscodeThemeKind = theme.bodyClass;
  };

  // Runs at the end of <body>, just before report.js, like VS Code's own preload.
  window.__setTheme(new URLSearchParams(location.search).get('theme') || 'light');

  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective}: ${e.blockedURI || '(inline)'} ${e.sourceFile ?? ''}:${e.lineNumber ?? ''}`));

  window.__posted = [];
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return {
      postMessage: (message) => window.__posted.push(message),
      getState: () => JSON.parse(sessionStorage.getItem('mimosanet-state') ?? 'null') ?? undefined,
      setState: (state) => sessionStorage.setItem('mimosanet-state', JSON.stringify(state)),
    };
  };
})();
