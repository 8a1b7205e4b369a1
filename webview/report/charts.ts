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
import { formatNumber, formatPercent } from '../../src/core/reportFormat';
import type { EquivalenceModel, KindChartSpec } from './reportModel';
import { type Theme, withAlpha } from './theme';

/** A horizontal reference line (chance level, tolerance). */
interface HLine {
  y: number;
  color: string;
  label: string;
}

/** A vertical marker (s50 of one model). */
interface VLine {
  x: number;
  color: string;
  label: string;
}

declare module 'chart.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the type parameter must match chart.js' declaration
  interface PluginOptionsByType<TType extends ChartType> {
    /** Reference lines drawn by the `mimosaLines` plugin. */
    mimosaLines?: { h?: HLine[]; v?: VLine[]; font?: string };
    /** Fill colour behind the chart (exports; the panel stays transparent). */
    mimosaBackground?: { color?: string };
  }
}

/** Draws reference lines and labels after the datasets, in the theme's colours. */
const linesPlugin: Plugin = {
  id: 'mimosaLines',
  afterDatasetsDraw(chart, _args, options: { h?: HLine[]; v?: VLine[]; font?: string }) {
    const { ctx, chartArea: area, scales } = chart;
    const x = scales.x;
    const y = scales.y;
    if (!x || !y) return;
    ctx.save();
    ctx.font = options.font ?? '11px sans-serif';
    ctx.setLineDash([5, 4]);
    ctx.lineWidth = 1.25;
    for (const line of options.h ?? []) {
      const py = y.getPixelForValue(line.y);
      if (!(py >= area.top - 0.5 && py <= area.bottom + 0.5)) continue;
      ctx.strokeStyle = line.color;
      ctx.beginPath();
      ctx.moveTo(area.left, py);
      ctx.lineTo(area.right, py);
      ctx.stroke();
      ctx.fillStyle = line.color;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'bottom';
      ctx.fillText(line.label, area.right - 4, py - 2);
    }
    (options.v ?? []).forEach((line, i) => {
      const px = x.getPixelForValue(line.x);
      if (!(px >= area.left - 0.5 && px <= area.right + 0.5)) return;
      ctx.strokeStyle = line.color;
      ctx.beginPath();
      ctx.moveTo(px, area.top);
      ctx.lineTo(px, area.bottom);
      ctx.stroke();
      ctx.fillStyle = line.color;
      // Labels of the two markers are staggered so they never overlap when the s50s are close.
      const nearRight = px > area.right - 60;
      ctx.textAlign = nearRight ? 'right' : 'left';
      ctx.textBaseline = 'top';
      ctx.fillText(line.label, px + (nearRight ? -4 : 4), area.top + 4 + i * 14);
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

/** Ticks of a log axis: label only powers of ten (and 1–2–5 steps when the range is short). */
function logTick(value: number | string, shortRange: boolean): string {
  const v = Number(value);
  const exp = Math.log10(v);
  const mantissa = v / 10 ** Math.floor(exp + 1e-9);
  const keep = Math.abs(mantissa - 1) < 1e-6 || (shortRange && (Math.abs(mantissa - 2) < 1e-6 || Math.abs(mantissa - 5) < 1e-6));
  return keep ? formatNumber(v) : '';
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
    const mean = (label: string, values: number[], color: string, dash?: number[]): ChartDataset<'line'> => ({
      label,
      data: points(values),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 2,
      borderDash: dash,
      pointRadius: 2.5,
      pointHoverRadius: 4,
      tension: 0,
      fill: false,
    });
    const o = spec.original;
    const p = spec.protected;
    const datasets = [
      band(o.min, theme.original, false),
      band(o.max, theme.original, '-1'),
      mean('Original', o.mean, theme.original),
      band(p.min, theme.protected, false),
      band(p.max, theme.protected, '-1'),
      mean('Protected', p.mean, theme.protected, [6, 3]),
    ];
    const v: VLine[] = [];
    if (o.s50 !== null) v.push({ x: o.s50, color: theme.original, label: `s50 ${spec.s50Text.original}` });
    if (p.s50 !== null) v.push({ x: p.s50, color: theme.protected, label: `s50 ${spec.s50Text.protected}` });
    const base = baseOptions(theme, spec.title, spec.subtitle);
    const shortRange = spec.logX && Math.max(...spec.magnitudes) / Math.min(...spec.magnitudes) < 1000;
    const x = axis(theme, spec.xLabel);
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
            min: Math.min(...spec.magnitudes),
            max: Math.max(...spec.magnitudes),
            ticks: { ...x.ticks, autoSkip: true, maxRotation: 0, callback: (value) => (spec.logX ? logTick(value, shortRange) : formatNumber(Number(value))) },
            // Unlabelled minor ticks of a log axis would draw a dense comb of lines: keep only labelled ones.
            grid: { color: (ctx) => (spec.logX && !ctx.tick?.label ? 'transparent' : theme.grid) },
          },
          y: { ...axis(theme, spec.yLabel), min: 0, max: 1, ticks: { ...axis(theme, '').ticks, callback: (value) => formatPercent(Number(value), 0) } },
        },
        plugins: {
          ...base.plugins,
          // Bands are unlabelled datasets: keep them out of the legend and the tooltip.
          legend: { ...base.plugins.legend, labels: { ...base.plugins.legend.labels, filter: (item) => item.text !== '' } },
          tooltip: {
            ...base.plugins.tooltip,
            filter: (item) => item.dataset.label !== '',
            callbacks: {
              title: (items) => `${spec.xLabel}: ${formatNumber(items[0]?.parsed.x ?? NaN)}`,
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
          mimosaLines: { h: [{ y: spec.chance, color: theme.muted, label: `chance ${fmtChance(spec.chance)}` }], v, font: `${theme.fontSize - 2}px ${theme.fontFamily}` },
        },
      },
    };
    return config;
  };
}

function singleMagnitudeConfig(spec: KindChartSpec): ConfigBuilder {
  return (theme) => {
    const o = spec.original;
    const p = spec.protected;
    const base = baseOptions(theme, spec.title, spec.subtitle);
    const config: ChartConfiguration<'bar'> = {
      type: 'bar',
      data: {
        labels: ['Original', 'Protected'],
        datasets: [
          {
            label: 'Clean',
            data: [o.clean, p.clean],
            backgroundColor: [withAlpha(theme.original, 0.3), withAlpha(theme.protected, 0.3)],
            borderColor: [theme.original, theme.protected],
            borderWidth: 1,
          },
          {
            label: `After ${spec.title}`,
            data: [o.mean[0] ?? NaN, p.mean[0] ?? NaN],
            backgroundColor: [theme.original, theme.protected],
            borderColor: [theme.original, theme.protected],
            borderWidth: 1,
          },
        ],
      },
      options: {
        ...base,
        scales: {
          x: { ...axis(theme, spec.xLabel) },
          y: { ...axis(theme, spec.yLabel), min: 0, max: 1, ticks: { ...axis(theme, '').ticks, callback: (value) => formatPercent(Number(value), 0), stepSize: 0.2 } },
        },
        plugins: {
          ...base.plugins,
          // Bars are coloured per model, so the legend explains the shade instead: pale = clean, solid = perturbed.
          legend: {
            ...base.plugins.legend,
            labels: {
              ...base.plugins.legend.labels,
              boxHeight: 10,
              generateLabels: (chart) =>
                chart.data.datasets.map((d, i) => ({
                  text: d.label ?? '',
                  datasetIndex: i,
                  fillStyle: i === 0 ? withAlpha(theme.muted, 0.3) : theme.muted,
                  strokeStyle: theme.muted,
                  lineWidth: 1,
                  fontColor: theme.foreground,
                  hidden: !chart.isDatasetVisible(i),
                })),
            },
          },
          tooltip: { ...base.plugins.tooltip, callbacks: { label: (item) => `${item.dataset.label}: ${formatPercent(item.parsed.y)}` } },
          mimosaLines: { h: [{ y: spec.chance, color: theme.muted, label: `chance ${fmtChance(spec.chance)}` }], font: `${theme.fontSize - 2}px ${theme.fontFamily}` },
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
    const h: HLine[] = model.threshold ? [{ y: model.threshold, color: model.referencePassed ? theme.pass : theme.fail, label: `tolerance ${formatNumber(model.threshold)}` }] : [];
    const config: ChartConfiguration<'scatter'> = {
      type: 'scatter',
      data: {
        datasets: [{ label: '|Δ|', data: points, pointRadius: 1.6, pointHoverRadius: 3, backgroundColor: withAlpha(theme.protected, 0.7), borderWidth: 0 }],
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
          legend: { display: false },
          tooltip: { ...base.plugins.tooltip, callbacks: { label: (item) => `sample ${item.parsed.x}: |Δ| ${formatNumber(item.parsed.y)}` } },
          mimosaLines: { h, font: `${theme.fontSize - 2}px ${theme.fontFamily}` },
        },
      },
    };
    return config;
  };
}

/** Chance level for a line label: "10 %" (1/10), "33.3 %" (1/3). */
function fmtChance(chance: number): string {
  const pct = chance * 100;
  return Math.abs(pct - Math.round(pct)) < 1e-9 ? `${Math.round(pct)} %` : formatPercent(chance);
}
