// The few pieces of the protobuf wire format the event files need: varints, fixed64 doubles,
// fixed32 floats and length-delimited fields. Field numbers are TensorBoard's (event.proto,
// summary.proto, tensor.proto, plugin_data.proto of the hparams plugin, struct.proto).

/** Wire types. */
const VARINT = 0;
const FIXED64 = 1;
const LENGTH = 2;
const FIXED32 = 5;

/**
 * Bytes of an unsigned varint (non-negative integers up to 2^53).
 *
 * @param value - the integer
 * @returns how many bytes its varint takes
 */
export function varintSize(value: number): number {
  let n = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/**
 * Writes an unsigned varint (non-negative integers up to 2^53).
 *
 * @param out - the buffer
 * @param at - where
 * @param value - the integer
 * @returns the offset after it
 */
export function writeVarint(out: Uint8Array, at: number, value: number): number {
  while (value >= 128) {
    out[at++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

/** A protobuf message under construction, for the rarely written events (not the scalar path). */
export class Message {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): this {
    this.parts.push(bytes);
    this.size += bytes.length;
    return this;
  }

  private key(field: number, wire: number): this {
    const b = new Uint8Array(varintSize(field * 8 + wire));
    writeVarint(b, 0, field * 8 + wire);
    return this.push(b);
  }

  /**
   * A varint field (int32, int64, enum, bool).
   *
   * @param field - field number
   * @param value - a non-negative integer
   * @returns this
   */
  varint(field: number, value: number): this {
    const b = new Uint8Array(varintSize(value));
    writeVarint(b, 0, value);
    return this.key(field, VARINT).push(b);
  }

  /**
   * A `double` field (fixed64, little-endian).
   *
   * @param field - field number
   * @param value - the value
   * @returns this
   */
  double(field: number, value: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    return this.key(field, FIXED64).push(b);
  }

  /**
   * A `float` field (fixed32, little-endian).
   *
   * @param field - field number
   * @param value - the value (rounded to float32)
   * @returns this
   */
  float(field: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    return this.key(field, FIXED32).push(b);
  }

  /**
   * A `bytes` or embedded-message field.
   *
   * @param field - field number
   * @param value - the bytes, or a message
   * @returns this
   */
  bytes(field: number, value: Uint8Array | Message): this {
    const b = value instanceof Message ? value.finish() : value;
    const len = new Uint8Array(varintSize(b.length));
    writeVarint(len, 0, b.length);
    return this.key(field, LENGTH).push(len).push(b);
  }

  /**
   * A `string` field (UTF-8).
   *
   * @param field - field number
   * @param value - the text
   * @returns this
   */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** @returns the encoded message */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
