/* global window, document, location, sessionStorage, URLSearchParams */
// Stands in for VS Code inside the harness page: acquireVsCodeApi (messages recorded in
// window.__posted, state in sessionStorage) and the theme variables VS Code sets on <html>.
// Set through CSSOM, as VS Code does, so the page's real CSP (no inline styles) still applies.
(() => {
  const font = '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif';
  const common = { 'font-family': font, 'font-size': '13px', 'font-weight': 'normal', 'editor-font-family': '"Droid Sans Mono", "monospace", monospace' };
  const themes = {
    // VS Code "Dark Modern".
    dark: {
      ...common,
      foreground: '#cccccc', descriptionForeground: '#9d9d9d', errorForeground: '#f85149', focusBorder: '#0078d4',
      'editor-background': '#1f1f1f', 'editorWidget-background': '#202020', 'editorWidget-border': '#454545',
      'panel-border': '#2b2b2b', 'panel-background': '#181818', 'settings-headerBorder': '#2b2b2b',
      'panelTitle-activeForeground': '#cccccc', 'panelTitle-activeBorder': '#0078d4', 'panelTitle-inactiveForeground': '#9d9d9d',
      'charts-foreground': '#cccccc', 'charts-lines': 'rgba(204, 204, 204, 0.5)', 'charts-red': '#f14c4c', 'charts-blue': '#3794ff',
      'charts-yellow': '#cca700', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-purple': '#b180d7',
      'badge-background': '#616161', 'badge-foreground': '#f8f8f8',
      'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1', 'button-border': 'rgba(255, 255, 255, 0.07)',
      'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'button-secondaryHoverBackground': '#3c3c3c',
      'progressBar-background': '#0078d4', 'textLink-foreground': '#4daafc', 'textLink-activeForeground': '#4daafc',
      'testing-iconPassed': '#73c991', 'testing-iconFailed': '#f14c4c', 'editorWarning-foreground': '#cca700',
      'textBlockQuote-background': '#2b2b2b', 'textBlockQuote-border': '#616161',
      'keybindingTable-rowsBackground': 'rgba(204, 204, 204, 0.04)', 'editorGroup-border': 'rgba(255, 255, 255, 0.09)', 'sash-hoverBorder': '#0078d4',
      'inputValidation-errorBackground': '#5a1d1d', 'inputValidation-errorBorder': '#be1100',
      'inputValidation-warningBackground': '#352a05', 'inputValidation-warningBorder': '#b89500',
      'list-hoverBackground': '#2a2d2e', 'scrollbarSlider-background': 'rgba(121, 121, 121, 0.4)',
    },
    // VS Code "Light Modern".
    light: {
      ...common,
      foreground: '#3b3b3b', descriptionForeground: '#717171', errorForeground: '#f85149', focusBorder: '#005fb8',
      'editor-background': '#ffffff', 'editorWidget-background': '#f8f8f8', 'editorWidget-border': '#c8c8c8',
      'panel-border': '#e5e5e5', 'panel-background': '#f8f8f8', 'settings-headerBorder': '#e5e5e5',
      'panelTitle-activeForeground': '#3b3b3b', 'panelTitle-activeBorder': '#005fb8', 'panelTitle-inactiveForeground': '#3b3b3b',
      'charts-foreground': '#616161', 'charts-lines': 'rgba(97, 97, 97, 0.5)', 'charts-red': '#e51400', 'charts-blue': '#1a85ff',
      'charts-yellow': '#bf8803', 'charts-orange': '#d18616', 'charts-green': '#388a34', 'charts-purple': '#652d90',
      'badge-background': '#cccccc', 'badge-foreground': '#3b3b3b',
      'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8', 'button-border': 'rgba(0, 0, 0, 0.1)',
      'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b', 'button-secondaryHoverBackground': '#cccccc',
      'progressBar-background': '#005fb8', 'textLink-foreground': '#005fb8', 'textLink-activeForeground': '#005fb8',
      'testing-iconPassed': '#388a34', 'testing-iconFailed': '#e51400', 'editorWarning-foreground': '#bf8803',
      'textBlockQuote-background': '#f8f8f8', 'textBlockQuote-border': '#e5e5e5',
      'keybindingTable-rowsBackground': 'rgba(97, 97, 97, 0.04)', 'editorGroup-border': '#e5e5e5', 'sash-hoverBorder': '#005fb8',
      'inputValidation-errorBackground': '#f2dede', 'inputValidation-errorBorder': '#be1100',
      'inputValidation-warningBackground': '#f6f5d2', 'inputValidation-warningBorder': '#b89500',
      'list-hoverBackground': '#f2f2f2', 'scrollbarSlider-background': 'rgba(100, 100, 100, 0.4)',
    },
  };
  themes['high-contrast'] = {
    ...themes.dark,
    foreground: '#ffffff', descriptionForeground: 'rgba(255, 255, 255, 0.7)', 'editor-background': '#000000', 'panel-border': '#6fc3df',
    'editorWidget-background': '#0c141f', 'editorWidget-border': '#6fc3df', contrastBorder: '#6fc3df', 'charts-blue': '#3794ff', 'charts-red': '#f14c4c',
  };

  window.__setTheme = (name) => {
    const vars = themes[name];
    const style = document.documentElement.style;
    for (const [key, value] of Object.entries(vars)) style.setProperty(`--vscode-${key}`, value);
    document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast');
    document.body.classList.add(name === 'light' ? 'vscode-light' : name === 'dark' ? 'vscode-dark' : 'vscode-high-contrast');
    document.body.dataset.vscodeThemeKind = document.body.classList[0];
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
