#!/usr/bin/env bash
# The tests use real tools Tracelet did not write: Debian's chromium (the viewer's browser tests),
# protoc and python3's crc32c (TensorBoard event files), the sqlite3 CLI (the sqlite backend).
# Run before `npm test`: installs what is missing with apt when run as root, else says what to run.
set -uo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v protoc >/dev/null || missing+=(protobuf-compiler)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
/usr/bin/python3 -c "import crc32c" 2>/dev/null || missing+=(python3-crc32c)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "tests: installing ${missing[*]} (apt)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null && exit 0
  echo "tests: apt-get install ${missing[*]} failed" >&2
  exit 1
fi
echo "tests: missing ${missing[*]}; install them first: sudo apt-get install ${missing[*]}" >&2
exit 1
