/* The hub's registry of races it has let go of: remembered, bounded, oldest forgotten. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hub/race_registry.h"

#include <stdio.h>
#include <string.h>

static void test_remembers_what_was_added(void **state)
{
    (void)state;
    struct race_registry reg;
    assert_int_equal(race_registry_init(&reg, 4), 0);
    assert_false(race_registry_has(&reg, "a"));
    race_registry_add(&reg, "a");
    race_registry_add(&reg, "b");
    assert_true(race_registry_has(&reg, "a"));
    assert_true(race_registry_has(&reg, "b"));
    assert_false(race_registry_has(&reg, "c"));
    assert_false(race_registry_has(&reg, ""));
    race_registry_add(&reg, "a"); /* twice is once */
    assert_int_equal((int)reg.count, 2);
    race_registry_free(&reg);
}

static void test_bounded_oldest_forgotten_first(void **state)
{
    (void)state;
    struct race_registry reg;
    assert_int_equal(race_registry_init(&reg, 3), 0);
    char id[16];
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "race-%d", i);
        race_registry_add(&reg, id);
    }
    assert_int_equal((int)reg.count, 3);
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "race-%d", i);
        assert_int_equal(race_registry_has(&reg, id), i >= 7);
    }
    race_registry_free(&reg);
}

static void test_ids_that_cannot_be_race_ids_are_ignored(void **state)
{
    (void)state;
    struct race_registry reg;
    assert_int_equal(race_registry_init(&reg, 2), 0);
    char long_id[PW_RACE_ID_MAX + 8];
    memset(long_id, 'x', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    race_registry_add(&reg, long_id);
    race_registry_add(&reg, "");
    assert_int_equal((int)reg.count, 0);
    race_registry_free(&reg);
    assert_int_equal(race_registry_init(&reg, 0), 0); /* remembers nothing, safely */
    race_registry_add(&reg, "a");
    assert_false(race_registry_has(&reg, "a"));
    race_registry_free(&reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_remembers_what_was_added),
        cmocka_unit_test(test_bounded_oldest_forgotten_first),
        cmocka_unit_test(test_ids_that_cannot_be_race_ids_are_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
