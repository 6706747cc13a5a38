import type { MetricRecord } from "../../core/types.js";
import { maskedCrc32c } from "./crc32c.js";
import { Message, varintSize, writeVarint } from "./protobuf.js";

// Field numbers from TensorBoard's protos (tensorboard/compat/proto/event.proto, summary.proto,
// tensor.proto, tensor_shape.proto; tensorboard/plugins/hparams/plugin_data.proto;
// google/protobuf/struct.proto).
const EVENT_WALL_TIME = 1;
const EVENT_STEP = 2;
const EVENT_FILE_VERSION = 3;
const EVENT_SUMMARY = 5;
const SUMMARY_VALUE = 1;
const VALUE_TAG = 1;
const VALUE_TENSOR = 8;
const VALUE_METADATA = 9;
const METADATA_PLUGIN_DATA = 1;
const METADATA_DATA_CLASS = 4;
const PLUGIN_NAME = 1;
const PLUGIN_CONTENT = 2;
const TENSOR_DTYPE = 1;
const TENSOR_SHAPE = 2;
const TENSOR_STRING_VAL = 8;
const DT_STRING = 7;
const DATA_CLASS_TENSOR = 2;

/** The first event of every file. */
export const FILE_VERSION = "brain.Event:2";

/** Bytes a TFRecord frame adds around its data: length (8), its CRC (4), the data's CRC (4). */
const FRAME_OVERHEAD = 16;

/**
 * Frames one record: uint64 length, masked CRC-32C of the length, data, masked CRC-32C of the data.
 *
 * @param data - the serialized event
 * @returns the framed bytes
 */
export function frame(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(data.length + FRAME_OVERHEAD);
  out.writeUInt32LE(data.length, 0);
  out.writeUInt32LE(Math.floor(data.length / 2 ** 32), 4);
  out.writeUInt32LE(maskedCrc32c(out, 0, 8), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(out, 12, 12 + data.length), 12 + data.length);
  return out;
}

/**
 * The `file_version` event that starts every event file.
 *
 * @param wallTimeSec - seconds since the epoch
 * @returns the framed event
 */
export function fileVersionEvent(wallTimeSec: number): Buffer {
  return frame(new Message().double(EVENT_WALL_TIME, wallTimeSec).string(EVENT_FILE_VERSION, FILE_VERSION).finish());
}

function pluginMetadata(plugin: string, content: Uint8Array, dataClass?: number): Message {
  const m = new Message().bytes(
    METADATA_PLUGIN_DATA,
    new Message().string(PLUGIN_NAME, plugin).bytes(PLUGIN_CONTENT, content),
  );
  return dataClass === undefined ? m : m.varint(METADATA_DATA_CLASS, dataClass);
}

/**
 * A text summary (the text plugin's tensor of one string), as `tf.summary.text` writes it.
 *
 * @param tag - the tag
 * @param markdown - the text (TensorBoard renders it as Markdown)
 * @param wallTimeSec - seconds since the epoch
 * @param step - the step
 * @returns the framed event
 */
export function textEvent(tag: string, markdown: string, wallTimeSec: number, step: number): Buffer {
  const tensor = new Message()
    .varint(TENSOR_DTYPE, DT_STRING)
    .bytes(TENSOR_SHAPE, new Message())
    .string(TENSOR_STRING_VAL, markdown);
  const value = new Message()
    .string(VALUE_TAG, tag)
    .bytes(VALUE_METADATA, pluginMetadata("text", new Uint8Array(0), DATA_CLASS_TENSOR))
    .bytes(VALUE_TENSOR, tensor);
  return summaryEvent(value, wallTimeSec, step);
}

/**
 * The HParams plugin's `session_start_info`: the run's parameters as hyperparameters, so runs
 * can be compared by parameter in TensorBoard's HPARAMS tab. Numbers and booleans keep their
 * type; anything else is a string (objects as JSON).
 *
 * @param params - flattened parameters
 * @param wallTimeSec - seconds since the epoch (also the session's start time)
 * @param groupName - the session group (the run id)
 * @returns the framed event
 */
