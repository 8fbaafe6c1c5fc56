# The Kafka bus (owned by the Kafka part): included by src/bus/CMakeLists.txt before pw_bus
# is created. The integrator links ${PW_BUS_KAFKA_LIBS} into pw_bus (or includes
# kafka_link.cmake after add_library(pw_bus ...)).
set(PW_BUS_KAFKA_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/kafka_bus.c
    ${CMAKE_CURRENT_LIST_DIR}/kafka_conf.c
    ${CMAKE_CURRENT_LIST_DIR}/kafka_json.c
    ${CMAKE_CURRENT_LIST_DIR}/kafka_stream.c
    ${CMAKE_CURRENT_LIST_DIR}/kafka_watermarks.c
    ${CMAKE_CURRENT_LIST_DIR}/avro_positions.c
    ${CMAKE_CURRENT_LIST_DIR}/avro_cache.c
    ${CMAKE_CURRENT_LIST_DIR}/avro_registry.c)
find_package(Threads REQUIRED) # kafka_watermarks.c queries on a thread of its own
set(PW_BUS_KAFKA_LIBS pw_curl_loop Threads::Threads PkgConfig::RDKAFKA PkgConfig::AVRO PkgConfig::CURL PkgConfig::JANSSON
    PkgConfig::LIBUV)
# pw_bus does not exist yet at this point: link once the directory has been processed.
cmake_language(DEFER CALL target_link_libraries pw_bus PUBLIC ${PW_BUS_KAFKA_LIBS})
