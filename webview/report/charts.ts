/**
 * chart.js charts of the report: one fragility chart per perturbation kind (mean curves with
 * min–max bands, s50 markers, chance line; bars for one-magnitude kinds) and the per-sample output
 * difference chart. Charts are kept by key and updated in place, so live partial reports and theme
 * switches redraw without flicker; `chartImage` renders the same config off-screen for exports.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartDataset,
  type ChartType,
  Filler,
  Legend,
  type LegendItem,
  layouts,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  type Plugin,
  PointElement,
  ScatterController,
  SubTitle,
  Title,
  Tooltip,
} from 'chart.js';
import type { FragilitySeries } from '../../src/core/report';
import { formatMagnitudePhrase, formatNumber, formatPercent } from '../../src/core/reportFormat';
import { placeLabels, xRange } from './chartLayout';
import type { EquivalenceModel, KindChartSpec } from './reportModel';
import { type Theme, withAlpha } from './theme';

/** A horizontal reference line (chance level, tolerance): labelled in the legend, never over the data. */
interface HLine {
  y: number;
  color: string;
  label: string;
}

/** A vertical marker (s50 of one model): labelled in a strip above the plot, over its line. */
interface VLine {
  x: number;
  color: string;
  label: string;
}

/** Dash of the reference lines, in the plot and in the legend. */
const REFERENCE_DASH = [5, 4];

declare module 'chart.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the type parameter must match chart.js' declaration
  interface PluginOptionsByType<TType extends ChartType> {
    /** Reference lines drawn by the `mimosaLines` plugin. */
    mimosaLines?: { h?: HLine[]; v?: VLine[]; font?: string; fontSize?: number };
    /** Fill colour behind the chart (exports; the panel stays transparent). */
    mimosaBackground?: { color?: string };
  }
}

type LinesOptions = { h?: HLine[]; v?: VLine[]; font?: string; fontSize?: number };

/**
 * A layout box of one text row between the legend and the plot, where the s50 labels go, so they
 * never sit on the curves. Its height is zero when the chart has no vertical markers.
 */
function markerStrip(chart: Chart) {
  return {
    position: 'top' as const,
    // Below the legend (1000) and the titles: boxes of lower weight sit nearer the plot.
    weight: 1,
    fullSize: false,
    options: {},
    top: 0,
    left: 0,
    right: 0,
    bottom: 0,
    width: 0,
    height: 0,
    isHorizontal: () => true,
    update(this: { width: number; height: number }, maxWidth: number) {
      const options = chart.options.plugins?.mimosaLines as LinesOptions | undefined;
      this.width = maxWidth;
      this.height = options?.v?.length ? (options.fontSize ?? 11) + 8 : 0;
    },
    draw() {
      // The labels are drawn with their lines (linesPlugin), after the datasets.
    },
  };
}

