package io.salvo.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CassandraYamlOverridesTest {

  private static final String GENERATED = """
      cluster_name: 'salvo'
      seed_provider:
        - class_name: org.apache.cassandra.locator.SimpleSeedProvider
          parameters:
            - seeds: "127.0.0.1:7000"
      concurrent_writes: 16
      key_cache_size: 16MiB
      """;

  @Test
  void noOverridesLeaveTheFileAsItIs() {
    assertEquals(GENERATED, EmbeddedCassandra.withOverrides(GENERATED, Map.of()));
  }

  @Test
  void replacesScalarsAndNestedBlocksAndAddsNewKeysInKeyOrder() {
    String out = EmbeddedCassandra.withOverrides(GENERATED, Map.of(
        "concurrent_writes", "32",
        "seed_provider", "[{class_name: org.apache.cassandra.locator.SimpleSeedProvider, parameters: [{seeds: \"127.0.0.2:7000\"}]}]",
        "memtable", "{configurations: {default: {class_name: TrieMemtable}}}"));
    assertEquals("""
        cluster_name: 'salvo'
        key_cache_size: 16MiB
        # salvo.persistence.embedded.cassandra-yaml
        concurrent_writes: 32
        memtable: {configurations: {default: {class_name: TrieMemtable}}}
        seed_provider: [{class_name: org.apache.cassandra.locator.SimpleSeedProvider, parameters: [{seeds: "127.0.0.2:7000"}]}]
        """, out);
  }

  @Test
  void builderRefusesKeysThatAreNotCassandraYamlKeys() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EmbeddedCassandra.builder().yamlOverrides(Map.of("concurrent writes", "1")));
    assertEquals("cassandra.yaml key must be lower case letters, digits and '_', got concurrent writes", e.getMessage());
  }
}
