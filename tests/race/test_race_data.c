/* Tests of the grid and circuit data: the built-in files, user grid files and their errors. */
#include "core/error.h"
#include "race/circuit.h"
#include "race/grid.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static void test_builtin_2026(void **state)
{
    (void)state;
    struct pw_grid g;
    assert_int_equal(race_grid_load_builtin("2026", &g), 0);
    assert_int_equal(g.n, 22);
    const struct pw_driver *d = race_grid_find_by_name(&g, "Lando Norris");
    assert_non_null(d);
    assert_string_equal(d->number, "1");
    assert_string_equal(d->tla, "NOR");
    assert_string_equal(d->team, "McLaren");
    assert_string_equal(d->team_color, "#F47600");
    d = race_grid_find_by_name(&g, "arvid lindblad");
    assert_non_null(d);
    assert_string_equal(d->team, "Racing Bulls");
    assert_string_equal(d->team_color, "#6C98FF");
    assert_ptr_equal(race_grid_find_by_name(&g, "col"), race_grid_find_by_name(&g, "43"));
    assert_string_equal(race_grid_find_by_name(&g, "43")->name, "Franco Colapinto");
    assert_null(race_grid_find_by_name(&g, "Michael Schumacher"));
    assert_null(race_grid_find_by_name(&g, ""));
    /* Eleven teams of two, each with one colour. */
    for (int i = 0; i < g.n; i++) {
        int same = 0;
        for (int j = 0; j < g.n; j++) {
            if (strcmp(g.drivers[i].team, g.drivers[j].team) == 0) {
                same++;
                assert_string_equal(g.drivers[i].team_color, g.drivers[j].team_color);
            }
        }
        assert_int_equal(same, 2);
    }
    struct pw_grid dflt;
    assert_int_equal(race_grid_load_builtin(NULL, &dflt), 0);
    assert_memory_equal(&g, &dflt, sizeof g);
}

static void test_builtin_original(void **state)
{
    (void)state;
    struct pw_grid g;
    assert_int_equal(race_grid_load_builtin("original", &g), 0);
    assert_int_equal(g.n, 10);
    assert_non_null(race_grid_find_by_name(&g, "Max Verstappen"));
    assert_non_null(race_grid_find_by_name(&g, "Lewis Hamilton"));
    assert_int_equal(race_grid_load_builtin("1999", &g), -ENOENT);
}

static void expect_grid_error(const char *text, int line, const char *words)
{
    struct pw_grid g;
    char err[256];
    char where[32];
    int rc = race_grid_parse_text(text, "my.csv", &g, err, sizeof err);
    assert_true(rc < 0);
    snprintf(where, sizeof where, "my.csv:%d: ", line);
    if (strncmp(err, where, strlen(where)) != 0 || !strstr(err, words))
        fail_msg("error \"%s\" should start with \"%s\" and mention \"%s\"", err, where, words);
}

static void test_grid_errors_name_the_line(void **state)
{
    (void)state;
    const char *head =
        "number,tla,name,team,team_color,rating\n1,NOR,Lando Norris,McLaren,#F47600,95\n";
    char text[512];
    snprintf(text, sizeof text, "%s81,PIA,Oscar Piastri,McLaren,#F4760,94\n", head);
    expect_grid_error(text, 3, "colour");
    snprintf(text, sizeof text, "%s# comment\n\n1,PIA,Oscar Piastri,McLaren,#F47600\n", head);
    expect_grid_error(text, 5, "already used");
    snprintf(text, sizeof text, "%s81,NOR,Oscar Piastri,McLaren,#F47600\n", head);
    expect_grid_error(text, 3, "already used");
    snprintf(text, sizeof text, "%s81,PIA,Oscar Piastri\n", head);
    expect_grid_error(text, 3, "fields");
    snprintf(text, sizeof text, "%s81,PIA,Oscar Piastri,McLaren,#F47600,101\n", head);
    expect_grid_error(text, 3, "rating");
    snprintf(text, sizeof text, "%s1000,PIA,Oscar Piastri,McLaren,#F47600\n", head);
    expect_grid_error(text, 3, "racing number");
    snprintf(text, sizeof text, "%s81,pia,Oscar Piastri,McLaren,#F47600\n", head);
    expect_grid_error(text, 3, "abbreviation");
    snprintf(text, sizeof text, "%s81,PIA,,McLaren,#F47600\n", head);
    expect_grid_error(text, 3, "driver name");
    expect_grid_error(head, 2, "at least 2");

    char big[2048];
    size_t n = (size_t)snprintf(big, sizeof big, "%s", head);
    memset(big + n, 'x', 700);
    big[n + 700] = '\0';
    expect_grid_error(big, 3, "longer than");

    char many[4096] = "";
    for (int i = 1; i <= PW_MAX_CARS + 1; i++) {
        char line[96];
        snprintf(line, sizeof line, "%d,A%c%c,Driver %d,Team,#123456\n", i, 'A' + i / 26,
                 'A' + i % 26, i);
        strcat(many, line);
    }
    expect_grid_error(many, PW_MAX_CARS + 1, "more than");
}