/** Draws reference lines after the datasets, in the theme's colours, and the markers' labels in their strip. */
const linesPlugin: Plugin = {
  id: 'mimosaLines',
  start(chart) {
    const strip = markerStrip(chart);
    (chart as Chart & { $mimosaStrip?: unknown }).$mimosaStrip = strip;
    layouts.addBox(chart, strip as unknown as Parameters<typeof layouts.addBox>[1]);
  },
  stop(chart) {
    const holder = chart as Chart & { $mimosaStrip?: unknown };
    if (holder.$mimosaStrip) layouts.removeBox(chart, holder.$mimosaStrip as Parameters<typeof layouts.removeBox>[1]);
    delete holder.$mimosaStrip;
  },
  afterDatasetsDraw(chart, _args, options: LinesOptions) {
    const { ctx, chartArea: area, scales } = chart;
    const x = scales.x;
    const y = scales.y;
    if (!x || !y) return;
    ctx.save();
    ctx.font = options.font ?? '11px sans-serif';
    ctx.setLineDash(REFERENCE_DASH);
    ctx.lineWidth = 1.25;
    for (const line of options.h ?? []) {
      const py = y.getPixelForValue(line.y);
      if (!(py >= area.top - 0.5 && py <= area.bottom + 0.5)) continue;
      ctx.strokeStyle = line.color;
      ctx.beginPath();
      ctx.moveTo(area.left, py);
      ctx.lineTo(area.right, py);
      ctx.stroke();
    }
    const shown = (options.v ?? []).map((line) => ({ line, px: x.getPixelForValue(line.x) })).filter(({ px }) => px >= area.left - 0.5 && px <= area.right + 0.5);
    for (const { line, px } of shown) {
      ctx.strokeStyle = line.color;
      ctx.beginPath();
      ctx.moveTo(px, area.top);
      ctx.lineTo(px, area.bottom);
      ctx.stroke();
    }
    // Labels in the strip above the plot (see markerStrip), pushed apart when the lines are close.
    const lefts = placeLabels(
      shown.map((s) => s.px),
      shown.map((s) => ctx.measureText(s.line.label).width),
      { left: area.left, right: chart.width - 2 },
    );
    ctx.textAlign = 'left';
    ctx.textBaseline = 'bottom';
    shown.forEach(({ line }, i) => {
      ctx.fillStyle = line.color;
      ctx.fillText(line.label, lefts[i]!, area.top - 3);
    });
    ctx.restore();
  },
};