export function hparamsEvent(params: Record<string, unknown>, wallTimeSec: number, groupName: string): Buffer {
  const start = new Message();
  for (const [key, raw] of Object.entries(params)) {
    const value = new Message();
    if (typeof raw === "number") value.double(2, raw);
    else if (typeof raw === "boolean") value.varint(4, raw ? 1 : 0);
    else value.string(3, typeof raw === "string" ? raw : (JSON.stringify(raw) ?? String(raw)));
    start.bytes(1, new Message().string(1, key).bytes(2, value));
  }
  start.string(4, groupName).double(5, wallTimeSec);
  // HParamsPluginData: version 0 (omitted), session_start_info = 3.
  const content = new Message().bytes(3, start).finish();
  const value = new Message()
    .string(VALUE_TAG, "_hparams_/session_start_info")
    .bytes(VALUE_METADATA, pluginMetadata("hparams", content));
  return summaryEvent(value, wallTimeSec, 0);
}

function summaryEvent(value: Message, wallTimeSec: number, step: number): Buffer {
  const event = new Message()
    .double(EVENT_WALL_TIME, wallTimeSec)
    .varint(EVENT_STEP, step)
    .bytes(EVENT_SUMMARY, new Message().bytes(SUMMARY_VALUE, value));
  return frame(event.finish());
}

/**
 * Encodes scalar points as framed events (`Summary.Value.simple_value`, what TensorBoard's
 * scalar dashboard reads from every writer), straight into one buffer: the hot path of the
 * backend. Tags are encoded once per name.
 */
export class ScalarEncoder {
  private readonly tags = new Map<string, Buffer>();
  private out = Buffer.allocUnsafe(64 * 1024);

  private tag(name: string): Buffer {
    let t = this.tags.get(name);
    if (!t) {
      t = Buffer.from(name, "utf8");
      // The cache only saves work: a run with very many distinct names must not grow it forever.
      if (this.tags.size >= 100_000) this.tags.clear();
      this.tags.set(name, t);
    }
    return t;
  }

  /**
   * Encodes points `[from, to)` of a batch, each with its own wall time and step.
   *
   * @param batch - the points
   * @param from - first index
   * @param to - end index (exclusive)
   * @returns a view of the framed events, valid until the next call
   */
  encode(batch: readonly MetricRecord[], from = 0, to = batch.length): Buffer {
    let at = 0;
    for (let i = from; i < to; i++) {
      const p = batch[i] as MetricRecord;
      const tag = this.tag(p.name);
      const step = p.step >= 0 && Number.isSafeInteger(p.step) ? p.step : 0;
      // Value { tag = 1; simple_value = 2 (float) }
      const valueLen = 1 + varintSize(tag.length) + tag.length + 5;
      // Summary { value = 1 }
      const summaryLen = 1 + varintSize(valueLen) + valueLen;
      // Event { wall_time = 1 (double); step = 2; summary = 5 }
      const eventLen = 9 + 1 + varintSize(step) + 1 + varintSize(summaryLen) + summaryLen;
      if (at + eventLen + FRAME_OVERHEAD > this.out.length) {
        const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, at + eventLen + FRAME_OVERHEAD));
        this.out.copy(bigger, 0, 0, at);
        this.out = bigger;
      }
      const out = this.out;
      const start = at;
      out.writeUInt32LE(eventLen, at);
      out.writeUInt32LE(0, at + 4);
      out.writeUInt32LE(maskedCrc32c(out, at, at + 8), at + 8);
      at += 12;
      const data = at;
      out[at++] = 0x09;
      out.writeDoubleLE(p.timestamp / 1000, at);
      at += 8;
      out[at++] = 0x10;
      at = writeVarint(out, at, step);
      out[at++] = 0x2a;
      at = writeVarint(out, at, summaryLen);
      out[at++] = 0x0a;
      at = writeVarint(out, at, valueLen);
      out[at++] = 0x0a;
      at = writeVarint(out, at, tag.length);
      at += tag.copy(out, at);
      out[at++] = 0x15;
      out.writeFloatLE(p.value, at);
      at += 4;
      out.writeUInt32LE(maskedCrc32c(out, data, at), at);
      at += 4;
      if (at - start !== eventLen + FRAME_OVERHEAD) throw new Error("tensorboard: scalar event length mismatch");
    }
    return this.out.subarray(0, at);
  }
}
