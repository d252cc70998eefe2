// The ONNX file format (ModelProto and what it holds) as protobufjs messages: encode a model to bytes, decode one back.
import protobuf from 'protobufjs';

/**
 * The messages of onnx/onnx.proto that a model with dense float/int initializers needs, with the
 * field numbers of the ONNX specification. Written out here rather than vendored: the rest of onnx.proto (training
 * info, sparse tensors, functions, sequences, maps) is never written by the workbench; decoding a file that has
 * them skips those fields as unknown.
 */
const SCHEMA = `
syntax = "proto3";
package onnx;

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5;
    FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10;
  }
  string name = 1;
  string doc_string = 13;
  AttributeType type = 20;
  float f = 2;
  int64 i = 3;
  bytes s = 4;
  TensorProto t = 5;
  GraphProto g = 6;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  repeated TensorProto tensors = 10;
  repeated GraphProto graphs = 11;
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
  string domain = 7;
  repeated AttributeProto attribute = 5;
  string doc_string = 6;
}

message StringStringEntryProto {
  string key = 1;
  string value = 2;
}

message OperatorSetIdProto {
  string domain = 1;
  int64 version = 2;
}

message ModelProto {
  int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  string producer_name = 2;
  string producer_version = 3;
  string domain = 4;
  int64 model_version = 5;
  string doc_string = 6;
  GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}

message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}

message TensorProto {
  enum DataType {
    UNDEFINED = 0; FLOAT = 1; UINT8 = 2; INT8 = 3; UINT16 = 4; INT16 = 5; INT32 = 6; INT64 = 7;
    STRING = 8; BOOL = 9; FLOAT16 = 10; DOUBLE = 11; UINT32 = 12; UINT64 = 13;
  }
  repeated int64 dims = 1;
  int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated bytes string_data = 6;
  repeated int64 int64_data = 7 [packed = true];
  string name = 8;
  string doc_string = 12;
  bytes raw_data = 9;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
    string denotation = 3;
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
  string denotation = 6;
}
`;

/** IR version 8 (ONNX 1.10+, the one opset 17 came with): the oldest that holds what we write, so older runtimes and checkers load it. */
export const ONNX_IR_VERSION = 8;

export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9 } as const;
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

let root: protobuf.Root | null = null;
function modelType(): protobuf.Type {
  root ??= protobuf.parse(SCHEMA, { keepCase: true }).root;
  return root.lookupType('onnx.ModelProto');
}

/** Plain objects in the shape of the messages above (snake_case fields, int64 as number or bigint-free Long-compatible numbers). */
export interface TensorMessage {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
  doc_string?: string;
}
export interface AttributeMessage {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorMessage;
  floats?: number[];
  ints?: number[];
}
export interface NodeMessage {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  domain?: string;
  attribute: AttributeMessage[];
}
export interface DimMessage {
  dim_value?: number;
  dim_param?: string;
}
export interface ValueInfoMessage {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: DimMessage[] } } };
  doc_string?: string;
}
export interface GraphMessage {
  name: string;
  node: NodeMessage[];
  initializer: TensorMessage[];
  input: ValueInfoMessage[];
  output: ValueInfoMessage[];
  value_info: ValueInfoMessage[];
  doc_string?: string;
}
export interface ModelMessage {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  graph: GraphMessage;
  metadata_props: { key: string; value: string }[];
}

export function encodeModel(model: ModelMessage): Uint8Array {
  const type = modelType();
  const err = type.verify(model);
  if (err) throw new Error(`ONNX model does not fit the schema: ${err}`);
  return type.encode(type.fromObject(model)).finish();
}

/** Decodes ONNX bytes to plain objects (int64 as numbers, bytes as Uint8Array); for tests and `iqa export` checks. */
export function decodeModel(bytes: Uint8Array): ModelMessage {
  const type = modelType();
  return type.toObject(type.decode(bytes), { longs: Number, bytes: Uint8Array as never, defaults: true, arrays: true }) as ModelMessage;
}
