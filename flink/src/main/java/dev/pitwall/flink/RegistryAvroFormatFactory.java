package dev.pitwall.flink;

import java.util.Set;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;

/**
 * The {@code registry-avro} format: Confluent's Avro wire format with the writer schema
 * fetched from a Confluent-compatible registry's REST API by id. It stands in for Flink's
 * {@code avro-confluent}, whose registry client ({@code io.confluent:kafka-schema-registry-client})
 * is not on Maven Central. Options: {@code url} (required), {@code basic-auth.user-info}
 * ("key:secret", optional). Reading only.
 */
public final class RegistryAvroFormatFactory implements DeserializationFormatFactory {
    public static final String IDENTIFIER = "registry-avro";
    public static final ConfigOption<String> URL =
            ConfigOptions.key("url").stringType().noDefaultValue()
                    .withDescription("Schema Registry base URL");
    public static final ConfigOption<String> USER_INFO =
            ConfigOptions.key("basic-auth.user-info").stringType().noDefaultValue()
                    .withDescription("key:secret for the registry's basic auth");

    @Override
    public DecodingFormat<DeserializationSchema<RowData>> createDecodingFormat(
            DynamicTableFactory.Context context, ReadableConfig options) {
        FactoryUtil.validateFactoryOptions(this, options);
        final String url = options.get(URL);
        final String userInfo = options.getOptional(USER_INFO).orElse(null);
        return new DecodingFormat<DeserializationSchema<RowData>>() {
            @Override
            public DeserializationSchema<RowData> createRuntimeDecoder(
                    DynamicTableSource.Context ctx, DataType physicalDataType) {
                RowType rowType = (RowType) physicalDataType.getLogicalType();
                TypeInformation<RowData> info = ctx.createTypeInformation(physicalDataType);
                return new RegistryAvroDeserializer(rowType, info, url, userInfo);
            }

            @Override
            public ChangelogMode getChangelogMode() {
                return ChangelogMode.insertOnly();
            }
        };
    }

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(URL);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(USER_INFO);
    }
}
