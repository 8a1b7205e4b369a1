import { onnx } from 'onnx-proto';
import { ModelFormatError } from '../../core/errors';
import { ONNX_FORMAT_ID } from './wire';

/**
 * onnx-proto's full decode, for the writer and the runtime, which edit a file our own reader
 * has already checked. protobufjs trusts wire types where our reader skips mismatches, so a
 * file both disagree on still ends in a ModelFormatError naming it, never a bare RangeError.
 */
export function decodeProto(bytes: Uint8Array, file: string): onnx.ModelProto {
  try {
    const model = onnx.ModelProto.decode(bytes);
    if (!model.graph) throw new Error('no graph');
    return model;
  } catch (error) {
    throw new ModelFormatError(file, ONNX_FORMAT_ID, `is not a valid ONNX model: ${error instanceof Error ? error.message : String(error)}`);
  }
}