/** Fills the canvas before drawing, for exported images that must not be transparent. */
const backgroundPlugin: Plugin = {
  id: 'mimosaBackground',
  beforeDraw(chart, _args, options: { color?: string }) {
    if (!options.color) return;
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = options.color;
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

Chart.register(
  LineController,
  LineElement,
  PointElement,
  BarController,
  BarElement,
  ScatterController,
  LinearScale,
  LogarithmicScale,
  CategoryScale,
  Filler,
  Legend,
  Title,
  SubTitle,
  Tooltip,
  linesPlugin,
  backgroundPlugin,
);

type AnyConfig = ChartConfiguration<'line' | 'bar' | 'scatter'>;

/** Builds a chart's configuration for a theme (re-run when the theme changes). */
export type ConfigBuilder = (theme: Theme) => AnyConfig;

/** Live charts by key, updated in place. */
export class ChartSet {
  private readonly charts = new Map<string, { chart: Chart; build: ConfigBuilder; canvas: HTMLCanvasElement }>();

  constructor(private theme: Theme) {}

  /** Creates the chart `key` in `parent`, or updates it when it exists. */
  upsert(key: string, parent: HTMLElement, build: ConfigBuilder): void {
    const config = build(this.theme);
    const existing = this.charts.get(key);
    if (existing && existing.canvas.parentElement === parent && (existing.chart.config as { type?: string }).type === config.type) {
      existing.chart.data = config.data as Chart['data'];
      existing.chart.options = config.options as Chart['options'];
      existing.build = build;
      existing.chart.update('none');
      return;
    }
    existing?.chart.destroy();
    parent.replaceChildren();
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    parent.append(canvas);
    this.charts.set(key, { chart: new Chart(canvas, config as ChartConfiguration), build, canvas });
  }

  /** Removes charts whose key is not in `keep`. */
  retain(keep: ReadonlySet<string>): void {
    for (const [key, entry] of this.charts) {
      if (keep.has(key)) continue;
      entry.chart.destroy();
      entry.canvas.remove();
      this.charts.delete(key);
    }
  }

  /** Re-colours every chart for a new theme. */
  setTheme(theme: Theme): void {
    this.theme = theme;
    for (const entry of this.charts.values()) {
      const config = entry.build(theme);
      entry.chart.options = config.options as Chart['options'];
      entry.chart.data = config.data as Chart['data'];
      entry.chart.update('none');
    }
  }

  /** The builders in insertion order, for exports. */
  builders(): { key: string; build: ConfigBuilder }[] {
    return [...this.charts].map(([key, e]) => ({ key, build: e.build }));
  }
}

/** Renders a chart off-screen at a fixed size (2× pixel density) and returns it as a PNG data URL. */
export function chartImage(build: ConfigBuilder, theme: Theme, width: number, height: number): string {
  const host = document.createElement('div');
  host.className = 'offscreen';
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  host.append(canvas);
  document.body.append(host);
  const config = build(theme);
  const chart = new Chart(canvas, {
    ...config,
    options: {
      ...config.options,
      responsive: false,
      animation: false,
      devicePixelRatio: 2,
      plugins: { ...config.options?.plugins, mimosaBackground: { color: theme.background } },
    },
  } as ChartConfiguration);
  const url = canvas.toDataURL('image/png');
  chart.destroy();
  host.remove();
  return url;
}

function baseOptions(theme: Theme, title: string, subtitle: string) {
  const font = { family: theme.fontFamily, size: theme.fontSize - 1 };
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false as const,
    color: theme.foreground,
    font,
    plugins: {
      title: { display: true, text: title, color: theme.foreground, align: 'start' as const, font: { family: theme.fontFamily, size: theme.fontSize + 1, weight: 'bold' as const }, padding: { top: 0, bottom: 2 } },
      subtitle: { display: true, text: subtitle, color: theme.muted, align: 'start' as const, font, padding: { bottom: 8 } },
      legend: { labels: { color: theme.foreground, font, boxWidth: 14, boxHeight: 2 } },
      tooltip: { titleFont: font, bodyFont: font },
    },
  };
}

function axis(theme: Theme, title: string) {
  return {
    title: { display: true, text: title, color: theme.muted, font: { family: theme.fontFamily, size: theme.fontSize - 1 } },
    ticks: { color: theme.muted, font: { family: theme.fontFamily, size: theme.fontSize - 2 } },
    grid: { color: theme.grid },
    border: { color: theme.grid },
  };
}

/** Legend items of the reference lines (chance, tolerance): a dashed line in the line's colour. */
function referenceItems(theme: Theme, lines: readonly HLine[]): LegendItem[] {
  return lines.map((line) => ({
    text: line.label,
    pointStyle: 'line',
    fillStyle: line.color,
    strokeStyle: line.color,
    lineWidth: 1.5,
    lineDash: [4, 3],
    fontColor: theme.foreground,
    hidden: false,
  }));
}

/** Legend items of line datasets (bands, which have no label, left out): a line in the dataset's colour and dash. */
function lineItems(chart: Chart): LegendItem[] {
  return Chart.defaults.plugins.legend.labels
    .generateLabels(chart)
    .filter((item) => item.text !== '')
    .map((item) => {
      // With point styles the default items take the point's style, which has no dash: take the line's.
      const dataset = item.datasetIndex !== undefined ? (chart.data.datasets[item.datasetIndex] as ChartDataset<'line'>) : undefined;
      return { ...item, pointStyle: 'line', lineWidth: 2, strokeStyle: (dataset?.borderColor as string | undefined) ?? item.strokeStyle, lineDash: (dataset?.borderDash as number[] | undefined) ?? [] };
    });
}

/**
 * Legend options: the datasets' items (`items`), then the reference lines, every swatch drawn
 * as a point style (a line for curves and reference lines, a block for bars); clicking toggles
 * datasets only.
 */
function legendWith(theme: Theme, lines: readonly HLine[], items: (chart: Chart) => LegendItem[], labels: Record<string, unknown> = {}) {
  const base = baseOptions(theme, '', '').plugins.legend;
  return {
    ...base,
    labels: {
      ...base.labels,
      usePointStyle: true,
      pointStyleWidth: 18,
      boxWidth: 18,
      boxHeight: 8,
      ...labels,
      generateLabels: (chart: Chart) => [...items(chart), ...referenceItems(theme, lines)],
    },
    onClick: (_event: unknown, item: LegendItem, legend: { chart: Chart }) => {
      if (item.datasetIndex === undefined) return;
      const chart = legend.chart;
      chart.setDatasetVisibility(item.datasetIndex, !chart.isDatasetVisible(item.datasetIndex));
      chart.update();
    },
  };
}

/** Ticks of a log axis: label only powers of ten (and 1–2–5 steps when the range is short), shown × `scale`. */
function logTick(value: number | string, shortRange: boolean, scale = 1): string {
  const v = Number(value);
  const exp = Math.log10(v);
  const mantissa = v / 10 ** Math.floor(exp + 1e-9);
  const keep = Math.abs(mantissa - 1) < 1e-6 || (shortRange && (Math.abs(mantissa - 2) < 1e-6 || Math.abs(mantissa - 5) < 1e-6));
  return keep ? formatNumber(v * scale) : '';
}

/** Fragility chart of one kind: curves with bands on a (log) magnitude axis, or bars for a one-magnitude kind. */
export function fragilityConfig(spec: KindChartSpec): ConfigBuilder {
  return spec.single ? singleMagnitudeConfig(spec) : curveConfig(spec);
}

function curveConfig(spec: KindChartSpec): ConfigBuilder {
  return (theme) => {
    const points = (values: number[]) => values.map((y, i) => ({ x: spec.magnitudes[i]!, y }));
    const band = (values: number[], color: string, fill: string | false): ChartDataset<'line'> => ({
      label: '',
      data: points(values),
      borderWidth: 0,
      pointRadius: 0,
      pointHitRadius: 0,
      borderColor: 'transparent',
      backgroundColor: withAlpha(color, theme.kind.startsWith('high-contrast') ? 0.3 : 0.16),
      fill,
    });
    // Magnitudes a sweep did not run (it sat at chance) carry the last value: no dot there.
    const mean = (label: string, series: FragilitySeries, color: string, dash?: number[]): ChartDataset<'line'> => ({
      label,
      data: points(series.mean),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 2,
      borderDash: dash,
      pointRadius: series.mean.map((_, i) => (i >= (series.notMeasuredFrom ?? Infinity) ? 0 : 2.5)),
      pointHoverRadius: 4,
      tension: 0,
      fill: false,
    });
    const o = spec.original;
    const p = spec.protected;
    const datasets = [
      band(o.min, theme.original, false),
      band(o.max, theme.original, '-1'),
      mean('Original', o, theme.original),
      band(p.min, theme.protected, false),
      band(p.max, theme.protected, '-1'),
      mean('Protected', p, theme.protected, [6, 3]),
    ];
    const v: VLine[] = [];
    if (spec.s50Markers && o.s50 !== null) v.push({ x: o.s50, color: theme.original, label: `s50 ${spec.s50Text.original}` });
    if (spec.s50Markers && p.s50 !== null) v.push({ x: p.s50, color: theme.protected, label: `s50 ${spec.s50Text.protected}` });
    const chance: HLine = { y: spec.chance, color: theme.muted, label: `chance ${fmtChance(spec.chance)}` };
    const base = baseOptions(theme, spec.title, spec.subtitle);
    const shortRange = spec.logX && Math.max(...spec.magnitudes) / Math.min(...spec.magnitudes) < 1000;
    const x = axis(theme, spec.xLabel);
    const range = xRange(spec.magnitudes, spec.logX);
    // A short grid (fine-tuning steps 1, 3, 10, 30, 100, 300) is labelled at its own points.
    const gridTicks = spec.magnitudes.length <= 8;
    const config: ChartConfiguration<'line'> = {
      type: 'line',
      data: { datasets },
      options: {
        ...base,
        parsing: false,
        normalized: true,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: {
            ...x,
            type: spec.logX ? 'logarithmic' : 'linear',
            // Padded, so the points at both ends are drawn whole.
            min: range.min,
            max: range.max,
            afterBuildTicks: gridTicks ? (scale) => void (scale.ticks = spec.magnitudes.map((value) => ({ value }))) : undefined,
            ticks: {
              ...x.ticks,
              autoSkip: true,
              maxRotation: 0,
              callback: (value) => (gridTicks || !spec.logX ? formatNumber(Number(value) * spec.xScale) : logTick(Number(value), shortRange, spec.xScale)),
            },
            // Unlabelled minor ticks of a log axis would draw a dense comb of lines: keep only labelled ones.
            grid: { color: (ctx) => (spec.logX && !ctx.tick?.label ? 'transparent' : theme.grid) },
          },
          y: { ...axis(theme, spec.yLabel), min: 0, max: 1, ticks: { ...axis(theme, '').ticks, callback: (value) => formatPercent(Number(value), 0) } },
        },
        plugins: {
          ...base.plugins,
          // Bands are unlabelled datasets: keep them out of the legend and the tooltip.
          legend: legendWith(theme, [chance], lineItems),
          tooltip: {
            ...base.plugins.tooltip,
            filter: (item) => item.dataset.label !== '',
            callbacks: {
              title: (items) => formatMagnitudePhrase(spec.kind, items[0]?.parsed.x ?? NaN),
              label: (item) => {
                const series = item.dataset.label === 'Original' ? o : p;
                const i = item.dataIndex;
                const broken = series.broken?.[i];
                const range = spec.repeats > 1 ? ` (min ${formatPercent(series.min[i])}, max ${formatPercent(series.max[i])})` : '';
                const brokenText = broken !== undefined && spec.repeats > 1 ? `, broken in ${Math.round(broken * spec.repeats)}/${spec.repeats}` : '';
                return `${item.dataset.label}: ${formatPercent(item.parsed.y)}${range}${brokenText}`;
              },
            },
          },
          mimosaLines: { h: [chance], v, ...lineFont(theme) },
        },
      },
    };
    return config;
  };
}

