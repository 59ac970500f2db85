#include "CByteScan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>
#endif

static int is_special(unsigned char byte) {
    return byte == '"' || byte == '\\' || byte < 0x20 || byte >= 0x80;
}

size_t lambdasockets_json_plain_prefix(const unsigned char *bytes, size_t count) {
    size_t index = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    for (; index + 16 <= count; index += 16) {
        __m128i chunk = _mm_loadu_si128((const __m128i *)(bytes + index));
        // A signed compare below 0x20 catches control characters and, as negative numbers, bytes above 0x7F.
        __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
                                       _mm_cmplt_epi8(chunk, space));
        int mask = _mm_movemask_epi8(special);
        if (mask != 0) return index + (size_t)__builtin_ctz((unsigned)mask);
    }
#elif defined(__ARM_NEON) && defined(__aarch64__)
    const uint8x16_t quote = vdupq_n_u8('"');
    const uint8x16_t backslash = vdupq_n_u8('\\');
    const uint8x16_t space = vdupq_n_u8(0x20);
    const uint8x16_t high = vdupq_n_u8(0x80);
    for (; index + 16 <= count; index += 16) {
        uint8x16_t chunk = vld1q_u8(bytes + index);
        uint8x16_t special = vorrq_u8(vorrq_u8(vceqq_u8(chunk, quote), vceqq_u8(chunk, backslash)),
                                      vorrq_u8(vcltq_u8(chunk, space), vcgeq_u8(chunk, high)));
        if (vmaxvq_u8(special) != 0) break;  // the loop below finds which byte
    }
#endif
    while (index < count && !is_special(bytes[index])) index++;
    return index;
}
