import { NameIdCache } from "../../core/data/metric-columns.js";
import type { MetricColumns } from "../../core/types.js";
import { crc32cByte, crc32cSkip, crc32cUpdate, crc32cWord, crc32cZeros, maskCrc, maskedCrc32c } from "./crc32c.js";
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

/** Bytes of a TFRecord frame's head: uint64 length, then its masked CRC-32C. */
const FRAME_HEAD = 12;
/** Data lengths whose head is cached (every scalar event of a tag shorter than ~980 bytes). */
const HEAD_CACHE = 1024;

/** What a scalar event holds that depends on its name alone, and what its CRC needs of it. */
interface ScalarTail {
  /**
   * Event.summary's key and length, Summary.value's, Value.tag's, the tag, and
   * Value.simple_value's key: the bytes between the step and the float, as little-endian words
   * (four bytes a store), the last one padded with zeros that land where the float goes.
   */
  readonly words: Uint32Array;
  /** How many of those bytes there are. */
  readonly length: number;
  /** Advances a CRC register over these bytes and the float's four (see crc32cZeros). */
  readonly zeros: Int32Array;
  /** The register after `0`, these bytes, then four zeros: what they add to every CRC. */
  readonly crc: number;
}

/** The CRC register after the initial `-1` and the wall time's key, the same for every event. */
const REGISTER_AFTER_KEY = crc32cByte(-1, 0x09);
/** Carries a register over eight bytes, the wall time's, whose own part is added apart. */
const EIGHT_ZEROS = crc32cZeros(8);

/**
 * Encodes scalar points as framed events (`Summary.Value.simple_value`, what TensorBoard's
 * scalar dashboard reads from every writer), straight into one reused buffer: the hot path of
 * the backend. Per point it writes the frame head (cached per data length), the wall time, the
 * step, the bytes that depend only on the name (`summary { value { tag } }` up to the float's
 * key, built once per name), the value and the data's CRC; nothing is allocated per point.
 *
 * The data's CRC is not a pass over the event's bytes: CRC-32C is linear, so it is assembled
 * from the register after the wall time (once per distinct time), the step's bytes, the name's
 * bytes carried over in four lookups with their contribution precomputed, and the float's bits.
 */
export class ScalarEncoder {
  private readonly tails = new Map<string, ScalarTail>();
  private readonly byName = new NameIdCache<ScalarTail>();
  // crc32cZeros tables by byte count (tails of the same length share one; names have a bounded
  // length, so this map does too).
  private readonly zeros = new Map<number, Int32Array>();
  // Masked CRC-32C of the frame head's 8 length bytes, per data length (-1: not computed yet).
  private readonly heads = new Float64Array(HEAD_CACHE).fill(-1);
  private readonly scratch = new Uint8Array(8);
  // A double's and a float's bits as little-endian words, to write and checksum the same bits.
  private readonly bits = new DataView(new ArrayBuffer(8));
  // Sized for a default batch (4,096 events of short tags, ~50 bytes each) without growing.
  private out = new Uint8Array(256 * 1024);
  private view = new DataView(this.out.buffer);

  private tail(name: string): ScalarTail {
    const tag = Buffer.from(name, "utf8");
    // Value { tag = 1; simple_value = 2 (float) }
    const valueLen = 1 + varintSize(tag.length) + tag.length + 5;
    // Summary { value = 1 }
    const summaryLen = 1 + varintSize(valueLen) + valueLen;
    const n = 1 + varintSize(summaryLen) + 1 + varintSize(valueLen) + 1 + varintSize(tag.length) + tag.length + 1;
    // The tail, then four zero bytes where the float goes: checksummed once, from register 0.
    // Rounded up to whole words (the float's zeros cover the padding).
    const padded = new Uint8Array((n + 3 + 4) & ~3);
    let at = 0;
    padded[at++] = 0x2a;
    at = writeVarint(padded, at, summaryLen);
    padded[at++] = 0x0a;
    at = writeVarint(padded, at, valueLen);
    padded[at++] = 0x0a;
    at = writeVarint(padded, at, tag.length);
    padded.set(tag, at);
    padded[n - 1] = 0x15;
    let zeros = this.zeros.get(n + 4);
    if (zeros === undefined) {
      zeros = crc32cZeros(n + 4);
      this.zeros.set(n + 4, zeros);
    }
    const words = new Uint32Array((n + 3) >> 2);
    const padView = new DataView(padded.buffer);
    for (let k = 0; k < words.length; k++) words[k] = padView.getUint32(4 * k, true);
    const tail: ScalarTail = { words, length: n, zeros, crc: crc32cUpdate(0, padded, 0, n + 4) };
    // The cache only saves work: a run with very many distinct names must not grow it forever.
    if (this.tails.size >= 100_000) this.tails.clear();
    this.tails.set(name, tail);
    return tail;
  }