static void test_grid_text_forms(void **state)
{
    (void)state;
    struct pw_grid g;
    char err[128];
    /* Byte order mark, CRLF, spaces around fields, no header, no rating. */
    const char *text = "\xEF\xBB\xBF"
                       "4 , NOR , Lando Norris , McLaren , #ff8000\r\n"
                       "81,PIA,Oscar Piastri,McLaren,#FF8000,90\r\n";
    assert_int_equal(race_grid_parse_text(text, "t", &g, err, sizeof err), 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.drivers[0].number, "4");
    assert_string_equal(g.drivers[0].name, "Lando Norris");
    assert_string_equal(g.drivers[0].team_color, "#FF8000");
    assert_int_equal(g.rating[0], GRID_RATING_DEFAULT);
    assert_int_equal(g.rating[1], 90);
}

static void test_grid_file(void **state)
{
    (void)state;
    char path[] = "/tmp/pw_grid_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text =
        "10,GAS,Pierre Gasly,Alpine,#00A1E8\n43,COL,Franco Colapinto,Alpine,#00A1E8\n"
        "43,XXX,Bad Line,Alpine,#00A1E8\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    struct pw_grid g;
    char err[256];
    assert_true(race_grid_load_file(path, &g, err, sizeof err) < 0);
    assert_non_null(strstr(err, ":3: "));
    assert_non_null(strstr(err, path));
    off_t two_lines = (off_t)(strchr(strchr(text, '\n') + 1, '\n') - text + 1);
    assert_int_equal(truncate(path, two_lines), 0);
    assert_int_equal(race_grid_load_file(path, &g, err, sizeof err), 0);
    assert_int_equal(g.n, 2);
    unlink(path);
    assert_int_equal(race_grid_load_file(path, &g, err, sizeof err), -ENOENT);
    assert_non_null(strstr(err, path));
    /* Not a text file, a directory, a huge file: refused with a reason, no crash. */
    strcpy(path, "/tmp/pw_grid_XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char nul_text[] = "1,NOR,A\0B,McLaren,#F47600\n";
    assert_int_equal(write(fd, nul_text, sizeof nul_text - 1), (ssize_t)(sizeof nul_text - 1));
    close(fd);
    assert_int_equal(race_grid_load_file(path, &g, err, sizeof err), PW_EPARSE);
    assert_non_null(strstr(err, "NUL"));
    assert_int_equal(truncate(path, GRID_FILE_MAX + 10), 0);
    assert_int_equal(race_grid_load_file(path, &g, err, sizeof err), -E2BIG);
    unlink(path);
    assert_true(race_grid_load_file("/tmp", &g, err, sizeof err) < 0);
    assert_true(strlen(err) > 0);
    assert_true(race_grid_load_file("/tmp", &g, NULL, 0) < 0);
}

static void test_circuits(void **state)
{
    (void)state;
    struct race_circuit c;
    /* Every data line of the shipped file must parse: count them independently. */
    FILE *fp = fopen(PITWALL_SOURCE_DIR "/data/circuits/circuits.csv", "r");
    assert_non_null(fp);
    char line[512];
    int lines = 0;
    while (fgets(line, sizeof line, fp)) {
        if (line[0] != '#' && line[0] != '\n' && strncmp(line, "id,", 3) != 0)
            lines++;
    }
    fclose(fp);
    int n = race_circuit_count_builtin();
    assert_int_equal(n, lines);
    assert_true(n >= 5);
    for (int i = 0; i < n; i++) {
        assert_int_equal(race_circuit_builtin_at(i, &c), 0);
        assert_int_equal(c.sector_pct[0] + c.sector_pct[1] + c.sector_pct[2], 100);
        assert_true(c.laps * c.length_m > 250000 && c.laps * c.length_m < 320000);
        assert_true(c.lap_ms > 60000 && c.pit_loss_ms > 10000);
    }
    assert_int_equal(race_circuit_builtin_at(n, &c), -ENOENT);
    assert_int_equal(race_circuit_builtin_at(-1, &c), -ENOENT);
    assert_int_equal(race_circuit_load_builtin(NULL, &c), 0);
    assert_string_equal(c.id, "bahrain");
    assert_int_equal(c.laps, 57);
    assert_int_equal(race_circuit_load_builtin("Monaco", &c), 0);
    assert_true(c.overtaking > 80);
    assert_int_equal(c.kind, RACE_CIRCUIT_STREET);
    assert_int_equal(race_circuit_load_builtin("baku", &c), 0);
    assert_int_equal(race_circuit_load_builtin("miami", &c), 0);
    assert_int_equal(race_circuit_load_builtin("nurburgring", &c), -ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_2026),
        cmocka_unit_test(test_builtin_original),
        cmocka_unit_test(test_grid_errors_name_the_line),
        cmocka_unit_test(test_grid_text_forms),
        cmocka_unit_test(test_grid_file),
        cmocka_unit_test(test_circuits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
