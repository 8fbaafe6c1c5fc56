package dev.pitwall.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;

/**
 * Runs the fact check's shared cases (tests/commentary/llm_facts_cases.json, the file the C
 * check's test reads too) through {@link FactCheck}: every verdict must be the one the file
 * wants. Prints a line a case that differs and ends with "N passed, M failed"; exits 1 on a
 * failure. Usage: FactCheckCases CASES.json (tests/flink/test_fact_check.py).
 */
public final class FactCheckCases {
    private FactCheckCases() {}

    public static void main(String[] args) throws Exception {
        JsonNode root = new ObjectMapper().readTree(new File(args[0]));
        JsonNode sets = root.path("facts");
        int passed = 0, failed = 0;
        for (JsonNode c : root.path("cases")) {
            JsonNode set = sets.path(c.path("facts").asText());
            if (set.isMissingNode()) {
                System.out.println("FAILED no fact set " + c.path("facts").asText());
                failed++;
                continue;
            }
            String got = FactCheck.check(c.path("answer").asText(), FactCheck.Facts.fromJson(set));
            String want = c.path("want").asText();
            if (got.equals(want)) {
                passed++;
            } else {
                failed++;
                System.out.println("FAILED \"" + c.path("answer").asText() + "\" (" + c.path("facts").asText()
                        + "): " + got + ", want " + want);
            }
        }
        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 && passed > 0 ? 0 : 1);
    }
}
