// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as TFRecord framing uses it.
const TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c >>> 0;
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
  let crc = 0xffffffff;
  for (let i = from; i < to; i++) crc = (TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * The masked CRC-32C of TFRecord framing: rotated right by 15 bits plus 0xa282ead8, so a CRC
 * stored inside the data it covers does not look like a valid one.
 *
 * @param bytes - the buffer
 * @param from - first byte (inclusive)
 * @param to - last byte (exclusive)
 * @returns the masked checksum, an unsigned 32-bit integer
 */
export function maskedCrc32c(bytes: Uint8Array, from = 0, to = bytes.length): number {
  const crc = crc32c(bytes, from, to);
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}
