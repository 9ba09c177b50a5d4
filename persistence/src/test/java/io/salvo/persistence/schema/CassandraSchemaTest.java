package io.salvo.persistence.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.salvo.persistence.PersistenceSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

class CassandraSchemaTest {

  @Test
  void fillsKeyspaceAndReplicationIntoEveryStatement() {
    PersistenceSettings settings = PersistenceSettings.create(ConfigFactory.load(ConfigFactory.parseString(
        "salvo.persistence { keyspace = test_ks, replication-factor = 3 }")));
    List<String> statements = CassandraSchema.statements(settings);
    // keyspace + 6 journal tables, keyspace + snapshots, the two message index tables
    assertEquals(11, statements.size(), String.join("\n---\n", statements));
    assertEquals("CREATE KEYSPACE IF NOT EXISTS test_ks\n  WITH REPLICATION = "
        + "{'class': 'SimpleStrategy', 'replication_factor': 3}", statements.get(0));
    for (String s : statements) {
      assertTrue(s.startsWith("CREATE KEYSPACE IF NOT EXISTS test_ks")
          || s.startsWith("CREATE TABLE IF NOT EXISTS test_ks."), s);
      assertFalse(s.contains("${"), s);
      assertFalse(s.contains(";"), s);
    }
    for (String table : CassandraSchema.TABLES) {
      assertTrue(statements.stream().anyMatch(s -> s.startsWith("CREATE TABLE IF NOT EXISTS test_ks." + table + " (")),
          table);
    }
  }

  @Test
  void splitsAtSemicolonsEndingALineAndDropsComments() {
    assertEquals(List.of("SELECT 'a;b'\nFROM t", "SELECT 2"),
        CassandraSchema.split("-- comment;\nSELECT 'a;b'\nFROM t;\n\n  -- another\nSELECT 2;\n"));
  }
}
