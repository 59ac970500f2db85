#ifndef C_BYTE_SCAN_H
#define C_BYTE_SCAN_H

#include <stddef.h>

// Vector scans for the JSON reader: Swift's SIMD types compile lane by lane here, the C compiler's intrinsics
// compare sixteen bytes in one instruction.

/// How many of the `count` bytes at `bytes` come before the first one a JSON string reader must look at: `"`,
/// `\`, a control character (below 0x20) or a byte of a multi-byte UTF-8 sequence (above 0x7F).
size_t lambdasockets_json_plain_prefix(const unsigned char *bytes, size_t count);

#endif
