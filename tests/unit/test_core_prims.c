/* The core primitives every module builds on: the growable buffer and the lower bound. */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/vec.h"
#include "vp_test.h"

START_TEST(buf_empty)
{
    vpc_buf b = VPC_BUF_INIT;
    size_t len = 99;
    ck_assert_str_eq(vpc_buf_str(&b), "");
    ck_assert_uint_eq(b.len, 0);
    vpc_buf_clear(&b); /* clearing a buffer that never grew is allowed */
    ck_assert_int_eq(vpc_buf_adds(&b, NULL), 0);
    ck_assert_int_eq(vpc_buf_add(&b, "", 0), 0);
    ck_assert_str_eq(vpc_buf_str(&b), "");
    char *s = vpc_buf_detach(&b, &len);
    ck_assert_ptr_nonnull(s); /* the empty appends allocated: an empty string, not NULL */
    ck_assert_str_eq(s, "");
    ck_assert_uint_eq(len, 0);
    free(s);
    ck_assert_ptr_null(vpc_buf_detach(&b, &len));
    ck_assert_uint_eq(len, 0);
    vpc_buf_free(&b);
}
END_TEST

START_TEST(buf_append_and_grow)
{
    vpc_buf b = VPC_BUF_INIT;
    ck_assert_int_eq(vpc_buf_adds(&b, "ab"), 0);
    ck_assert_int_eq(vpc_buf_add(&b, "c\0d", 3), 0); /* bytes, NUL included */
    ck_assert_uint_eq(b.len, 5);
    ck_assert_int_eq(memcmp(b.s, "abc\0d", 6), 0);
    vpc_buf_clear(&b);
    ck_assert_str_eq(vpc_buf_str(&b), "");
    for (int i = 0; i < 1000; i++) /* many reallocations, printf straddling the capacity */
        ck_assert_int_eq(vpc_buf_printf(&b, "%d,", i % 10), 0);
    ck_assert_uint_eq(b.len, 2000);
    ck_assert_uint_eq(strlen(b.s), 2000);
    ck_assert_int_eq(strncmp(b.s + 1990, "5,6,7,8,9,", 10), 0);
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    ck_assert_int_eq(vpc_buf_printf(&b, "[%s]", big), 0);
    ck_assert_uint_eq(b.len, 2000 + 3001);
    ck_assert_int_eq(b.s[b.len - 1], ']');
    ck_assert_int_eq(b.s[b.len], 0);
    ck_assert_int_eq(vpc_buf_reserve(&b, 10000), 0);
    ck_assert_uint_ge(b.cap, b.len + 10001);
    size_t len = 0;
    char *s = vpc_buf_detach(&b, &len);
    ck_assert_uint_eq(len, 5001);
    ck_assert_ptr_null(b.s);
    ck_assert_uint_eq(b.len, 0);
    free(s);
}
END_TEST

START_TEST(buf_nomem_is_sticky)
{
    vpc_buf b = VPC_BUF_INIT;
    ck_assert_int_eq(vpc_buf_adds(&b, "kept"), 0);
    ck_assert_int_eq(vpc_buf_reserve(&b, (size_t)-1), -1); /* cannot be met */
    ck_assert_int_eq(b.nomem, 1);
    ck_assert_int_eq(vpc_buf_adds(&b, "more"), -1);
    ck_assert_int_eq(vpc_buf_printf(&b, "%d", 1), -1);
    ck_assert_str_eq(vpc_buf_str(&b), ""); /* incomplete: not handed out */
    ck_assert_str_eq(b.s, "kept");           /* but what was appended is intact */
    ck_assert_ptr_null(vpc_buf_detach(&b, NULL)); /* incomplete contents are not handed out */
    ck_assert_int_eq(b.nomem, 0);
    vpc_buf_free(&b);
}
END_TEST

static int cmp_int(const void *key, const void *elem)
{
    int a = *(const int *)key, b = *(const int *)elem;
    return (a > b) - (a < b);
}

static size_t lb(int key, const int *v, size_t n)
{
    return vpc_lower_bound(&key, v, n, sizeof *v, cmp_int);
}

