-- pitwall: commentary from Confluent Cloud for Apache Flink, for users who let Flink write
-- the `f1-commentary` topic instead of pitwall's own engine (run pitwall with its engine off:
-- commentary_config.enabled = false). Run the statements in order in a Flink SQL workspace
-- whose catalog/database are the environment/cluster holding `f1-driver-positions`.
--
-- What changed from the original app's statements (see README.md in this folder):
--   * the model is called only for records worth a line (a driver gaining a podium place or
--     the lead, found with LAG over the race and driver), at most once per race per 5 s
--     (a tumbling-window Top-1 per race), instead of once for every position record;
--   * every line carries its race id (the topic key too), so each race gets its own lines;
--   * the answer is checked for length in SQL, and a plain factual line goes out instead
--     of an over-long or empty one.

-- 1. The commentary topic, in the shape pitwall reads ({id, message, timestamp, type}) plus
--    race_id (also the key), which routes the line to its own race.
CREATE TABLE `f1-commentary` (
    race_id STRING,
    id STRING,
    message STRING,
    `timestamp` BIGINT,
    type STRING
) DISTRIBUTED BY (race_id) INTO 1 BUCKETS
WITH (
    'key.format' = 'json-registry',
    'value.format' = 'json-registry',
    'value.fields-include' = 'all'
);

-- 2. The connection to the model service. Any OpenAI-compatible Chat Completions endpoint
--    works; put the key here, never in a statement you share.
CREATE CONNECTION openai_connection
WITH (
    'type' = 'openai',
    'endpoint' = 'https://api.openai.com/v1/chat/completions',
    'api-key' = '<OPENAI_API_KEY>'
);

-- 3. The model. The prompt gets the event stated as a fact; the system prompt keeps the
--    answer to one short plain line.
CREATE MODEL f1_commentary_generator
INPUT (race_context STRING)
OUTPUT (commentary STRING)
WITH (
    'provider' = 'openai',
    'openai.connection' = 'openai_connection',
    'openai.model_version' = 'gpt-4o-mini',
    'openai.system_prompt' = 'You are a Formula 1 TV commentator. Answer with one short line of live commentary about the event, at most 90 characters, plain text on one line: no quotes, no emoji, no hashtags. Name only the drivers given.',
    'task' = 'text_generation'
);

-- 4. Position changes worth a line: a driver who moved up into the lead or onto the podium.
--    LAG over (race, driver) gives each record the driver's previous place; a record whose
--    place did not change (nearly all of them: one per driver per tick) is dropped here,
--    before any model call. Gains only: an overtake is one line, not two.
CREATE VIEW f1_position_gains AS
SELECT race_id, driver_name, `position`, prev_position, `timestamp`, row_time
FROM (
    SELECT
        race_id,
        driver_name,
        `position`,
        `timestamp`,
        $rowtime AS row_time,
        LAG(`position`) OVER (PARTITION BY race_id, driver_name ORDER BY $rowtime)
            AS prev_position
    FROM `f1-driver-positions`
)
WHERE race_id IS NOT NULL
  AND prev_position IS NOT NULL
  AND `position` < prev_position
  AND `position` <= 3;

-- 5. Pacing: in every 5-second window, at most one moment per race, the most important
--    (the lead before a podium place, then the earliest).
CREATE VIEW f1_commentary_moments AS
SELECT race_id, driver_name, `position`, prev_position, `timestamp`
FROM (
    SELECT *,
        ROW_NUMBER() OVER (
            PARTITION BY window_start, window_end, race_id
            ORDER BY `position` ASC, row_time ASC) AS rn
    FROM TABLE(TUMBLE(TABLE f1_position_gains, DESCRIPTOR(row_time), INTERVAL '5' SECOND))
)
WHERE rn = 1;

-- 6. One model call per moment; the answer goes out if it is a usable line, else a plain
--    line stating the fact.
INSERT INTO `f1-commentary`
SELECT
    race_id,
    CONCAT('flink-', race_id, '-', CAST(`timestamp` AS STRING), '-',
           REPLACE(driver_name, ' ', '_')) AS id,
    CASE
        WHEN ai.commentary IS NOT NULL
             AND CHAR_LENGTH(TRIM(ai.commentary)) BETWEEN 8 AND 100
             AND POSITION('"' IN ai.commentary) = 0
             AND POSITION(CHR(10) IN ai.commentary) = 0
        THEN TRIM(ai.commentary)
        WHEN `position` = 1 THEN CONCAT(driver_name, ' takes the lead!')
        ELSE CONCAT(driver_name, ' moves up to P', CAST(`position` AS STRING))
    END AS message,
    `timestamp`,
    CASE WHEN `position` = 1 THEN 'highlight' ELSE 'info' END AS type
FROM f1_commentary_moments,
LATERAL TABLE(ML_PREDICT('f1_commentary_generator',
    CONCAT('Event: ', driver_name,
           CASE WHEN `position` = 1 THEN ' takes the lead'
                ELSE CONCAT(' moves up to P', CAST(`position` AS STRING)) END,
           ', up from P', CAST(prev_position AS STRING),
           '. Write the commentary line.'))) AS ai(commentary);
