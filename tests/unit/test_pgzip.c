/* The parallel gzip writer: round trips at every block and batch boundary, and output
 * that depends only on the input - never on the number of threads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "archive/pgzip.h"
#include "vp_test.h"

#define MIB (1u << 20)

/* Compressible but not trivial: JSON-ish lines with a counter, plus a stretch of noise. */
static unsigned char *sample(size_t len)
{
    unsigned char *p = malloc(len ? len : 1);
    unsigned x = 12345;
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < len;) {
        char line[96];
        int n = snprintf(line, sizeof line, "{\"id\":\"/subscriptions/%08zx/items/%zu\",\"state\":\"Protected\"}\n",
                         i / 977, i);
        for (int k = 0; k < n && i < len; k++)
            p[i++] = (unsigned char)line[k];
        if ((i / 4096) % 50 == 7)
            for (int k = 0; k < 300 && i < len; k++) {
                x = x * 1103515245u + 12345u;
                p[i++] = (unsigned char)(x >> 16);
            }
    }
    return p;
}

/* gzip of data with the given thread count, fed in uneven pieces. */
static unsigned char *compress_with(const unsigned char *data, size_t len, int threads, size_t *out_len)
{
    char *buf = NULL;
    size_t blen = 0;
    FILE *fp = open_memstream(&buf, &blen);
    vpa_pgz *z = NULL;
    vp_error err = {0};
    ck_assert_ptr_nonnull(fp);
    ck_assert_msg(vpa_pgz_new_threads(fp, 6, threads, &z, &err) == VP_OK, "%s", err.message);
    size_t piece = 1, done = 0;
    while (done < len) {
        size_t n = len - done < piece ? len - done : piece;
        ck_assert_msg(vpa_pgz_write(z, data + done, n, &err) == VP_OK, "%s", err.message);
        done += n;
        piece = piece * 7 + 13; /* 1, 20, 153, ... crosses block boundaries at odd offsets */
        if (piece > 3 * MIB)
            piece = 511;
    }
    ck_assert_msg(vpa_pgz_finish(z, &err) == VP_OK, "%s", err.message);
    vpa_pgz_free(z);
    ck_assert_int_eq(fclose(fp), 0);
    *out_len = blen;
    return (unsigned char *)buf;
}

static void assert_inflates_to(const unsigned char *gz, size_t gz_len, const unsigned char *data, size_t len)
{
    unsigned char *back = malloc(len + 64);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(inflateInit2(&zs, 15 + 16), Z_OK);
    zs.next_in = (unsigned char *)gz;
    zs.avail_in = (uInt)gz_len;
    zs.next_out = back;
    zs.avail_out = (uInt)(len + 64);
    ck_assert_int_eq(inflate(&zs, Z_FINISH), Z_STREAM_END); /* also checks CRC and ISIZE */
    ck_assert_uint_eq(zs.total_out, len);
    ck_assert_uint_eq(zs.avail_in, 0); /* one member, nothing after it */
    ck_assert(memcmp(back, data, len) == 0);
    inflateEnd(&zs);
    free(back);
}

START_TEST(round_trips_at_every_boundary)
{
    /* 0, tiny, exactly one block, one block + 1, a whole 1-thread batch (2 blocks) and
     * around it, a whole 2-thread batch (4 blocks) + a bit, many batches */
    const size_t sizes[] = {0, 1, 100, MIB - 1, MIB, MIB + 1, 2 * MIB, 2 * MIB + 1, 4 * MIB, 4 * MIB + 777, 11 * MIB + 5};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *data = sample(sizes[i]);
        for (int threads = 1; threads <= 3; threads++) {
            size_t gz_len;
            unsigned char *gz = compress_with(data, sizes[i], threads, &gz_len);
            ck_assert_uint_ge(gz_len, 18);
            ck_assert_uint_eq(gz[0], 0x1f);
            ck_assert_uint_eq(gz[1], 0x8b);
            ck_assert_uint_eq(gz[4] | gz[5] | gz[6] | gz[7], 0); /* mtime 0 */
            ck_assert_uint_eq(gz[9], 3);                         /* OS Unix */
            assert_inflates_to(gz, gz_len, data, sizes[i]);
            free(gz);
        }
        free(data);
    }
}
END_TEST

START_TEST(output_does_not_depend_on_thread_count)
{
    size_t len = 9 * MIB + 12345, a_len, b_len, c_len;
    unsigned char *data = sample(len);
    unsigned char *a = compress_with(data, len, 1, &a_len);
    unsigned char *b = compress_with(data, len, 2, &b_len);
    unsigned char *c = compress_with(data, len, 8, &c_len);
    ck_assert_uint_eq(a_len, b_len);
    ck_assert_uint_eq(a_len, c_len);
    ck_assert(memcmp(a, b, a_len) == 0);
    ck_assert(memcmp(a, c, a_len) == 0);
    /* the dictionary carries across blocks: close to what one deflate stream achieves */
    uLongf one_len = compressBound((uLong)len);
    unsigned char *one = malloc(one_len);
    ck_assert_int_eq(compress2(one, &one_len, data, (uLong)len, 6), Z_OK);
    ck_assert_uint_lt(a_len, one_len + one_len / 50);
    free(one);
    free(a);
    free(b);
    free(c);
    free(data);
}
END_TEST

Suite *pgzip_suite(void)
{
    Suite *s = suite_create("pgzip");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, round_trips_at_every_boundary);
    tcase_add_test(tc, output_does_not_depend_on_thread_count);
    suite_add_tcase(s, tc);
    return s;
}
