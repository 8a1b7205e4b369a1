/**
 * How far a running protect job is: the engine reports it, the CLI prints it, the extension shows
 * it in a notification and forwards it to the report webview. Types only and no imports, so the
 * webview's type graph takes nothing else from here.
 */

/** Phases of a protect run, in order; progress bars and timings use these names. */
export type ProtectPhase = 'read' | 'data' | 'calibrate' | 'write' | 'equivalence' | 'fragility' | 'attacks' | 'ownership' | 'report';

/** Phases of a verify run: file hashes, reading both models, the equivalence re-run. */
export type VerifyPhase = 'hashes' | 'load' | 'equivalence';

/** Phases of a compare run: training the reference networks and fingerprints, then judging the suspect. */
export type ComparePhase = 'references' | 'judge';

/** The one phase of an attack run (`mimosanet attack`): the lab. */
export type AttackPhase = 'attacks';

/** Progress of a running job. */
export interface JobProgress {
  /** Current phase. */
  phase: ProtectPhase | VerifyPhase | ComparePhase | AttackPhase;
  /** One line for a status bar or log ("amplitude 2^7: relDiff 3.1e-5, pass"). */
  message: string;
  /** Overall completion in [0, 1], for a progress bar. */
  fraction: number;
}
