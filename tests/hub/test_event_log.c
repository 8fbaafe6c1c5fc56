/* Unit tests of a race's event log (src/hub/event_log.c): order, the byte bound, what it
 * remembers of what fell out, and the buffer references it holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hub/event_log.h"

#include <stdbool.h>
#include <string.h>

static struct pw_buf *buf_of(size_t len)
{
    struct pw_buf *b = pw_buf_new(NULL, len);
    assert_non_null(b);
    return b;
}

static void test_order_and_references(void **state)
{
    (void)state;
    struct event_log log;
    event_log_init(&log, 1u << 20);
    struct pw_buf *legacy = buf_of(10), *combined = buf_of(20);
    assert_int_equal(event_log_append(&log, LOG_POSITIONS, 1, 0, legacy, combined), 0);
    assert_int_equal(event_log_append(&log, LOG_COMMENTARY, 1, 1, legacy, combined), 0);
    assert_int_equal(event_log_append(&log, LOG_RACE, 2, 1, NULL, combined), 0);
    assert_int_equal(log.count, 3);
    assert_int_equal(log.bytes, 30 + 30 + 20);
    assert_int_equal(legacy->refs, 3); /* ours + two entries */
    assert_int_equal(combined->refs, 4);
    const struct log_entry *e = event_log_at(&log, 1);
    assert_int_equal(e->kind, LOG_COMMENTARY);
    assert_int_equal(e->r, 1);
    assert_int_equal(e->c, 1);
    assert_ptr_equal(e->legacy, legacy);
    assert_int_equal(log_entry_own_seq(e), 1);
    assert_int_equal(log_entry_own_seq(event_log_at(&log, 2)), 2);
    assert_null(event_log_at(&log, 2)->legacy);
    assert_null(event_log_at(&log, 3));
    event_log_free(&log);
    assert_int_equal(legacy->refs, 1);
    assert_int_equal(combined->refs, 1);
    assert_int_equal(log.count, 0);
    pw_buf_unref(legacy);
    pw_buf_unref(combined);
}

static void test_byte_bound_drops_oldest(void **state)
{
    (void)state;
    struct event_log log;
    event_log_init(&log, 100);
    struct pw_buf *b[6];
    for (int i = 0; i < 6; i++) {
        b[i] = buf_of(30);
        bool comment = i == 1;
        assert_int_equal(event_log_append(&log, comment ? LOG_COMMENTARY : LOG_POSITIONS,
                                          (uint64_t)i + 1, comment ? 1 : 0, b[i], NULL),
                         0);
        assert_true(log.bytes <= 100);
    }
    /* 30-byte entries under 100 bytes: the newest three stay */
    assert_int_equal(log.count, 3);
    assert_int_equal(event_log_at(&log, 0)->r, 4);
    assert_int_equal(event_log_at(&log, 2)->r, 6);
    assert_int_equal(log.dropped_r, 3);
    assert_int_equal(log.dropped_c, 1); /* the commentary entry fell out too */
    for (int i = 0; i < 3; i++)
        assert_int_equal(b[i]->refs, 1); /* released when dropped */
    for (int i = 3; i < 6; i++)
        assert_int_equal(b[i]->refs, 2);
    /* One entry bigger than the bound is still kept: the newest is never lost. */
    struct pw_buf *big = buf_of(500);
    assert_int_equal(event_log_append(&log, LOG_POSITIONS, 7, 1, big, NULL), 0);
    assert_int_equal(log.count, 1);
    assert_ptr_equal(event_log_at(&log, 0)->legacy, big);
    assert_int_equal(log.dropped_r, 6);
    event_log_free(&log);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(b[i]->refs, 1);
        pw_buf_unref(b[i]);
    }
    pw_buf_unref(big);
}

/* The ring grows while its oldest entries are being dropped: order survives both. */
static void test_ring_wraps_and_grows(void **state)
{
    (void)state;
    struct event_log log;
    event_log_init(&log, 10 * 200); /* 200 entries: the ring (256) wraps as they drop */
    struct pw_buf *b = buf_of(10);
    for (uint64_t i = 1; i <= 5000; i++) {
        assert_int_equal(event_log_append(&log, LOG_POSITIONS, i, 0, b, NULL), 0);
        if (i == 1000)
            log.max_bytes = 10 * 600; /* the ring grows while wrapped */
        if (i == 3000)
            log.max_bytes = 10 * 250;
        for (size_t k = 1; k < log.count; k += 97)
            assert_int_equal(event_log_at(&log, k)->r, event_log_at(&log, k - 1)->r + 1);
        assert_int_equal(event_log_at(&log, log.count - 1)->r, i);
    }
    assert_int_equal(log.count, 250);
    assert_int_equal(event_log_at(&log, 0)->r, 4751);
    assert_int_equal(log.dropped_r, 4750);
    assert_int_equal(b->refs, 251);
    event_log_free(&log);
    assert_int_equal(b->refs, 1);
    pw_buf_unref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_references),
        cmocka_unit_test(test_byte_bound_drops_oldest),
        cmocka_unit_test(test_ring_wraps_and_grows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