  private head(dataLen: number): number {
    const out = this.scratch;
    out[0] = dataLen & 0xff;
    out[1] = (dataLen >>> 8) & 0xff;
    out[2] = (dataLen >>> 16) & 0xff;
    out[3] = dataLen >>> 24;
    const crc = maskedCrc32c(out, 0, 8);
    if (dataLen < HEAD_CACHE) this.heads[dataLen] = crc;
    return crc;
  }

  private grow(needed: number, used: number): void {
    const bigger = new Uint8Array(Math.max(this.out.length * 2, needed));
    bigger.set(this.out.subarray(0, used));
    this.out = bigger;
    this.view = new DataView(bigger.buffer);
  }

  /**
   * Encodes points `[from, to)` of a batch in columns, each with its own wall time and step (a
   * step that is not a non-negative safe integer is written as 0).
   *
   * @param batch - the points
   * @param from - first index
   * @param to - end index (exclusive)
   * @returns a view of the framed events, valid until the next call
   */
  encode(batch: MetricColumns, from = 0, to = batch.length): Uint8Array {
    const { names, ids, values, steps, times } = batch;
    const byId = this.byName.for(names);
    const heads = this.heads;
    const bits = this.bits;
    let out = this.out;
    let view = this.view;
    let at = 0;
    let lastId = -1;
    let tail: ScalarTail | undefined;
    // The wall time's bits and the CRC register after them and the step's key, per distinct time.
    let lastTime = Number.NaN;
    let timeLo = 0;
    let timeHi = 0;
    // What the wall time's high word adds to the register (0 for 0): it changes every ~17 min.
    let timeHiCrc = 0;
    let timeRegister = 0;
    for (let i = from; i < to; i++) {
      const id = ids[i];
      if (id !== lastId || tail === undefined) {
        lastId = id;
        tail = byId[id];
        if (tail === undefined) {
          const name = names[id] as string;
          tail = this.tails.get(name) ?? this.tail(name);
          byId[id] = tail;
        }
      }
      const n = tail.length;
      const s = steps[i];
      const step = s >= 0 && Number.isSafeInteger(s) ? s : 0;
      const stepSize = step < 0x80 ? 1 : step < 0x4000 ? 2 : step < 0x200000 ? 3 : varintSize(step);
      // Event { wall_time = 1 (double); step = 2; summary = 5 } + simple_value's 4 bytes
      const dataLen = 9 + 1 + stepSize + n + 4;
      if (at + dataLen + FRAME_OVERHEAD > out.length) {
        this.grow(at + dataLen + FRAME_OVERHEAD, at);
        out = this.out;
        view = this.view;
      }
      let headCrc = dataLen < HEAD_CACHE ? heads[dataLen] : -1;
      if (headCrc < 0) headCrc = this.head(dataLen);
      view.setUint32(at, dataLen, true);
      view.setUint32(at + 4, 0, true);
      view.setUint32(at + 8, headCrc, true);
      at += FRAME_HEAD;
      const data = at;
      const t = times[i];
      // (NaN !== NaN: a NaN time is converted every time, which is right, if slow.)
      if (t !== lastTime) {
        lastTime = t;
        bits.setFloat64(0, t / 1000, true);
        timeLo = bits.getUint32(0, true);
        const hi = bits.getUint32(4, true);
        if (hi !== timeHi) {
          timeHi = hi;
          timeHiCrc = crc32cWord(0, hi);
        }
        timeRegister = crc32cByte(crc32cSkip(EIGHT_ZEROS, REGISTER_AFTER_KEY ^ timeLo) ^ timeHiCrc, 0x10);
      }
      out[at] = 0x09;
      view.setUint32(at + 1, timeLo, true);
      view.setUint32(at + 5, timeHi, true);
      out[at + 9] = 0x10;
      at += 10;
      let crc = timeRegister;
      if (step < 0x80) {
        out[at++] = step;
        crc = crc32cByte(crc, step);
      } else if (step < 0x200000) {
        let v = step;
        while (v >= 0x80) {
          const b = (v & 0x7f) | 0x80;
          out[at++] = b;
          crc = crc32cByte(crc, b);
          v >>>= 7;
        }
        out[at++] = v;
        crc = crc32cByte(crc, v);
      } else {
        const stepAt = at;
        at = writeVarint(out, at, step);
        crc = crc32cUpdate(crc, out, stepAt, at);
      }
      const words = tail.words;
      for (let k = 0; k < words.length; k++) view.setUint32(at + 4 * k, words[k], true);
      at += n;
      bits.setFloat32(0, values[i], true);
      const valueBits = bits.getUint32(0, true);
      view.setUint32(at, valueBits, true);
      at += 4;
      crc = crc32cSkip(tail.zeros, crc) ^ tail.crc ^ crc32cWord(0, valueBits);
      view.setUint32(at, maskCrc(~crc >>> 0), true);
      at += 4;
      if (at - data !== dataLen + 4) throw new Error("tensorboard: scalar event length mismatch");
    }
    return out.subarray(0, at);
  }
}
