#include "harness.h"

#include "proc_rss.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void server_print_log(const struct server *s)
{
    FILE *f = fopen(s->log_path, "r");
    char line[1024];
    fprintf(stderr, "---- pitwall log (%s) ----\n", s->log_path);
    while (f && fgets(line, sizeof line, f))
        fputs(line, stderr);
    if (f)
        fclose(f);
}

static int find_port(const struct server *s)
{
    FILE *f = fopen(s->log_path, "r");
    char line[1024];
    int port = 0;
    while (f && fgets(line, sizeof line, f)) {
        const char *p = strstr(line, "listening on http://");
        if (p) {
            p = strrchr(p, ':');
            if (p)
                port = atoi(p + 1);
        }
    }
    if (f)
        fclose(f);
    return port;
}

int server_start(struct server *s, const char *config_yaml, const char *const *args,
                 const char *reuse_dir)
{
    memset(s, 0, sizeof *s);
    if (reuse_dir) {
        snprintf(s->dir, sizeof s->dir, "%s", reuse_dir);
    } else {
        snprintf(s->dir, sizeof s->dir, "/tmp/pitwall-test-XXXXXX");
        if (!mkdtemp(s->dir))
            return -1;
    }
    snprintf(s->log_path, sizeof s->log_path, "%s/pitwall.log", s->dir);
    snprintf(s->db_path, sizeof s->db_path, "%s/history.db", s->dir);
    char config_path[300] = "";
    if (config_yaml) {
        snprintf(config_path, sizeof config_path, "%s/config.yaml", s->dir);
        FILE *f = fopen(config_path, "w");
        if (!f)
            return -1;
        fputs(config_yaml, f);
        fclose(f);
    }
    const char *argv[64];
    int n = 0;
    argv[n++] = PITWALL_BIN;
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--history";
    argv[n++] = s->db_path;
    argv[n++] = "--log-level";
    argv[n++] = "debug";
    if (config_yaml) {
        argv[n++] = "--config";
        argv[n++] = config_path;
    }
    for (int i = 0; args && args[i] && n < 62; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    unlink(s->log_path); /* a restart in the same dir must not find the old port */
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* a test that fails mid-way leaves its servers running: they go with the test */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 2);
            dup2(fd, 1);
        }
        execv(PITWALL_BIN, (char *const *)argv);
        _exit(127);
    }
    s->pid = pid;
    for (int64_t until = now_ms() + 20000; now_ms() < until;) {
        s->port = find_port(s);
        if (s->port > 0)
            return 0;
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            s->pid = 0;
            server_print_log(s);
            return -1;
        }
        usleep(20000);
    }
    server_print_log(s);
    return -1;
}

int server_stop(struct server *s, int sig)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, sig);
    for (int64_t until = now_ms() + 10000; now_ms() < until;) {
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            if (sig != SIGKILL && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
                server_print_log(s);
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        usleep(10000);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
    server_print_log(s);
    return -1;
}

long long server_metric(int port, const char *name)
{
    struct response r;
    long long v = -1;
    if (http_call(port, "GET", "/metrics", "", NULL, &r) != 0)
        return -1;
    size_t n = strlen(name);
    for (const char *line = r.body; line && *line;) {
        if (strncmp(line, name, n) == 0 && line[n] == ' ') {
            v = atoll(line + n + 1);
            break;
        }
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    response_free(&r);
    return v;
}

long server_rss_kb(const struct server *s)
{
    return proc_rss_kb((int)s->pid);
}

void server_cleanup(struct server *s)
{
    char cmd[400];
    const char *keep = getenv("PITWALL_TEST_KEEP"); /* keep logs and databases to look at */
    if (keep && keep[0] == '1') {
        fprintf(stderr, "kept %s\n", s->dir);
        return;
    }
    if (s->dir[0] && strncmp(s->dir, "/tmp/pitwall-test-", 18) == 0) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", s->dir);
    }
}
