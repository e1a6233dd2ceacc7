/**
 * The subset of onnx.proto (ONNX IR) that an MLP needs, with the field numbers of the official
 * schema, so protobufjs can encode a model and decode one's declarations. Only what we write and
 * read is listed; protobuf skips unknown fields, so decoding a richer model works too.
 */
import type protobuf from 'protobufjs';
import { lazyPackage } from '../../lazy.js';

// Loaded with the first model written or read, not at every start (src/lazy.ts).
const protobufjs = lazyPackage<typeof protobuf>('protobufjs');

const ONNX_SUBSET = `
syntax = "proto3";
package onnx;

message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; }
  string name = 1;
  float f = 2;
  int64 i = 3;
  bytes s = 4;
  AttributeType type = 20;
}
message ValueInfoProto {
  string name = 1;
  TypeProto type = 2;
  string doc_string = 3;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  string name = 3;
  string op_type = 4;
  repeated AttributeProto attribute = 5;
  string doc_string = 6;
  string domain = 7;
}
message StringStringEntryProto {
  string key = 1;
  string value = 2;
}
message TensorProto {
  repeated int64 dims = 1;
  int32 data_type = 2;
  repeated float float_data = 4;
  string name = 8;
  bytes raw_data = 9;
  string doc_string = 12;
}
message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
  }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor {
    int32 elem_type = 1;
    TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
}
message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message OperatorSetIdProto {
  string domain = 1;
  int64 version = 2;
}
message ModelProto {
  int64 ir_version = 1;
  string producer_name = 2;
  string producer_version = 3;
  string domain = 4;
  int64 model_version = 5;
  string doc_string = 6;
  GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
  repeated StringStringEntryProto metadata_props = 14;
}
`;

/** TensorProto.DataType.FLOAT */
export const ONNX_FLOAT = 1;
/** AttributeProto.AttributeType.INT */
export const ATTR_INT = 2;
export const IR_VERSION = 8;
export const OPSET_VERSION = 17;

let modelType: protobuf.Type | undefined;

/** The ModelProto message type (parsed once). */
export function modelProto(): protobuf.Type {
  if (!modelType) {
    const root = protobufjs().parse(ONNX_SUBSET, { keepCase: true }).root;
    modelType = root.lookupType('onnx.ModelProto');
  }
  return modelType;
}

export interface DecodedValueInfo {
  readonly name: string;
  readonly elemType: number | undefined;
  /** Each dimension: a number (dim_value), a string (dim_param) or undefined (unknown). */
  readonly shape: ReadonlyArray<number | string | undefined> | undefined;
}

export interface DecodedModel {
  readonly metadata: Readonly<Record<string, string>>;
  readonly inputs: readonly DecodedValueInfo[];
  readonly outputs: readonly DecodedValueInfo[];
  readonly docString: string;
}

interface RawDim {
  dim_value?: number | { toNumber(): number };
  dim_param?: string;
}
interface RawValueInfo {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: RawDim[] } } };
}

function valueInfo(v: RawValueInfo): DecodedValueInfo {
  const t = v.type?.tensor_type;
  const dims = t?.shape?.dim;
  return {
    name: v.name ?? '',
    elemType: t?.elem_type,
    shape: dims?.map((d) => {
      if (d.dim_param !== undefined && d.dim_param !== '') return d.dim_param;
      if (d.dim_value === undefined) return undefined;
      return typeof d.dim_value === 'number' ? d.dim_value : d.dim_value.toNumber();
    }),
  };
}

/** Reads a model's declarations (metadata_props, graph inputs/outputs). Throws on bytes that are not a ModelProto. */
export function decodeModel(bytes: Uint8Array): DecodedModel {
  const msg = modelProto().decode(bytes);
  const obj = modelProto().toObject(msg, { defaults: false, arrays: true, oneofs: false }) as {
    doc_string?: string;
    metadata_props?: Array<{ key?: string; value?: string }>;
    graph?: { input?: RawValueInfo[]; output?: RawValueInfo[] };
  };
  const metadata: Record<string, string> = {};
  for (const e of obj.metadata_props ?? []) if (e.key !== undefined) metadata[e.key] = e.value ?? '';
  if (!obj.graph) throw new Error('the model has no graph');
  return {
    metadata,
    inputs: (obj.graph.input ?? []).map(valueInfo),
    outputs: (obj.graph.output ?? []).map(valueInfo),
    docString: obj.doc_string ?? '',
  };
}
