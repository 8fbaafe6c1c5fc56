package dev.pitwall.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writer schemas by id from a Confluent-compatible Schema Registry ({@code GET
 * /schemas/ids/{id}}), cached by id (bounded; unknown ids are remembered too, so a stream of
 * poison costs one lookup). A 404 is final: the id is unknown. Any other failure
 * (unreachable, timeout, 5xx, 401) is transient: the lookup is retried with backoff (1 s
 * doubling to 30 s) for as long as it takes, so a registry outage delays records but loses
 * none. The same rules as pitwall's own client (src/bus/avro_registry.c).
 */
final class SchemaRegistryClient {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);
    private static final int CACHE_MAX = 1000;
    private static final Schema UNKNOWN = Schema.create(Schema.Type.NULL);

    private final String baseUrl;
    private final String authHeader;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<Integer, Schema> cache =
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Integer, Schema> eldest) {
                    return size() > CACHE_MAX;
                }
            };
    private long requests;

    SchemaRegistryClient(String baseUrl, String userInfo) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.authHeader =
                userInfo == null || userInfo.isEmpty()
                        ? null
                        : "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    long requests() {
        return requests;
    }

    /** The writer schema with this id, or null when the registry does not know it. */
    Schema schema(int id) throws InterruptedException {
        Schema s = cache.get(id);
        if (s == null) {
            s = fetch(id);
            cache.put(id, s);
        }
        return s == UNKNOWN ? null : s;
    }

    private Schema fetch(int id) throws InterruptedException {
        long backoffMs = 1000;
        for (; ; ) {
            requests++;
            try {
                HttpRequest.Builder rq =
                        HttpRequest.newBuilder(URI.create(baseUrl + "/schemas/ids/" + id))
                                .timeout(Duration.ofSeconds(10))
                                .header("Accept", "application/vnd.schemaregistry.v1+json");
                if (authHeader != null) rq.header("Authorization", authHeader);
                HttpResponse<String> rs =
                        http.send(rq.GET().build(), HttpResponse.BodyHandlers.ofString());
                if (rs.statusCode() == 404) return UNKNOWN;
                if (rs.statusCode() == 200) {
                    JsonNode body = json.readTree(rs.body());
                    JsonNode text = body == null ? null : body.get("schema");
                    if (text == null || !text.isTextual()) return UNKNOWN;
                    try {
                        return new Schema.Parser().parse(text.asText());
                    } catch (RuntimeException e) {
                        LOG.warn("schema id {}: the registry's schema does not parse: {}", id, e.toString());
                        return UNKNOWN;
                    }
                }
                LOG.warn("schema registry answered HTTP {} for id {}; retrying in {} ms",
                        rs.statusCode(), id, backoffMs);
            } catch (IOException e) {
                LOG.warn("schema registry unreachable ({}) for id {}; retrying in {} ms",
                        e.toString(), id, backoffMs);
            }
            Thread.sleep(backoffMs);
            backoffMs = Math.min(backoffMs * 2, 30000);
        }
    }
}
