/**
 * Colours of the current VS Code theme, read from its CSS variables at runtime (canvas drawing
 * cannot use `var(--…)`), and a watcher that reports theme switches (VS Code swaps the body class
 * vscode-light / vscode-dark / vscode-high-contrast / vscode-high-contrast-light).
 */

/** Colours and font the charts and the HTML export use. */
export interface Theme {
  /** Theme family, from the body class. */
  kind: 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';
  /** Text. */
  foreground: string;
  /** Secondary text (axis titles, chance line). */
  muted: string;
  /** Grid lines. */
  grid: string;
  /** Editor background (PNG exports are filled with it). */
  background: string;
  /** Borders of cards and tables. */
  border: string;
  /** Original model's curve. */
  original: string;
  /** Protected model's curve. */
  protected: string;
  /** A second series colour (the imitating references on the Ownership tab). */
  accent: string;
  /** Passed badge. */
  pass: string;
  /** Failed badge. */
  fail: string;
  /** Warning notes. */
  warning: string;
  /** Font family of the workbench. */
  fontFamily: string;
  /** Font size in px. */
  fontSize: number;
}

/** Reads the theme from the document's CSS variables (fallbacks keep charts drawable outside VS Code). */
export function readTheme(doc: Document = document): Theme {
  const style = getComputedStyle(doc.body);
  const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  const kind = themeKind(doc.body);
  const dark = kind === 'dark' || kind === 'high-contrast';
  const foreground = v('--vscode-foreground', dark ? '#cccccc' : '#3b3b3b');
  const hc = kind === 'high-contrast' || kind === 'high-contrast-light';
  return {
    kind,
    foreground,
    muted: v('--vscode-descriptionForeground', dark ? '#9d9d9d' : '#717171'),
    // High-contrast themes draw a visible contrast border; elsewhere a faint grid reads better.
    grid: hc ? withAlpha(v('--vscode-contrastBorder', foreground), 0.5) : withAlpha(foreground, 0.14),
    background: v('--vscode-editor-background', dark ? '#1f1f1f' : '#ffffff'),
    border: v('--vscode-panel-border', v('--vscode-editorWidget-border', dark ? '#454545' : '#e5e5e5')),
    original: v('--vscode-charts-blue', '#3794ff'),
    protected: v('--vscode-charts-red', '#f14c4c'),
    accent: v('--vscode-charts-purple', '#b180d7'),
    pass: v('--vscode-testing-iconPassed', v('--vscode-charts-green', '#388a34')),
    fail: v('--vscode-testing-iconFailed', v('--vscode-errorForeground', '#f14c4c')),
    warning: v('--vscode-editorWarning-foreground', v('--vscode-charts-yellow', '#cca700')),
    fontFamily: v('--vscode-font-family', 'system-ui, sans-serif'),
    fontSize: parseFloat(v('--vscode-font-size', '13px')) || 13,
  };
}

/** Theme family from the body class VS Code sets. */
export function themeKind(body: HTMLElement): Theme['kind'] {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-dark')) return 'dark';
  return 'light';
}

/** Calls `onChange` after VS Code switches theme (body class or inline variables change); returns a disposer. */
export function watchTheme(onChange: () => void, doc: Document = document): () => void {
  let pending = 0;
  const observer = new MutationObserver(() => {
    // A theme switch changes class and style together; redraw once.
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(onChange);
  });
  observer.observe(doc.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(doc.documentElement, { attributes: true, attributeFilter: ['style'] });
  return () => observer.disconnect();
}

let probe: CanvasRenderingContext2D | null | undefined;

/** The colour with an alpha channel, whatever CSS form the theme gave it in (hex, rgb(), named). */
export function withAlpha(color: string, alpha: number): string {
  probe ??= document.createElement('canvas').getContext('2d');
  if (!probe) return color;
  // The canvas normalises any CSS colour to #rrggbb or rgba(); parse that.
  probe.fillStyle = '#000000';
  probe.fillStyle = color;
  const normal = String(probe.fillStyle);
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(normal);
  if (hex) return `rgba(${parseInt(hex[1]!, 16)}, ${parseInt(hex[2]!, 16)}, ${parseInt(hex[3]!, 16)}, ${alpha})`;
  const rgba = /^rgba?\(([^,]+),([^,]+),([^,)]+)(?:,([^)]+))?\)$/.exec(normal);
  if (rgba) {
    const a = rgba[4] !== undefined ? parseFloat(rgba[4]) * alpha : alpha;
    return `rgba(${rgba[1]!.trim()}, ${rgba[2]!.trim()}, ${rgba[3]!.trim()}, ${a})`;
  }
  return color;
}
