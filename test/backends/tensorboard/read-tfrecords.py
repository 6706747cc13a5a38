# Reads a TFRecord file with python3-crc32c (Debian), checking the masked CRC-32C of every
# length and every record, and writes the records wrapped as a tb.Records message (field 1,
# length-delimited, each record one Event) to stdout for `protoc --decode=tb.Records`.
# Exit 2 with a message on stderr on the first bad CRC or a torn record.
import struct
import sys

import crc32c


def masked(data):
    crc = crc32c.crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def varint(n):
    out = bytearray()
    while n >= 128:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


data = open(sys.argv[1], "rb").read()
at = 0
out = bytearray()
count = 0
while at < len(data):
    if at + 12 > len(data):
        sys.stderr.write("torn header at %d\n" % at)
        sys.exit(2)
    header = data[at : at + 8]
    (length,) = struct.unpack("<Q", header)
    (length_crc,) = struct.unpack("<I", data[at + 8 : at + 12])
    if masked(header) != length_crc:
        sys.stderr.write("bad length crc at %d\n" % at)
        sys.exit(2)
    body = data[at + 12 : at + 12 + length]
    if len(body) != length or at + 16 + length > len(data):
        sys.stderr.write("torn record at %d\n" % at)
        sys.exit(2)
    (body_crc,) = struct.unpack("<I", data[at + 12 + length : at + 16 + length])
    if masked(body) != body_crc:
        sys.stderr.write("bad data crc at %d\n" % at)
        sys.exit(2)
    out += b"\x0a" + varint(length) + body
    count += 1
    at += 16 + length
sys.stdout.buffer.write(bytes(out))
sys.stderr.write("%d records\n" % count)
