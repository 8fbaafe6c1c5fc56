package dev.pitwall.flink;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

/**
 * Runs Flink SQL files on a local Flink MiniCluster (the same engine as a cluster, in this
 * JVM): {@code SqlRunner [--var KEY=VALUE]... FILE.sql...}. Each {@code ${KEY}} in the files
 * is replaced by its --var value (or the environment variable KEY); a reference without a
 * value stops the run. Statements end with a ';' at the end of a line. {@code SET 'k' = 'v'}
 * sets a configuration option; every INSERT of all files goes into one job (a statement
 * set); the rest (CREATE TABLE / VIEW / FUNCTION) runs as it comes. The runner then waits for
 * the job, which on unbounded Kafka sources runs until the process is stopped.
 */
public final class SqlRunner {
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Z0-9_]+)\\}");
    private static final Pattern SET =
            Pattern.compile("(?is)^SET\\s+'([^']+)'\\s*=\\s*'([^']*)'$");

    private SqlRunner() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> vars = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--var") && i + 1 < args.length) {
                String kv = args[++i];
                int eq = kv.indexOf('=');
                if (eq <= 0) usage("bad --var " + kv);
                vars.put(kv.substring(0, eq), kv.substring(eq + 1));
            } else if (args[i].startsWith("--")) {
                usage("unknown option " + args[i]);
            } else {
                files.add(Path.of(args[i]));
            }
        }
        if (files.isEmpty()) usage("no SQL file");

        Configuration conf = new Configuration();
        conf.setString("parallelism.default", "1");
        /* A race's records are keyed by race id and so sit in one partition: the others are
         * idle, and must not hold the watermark back. */
        conf.setString("table.exec.source.idle-timeout", "1 s");
        conf.setString("execution.checkpointing.interval", "10 s");
        conf.setString("pipeline.name", "pitwall " + files);
        TableEnvironment env = TableEnvironment.create(
                EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build());
        StatementSet inserts = env.createStatementSet();
        int n = 0;
        for (Path f : files) {
            String text = substitute(Files.readString(f, StandardCharsets.UTF_8), vars, f);
            for (String stmt : split(text)) {
                Matcher set = SET.matcher(stmt);
                if (set.matches()) {
                    env.getConfig().getConfiguration().setString(set.group(1), set.group(2));
                } else if (stmt.regionMatches(true, 0, "INSERT", 0, 6)) {
                    inserts.addInsertSql(stmt);
                    n++;
                } else {
                    env.executeSql(stmt);
                }
            }
        }
        if (n == 0) usage("no INSERT statement: nothing to run");
        System.out.println("pitwall-flink: running " + n + " INSERT statement(s) from " + files);
        TableResult result = inserts.execute();
        result.getJobClient().ifPresent(c -> System.out.println("pitwall-flink: job " + c.getJobID()));
        result.await();
    }

    static String substitute(String text, Map<String, String> vars, Path file) {
        Matcher m = VAR.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = vars.containsKey(m.group(1)) ? vars.get(m.group(1)) : System.getenv(m.group(1));
            if (v == null) usage(file + ": no value for ${" + m.group(1) + "} (--var or environment)");
            m.appendReplacement(out, Matcher.quoteReplacement(v.replace("'", "''")));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Statements end with ';' at the end of a line; '--' comment lines are dropped. */
    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.strip().startsWith("--")) continue;
            cur.append(line).append('\n');
            if (line.stripTrailing().endsWith(";")) {
                String s = cur.toString().strip();
                out.add(s.substring(0, s.length() - 1).strip());
                cur.setLength(0);
            }
        }
        if (!cur.toString().isBlank()) out.add(cur.toString().strip());
        return out;
    }

    private static void usage(String why) {
        System.err.println("pitwall-flink: " + why);
        System.err.println("usage: SqlRunner [--var KEY=VALUE]... FILE.sql...");
        System.exit(2);
    }
}
