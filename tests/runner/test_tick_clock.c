/* The runner's tick schedule: ticks stay on the grid of periods from the first one however
 * late each runs, and a tick later than a whole period skips the grid points it passed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "runner/tick_clock.h"

static void test_on_time_ticks_a_period_apart(void **state)
{
    (void)state;
    struct tick_clock c;
    tick_clock_start(&c, 1000, 100);
    assert_int_equal(c.due_ms, 1100);
    for (uint64_t due = 1100; due < 2000; due += 100) {
        assert_int_equal(tick_clock_next(&c, due), 100);
        assert_int_equal(c.due_ms, due + 100);
    }
    assert_int_equal(c.skipped, 0);
}

static void test_a_late_tick_shortens_the_next_wait(void **state)
{
    (void)state;
    struct tick_clock c;
    tick_clock_start(&c, 0, 100);
    assert_int_equal(tick_clock_next(&c, 130), 70); /* due at 100, ran at 130 */
    assert_int_equal(c.due_ms, 200);
    assert_int_equal(tick_clock_next(&c, 299), 1); /* 99 late: still this grid point's */
    assert_int_equal(c.due_ms, 300);
    assert_int_equal(c.skipped, 0);
}

/* Every tick 8 ms late, as when each loop turn after a tick waits for the fan-out: a timer
 * rearmed from when it ran would make 100 ticks take 10.8 s; on the grid they take 10 s. */
static void test_lateness_does_not_add_up(void **state)
{
    (void)state;
    struct tick_clock c;
    tick_clock_start(&c, 0, 100);
    uint64_t now = 0;
    for (int i = 0; i < 100; i++) {
        now = c.due_ms + 8;
        uint64_t wait = tick_clock_next(&c, now);
        assert_int_equal(wait, 92);
    }
    assert_int_equal(now, 100 * 100 + 8);
    assert_int_equal(c.due_ms, 101 * 100);
    assert_int_equal(c.skipped, 0);
}

static void test_a_tick_a_period_late_skips_what_it_passed(void **state)
{
    (void)state;
    struct tick_clock c;
    tick_clock_start(&c, 0, 100);
    /* Due at 100, ran at 200: it stands for 200 too, so the next is due at 300. */
    assert_int_equal(tick_clock_next(&c, 200), 100);
    assert_int_equal(c.due_ms, 300);
    assert_int_equal(c.skipped, 1);
    /* Due at 300, ran at 655: 400, 500 and 600 passed; the next is due at 700. */
    assert_int_equal(tick_clock_next(&c, 655), 45);
    assert_int_equal(c.due_ms, 700);
    assert_int_equal(c.skipped, 4);
    /* Back on time: no more skipped. */
    assert_int_equal(tick_clock_next(&c, 700), 100);
    assert_int_equal(c.skipped, 4);
}

static void test_other_periods(void **state)
{
    (void)state;
    struct tick_clock c;
    tick_clock_start(&c, 5, 333); /* 3 Hz */
    assert_int_equal(c.due_ms, 338);
    assert_int_equal(tick_clock_next(&c, 400), 271);
    assert_int_equal(c.due_ms, 671);
    tick_clock_start(&c, 0, 1000); /* 1 Hz */
    assert_int_equal(tick_clock_next(&c, 1999), 1);
    assert_int_equal(tick_clock_next(&c, 3500), 500);
    assert_int_equal(c.skipped, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_on_time_ticks_a_period_apart),
        cmocka_unit_test(test_a_late_tick_shortens_the_next_wait),
        cmocka_unit_test(test_lateness_does_not_add_up),
        cmocka_unit_test(test_a_tick_a_period_late_skips_what_it_passed),
        cmocka_unit_test(test_other_periods),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
