import type { OnnxChain } from './denseChain';
import type { Precision } from './tensors';

/** What the ONNX writer needs from a loaded model to write a protected copy faithfully. */
export interface OnnxSource {
  /** Path of the original file, for error messages. */
  file: string;
  /** The original file: the writer re-decodes it and keeps everything outside the chain. */
  bytes: Uint8Array;
  /** The chain as found in the file (node indices refer to the file's node order). */
  chain: OnnxChain;
  /** Precision of the stored weights; the written copy stores the same. */
  precision: Precision;
  /** The ai.onnx opset the file imports. */
  opset: number;
  /** The file's IR version. */
  irVersion: number;
}
