-- pitwall: telemetry anomalies in Flink SQL, the same verdicts as pitwall's embedded detector
-- (src/telemetry/tel_detect.c, docs/TELEMETRY.md): per race, car and metric, the reading is
-- judged against the 20 readings before it (an OVER window of 20 preceding rows) on exact
-- integers (tenths of a degree), z = (x - S/n) / max(sqrt(n*Q - S*S)/n, floor), an anomaly
-- when n >= 10 and z >= 4.
--
-- Reads ${TELEMETRY_TOPIC} (JSON, one record per car per reading, src/telemetry/tel_json.h),
-- writes ${ANOMALIES_TOPIC} (JSON, key race_id) and puts records it cannot read on
-- ${TELEMETRY_DLQ_TOPIC} (the record as it came, with the reason): skipped, not lost.
-- Variables: BOOTSTRAP, GROUP, TELEMETRY_TOPIC, ANOMALIES_TOPIC, TELEMETRY_DLQ_TOPIC.

CREATE TEMPORARY TABLE telemetry_raw (
    v STRING,
    ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH (
    'connector' = 'kafka',
    'topic' = '${TELEMETRY_TOPIC}',
    'properties.bootstrap.servers' = '${BOOTSTRAP}',
    'properties.group.id' = '${GROUP}-anomalies',
    'scan.startup.mode' = 'earliest-offset',
    -- a topic made after the job started, or given more partitions, is picked up
    'scan.topic-partition-discovery.interval' = '5 s',
    'format' = 'raw'
);

CREATE TEMPORARY TABLE anomalies (
    race_id STRING,
    team_name STRING,
    driver_name STRING,
    driver_number STRING,
    `timestamp` BIGINT,
    metric_name STRING,
    metric_value DOUBLE,
    confidence_score DOUBLE,
    is_anomaly BOOLEAN,
    severity STRING,
    lap INT,
    race_ms BIGINT,
    z_score DOUBLE
) WITH (
    'connector' = 'kafka',
    'topic' = '${ANOMALIES_TOPIC}',
    'properties.bootstrap.servers' = '${BOOTSTRAP}',
    'key.format' = 'raw',
    'key.fields' = 'race_id',
    'value.format' = 'json',
    'value.fields-include' = 'ALL'
);

CREATE TEMPORARY TABLE telemetry_dead_letters (
    reason STRING,
    record STRING
) WITH (
    'connector' = 'kafka',
    'topic' = '${TELEMETRY_DLQ_TOPIC}',
    'properties.bootstrap.servers' = '${BOOTSTRAP}',
    'format' = 'json'
);

-- Every field read from the record; NULL where it is missing, mistyped or not JSON at all.
-- (Text, then TRY_CAST: JSON_VALUE ... RETURNING DOUBLE throws on an integer such as 99999
-- in Flink 1.20 — a ClassCastException that fails the job — instead of converting it.)
CREATE TEMPORARY VIEW parsed AS
SELECT
    v, ts,
    JSON_VALUE(v, '$.race_id') AS race_id,
    JSON_VALUE(v, '$.driver_number') AS driver_number,
    JSON_VALUE(v, '$.driver_name') AS driver_name,
    COALESCE(JSON_VALUE(v, '$.team_name'), '') AS team_name,
    TRY_CAST(JSON_VALUE(v, '$.lap') AS INT) AS lap,
    TRY_CAST(JSON_VALUE(v, '$.race_ms') AS BIGINT) AS race_ms,
    TRY_CAST(JSON_VALUE(v, '$.timestamp') AS BIGINT) AS wall_ms,
    TRY_CAST(JSON_VALUE(v, '$.engine_temp_c') AS DOUBLE) AS engine_c,
    TRY_CAST(JSON_VALUE(v, '$.brake_temp_c') AS DOUBLE) AS brake_c,
    TRY_CAST(JSON_VALUE(v, '$.tyre_temp_c') AS DOUBLE) AS tyre_c
FROM telemetry_raw;

-- What pitwall's decoder (tel_json.c) accepts: ids present, three readings in -50..2000 °C.
CREATE TEMPORARY VIEW checked AS
SELECT *,
    CASE
        WHEN race_id IS NULL OR race_id = '' OR driver_number IS NULL OR driver_number = ''
             OR driver_name IS NULL THEN 'not a telemetry record'
        WHEN engine_c IS NULL OR brake_c IS NULL OR tyre_c IS NULL THEN 'a reading is missing'
        WHEN engine_c NOT BETWEEN -50 AND 2000 OR brake_c NOT BETWEEN -50 AND 2000
             OR tyre_c NOT BETWEEN -50 AND 2000 THEN 'a reading out of range'
        ELSE ''
    END AS reason
FROM parsed;

INSERT INTO telemetry_dead_letters
SELECT reason, v FROM checked WHERE reason <> '';

-- One row per reading, as exact tenths.
CREATE TEMPORARY VIEW series AS
SELECT race_id, driver_number, driver_name, team_name, lap, race_ms, wall_ms, ts,
       'engine_temperature' AS metric, CAST(ROUND(engine_c * 10) AS BIGINT) AS x, 12.0 AS sd_floor
FROM checked WHERE reason = ''
UNION ALL
SELECT race_id, driver_number, driver_name, team_name, lap, race_ms, wall_ms, ts,
       'brake_temperature', CAST(ROUND(brake_c * 10) AS BIGINT), 180.0
FROM checked WHERE reason = ''
UNION ALL
SELECT race_id, driver_number, driver_name, team_name, lap, race_ms, wall_ms, ts,
       'tyre_temperature', CAST(ROUND(tyre_c * 10) AS BIGINT), 20.0
FROM checked WHERE reason = '';

-- The 20 readings before this one: the window holds 21 rows, minus the current one.
CREATE TEMPORARY VIEW windowed AS
SELECT race_id, driver_number, driver_name, team_name, lap, race_ms, wall_ms, metric, x, sd_floor,
       COUNT(x) OVER w - 1 AS n,
       SUM(x) OVER w - x AS s,
       SUM(x * x) OVER w - x * x AS q
FROM series
WINDOW w AS (PARTITION BY race_id, driver_number, metric ORDER BY ts
             ROWS BETWEEN 20 PRECEDING AND CURRENT ROW);

CREATE TEMPORARY VIEW scored AS
SELECT *,
    (CAST(x AS DOUBLE) - CAST(s AS DOUBLE) / n)
        / GREATEST(SQRT(CAST(GREATEST(n * q - s * s, 0) AS DOUBLE)) / n, sd_floor) AS z
FROM windowed
WHERE n >= 10;

INSERT INTO anomalies
SELECT race_id, team_name, driver_name, driver_number, wall_ms, metric, x / 10.0,
       ROUND(1 - 1 / (z * z), 3), TRUE,
       CASE WHEN z >= 16 THEN 'critical' WHEN z >= 10 THEN 'high'
            WHEN z >= 6 THEN 'medium' ELSE 'low' END,
       lap, race_ms, ROUND(z, 3)
FROM scored
WHERE z >= 4;
