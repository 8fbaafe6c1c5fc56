package dev.pitwall.flink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Confluent's Avro wire format (byte 0 = magic 0, bytes 1-4 = schema id, big-endian, then
 * the Avro binary body) into a table row. The body is read with its writer's schema (fetched
 * by id from the registry, cached) and mapped to the table's columns by field name: a column
 * the writer lacks is NULL, an int widens to BIGINT, ["null", T] unwraps. So records of the
 * original app's four-field LeaderboardUpdate and of pitwall's extended one both read.
 *
 * <p>A record that is not in the wire format, names a schema id the registry does not know,
 * or whose body does not decode is poison: it is skipped (the Kafka source drops a null
 * row), counted in the {@code pitwallPoisonRecords} metric and logged with its reason.
 */
final class RegistryAvroDeserializer implements DeserializationSchema<RowData> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RegistryAvroDeserializer.class);

    private final RowType rowType;
    private final TypeInformation<RowData> producedType;
    private final String url;
    private final String userInfo;
    private transient SchemaRegistryClient registry;
    private transient Counter poison;
    private transient long poisonCount;
    private transient java.util.Map<Integer, GenericDatumReader<GenericRecord>> readers;
    private transient BinaryDecoder decoder;

    RegistryAvroDeserializer(
            RowType rowType, TypeInformation<RowData> producedType, String url, String userInfo) {
        this.rowType = rowType;
        this.producedType = producedType;
        this.url = url;
        this.userInfo = userInfo;
    }

    @Override
    public void open(InitializationContext context) {
        registry = new SchemaRegistryClient(url, userInfo);
        poison = context.getMetricGroup().counter("pitwallPoisonRecords");
        readers = new java.util.HashMap<>();
    }

    /** Why a record was refused. */
    private static final class Poison extends Exception {
        private static final long serialVersionUID = 1L;

        Poison(String why) {
            super(why, null, false, false);
        }
    }

    @Override
    public RowData deserialize(byte[] message) throws IOException {
        try {
            return decode(message);
        } catch (Poison e) {
            skip(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking the schema registry", e);
        } catch (IOException | RuntimeException | StackOverflowError e) {
            skip("corrupt Avro body (" + e.getClass().getSimpleName() + ")");
        }
        return null;
    }

    private void skip(String why) {
        poison.inc();
        poisonCount++;
        LOG.warn("pitwall: skipped poison record ({} so far): {}", poisonCount, why);
    }

    private RowData decode(byte[] message) throws Poison, IOException, InterruptedException {
        if (message == null || message.length < 5 || message[0] != 0)
            throw new Poison("not Confluent wire format (magic byte)");
        int id =
                ((message[1] & 0xff) << 24)
                        | ((message[2] & 0xff) << 16)
                        | ((message[3] & 0xff) << 8)
                        | (message[4] & 0xff);
        GenericDatumReader<GenericRecord> reader = readers.get(id);
        if (reader == null) {
            Schema writer = registry.schema(id);
            if (writer == null || writer.getType() != Schema.Type.RECORD)
                throw new Poison("unknown or unreadable schema id " + id);
            reader = new GenericDatumReader<>(writer);
            readers.put(id, reader);
        }
        decoder = DecoderFactory.get().binaryDecoder(message, 5, message.length - 5, decoder);
        GenericRecord rec = reader.read(null, decoder);
        if (!decoder.isEnd()) throw new Poison("bytes left over after the Avro body");
        return toRow(rec);
    }

    private RowData toRow(GenericRecord rec) throws Poison {
        List<RowType.RowField> fields = rowType.getFields();
        GenericRowData row = new GenericRowData(fields.size());
        for (int i = 0; i < fields.size(); i++) {
            RowType.RowField f = fields.get(i);
            Schema.Field wf = rec.getSchema().getField(f.getName());
            Object v = wf == null ? null : rec.get(wf.pos());
            row.setField(i, convert(v, f.getType(), f.getName()));
        }
        return row;
    }

    private static Object convert(Object v, LogicalType t, String name) throws Poison {
        if (v == null) return null;
        try {
            switch (t.getTypeRoot()) {
                case CHAR:
                case VARCHAR:
                    return StringData.fromString(v.toString());
                case BOOLEAN:
                    return (Boolean) v;
                case INTEGER:
                    return ((Number) v).intValue();
                case BIGINT:
                    return ((Number) v).longValue();
                case DOUBLE:
                    return ((Number) v).doubleValue();
                case FLOAT:
                    return ((Number) v).floatValue();
                case ARRAY:
                    {
                        LogicalType et = ((ArrayType) t).getElementType();
                        List<Object> out = new ArrayList<>();
                        for (Object e : (List<?>) v) out.add(convert(e, et, name));
                        return new GenericArrayData(out.toArray());
                    }
                default:
                    throw new Poison("column " + name + ": type " + t + " is not supported");
            }
        } catch (ClassCastException e) {
            throw new Poison("field " + name + " has the wrong type for column " + t);
        }
    }

    @Override
    public boolean isEndOfStream(RowData nextElement) {
        return false;
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return producedType;
    }
}
