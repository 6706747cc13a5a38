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
 * CRC-32C of a byte range.
 *
 * @param bytes - the buffer
 * @param from - first byte (inclusive)
 * @param to - last byte (exclusive)
 * @returns the checksum, an unsigned 32-bit integer
 */
export function crc32c(bytes: Uint8Array, from = 0, to = bytes.length): number {
  const T = TABLES;
  let crc = -1;
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
  return ~crc >>> 0;
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
