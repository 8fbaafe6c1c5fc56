-- pitwall: race commentary in open-source Flink SQL, for pitwall edges running with their own
-- commentary engine off (docs/FLINK.md). Reads ${POSITIONS_TOPIC} (Avro in Confluent's wire
-- format, one record per car per tick, schema from the registry: the `registry-avro`
-- format), finds the moments worth a line with LAG over each car's records, keeps at most
-- one per race per 5-second window (the most important), asks the model for that one line
-- (CHAT_COMMENT: any OpenAI-compatible Chat Completions endpoint, with a timeout and
-- pitwall's answer check; the plain fallback line otherwise) and writes ${COMMENTARY_TOPIC}
-- keyed by race_id, in the JSON pitwall reads.
-- Variables: BOOTSTRAP, REGISTRY, GROUP, POSITIONS_TOPIC, COMMENTARY_TOPIC, LLM_URL (empty:
-- no model, the fallback lines), LLM_MODEL, LLM_TIMEOUT_MS.

CREATE TEMPORARY FUNCTION CHAT_COMMENT AS 'dev.pitwall.flink.ChatCommentFunction';

CREATE TEMPORARY TABLE positions (
    race_id STRING,
    driver_name STRING,
    `position` INT,
    `timestamp` BIGINT,
    `number` STRING,
    team STRING,
    pit_stops INT,
    retired BOOLEAN,
    lap INT,
    total_laps INT,
    race_ms BIGINT,
    fastest_number STRING,
    fastest_lap_ms BIGINT,
    circuit STRING,
    ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH (
    'connector' = 'kafka',
    'topic' = '${POSITIONS_TOPIC}',
    'properties.bootstrap.servers' = '${BOOTSTRAP}',
    'properties.group.id' = '${GROUP}-commentary',
    'scan.startup.mode' = 'earliest-offset',
    -- a topic made after the job started, or given more partitions, is picked up
    'scan.topic-partition-discovery.interval' = '5 s',
    'value.format' = 'registry-avro',
    'value.registry-avro.url' = '${REGISTRY}'
);

CREATE TEMPORARY TABLE commentary (
    race_id STRING,
    id STRING,
    message STRING,
    `timestamp` BIGINT,
    type STRING,
    lap INT,
    seq BIGINT,
    race_ms BIGINT
) WITH (
    'connector' = 'kafka',
    'topic' = '${COMMENTARY_TOPIC}',
    'properties.bootstrap.servers' = '${BOOTSTRAP}',
    'key.format' = 'raw',
    'key.fields' = 'race_id',
    'value.format' = 'json',
    'value.fields-include' = 'ALL'
);

-- Each car's record beside its previous one: a record whose car changed nothing (nearly
-- all of them: one per car per tick) is dropped before any model call.
CREATE TEMPORARY VIEW car_changes AS
SELECT race_id, driver_name, `number`, team, circuit, `position`, pit_stops, retired, lap,
       total_laps, race_ms, `timestamp`, fastest_number, fastest_lap_ms, ts,
       LAG(`position`) OVER w AS prev_position,
       LAG(pit_stops) OVER w AS prev_pit_stops,
       LAG(retired) OVER w AS prev_retired,
       LAG(fastest_number) OVER w AS prev_fastest_number,
       LAG(fastest_lap_ms) OVER w AS prev_fastest_lap_ms
FROM positions
WHERE race_id IS NOT NULL AND race_id <> '' AND `number` IS NOT NULL AND `number` <> ''
WINDOW w AS (PARTITION BY race_id, `number` ORDER BY ts);

-- The moments, most important first: a lead change, a retirement, a new podium place, a
-- pit stop, the race's fastest lap.
CREATE TEMPORARY VIEW moments AS
SELECT *,
    CASE kind WHEN 'lead' THEN 1 WHEN 'retirement' THEN 2 WHEN 'podium' THEN 3
              WHEN 'pit' THEN 4 ELSE 5 END AS priority,
    CASE kind
        WHEN 'lead' THEN CONCAT(driver_name, ' takes the lead!')
        WHEN 'retirement' THEN CONCAT(driver_name, ' is out of the race.')
        WHEN 'podium' THEN CONCAT(driver_name, ' moves up to P', CAST(`position` AS STRING), '.')
        WHEN 'pit' THEN CONCAT(driver_name, ' comes into the pits.')
        ELSE CONCAT('Fastest lap of the race for ', driver_name, '.')
    END AS fact
FROM (
    SELECT *,
        CASE
            WHEN prev_position IS NOT NULL AND `position` = 1 AND prev_position > 1 THEN 'lead'
            WHEN retired AND prev_retired IS NOT NULL AND NOT prev_retired THEN 'retirement'
            WHEN prev_position IS NOT NULL AND `position` <= 3 AND prev_position > 3
                 AND NOT retired THEN 'podium'
            WHEN prev_pit_stops IS NOT NULL AND pit_stops > prev_pit_stops THEN 'pit'
            WHEN fastest_number = `number` AND fastest_lap_ms > 0
                 AND (prev_fastest_number IS NULL OR prev_fastest_number <> `number`
                      OR fastest_lap_ms < prev_fastest_lap_ms) THEN 'fastest'
            ELSE ''
        END AS kind
    FROM car_changes
)
WHERE kind <> '';

-- Pacing: in every 5-second window, at most one moment per race, so at most one model call
-- per race per window.
CREATE TEMPORARY VIEW chosen AS
SELECT * FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, race_id
                                 ORDER BY priority, ts) AS rn
    FROM TABLE(TUMBLE(TABLE moments, DESCRIPTOR(ts), INTERVAL '5' SECOND))
)
WHERE rn = 1;

INSERT INTO commentary
SELECT
    race_id,
    CONCAT('flink-', race_id, '-', CAST(`timestamp` AS STRING)) AS id,
    CHAT_COMMENT(
        '${LLM_URL}', '${LLM_MODEL}', CAST('${LLM_TIMEOUT_MS}' AS INT),
        CONCAT('Race: ', circuit, ', lap ', CAST(lap AS STRING), ' of ',
               CAST(total_laps AS STRING), '.', CHR(10),
               'Event: ', fact, CHR(10),
               'Names you may use: ', REGEXP_EXTRACT(driver_name, '(\S+)$', 1), '.', CHR(10),
               'One line of commentary:'),
        REGEXP_EXTRACT(driver_name, '(\S+)$', 1),
        CONCAT(driver_name, ' ', team, ' ', circuit),
        -- what the prompt told the model, for the answer check (FactCheck.java): the
        -- moment's driver, its team and its places before and after, the lap and distance,
        -- the time
        JSON_OBJECT(
            'lap' VALUE lap, 'total_laps' VALUE total_laps, 'n_about' VALUE 1,
            'times_ms' VALUE JSON_ARRAY(CASE WHEN kind = 'fastest' THEN fastest_lap_ms END),
            'drivers' VALUE JSON_ARRAY(JSON_OBJECT(
                'full' VALUE driver_name, 'name' VALUE REGEXP_EXTRACT(driver_name, '(\S+)$', 1),
                'team' VALUE COALESCE(team, ''), 'given' VALUE TRUE,
                'places' VALUE JSON_ARRAY(prev_position, `position`), 'now' VALUE `position`))),
        fact) AS message,
    `timestamp`,
    CASE kind WHEN 'lead' THEN 'highlight' WHEN 'retirement' THEN 'warning' ELSE 'info' END,
    lap,
    `timestamp` AS seq,
    race_ms
FROM chosen;