/** Font of the reference lines' labels. */
function lineFont(theme: Theme): { font: string; fontSize: number } {
  return { font: `${theme.fontSize - 2}px ${theme.fontFamily}`, fontSize: theme.fontSize - 2 };
}

function singleMagnitudeConfig(spec: KindChartSpec): ConfigBuilder {
  return (theme) => {
    const o = spec.original;
    const p = spec.protected;
    const base = baseOptions(theme, spec.title, spec.subtitle);
    const chance: HLine = { y: spec.chance, color: theme.muted, label: `chance ${fmtChance(spec.chance)}` };
    // One dataset per model, so the legend's swatches are the bars' colours; the clean bar is paler.
    const bars = (label: string, series: KindChartSpec['original'], color: string): ChartDataset<'bar'> => ({
      label,
      data: [series.clean, series.mean[0] ?? NaN],
      backgroundColor: [withAlpha(color, 0.35), color],
      borderColor: color,
      borderWidth: 1,
    });
    const swatch = (text: string, color: string, datasetIndex: number, chart: Chart): LegendItem => ({
      text,
      datasetIndex,
      pointStyle: 'rect',
      fillStyle: color,
      strokeStyle: color,
      lineWidth: 1,
      fontColor: theme.foreground,
      hidden: !chart.isDatasetVisible(datasetIndex),
    });
    const config: ChartConfiguration<'bar'> = {
      type: 'bar',
      data: {
        labels: spec.barGroups,
        datasets: [bars('Original', o, theme.original), bars('Protected', p, theme.protected)],
      },
      options: {
        ...base,
        scales: {
          // The groups name themselves (clean, after the conversion): no axis title.
          x: { ...axis(theme, ''), title: { display: false }, ticks: { ...axis(theme, '').ticks, font: { family: theme.fontFamily, size: theme.fontSize - 1 } } },
          y: { ...axis(theme, spec.yLabel), min: 0, max: 1, ticks: { ...axis(theme, '').ticks, callback: (value) => formatPercent(Number(value), 0), stepSize: 0.2 } },
        },
        plugins: {
          ...base.plugins,
          legend: legendWith(theme, [chance], (chart) => [swatch('Original', theme.original, 0, chart), swatch('Protected', theme.protected, 1, chart)]),
          tooltip: {
            ...base.plugins.tooltip,
            callbacks: { title: (items) => (items[0]?.label === spec.barGroups[0] ? 'Clean' : spec.title), label: (item) => `${item.dataset.label}: ${formatPercent(item.parsed.y)}` },
          },
          mimosaLines: { h: [chance], ...lineFont(theme) },
        },
      },
    };
    return config;
  };
}

