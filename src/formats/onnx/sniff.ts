import { WireReader, WireType } from './wire';

/**
 * ModelProto's top-level fields and their wire types (onnx.proto): ir_version 1, producer_name
 * 2, producer_version 3, domain 4, model_version 5, doc_string 6, graph 7, opset_import 8,
 * metadata_props 14, training_info 20, functions 25, configuration 26.
 */
const MODEL_FIELDS: ReadonlyMap<number, WireType> = new Map([
  [1, WireType.Varint],
  [2, WireType.Bytes],
  [3, WireType.Bytes],
  [4, WireType.Bytes],
  [5, WireType.Varint],
  [6, WireType.Bytes],
  [7, WireType.Bytes],
  [8, WireType.Bytes],
  [14, WireType.Bytes],
  [20, WireType.Bytes],
  [25, WireType.Bytes],
  [26, WireType.Bytes],
]);

/** Largest IR version a plausible file declares (ONNX 1.17 writes 10). */
const MAX_IR_VERSION = 64;

/**
 * Cheap content check on the first bytes: a protobuf message that starts with ir_version (every
 * ONNX writer serialises fields in number order, and ir_version is field 1) and whose top-level
 * fields are all ModelProto's, with their wire types, up to a graph or opset_import. Names do not
 * count: files called mlp*.onnx are often conv nets, and any protobuf that is not a ModelProto
 * fails on its first unknown field. A field running past the head is fine (the file goes on).
 */
export function sniffOnnx(head: Uint8Array): boolean {
  const r = new WireReader(head, '', 'ModelProto');
  let structure = false;
  try {
    const first = r.key();
    if (first.field !== 1 || first.wire !== WireType.Varint) return false;
    const ir = r.int64();
    if (ir < 1 || ir > MAX_IR_VERSION) return false;
    while (r.more()) {
      const { field, wire } = r.key();
      if (MODEL_FIELDS.get(field) !== wire) return false;
      if (field === 7 || field === 8) structure = true;
      r.skip(wire);
    }
    return structure;
  } catch {
    // Only a field that runs past the head gets here once the structure was seen.
    return structure;
  }
}
