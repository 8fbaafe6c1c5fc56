package dev.pitwall.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ScalarFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code CHAT_COMMENT(endpoint, model, timeout_ms, prompt, about, vocabulary, facts, fallback)}: one
 * line of commentary from any OpenAI-compatible Chat Completions endpoint (the open-source
 * counterpart of Confluent's ML_PREDICT), or {@code fallback} when the call fails, times
 * out, answers garbage or an answer that fails pitwall's check ({@link AnswerCheck}).
 * {@code about} is a comma-separated list of the names the line must mention (one of them);
 * {@code vocabulary} the words it may use capitalised; {@code facts} what the prompt told the
 * model, as JSON ({@link FactCheck.Facts#fromJson}), that every claim of the line must match.
 * An empty endpoint means no model: the
 * fallback line. The key, if the endpoint needs one, comes from the environment
 * (PITWALL_LLM_API_KEY), never from the SQL. Outcomes are counted in metrics
 * {@code pitwallModelOk} and {@code pitwallModelFallback}, and logged.
 */
public final class ChatCommentFunction extends ScalarFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ChatCommentFunction.class);
    private static final String SYSTEM_PROMPT =
            "You are a Formula 1 TV commentator. Reply with one exciting sentence about the event, "
                    + "under 15 words, plain text. Name only drivers from the message.";

    private transient HttpClient http;
    private transient ObjectMapper json;
    private transient Counter ok, fallback;
    private transient String apiKey;

    @Override
    public void open(FunctionContext context) {
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        json = new ObjectMapper();
        ok = context.getMetricGroup().counter("pitwallModelOk");
        fallback = context.getMetricGroup().counter("pitwallModelFallback");
        apiKey = System.getenv("PITWALL_LLM_API_KEY");
    }

    public String eval(String endpoint, String model, Integer timeoutMs, String prompt,
            String about, String vocabulary, String facts, String fallbackLine) {
        if (endpoint == null || endpoint.isEmpty() || prompt == null) return fallbackLine;
        List<String> names = new ArrayList<>();
        if (about != null)
            for (String n : about.split(",")) if (!n.isBlank()) names.add(n.strip());
        String outcome;
        try {
            String answer = call(endpoint, model, timeoutMs == null ? 3000 : timeoutMs, prompt);
            String line = AnswerCheck.check(answer,
                    FactCheck.Facts.fromJson(json.readTree(facts == null ? "{}" : facts)), names,
                    vocabulary);
            if (line != null) {
                ok.inc();
                LOG.info("pitwall: model line: {}", line);
                return line;
            }
            outcome = "answer failed the check: " + answer;
        } catch (java.net.http.HttpTimeoutException e) {
            outcome = "timeout";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "interrupted";
        } catch (Exception e) {
            outcome = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        fallback.inc();
        LOG.info("pitwall: model fallback ({}): {}", outcome, fallbackLine);
        return fallbackLine;
    }

    private String call(String endpoint, String model, int timeoutMs, String prompt)
            throws Exception {
        ObjectNode body = json.createObjectNode();
        body.put("model", model == null ? "" : model);
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", SYSTEM_PROMPT);
        messages.addObject().put("role", "user").put("content", prompt);
        body.put("max_tokens", 40);
        body.put("temperature", 0.6);
        body.putArray("stop").add("\n");
        body.put("stream", false);
        HttpRequest.Builder rq = HttpRequest.newBuilder(URI.create(endpoint))
                .timeout(Duration.ofMillis(timeoutMs))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        if (apiKey != null && !apiKey.isEmpty()) rq.header("Authorization", "Bearer " + apiKey);
        HttpResponse<String> rs = http.send(rq.build(), HttpResponse.BodyHandlers.ofString());
        if (rs.statusCode() != 200) throw new Exception("HTTP " + rs.statusCode());
        if (rs.body().length() > 256 * 1024) throw new Exception("answer too large");
        JsonNode root = json.readTree(rs.body());
        JsonNode content = root.path("choices").path(0).path("message").path("content");
        if (!content.isTextual()) throw new Exception("bad JSON answer");
        return content.asText();
    }
}
