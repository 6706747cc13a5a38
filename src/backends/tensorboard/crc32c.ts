// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as TFRecord framing uses it, computed
// eight bytes at a time ("slicing-by-8"): table k holds the CRC of a byte followed by k zero
// bytes, so eight lookups advance the CRC over eight bytes. Int32 entries keep every value a
// small integer for V8 (no heap numbers in the unoptimised tiers).
const TABLES = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  TABLES[n] = c;
}
for (let n = 0; n < 256; n++) {
  for (let t = 1; t < 8; t++) {
    const prev = TABLES[(t - 1) * 256 + n];
    TABLES[t * 256 + n] = (prev >>> 8) ^ TABLES[prev & 0xff];
  }
}

/**
 * Advances a CRC-32C register over a byte range. The register is the checksum before its final
 * inversion: start from `-1` for a whole checksum, and `~register >>> 0` is the CRC-32C.
 *
 * @param crc - the register
 * @param bytes - the buffer
 * @param from - first byte (inclusive)
 * @param to - last byte (exclusive)
 * @returns the register after the bytes, a signed 32-bit integer
 */
export function crc32cUpdate(crc: number, bytes: Uint8Array, from = 0, to = bytes.length): number {
  const T = TABLES;
  let i = from;
  for (const end = to - 8; i <= end; i += 8) {
    const a = crc ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    crc =
      T[1792 + (a & 0xff)] ^
      T[1536 + ((a >>> 8) & 0xff)] ^
      T[1280 + ((a >>> 16) & 0xff)] ^
      T[1024 + (a >>> 24)] ^
      T[768 + bytes[i + 4]] ^
      T[512 + bytes[i + 5]] ^
      T[256 + bytes[i + 6]] ^
      T[bytes[i + 7]];
  }
  for (; i < to; i++) crc = T[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return crc;
}

/**
 * CRC-32C of a byte range.
 *
 * @param bytes - the buffer
 * @param from - first byte (inclusive)
 * @param to - last byte (exclusive)
 * @returns the checksum, an unsigned 32-bit integer
 */
export function crc32c(bytes: Uint8Array, from = 0, to = bytes.length): number {
  return ~crc32cUpdate(-1, bytes, from, to) >>> 0;
}

/**
 * Advances a CRC-32C register (see {@link crc32cUpdate}) over one byte.
 *
 * @param crc - the register
 * @param byte - the byte
 * @returns the register after it
 */
export function crc32cByte(crc: number, byte: number): number {
  return TABLES[(crc ^ byte) & 0xff] ^ (crc >>> 8);
}

/**
 * Advances a CRC-32C register (see {@link crc32cUpdate}) over four bytes given as one
 * little-endian word (a float's bits, read through a typed array), without storing them first.
 *
 * @param crc - the register
 * @param word - the four bytes, first byte lowest
 * @returns the register after them
 */
export function crc32cWord(crc: number, word: number): number {
  const a = crc ^ word;
  return (
    TABLES[768 + (a & 0xff)] ^ TABLES[512 + ((a >>> 8) & 0xff)] ^ TABLES[256 + ((a >>> 16) & 0xff)] ^ TABLES[a >>> 24]
  );
}

/**
 * The tables that advance a CRC-32C register over `n` zero bytes in four lookups (see
 * {@link crc32cSkip}). The CRC is linear: the register after a register `r` then bytes `b` is
 * the register after `r` then `n` zeros, XOR the register after `0` then `b`. So the bytes that
 * never change (a tag) are checksummed once, and per event only the register is carried over
 * their length.
 *
 * @param n - how many zero bytes
 * @returns 4 × 256 entries: the register after `n` zeros from each byte of a register alone
 */
export function crc32cZeros(n: number): Int32Array {
  // The register after n zeros from each of its 32 bits alone, then every byte value as the XOR
  // of its bits' (linearity again): 32·n steps instead of 1,024·n.
  const bits = new Int32Array(32);
  for (let b = 0; b < 32; b++) {
    let crc = 1 << b;
    for (let k = 0; k < n; k++) crc = TABLES[crc & 0xff] ^ (crc >>> 8);
    bits[b] = crc;
  }
  const out = new Int32Array(4 * 256);
  for (let k = 0; k < 4; k++)
    for (let v = 1; v < 256; v++) {
      const low = 31 - Math.clz32(v & -v);
      out[k * 256 + v] = out[k * 256 + (v & (v - 1))] ^ bits[k * 8 + low];
    }
  return out;
}

/**
 * Advances a CRC-32C register over the zero bytes a {@link crc32cZeros} table was built for.
 *
 * @param zeros - the table
 * @param crc - the register
 * @returns the register after the zeros
 */
export function crc32cSkip(zeros: Int32Array, crc: number): number {
  return (
    zeros[crc & 0xff] ^
    zeros[256 + ((crc >>> 8) & 0xff)] ^
    zeros[512 + ((crc >>> 16) & 0xff)] ^
    zeros[768 + (crc >>> 24)]
  );
}

/**
 * Masks a CRC-32C as TFRecord framing does: rotated right by 15 bits plus 0xa282ead8, so a CRC
 * stored inside the data it covers does not look like a valid one.
 *
 * @param crc - a CRC-32C
 * @returns the masked checksum, an unsigned 32-bit integer
 */
export function maskCrc(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/**
 * The masked CRC-32C of a byte range (see {@link maskCrc}).
 *
 * @param bytes - the buffer
 * @param from - first byte (inclusive)
 * @param to - last byte (exclusive)
 * @returns the masked checksum, an unsigned 32-bit integer
 */
export function maskedCrc32c(bytes: Uint8Array, from = 0, to = bytes.length): number {
  return maskCrc(crc32c(bytes, from, to));
}
