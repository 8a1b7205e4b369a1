import type { FileReader, ModelFormat, ModelInfo } from '../../formats/format';
import type { ModelInspector } from './modelDiscovery';

/** Main files larger than this are inspected in the worker, so a huge JSON never blocks the extension host. */
export const INSPECT_IN_HOST_BYTES = 8 * 1024 * 1024;

/** What the inspector needs from the extension host: the file system and the worker. */
export interface InspectorHost {
  /** Reads files for a format's inspect in the host (workspace.fs). */
  files: FileReader;
  /** Size of the file in bytes. */
  size(fsPath: string): Promise<number>;
  /** Inspection in the worker (dist/worker.js), which bundles every format's libraries. */
  inspectInWorker(fsPath: string): Promise<ModelInfo>;
}

/**
 * Inspection reads only the main file (TF.js: model.json, not the weight shards) and parses it,
 * which most format modules do without their heavy libraries; small files are inspected right
 * here so showing the sidebar never starts the worker. Big files, unknown formats and formats
 * whose inspect needs a library the host bundle leaves out (`inspectInWorker`) go to the worker.
 */
export function createModelInspector(formats: readonly ModelFormat[], host: InspectorHost): ModelInspector {
  return {
    inspect: async (fsPath, formatId) => {
      const format = formats.find((f) => f.id === formatId);
      if (!format || format.inspectInWorker) return host.inspectInWorker(fsPath);
      if ((await host.size(fsPath)) > INSPECT_IN_HOST_BYTES) return host.inspectInWorker(fsPath);
      return format.inspect(fsPath, host.files);
    },
  };
}
