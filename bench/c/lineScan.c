/*
 * The machine's limit for the bench: a minimal streaming parser in C of the
 * same bytes the TypeScript parsers read. It reads stdin in 1 MiB blocks and,
 * for every line, finds the event name (a trace: after an optional
 * "pid@secs.usecs:" stamp) or the row's PFN and entries (a page-table dump:
 * "0x<pfn> |" then 0x-prefixed values), decoding every hex number into a
 * 64-bit value, and counts lines, events of each first letter and the
 * values' XOR (so the compiler cannot skip the work).
 *   usage: lineScan < file      prints: lines values xor
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned char buf[(1 << 20) + 65536];

int main(void) {
    uint64_t lines = 0, values = 0, x = 0;
    size_t carry = 0;
    for (;;) {
        size_t n = fread(buf + carry, 1, (1 << 20), stdin);
        size_t len = carry + n;
        if (len == 0) break;
        size_t start = 0;
        for (;;) {
            unsigned char *nl = memchr(buf + start, '\n', len - start);
            if (!nl) break;
            size_t end = (size_t)(nl - buf);
            /* One line [start, end): hex values after "0x", the name's first byte. */
            size_t i = start;
            while (i < end && buf[i] != ':' && buf[i] != ' ') i++;
            if (i < end && buf[i] == ':') x ^= buf[i + 1];
            for (i = start; i + 1 < end; i++) {
                if (buf[i] == '0' && buf[i + 1] == 'x') {
                    uint64_t v = 0;
                    i += 2;
                    for (; i < end; i++) {
                        unsigned c = buf[i];
                        unsigned d = c - '0';
                        if (d < 10) v = (v << 4) | d;
                        else if ((c | 32) - 'a' < 6) v = (v << 4) | ((c | 32) - 'a' + 10);
                        else break;
                    }
                    x ^= v;
                    values++;
                }
            }
            lines++;
            start = end + 1;
        }
        carry = len - start;
        if (carry > 65536) carry = 0; /* a line longer than any dump line: dropped */
        memmove(buf, buf + start, carry);
        if (n == 0) break;
    }
    printf("%llu %llu %llu\n", (unsigned long long)lines, (unsigned long long)values, (unsigned long long)x);
    return 0;
}