START_TEST(lower_bound_edges)
{
    static const int v[] = {2, 4, 4, 4, 7, 9};
    ck_assert_uint_eq(lb(5, NULL, 0), 0);        /* empty */
    ck_assert_uint_eq(lb(10, v, 6), 6);          /* every element below the key */
    ck_assert_uint_eq(lb(1, v, 6), 0);           /* every element above the key */
    ck_assert_uint_eq(lb(2, v, 6), 0);           /* equal to the first */
    ck_assert_uint_eq(lb(9, v, 6), 5);           /* equal to the last */
    ck_assert_uint_eq(lb(4, v, 6), 1);           /* duplicates: the first of them */
    ck_assert_uint_eq(lb(5, v, 6), 4);           /* between: where it would go */
    ck_assert_uint_eq(lb(3, v, 1), 1);           /* one element */
    ck_assert_uint_eq(lb(2, v, 1), 0);
    static const int same[] = {3, 3, 3, 3};
    ck_assert_uint_eq(lb(3, same, 4), 0);
    ck_assert_uint_eq(lb(4, same, 4), 4);
    /* every key agrees with a linear scan */
    for (int key = 0; key <= 10; key++) {
        size_t want = 0;
        while (want < 6 && v[want] < key)
            want++;
        ck_assert_uint_eq(lb(key, v, 6), want);
    }
}
END_TEST

/* A release forgets what came after its mark, over several blocks and an outsized one,
 * and keeps what came before; the next text lands where the forgotten ones began, so a
 * loop that releases every turn holds one turn's texts, not all of them. */
START_TEST(arena_mark_and_release)
{
    vp_arena a = {0};
    char *kept = vpc_arena_strdup(&a, "made before the mark");
    vp_arena_mark m = vpc_arena_mark(&a);
    char *first = vpc_arena_strdup(&a, "first");
    for (int turn = 0; turn < 3; turn++) {
        vpc_arena_release(&a, m);
        char *p = vpc_arena_printf(&a, "turn %d", turn);
        ck_assert_ptr_eq(p, first);
        ck_assert_str_eq(p, turn == 0 ? "turn 0" : turn == 1 ? "turn 1" : "turn 2");
        for (int k = 0; k < 4000; k++) { /* about 3 blocks of 256 KB */
            char *q = vpc_arena_alloc(&a, 200);
            ck_assert_ptr_nonnull(q);
            memset(q, 'x', 200);
        }
        char *big = vpc_arena_alloc(&a, 600 * 1024);
        ck_assert_ptr_nonnull(big);
        memset(big, 'y', 600 * 1024);
        ck_assert_str_eq(kept, "made before the mark");
    }
    vpc_arena_release(&a, m);
    ck_assert_ptr_eq(vpc_arena_strdup(&a, "again"), first);
    ck_assert_str_eq(kept, "made before the mark");

    /* a mark on an empty arena: the release empties it, and it is usable after */
    vp_arena b = {0};
    vp_arena_mark empty = vpc_arena_mark(&b);
    for (int k = 0; k < 3000; k++)
        ck_assert_ptr_nonnull(vpc_arena_alloc(&b, 200));
    vpc_arena_release(&b, empty);
    ck_assert_str_eq(vpc_arena_strdup(&b, "after"), "after");
    vpc_arena_reset(&b);
    ck_assert_str_eq(vpc_arena_strdup(&b, "after a reset"), "after a reset");
    vpc_arena_free(&a); /* LeakSanitizer checks the kept spare block goes too */
    vpc_arena_free(&b);
}
END_TEST

Suite *core_prims_suite(void)
{
    Suite *s = suite_create("core_prims");
    TCase *tc = tcase_create("core_prims");
    tcase_add_test(tc, buf_empty);
    tcase_add_test(tc, buf_append_and_grow);
    tcase_add_test(tc, buf_nomem_is_sticky);
    tcase_add_test(tc, lower_bound_edges);
    tcase_add_test(tc, arena_mark_and_release);
    suite_add_tcase(s, tc);
    return s;
}
