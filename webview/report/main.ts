/**
 * The report webview (dist/webview/report.js). Builds the page skeleton once, restores the last
 * state (setState/getState) so a re-shown panel paints at once, posts `ready`, then renders every
 * `showReport` from the host: charts are updated in place while a run streams partial reports.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import { headline } from '../../src/core/headline';
import type { ProtectionReport } from '../../src/core/report';
import { formatFactor, formatNumber, formatPercent } from '../../src/core/reportFormat';
import type { JobProgress } from '../../src/protocol/progress';
import type { FromWebviewMessage, ReportViewState, ShowReportMessage, ToWebviewMessage } from '../../src/protocol/webview';
import { Chart, type ChartConfiguration, type ChartDataset } from 'chart.js';
import { ChartSet, type ConfigBuilder, chartImage, differenceConfig, fragilityConfig } from './charts';
import { byId, fill, h } from './dom';
import { exportStem } from './format';
import { type AttackTone, type Fact, type FieldModel, type MarginState, RUNTIME_TIMINGS_CAPTION, attacksModel, chartSpecs, detailsModel, equivalenceModel, fieldModel, headerModel, summaryRows, tellingPointRule } from './reportModel';
import { type FunctionModel, type FunctionPoint, ownershipAbsence, ownershipModel } from './ownershipModel';
import { staticHtml } from './staticHtml';
import { readTheme, watchTheme, withAlpha } from './theme';

/** The API VS Code injects into webviews (callable once). */
interface VsCodeApi {
  postMessage(message: FromWebviewMessage): void;
  getState(): ReportViewState | undefined;
  setState(state: ReportViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
let state: ReportViewState = vscode.getState() ?? { report: {}, status: 'running' };
let theme = readTheme();
const charts = new ChartSet(theme);
let nextMessageId = 1;
/** Save requests waiting for the host's answer, by messageId → the button to re-enable. */
const pendingSaves = new Map<number, HTMLElement>();

function onMessage(data: unknown): void {
  if (typeof data !== 'object' || data === null || !('type' in data)) return;
  const message = data as ToWebviewMessage;
  switch (message.type) {
    case 'showReport':
      show(message);
      return;
    case 'runProgress':
      showProgress(message.progress);
      return;
    case 'saveResult': {
      const button = pendingSaves.get(message.inReplyTo);
      pendingSaves.delete(message.inReplyTo);
      button?.removeAttribute('disabled');
      return;
    }
    default: {
      const never: never = message;
      console.warn('unknown message', never);
    }
  }
}

function show(message: ShowReportMessage): void {
  state = { ...state, report: message.report, reportPath: message.reportPath, status: message.status, error: message.error };
  vscode.setState(state);
  render();
}

/** Static parts: header, status line, tabs with their containers. Built once; render() fills them. */
function buildSkeleton(): void {
  const app = byId('app');
  const saveHtml = h('vscode-button', { id: 'save-html', secondary: true, title: 'Save a self-contained HTML file with the charts embedded' }, 'Save as HTML');
  const savePng = h('vscode-button', { id: 'save-png', secondary: true, title: 'Save every chart in one PNG image' }, 'Save charts as PNG');
  saveHtml.addEventListener('click', () => exportHtml(saveHtml));
  savePng.addEventListener('click', () => void exportPng(savePng));

  const tabs = h('vscode-tabs', { id: 'tabs' });
  tabs.append(
    h('vscode-tab-header', { slot: 'header' }, 'Fragility'),
    h('vscode-tab-panel', null, h('div', { id: 'summary' }), h('div', { id: 'charts', class: 'charts' })),
    h('vscode-tab-header', { slot: 'header' }, 'Equivalence'),
    h('vscode-tab-panel', null, h('div', { id: 'equivalence' })),
    // Always there: without evidence it says why (no labels, turned off, an older report).
    h('vscode-tab-header', { slot: 'header', 'data-tab': 'ownership' }, 'Ownership'),
    h('vscode-tab-panel', null, h('div', { id: 'ownership' })),
    h('vscode-tab-header', { slot: 'header', 'data-tab': 'details' }, 'Details'),
    h('vscode-tab-panel', null, h('div', { id: 'details' })),
  );
  // The Attacks tab exists only for reports with an attack lab (render() adds or removes it).
  if (state.report.attacks) insertAttacksTab(tabs);
  if (state.tab) tabs.setAttribute('selected-index', String(state.tab));
  tabs.addEventListener('vsc-tabs-select', (event) => {
    state = { ...state, tab: (event as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex };
    vscode.setState(state);
  });

  fill(
    app,
    h(
      'header',
      { class: 'report-header' },
      h('div', { class: 'title-row' }, h('h1', { id: 'title' }, 'MimosaNet report'), h('div', { id: 'badges', class: 'badges' }), h('div', { class: 'actions' }, saveHtml, savePng)),
      h('div', { id: 'status' }),
      h('p', { id: 'verdict', class: 'verdict' }),
      h('div', { id: 'notes' }),
      h('div', { id: 'cards', class: 'cards' }),
    ),
    tabs,
  );
}

function render(): void {
  const report = state.report;
  const header = headerModel(report, state.status);
  const running = state.status === 'running';
  byId('title').textContent = header.title === 'model' && running ? 'Protecting…' : header.title;

  const eq = report.equivalence;
  const top = headline(report);
  fill(
    byId('badges'),
    running && h('vscode-badge', { class: 'badge-running' }, 'running'),
    state.status === 'cancelled' && h('vscode-badge', { class: 'badge-muted' }, 'cancelled'),
    state.status === 'failed' && h('vscode-badge', { class: 'badge-fail' }, 'failed'),
    eq && h('vscode-badge', { class: eq.passed ? 'badge-pass' : 'badge-fail', title: 'Equivalence check' }, eq.passed ? 'equivalent' : 'not equivalent'),
    top &&
      h(
        'vscode-badge',
        { class: 'badge-accent', title: `Fragility factor, ${top.kind}` },
        `${formatFactor(top.factor, top.bound)} ${top.kind === 'multiplicative' ? 'noise' : top.kind}`,
      ),
  );
  for (const id of ['save-html', 'save-png']) {
    const button = byId(id);
    if (running || !report.fragility) button.setAttribute('disabled', '');
    else if (![...pendingSaves.values()].includes(button)) button.removeAttribute('disabled');
  }

  renderStatus();
  byId('verdict').textContent = header.verdict ?? (running ? 'The verdict appears when the run is complete.' : '');
  fill(byId('notes'), ...header.notes.map((n) => h('p', { class: `note ${n.tone}`, role: n.tone === 'warning' ? 'note' : undefined }, n.text)));
  fill(byId('cards'), ...header.groups.map((g) => h('section', { class: 'card' }, h('h3', null, g.heading), factList(g.facts))));

  renderFragility();
  renderEquivalence();
  renderAttacks();
  renderOwnership();
  renderDetails();
}

function renderStatus(): void {
  const status = byId('status');
  if (state.status === 'running') {
    if (!status.querySelector('.progress')) {
      fill(
        status,
        h(
          'div',
          { class: 'progress' },
          h('vscode-progress-ring', { class: 'ring' }),
          h('span', { id: 'progress-text' }, 'Starting…'),
          h('vscode-progress-bar', { id: 'progress-bar', max: 100, 'aria-label': 'Progress' }),
        ),
      );
    }
    return;
  }
  if ((state.status === 'failed' || state.status === 'cancelled') && state.error) {
    const showLog = h('vscode-button', { secondary: true }, 'Show log');
    showLog.addEventListener('click', () => vscode.postMessage({ type: 'showLog' }));
    const text = state.status === 'cancelled' ? 'Cancelled: nothing was written. The charts show what was measured before.' : state.error.message;
    fill(status, h('div', { class: `banner ${state.status}`, role: 'alert' }, h('span', null, text), state.status === 'failed' && showLog));
    return;
  }
  fill(status);
}

function showProgress(progress: JobProgress): void {
  if (state.status !== 'running') return;
  renderStatus();
  const text = document.getElementById('progress-text');
  if (text) text.textContent = `${progress.phase}: ${progress.message}`;
  const bar = document.getElementById('progress-bar') as (HTMLElement & { value?: number }) | null;
  // A property, not an attribute: the component reads `value` as a number.
  if (bar) bar.value = Math.round(progress.fraction * 100);
}

function renderFragility(): void {
  const report = state.report;
  const rows = summaryRows(report);
  const summary = byId('summary');
  if (!rows.length) {
    fill(
      summary,
      h(
        'p',
        { class: 'placeholder' },
        state.status === 'running'
          ? report.equivalence
            ? 'Measuring fragility: each perturbation’s row and chart appear here as it finishes.'
            : 'The fragility sweep runs after the equivalence check; its charts appear here as each perturbation finishes.'
          : state.status === 'cancelled' || state.status === 'failed'
            ? 'The run stopped before any perturbation sweep finished.'
            : 'No fragility sweep in this report.',
      ),
    );
  } else {
    const table = sizedTable({ zebra: true, 'bordered-rows': true, resizable: true, columns: JSON.stringify(['24%', '14%', '14%', '14%', '34%']) });
    const metric = report.fragility?.metric === 'agreement' ? 'Agreement' : 'Accuracy';
    // Short headings (narrow panels truncate them), the full meaning in the tooltip.
    const headings: [string, string][] = [
      ['Perturbation', 'Kind of weight change'],
      ['s50 original', 'Perturbation size at which the original falls halfway to chance'],
      ['s50 protected', 'Perturbation size at which the protected model falls halfway to chance'],
      ['Factor', 'Fragility factor: s50(original) / s50(protected); for float16 and int8, measured at one point, whether the protected model breaks; for fine-tuning, the attacker’s head start over training from scratch'],
      [`${metric}, original → protected`, tellingPointRule(report)],
    ];
    table.append(
      h('vscode-table-header', { slot: 'header' }, ...headings.map(([text, title], i) => h('vscode-table-header-cell', { class: i > 0 ? 'num' : undefined, title }, text))),
      h(
        'vscode-table-body',
        { slot: 'body' },
        ...rows.map((r) =>
          h(
            'vscode-table-row',
            null,
            h('vscode-table-cell', { title: r.magnitudeLabel }, r.title),
            h('vscode-table-cell', { class: 'num' }, r.s50Original),
            h('vscode-table-cell', { class: 'num' }, r.s50Protected),
            h('vscode-table-cell', { class: 'num strong', title: r.fineTuning ? 'Head start: the attacker’s result on the copy − the original’s architecture trained from scratch on their data' : undefined }, r.factor),
            h(
              'vscode-table-cell',
              { class: 'num telling' },
              h('span', null, r.telling),
              r.tellingWhere ? h('span', { class: 'where' }, ` ${r.tellingWhere}`) : null,
              r.tellingNote ? h('div', { class: 'telling-note' }, r.tellingNote) : null,
            ),
          ),
        ),
      ),
    );
    fill(
      summary,
      table,
      h(
        'p',
        { class: 'hint' },
        's50 is the perturbation size at which the metric falls halfway from its clean value to chance; the fragility factor is s50(original) / s50(protected), “≥” marks a lower bound. The last column is taken at the first size where the protected model has fallen that far while the original still works.' +
          (rows.some((r) => r.fineTuning)
            ? ' Fine-tuning is an attacker working towards a goal, not noise: its rows show where the attacker ends, original → protected, and the head start over training the same architecture from scratch, not an s50 factor.'
            : '') +
          (state.status === 'running' ? ' Perturbations still being measured appear as they finish.' : ''),
      ),
    );
  }

  const specs = chartSpecs(report);
  const grid = byId('charts');
  const keep = new Set<string>();
  for (const spec of specs) {
    const key = `kind:${spec.kind}`;
    keep.add(key);
    let figure = grid.querySelector<HTMLElement>(`[data-kind="${spec.kind}"]`);
    if (!figure) {
      figure = h('figure', { class: 'chart-card', 'data-kind': spec.kind }, h('div', { class: 'chart-box' }), h('figcaption', { class: 'hint' }));
      grid.append(figure);
    }
    const caption = figure.querySelector('figcaption')!;
    caption.textContent = [spec.notes, spec.repeats > 1 && !spec.kind.startsWith('finetune') ? `Band: min–max over ${spec.repeats} seeded repeats.` : undefined].filter(Boolean).join(' ');
    charts.upsert(key, figure.querySelector<HTMLElement>('.chart-box')!, fragilityConfig(spec));
    // Kinds can finish in any order (two threads); keep the charts in the report's order.
    if (grid.lastElementChild !== figure) grid.append(figure);
  }
  for (const figure of [...grid.querySelectorAll<HTMLElement>('[data-kind]')]) if (!keep.has(`kind:${figure.dataset.kind}`)) figure.remove();
  const eqModel = equivalenceModel(report);
  if (eqModel) keep.add('difference');
  charts.retain(keep);
}

function renderEquivalence(): void {
  const report = state.report;
  const root = byId('equivalence');
  const model = equivalenceModel(report);
  if (!model) {
    fill(root, h('p', { class: 'placeholder' }, state.status === 'running' ? 'The equivalence check runs once the protected model is written.' : 'No equivalence check in this report.'));
    return;
  }
  let box = root.querySelector<HTMLElement>('.chart-box');
  if (!box) {
    box = h('div', { class: 'chart-box tall' });
    fill(
      root,
      h('div', { id: 'eq-head' }),
      h('h2', { id: 'eq-reference', class: 'section-title' }),
      h('div', { id: 'eq-tiles', class: 'tiles' }),
      h('figure', { class: 'chart-card wide' }, box),
      h('div', { id: 'eq-field' }),
    );
  }
  fill(byId('eq-head'), h('p', { class: `banner ${model.passed ? 'pass' : 'fail'}`, role: model.passed ? undefined : 'alert' }, model.summary));
  const field = fieldModel(report);
  fill(byId('eq-reference'), field ? 'Reference runtime' : 'Checked with', h('span', { class: 'section-sub' }, model.runtime));
  fill(byId('eq-tiles'), ...tiles(model.facts));
  charts.upsert('difference', box, differenceConfig(model, report.equivalence?.compared ?? 'logits'));
  fill(byId('eq-field'), ...(field ? fieldSection(field) : []));
}

/** Index of the Attacks tab when it is shown (after Fragility and Equivalence). */
const ATTACKS_TAB = 2;

/** The Attacks tab's header and panel, created once and moved in and out of the tabs. */
let attacksTabParts: HTMLElement[] | undefined;
/** Puts the Attacks tab before Ownership (so at ATTACKS_TAB). */
function insertAttacksTab(tabs: HTMLElement): void {
  // vscode-tabs gives its headers ids of its own: they are found by data-tab.
  attacksTabParts ??= [h('vscode-tab-header', { slot: 'header', 'data-tab': 'attacks' }, 'Attacks'), h('vscode-tab-panel', null, h('div', { id: 'attacks' }))];
  const next = tabs.querySelector('[data-tab="ownership"]');
  for (const part of attacksTabParts) tabs.insertBefore(part, next);
}

/** Shows the Attacks tab when the report has an attack lab, keeping the selected tab where it was. */
function toggleAttacksTab(show: boolean): void {
  const tabs = byId('tabs') as HTMLElement & { selectedIndex: number };
  const shown = attacksTabParts?.[0]?.isConnected ?? false;
  if (show === shown) return;
  let selected = tabs.selectedIndex;
  if (show) {
    insertAttacksTab(tabs);
    if (selected >= ATTACKS_TAB) selected++;
  } else {
    for (const part of attacksTabParts ?? []) part.remove();
    if (selected > ATTACKS_TAB) selected--;
    else if (selected === ATTACKS_TAB) selected = 0;
  }
  tabs.selectedIndex = selected;
  state = { ...state, tab: selected };
  vscode.setState(state);
}

const TONE_BANNERS: Record<AttackTone, string> = { good: 'pass', warn: 'warning', bad: 'fail' };

/** The attack lab: a one-line summary, the key numbers, one row per attack and what the columns mean. */
function renderAttacks(): void {
  const model = attacksModel(state.report);
  toggleAttacksTab(model !== undefined);
  if (!model) return;
  const table = dataTable(
    ['28%', '10%', '9%', '8%', '8%', '8%', '9%', '6%', '14%'],
    [
      ['Attack', 'What the attacker does: hover over a row for the details', false],
      ['Knowledge', 'What the attacker knows: none (only the file), or construction (how MimosaNet builds its copies)', false],
      ['Needs', 'The data the attack needs besides the file: labelled, unlabelled, or nothing', false],
      ['Original', `The attacker’s ${model.metricLabel.toLowerCase()} after the same attack on the original`, true],
      ['Copy', `The attacker’s ${model.metricLabel.toLowerCase()} after the attack on the protected copy`, true],
      ['Noisy', 'The copy’s result under 0.1 % relative weight noise: the fragility left after the attack', true],
      ['Head start', 'Copy − the original’s architecture trained from scratch on the attacker’s data, in percentage points', true],
      ['Time', 'Wall time of the attack on the copy', true],
      ['Verdict', 'Stops it: no better than from scratch; slows it: a head start, but over 2 points below the same attack on the original; does not stop it: otherwise', false],
    ],
    model.rows.map((r) => ({
      title: r.description,
      cells: [
        r.title,
        r.knowledge,
        r.needs,
        r.original,
        h('span', { class: 'strong' }, r.copy),
        r.noisy,
        r.headStart,
        r.time,
        h('span', { class: `verdict-tag ${r.tone}` }, r.verdict),
      ],
    })).concat(
      // Attacks the data did not allow (no labels): listed, greyed, with the reason as their verdict.
      model.skipped.map((r) => ({
        title: `${r.description}\nSkipped: ${r.reason}`,
        cells: [h('span', { class: 'muted' }, r.title), '—', r.needs, '—', '—', '—', '—', '—', h('span', { class: 'verdict-tag skipped', title: r.reason }, 'skipped')],
      })),
    ),
  );
  fill(
    byId('attacks'),
    h('p', { class: `banner ${TONE_BANNERS[model.summaryTone]}` }, model.summary),
    h('div', { class: 'tiles attack-tiles' }, ...tiles(model.facts)),
    table,
    h('p', { class: 'hint' }, model.caption),
  );
}

/**
 * The Ownership tab: what protect recorded for a later compare (references, the weight baseline,
 * the function evidence's calibration) and the button that compares a suspect with it; without
 * evidence, why there is none.
 */
function renderOwnership(): void {
  const root = byId('ownership');
  const model = ownershipModel(state.report, state.reportPath);
  if (!model) {
    fill(root, h('p', { class: 'placeholder' }, ownershipAbsence(state.report, state.status)));
    return;
  }
  const canCompare = state.status === 'done' && state.reportPath !== undefined;
  const compare = h(
    'vscode-button',
    { id: 'compare-suspect', disabled: !canCompare, title: canCompare ? 'Pick a suspect model and judge it against this evidence' : 'Available once report.json is written' },
    'Compare a Suspect…',
  );
  compare.addEventListener('click', () => {
    if (!compare.hasAttribute('disabled')) vscode.postMessage({ type: 'compareSuspect' });
  });
  const bandsTable = dataTable(
    ['14%', '10%', '20%', '16%', '20%', '20%'],
    [
      ['Layer', 'Hidden layer of the original', false],
      ['Units', 'The original’s units in the layer', true],
      ['Reference threshold', 'The highest aligned similarity any reference unit reached: a suspect’s unit above it beats every reference', true],
      ['Pooled units', 'Reference units the threshold was taken over', true],
      ['Independent, mean', 'The independent references’ mean aligned similarity in the layer, lowest–highest', true],
      ['Imitators, mean', 'The imitating references’ mean aligned similarity in the layer, lowest–highest', true],
    ],
    model.bands.map((b) => ({ cells: [b.layer, b.units, h('span', { class: 'strong' }, b.threshold), b.pooledUnits, b.independentMean, b.imitatorMean] })),
  );
  const share = `${Math.floor(40 / model.similarityHeadings.length)}%`;
  const referencesTable = dataTable(
    ['12%', '7%', '19%', ...model.similarityHeadings.map(() => share), '10%', '12%'],
    [
      ['Role', 'Independent: trained on the labels; imitator: trained on the original’s probabilities (temperature 3)', false],
      ['Width', 'Hidden widths as a multiple of the original’s', true],
      ['Trained on', 'Rows of the owner’s data it trained on (never the held-out rows), and its Adam steps', false],
      ...model.similarityHeadings.map((heading): [string, string, boolean] => [heading, `Mean aligned similarity to the original, ${heading.toLowerCase()} layer`, true]),
      ['Strength', 'Top-1 agreement with the original on the held-out rows', true],
      ['Dark knowledge', 'Dark-knowledge correlation with the original on the held-out rows: how alike the two rank the classes other than the original’s answer', true],
    ],
    model.references.map((r) => ({
      title: r.roleTitle,
      cells: [r.role, r.width, h('span', { title: r.trainingTitle }, r.training), ...r.similarity, r.strength, h('span', { class: 'strong' }, r.correlation)],
    })),
  );
  fill(
    root,
    h('p', { class: `banner ${model.tone === 'good' ? 'pass' : 'warning'}` }, model.summary),
    h('div', { class: 'tiles ownership-tiles' }, ...tiles(model.facts)),
    h('div', { class: 'compare-row' }, compare, h('span', { class: 'hint' }, 'Or in a terminal: ', h('code', null, model.compareCommand))),
    h('h2', { class: 'section-title' }, 'Weight evidence baseline', h('span', { class: 'section-sub' }, `false positives ${model.weightFalsePositives}`)),
    bandsTable,
    h('p', { class: 'hint' }, model.weightsCaption),
    ...functionSection(model.function),
    h('h2', { class: 'section-title' }, 'Reference networks'),
    referencesTable,
  );
  // Drawn once its box is in the document (chart.js measures the parent).
  const box = root.querySelector<HTMLElement>('.function-chart .chart-box');
  if (box) {
    charts.upsert('ownership', box, functionChartConfig(model.function));
    box.querySelector('canvas')?.setAttribute('aria-label', model.function.alt);
  }
}

/** The function evidence: whether the lines separate, the chart, the leave-one-out counts, the limits and the held-out rows' file. */
function functionSection(fn: FunctionModel): HTMLElement[] {
  const separates = fn.separation === 'separate';
  return [
    h('h2', { class: 'section-title' }, 'Function evidence: dark knowledge', h('span', { class: 'section-sub' }, `${fn.heldOut.rows} held-out rows in ${fn.heldOut.name}`)),
    h('p', { class: `note ${separates ? 'info' : 'warning'}`, role: separates ? undefined : 'note' }, fn.sentence),
    h('figure', { class: 'chart-card function-chart' }, h('div', { class: 'chart-box tall' }), h('figcaption', { class: 'hint' }, fn.caption)),
    h('p', { class: 'prose' }, fn.errors),
    h('p', { class: 'note info' }, fn.limits),
    h('p', { class: 'hint held-out' }, 'Held-out rows: ', h('code', null, fn.heldOut.name), ' beside report.json, SHA-256 ', h('code', { class: 'sha' }, fn.heldOut.sha256)),
  ];
}

/**
 * The references' dark-knowledge correlation against their strength: independent references
 * and imitators in two chart colours and two point shapes (told apart without colour), each
 * role's fitted line, and the independents' 99.9 % bound dotted in the muted colour.
 */
function functionChartConfig(fn: FunctionModel): ConfigBuilder {
  return (theme) => {
    const font = { family: theme.fontFamily, size: theme.fontSize - 1 };
    const small = { family: theme.fontFamily, size: theme.fontSize - 2 };
    const colour: Record<FunctionPoint['role'], string> = { independent: theme.original, imitator: theme.accent };
    const xy = (p: { strength: number; correlation: number }) => ({ x: p.strength, y: p.correlation });
    const group = (role: FunctionPoint['role']) => fn.points.filter((p) => p.role === role);
    const points = (role: FunctionPoint['role'], label: string, pointStyle: 'circle' | 'triangle', radius: number): ChartDataset<'scatter'> => ({
      label,
      data: group(role).map(xy),
      pointStyle,
      pointRadius: radius,
      pointHoverRadius: radius + 1.5,
      backgroundColor: withAlpha(colour[role], 0.85),
      borderColor: colour[role],
      borderWidth: 1,
    });
    const line = (label: string, data: { x: number; y: number }[], color: string, dash: number[], width: number): ChartDataset<'scatter'> => ({
      label,
      data,
      showLine: true,
      pointRadius: 0,
      pointHitRadius: 0,
      pointStyle: 'line',
      borderColor: color,
      backgroundColor: color,
      borderWidth: width,
      borderDash: dash,
    });
    const lineOf = (role: FunctionPoint['role']) => fn.lines.find((l) => l.role === role);
    const datasets: ChartDataset<'scatter'>[] = [points('independent', 'Independent references', 'circle', 4.5), points('imitator', 'Imitators', 'triangle', 5.5)];
    const ind = lineOf('independent');
    const imi = lineOf('imitator');
    if (ind) datasets.push(line('Independent line', [xy(ind.from), xy(ind.to)], theme.original, [], 2));
    if (imi) datasets.push(line('Imitators’ line', [xy(imi.from), xy(imi.to)], theme.accent, [7, 4], 2));
    if (fn.bound.length) datasets.push(line('Independent 99.9 % bound', fn.bound.map(xy), theme.muted, [2, 3], 1.5));
    const labelOf = (role: FunctionPoint['role'], index: number): string => group(role)[index]?.label ?? '';
    const fine = fn.strengthAxis.max - fn.strengthAxis.min < 0.05;
    const axis = (title: string) => ({
      type: 'linear' as const,
      title: { display: true, text: title, color: theme.muted, font },
      grid: { color: theme.grid },
      border: { color: theme.grid },
    });
    const config: ChartConfiguration<'scatter'> = {
      type: 'scatter',
      data: { datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        parsing: false,
        color: theme.foreground,
        font,
        scales: {
          // Suggested, not fixed: the axes end on round ticks.
          x: {
            ...axis('strength: top-1 agreement with the original'),
            suggestedMin: fn.strengthAxis.min,
            suggestedMax: fn.strengthAxis.max,
            ticks: { color: theme.muted, font: small, callback: (v) => formatPercent(Number(v), fine ? 1 : 0) },
          },
          y: { ...axis('dark-knowledge correlation'), suggestedMin: fn.correlationAxis.min, suggestedMax: fn.correlationAxis.max, ticks: { color: theme.muted, font: small, callback: (v) => Number(v).toFixed(2) } },
        },
        plugins: {
          title: { display: true, text: 'Dark knowledge against strength', color: theme.foreground, align: 'start', font: { family: theme.fontFamily, size: theme.fontSize + 1, weight: 'bold' }, padding: { top: 0, bottom: 2 } },
          subtitle: { display: true, text: `Reference networks on ${fn.heldOut.rows} held-out rows`, color: theme.muted, align: 'start', font, padding: { bottom: 8 } },
          legend: {
            labels: {
              color: theme.foreground,
              font,
              usePointStyle: true,
              pointStyleWidth: 18,
              boxHeight: 8,
              // Lines show as lines in their dash; the points keep their shapes.
              generateLabels: (chart) =>
                Chart.defaults.plugins.legend.labels.generateLabels(chart).map((item) => {
                  const dataset = item.datasetIndex !== undefined ? (chart.data.datasets[item.datasetIndex] as ChartDataset<'scatter'>) : undefined;
                  if (dataset?.showLine) return { ...item, pointStyle: 'line', lineWidth: 2, strokeStyle: dataset.borderColor as string, lineDash: (dataset.borderDash as number[] | undefined) ?? [] };
                  const role = item.datasetIndex === 0 ? 'independent' : 'imitator';
                  return { ...item, pointStyle: markerSwatch(role === 'independent' ? 'circle' : 'triangle', colour[role]) };
                }),
            },
          },
          tooltip: {
            titleFont: font,
            bodyFont: font,
            // The lines are read off the axes; the tooltip names the reference under the pointer.
            filter: (item) => !(item.dataset as ChartDataset<'scatter'>).showLine,
            callbacks: {
              label: (item) => `${labelOf(item.datasetIndex === 0 ? 'independent' : 'imitator', item.dataIndex)}: strength ${formatPercent(item.parsed.x, 1)}, correlation ${(item.parsed.y ?? NaN).toFixed(3)}`,
            },
          },
        },
      },
    };
    return config;
  };
}

/**
 * A point's shape as a legend swatch: a canvas of its own size, where the legend would stretch a
 * 'circle' or 'triangle' to the lines' swatch width.
 */
function markerSwatch(shape: 'circle' | 'triangle', color: string): HTMLCanvasElement {
  const size = 10;
  const canvas = h('canvas', { width: size, height: size });
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  ctx.fillStyle = color;
  ctx.beginPath();
  if (shape === 'circle') ctx.arc(size / 2, size / 2, size / 2 - 0.5, 0, 2 * Math.PI);
  else {
    ctx.moveTo(size / 2, 0.5);
    ctx.lineTo(size - 0.5, size - 0.5);
    ctx.lineTo(0.5, size - 0.5);
    ctx.closePath();
  }
  ctx.fill();
  return canvas;
}

/** Tiles: one labelled number each. */
function tiles(facts: readonly Fact[]): HTMLElement[] {
  return facts.map((f) => h('div', { class: 'tile', title: f.title }, h('div', { class: 'tile-label' }, f.label), h('div', { class: 'tile-value' }, f.value)));
}

const STATE_WORDS: Record<MarginState, { text: string; badge: string; title: string }> = {
  pass: { text: 'pass', badge: 'badge-pass', title: 'Within the tolerance and the search margin' },
  margin: { text: 'no margin', badge: 'badge-warn', title: 'Within the tolerance, but above tolerance / margin: the amplitude search would not have accepted it' },
  fail: { text: 'fail', badge: 'badge-fail', title: 'Over the tolerance, or a top-1 class changed' },
};

function passBadge(passed: boolean, title?: string): HTMLElement {
  return h('vscode-badge', { class: passed ? 'badge-pass' : 'badge-fail', title }, passed ? 'pass' : 'fail');
}

function stateBadge(stateName: MarginState): HTMLElement {
  const words = STATE_WORDS[stateName];
  return h('vscode-badge', { class: words.badge, title: words.title }, words.text);
}

/** Tables whose column widths were applied while visible. */
const sizedTables = new WeakSet<Element>();
/**
 * vscode-table turns its `columns` percentages into widths only when it is connected with a
 * non-zero width; a table built in a hidden tab gets equal columns. Re-apply them once the table
 * is first laid out (the next frame, outside the observer's callback).
 */
const tableSizer = new ResizeObserver((entries) => {
  for (const entry of entries) {
    const table = entry.target as HTMLElement & { columns?: unknown };
    if (entry.contentRect.width <= 0 || sizedTables.has(table)) continue;
    sizedTables.add(table);
    requestAnimationFrame(() => {
      const columns = table.getAttribute('columns');
      if (columns && table.isConnected) table.columns = JSON.parse(columns) as unknown;
    });
  }
});

/** A vscode-table whose column widths survive being built in a hidden tab. */
function sizedTable(props: Record<string, string | boolean>): HTMLElement {
  const table = h('vscode-table', props);
  tableSizer.observe(table);
  return table;
}

/** A vscode-table with short headings (tooltips carry the meaning) and numeric columns right-aligned. */
function dataTable(columns: string[], headings: [string, string, boolean][], rows: { cells: (string | HTMLElement)[]; strong?: boolean; title?: string }[]): HTMLElement {
  const table = sizedTable({ zebra: true, 'bordered-rows': true, columns: JSON.stringify(columns) });
  table.append(
    h('vscode-table-header', { slot: 'header' }, ...headings.map(([text, title, num]) => h('vscode-table-header-cell', { class: num ? 'num' : undefined, title }, text))),
    h(
      'vscode-table-body',
      { slot: 'body' },
      ...rows.map((row) =>
        h(
          'vscode-table-row',
          { class: row.strong ? 'strong' : undefined, title: row.title },
          ...row.cells.map((cell, i) => h('vscode-table-cell', { class: headings[i]?.[2] ? 'num' : undefined, title: row.title ?? (typeof cell === 'string' ? cell : undefined) }, cell)),
        ),
      ),
    ),
  );
  return table;
}

/** "In the field": the runtime matrix, the emulated kernel orders and the bounds. */
function fieldSection(field: FieldModel): HTMLElement[] {
  const runtimeTable = dataTable(
    ['38%', '8%', '9%', '12%', '12%', '12%', '9%'],
    [
      ['Runtime', 'Library, version and backend', false],
      ['Batch', 'Rows per call: 1 takes matrix–vector paths, large batches tiled GEMMs', true],
      ['Samples', 'Samples compared (batch 1 runs on the first few hundred: one runtime call each)', true],
      ['relDiff', 'max |Δ| / max |original output|', true],
      ['max |Δ|', 'Largest absolute difference of the logits', true],
      ['Top-1', 'Samples whose predicted class is the same for both models', true],
      ['Result', 'Pass: every top-1 class kept and relDiff within the tolerance', false],
    ],
    field.runtimes.map((r) => ({ cells: [r.runtime, r.batch, r.samples, r.relDiff, r.maxAbsDiff, r.top1, passBadge(r.passed)] })),
  );
  const emulatedTable = dataTable(
    ['52%', '13%', '13%', '11%', '11%'],
    [
      ['Emulated assignment', 'Summation order of each output column, the same kind for both models', false],
      ['relDiff', 'max |Δ| / max |original output|', true],
      ['max |Δ|', 'Largest absolute difference of the logits', true],
      ['Top-1', 'Samples whose predicted class is the same for both models', true],
      ['Result', 'Against the search limit (tolerance / margin) and the tolerance', false],
    ],
    field.emulated.rows.map((r) => ({ cells: [r.worst ? `${r.label} · worst` : r.label, r.relDiff, r.maxAbsDiff, r.top1, stateBadge(r.state)], strong: r.worst })),
  );
  return [
    h('h2', { class: 'section-title' }, 'In the field', passBadge(field.passed, 'Every runtime row and every emulated order within the tolerance')),
    h('p', { class: 'hint' }, field.intro),
    field.runtimes.length ? runtimeTable : null,
    ...field.notes.map((n) => h('p', { class: `note ${n.tone}`, role: 'note' }, n.text)),
    h('h3', { class: 'subsection' }, 'Emulated kernel summation orders', stateBadge(field.emulated.state)),
    h('p', { class: 'prose' }, field.emulated.summary),
    h('p', { class: 'hint' }, field.emulated.why),
    emulatedTable,
    h('h3', { class: 'subsection' }, 'Bounds for any summation order'),
    h('div', { class: 'tiles' }, ...tiles(field.bound.facts)),
    h('p', { class: 'note info' }, field.bound.caption),
  ].filter((el): el is HTMLElement => el !== null);
}

function renderDetails(): void {
  const d = detailsModel(state.report, state.status);
  const root = byId('details');
  if (!d.amplitudeSearch.length && !d.timings.length && !d.files.length) {
    fill(root, h('p', { class: 'placeholder' }, 'Details appear once the protected model is written.'));
    return;
  }
  const tradeOff = d.tradeOff.length
    ? cardTable(
        'card trade-off',
        'Amplitude trade-off',
        [
          h('th', { title: 'Relative to the chosen amplitude' }, 'vs chosen'),
          h('th', { class: 'num' }, 'amplitude'),
          h('th', { class: 'num', title: 'Largest relDiff over the emulated kernel orders' }, 'worst emulated relDiff'),
          h('th', { class: 'num', title: 'Worst emulated relDiff / tolerance' }, 'of tolerance'),
          h('th', { title: 'Pass: at or below tolerance / margin, as the search requires; no margin: within the tolerance only; fail: over it' }, 'search limit'),
          h('th', { class: 'num', title: 'relDiff bound for any summation order (Higham–Mary)' }, 'probabilistic bound'),
          h('th', { class: 'num', title: 'Multiplicative weight noise, quick sweep (200 samples, one repeat)' }, 'fragility factor (quick)'),
        ],
        d.tradeOff.map((t) =>
          h(
            'tr',
            { class: t.chosen ? 'chosen' : undefined, 'aria-current': t.chosen ? 'true' : undefined },
            h('td', null, t.relative, t.chosen ? h('span', { class: 'tag' }, 'chosen') : null),
            h('td', { class: 'num' }, t.amplitude),
            h('td', { class: 'num', title: `worst emulated top-1 agreement ${t.top1}` }, t.emulatedRelDiff),
            h('td', { class: 'num' }, t.ofTolerance),
            h('td', null, stateBadge(t.state)),
            h('td', { class: 'num' }, t.probabilisticBound),
            h('td', { class: 'num' }, t.factor),
          ),
        ),
        d.tradeOffCaption,
      )
    : null;
  const search = d.amplitudeSearch.length
    ? cardTable(
        'card',
        'Amplitude search',
        [
          h('th', { class: 'num' }, 'amplitude'),
          h('th', { class: 'num', title: 'relDiff in the reference runtime (the headline relDiff, for the chosen amplitude)' }, 'reference relDiff'),
          d.searchHasEmulated ? h('th', { class: 'num', title: 'Worst relDiff under the emulated kernel orders (the Equivalence tab’s worst case, for the chosen amplitude)' }, 'worst emulated') : null,
          h('th', null, 'result'),
        ],
        d.amplitudeSearch.map((t) =>
          h(
            'tr',
            { class: t.chosen ? 'chosen' : undefined, title: t.title },
            h('td', { class: 'num' }, t.amplitude),
            h('td', { class: 'num' }, t.relDiff),
            d.searchHasEmulated ? h('td', { class: 'num' }, t.emulatedRelDiff) : null,
            h('td', { class: 'nowrap' }, h('span', { class: t.passed ? 'ok' : 'bad' }, t.passed ? 'pass' : 'fail'), t.chosen ? ' ' : null, t.chosen ? h('span', { class: 'tag' }, 'chosen') : null),
          ),
        ),
        d.searchCaption,
      )
    : null;
  fill(
    root,
    tradeOff,
    h(
      'div',
      { class: 'cards details-cards' },
      search,
      d.timings.length ? h('section', { class: 'card' }, h('h3', null, 'Timings'), factList(d.timings), ...runtimeTimings(d.runtimeTimings)) : null,
      h('section', { class: 'card' }, h('h3', null, d.filesHeading), factList(d.files.map((f) => ({ label: f.name, value: f.sha256 })), 'mono'), factList(d.facts)),
    ),
  );
}

/** The seconds spent in each real runtime, under the phase timings: runtime names are long, so they wrap. */
function runtimeTimings(facts: readonly Fact[]): HTMLElement[] {
  return facts.length ? [h('p', { class: 'muted' }, RUNTIME_TIMINGS_CAPTION), factList(facts, 'wrap-labels')] : [];
}

/** A card with a heading, a horizontally scrolling plain table and an optional caption. */
function cardTable(cardClass: string, title: string, head: (HTMLElement | null)[], rows: HTMLElement[], caption?: string): HTMLElement {
  return h(
    'section',
    { class: cardClass },
    h('h3', null, title),
    h('div', { class: 'scroll-x' }, h('table', { class: 'plain' }, h('thead', null, h('tr', null, ...head)), h('tbody', null, ...rows))),
    caption ? h('p', { class: 'hint' }, caption) : null,
  );
}

function factList(facts: readonly Fact[], extraClass = ''): HTMLElement {
  return h(
    'dl',
    { class: `facts ${extraClass}` },
    ...facts.flatMap((f) => [
      h('dt', null, f.label),
      h('dd', { title: f.title, class: f.pending ? 'pending' : undefined }, f.path ? h('a', { href: '#', title: `${f.path}\nClick to open, Alt+click to reveal in the Explorer`, onclick: (e) => openPath(e, f.path!) }, f.value) : f.value),
    ]),
  );
}

function openPath(event: Event, path: string): void {
  event.preventDefault();
  vscode.postMessage({ type: 'openPath', path, reveal: (event as MouseEvent).altKey });
}

/** Size of one exported chart in CSS pixels (images are drawn at 2× density). */
const EXPORT_W = 680;
const EXPORT_H = 380;
/** Gap between charts in the composite PNG, in image pixels. */
const PNG_PAD = 32;

/** Export images: the fragility charts (report order), the difference chart (as wide as two charts) and the Ownership tab's chart, rendered off-screen. */
function exportImages(report: Partial<ProtectionReport>): { charts: { title: string; dataUrl: string }[]; difference?: string; ownership?: string } {
  const images = chartSpecs(report).map((spec) => ({ title: spec.title, dataUrl: chartImage(fragilityConfig(spec), theme, EXPORT_W, EXPORT_H) }));
  const eq = equivalenceModel(report);
  const difference = eq ? chartImage(differenceConfig(eq, report.equivalence?.compared ?? 'logits'), theme, 2 * EXPORT_W + PNG_PAD / 2, EXPORT_H) : undefined;
  const owned = ownershipModel(report);
  const ownership = owned ? chartImage(functionChartConfig(owned.function), theme, EXPORT_W, EXPORT_H) : undefined;
  return { charts: images, difference, ownership };
}

function exportHtml(button: HTMLElement): void {
  const report = state.report;
  const { charts: images, difference, ownership } = exportImages(report);
  const html = staticHtml({
    report,
    charts: images,
    differenceChart: difference,
    ownershipChart: ownership,
    colors: theme,
    exportedAt: new Date().toISOString(),
    status: state.status,
    reportPath: state.reportPath,
  });
  const messageId = nextMessageId++;
  pendingSaves.set(messageId, button);
  button.setAttribute('disabled', '');
  vscode.postMessage({ type: 'saveHtml', messageId, suggestedName: `${exportStem(report.model?.path)}-report.html`, html });
}

/** All charts in one PNG: a title block, the fragility charts (and the Ownership chart after them) in two columns, the difference chart across the bottom. */
async function exportPng(button: HTMLElement): Promise<void> {
  const report = state.report;
  const { charts: images, difference, ownership } = exportImages(report);
  const grid = await Promise.all([...images.map((i) => i.dataUrl), ...(ownership ? [ownership] : [])].map(loadImage));
  const diff = difference ? await loadImage(difference) : undefined;
  if (!grid.length && !diff) return;
  const pad = PNG_PAD;
  const cols = Math.min(2, Math.max(1, grid.length));
  const cellW = grid[0]?.width ?? diff!.width;
  const cellH = grid[0]?.height ?? 0;
  const rows = Math.ceil(grid.length / cols);
  const width = Math.max(cols * cellW + (cols - 1) * pad, diff?.width ?? 0) + 2 * pad;
  const titleH = 150;
  const height = titleH + rows * (cellH + pad) + (diff ? diff.height + pad : 0) + pad;
  const canvas = h('canvas', { width, height });
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = theme.foreground;
  ctx.font = `bold 48px ${theme.fontFamily}`;
  ctx.fillText(`MimosaNet: ${headerModel(report).title}`, pad, 76);
  const eq = report.equivalence;
  if (eq) {
    ctx.font = `30px ${theme.fontFamily}`;
    ctx.fillStyle = theme.muted;
    ctx.fillText(`equivalence ${eq.passed ? 'passed' : 'failed'} · top-1 agreement ${formatPercent(eq.top1Agreement, 2)} · relDiff ${formatNumber(eq.relDiff)}`, pad, 122);
  }
  grid.forEach((img, i) => ctx.drawImage(img, pad + (i % cols) * (cellW + pad), titleH + Math.floor(i / cols) * (cellH + pad)));
  if (diff) ctx.drawImage(diff, pad, titleH + rows * (cellH + pad));
  const messageId = nextMessageId++;
  pendingSaves.set(messageId, button);
  button.setAttribute('disabled', '');
  vscode.postMessage({ type: 'savePng', messageId, suggestedName: `${exportStem(report.model?.path)}-charts.png`, dataUrl: canvas.toDataURL('image/png') });
}

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('could not load a chart image'));
    img.src = src;
  });
}

// Started last: esbuild turns top-level const/let into var, so a render of a restored state before
// the module-level values above (tableSizer, the Attacks tab's parts) were assigned found them undefined.
buildSkeleton();
if (state.report.model || state.report.fragility) render();
window.addEventListener('message', (event: MessageEvent<unknown>) => onMessage(event.data));
watchTheme(() => {
  theme = readTheme();
  charts.setTheme(theme);
});
vscode.postMessage({ type: 'ready' });