/** Per-sample max |Δ| on a log axis, with the tolerance as a line; bit-identical samples are counted in the subtitle. */
export function differenceConfig(model: EquivalenceModel, compared: string): ConfigBuilder {
  return (theme) => {
    const points = model.perSample.map((y, x) => ({ x, y })).filter((pt) => pt.y > 0);
    const subtitle =
      model.exactSamples > 0
        ? `${model.perSample.length.toLocaleString('en-US')} samples; ${model.exactSamples.toLocaleString('en-US')} bit-identical (|Δ| = 0, not drawn)`
        : `${model.perSample.length.toLocaleString('en-US')} samples`;
    const base = baseOptions(theme, `Largest |Δ| of the ${compared}, per sample`, subtitle);
    const max = Math.max(model.threshold ?? 0, ...points.map((pt) => pt.y));
    const min = Math.min(...points.map((pt) => pt.y));
    const h: HLine[] = model.threshold ? [{ y: model.threshold, color: model.referencePassed ? theme.pass : theme.fail, label: model.thresholdLabel ?? `tolerance ${formatNumber(model.threshold)}` }] : [];
    const config: ChartConfiguration<'scatter'> = {
      type: 'scatter',
      data: {
        datasets: [{ label: `|Δ| of one sample`, data: points, pointRadius: 1.6, pointHoverRadius: 3, backgroundColor: withAlpha(theme.protected, 0.7), borderWidth: 0 }],
      },
      options: {
        ...base,
        parsing: false,
        scales: {
          x: { ...axis(theme, 'sample'), type: 'linear', min: 0, max: Math.max(1, model.perSample.length - 1), ticks: { ...axis(theme, '').ticks, callback: (v) => formatNumber(Number(v)) } },
          y: {
            ...axis(theme, 'max |Δ| (log)'),
            type: 'logarithmic',
            // Whole decades at both ends, so both ends carry a label.
            min: points.length ? 10 ** Math.floor(Math.log10(min)) : undefined,
            max: max > 0 ? 10 ** Math.ceil(Math.log10(max) + 0.05) : undefined,
            ticks: { ...axis(theme, '').ticks, callback: (v) => logTick(v, false) },
          },
        },
        plugins: {
          ...base.plugins,
          // The legend names the tolerance line, so its label never sits on the points.
          legend: legendWith(
            theme,
            h,
            (chart) => [{ text: '|Δ| of one sample', datasetIndex: 0, pointStyle: dot(withAlpha(theme.protected, 0.85), 3.5), fontColor: theme.foreground, hidden: !chart.isDatasetVisible(0) }],
          ),
          tooltip: { ...base.plugins.tooltip, callbacks: { label: (item) => `sample ${item.parsed.x}: |Δ| ${formatNumber(item.parsed.y)}` } },
          mimosaLines: { h, ...lineFont(theme) },
        },
      },
    };
    return config;
  };
}

/** A filled circle as a legend swatch (a point style of its own size, where 'circle' would stretch to the swatch width). */
function dot(color: string, radius: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = Math.ceil(2 * radius);
  const ctx = canvas.getContext('2d');
  if (ctx) {
    ctx.fillStyle = color;
    ctx.beginPath();
    ctx.arc(radius, radius, radius, 0, 2 * Math.PI);
    ctx.fill();
  }
  return canvas;
}

/** Chance level for a line label: "10 %" (1/10), "33.3 %" (1/3). */
function fmtChance(chance: number): string {
  const pct = chance * 100;
  return Math.abs(pct - Math.round(pct)) < 1e-9 ? `${Math.round(pct)} %` : formatPercent(chance);
}
