/**
 * Identifiers the extension shares with package.json (`contributes`): commands, views, context
 * keys and the webview type. Kept in one place so a rename cannot miss a `when` clause or a test.
 */

/** Command ids (`mimosanet.<verb><Object>`). */
export const COMMANDS = {
  protectModel: 'mimosanet.protectModel',
  inspectModel: 'mimosanet.inspectModel',
  openReport: 'mimosanet.openReport',
  refreshModels: 'mimosanet.refreshModels',
  showLog: 'mimosanet.showLog',
  deleteReport: 'mimosanet.deleteReport',
  openProtectedModel: 'mimosanet.openProtectedModel',
  revealModel: 'mimosanet.revealModel',
  verifyModel: 'mimosanet.verifyModel',
  compareModel: 'mimosanet.compareModel',
  saveComparison: 'mimosanet.saveComparison',
} as const;

/** View ids (`mimosanet.<name>View`) inside the "MimosaNet" activity-bar container. */
export const VIEWS = {
  container: 'mimosanet',
  models: 'mimosanet.modelsView',
  reports: 'mimosanet.reportsView',
} as const;

/** Context keys (`mimosanet:<flag>`) menus and welcome views test in `when` clauses. */
export const CONTEXT_KEYS = {
  /** fsPaths of every recognised model file: `resourcePath in mimosanet:modelFiles`. */
  modelFiles: 'mimosanet:modelFiles',
  /** True while the first workspace scan runs, so the welcome view says "Searching…". */
  scanning: 'mimosanet:scanning',
} as const;

/** The report panel's webview type (also its serializer's id and `onWebviewPanel:` event). */
export const REPORT_VIEW_TYPE = 'mimosanet.report';

/** Configuration section of every setting (`mimosanet.*`). */
export const CONFIG_SECTION = 'mimosanet';

/** Name of the log output channel. */
export const LOG_NAME = 'MimosaNet';
