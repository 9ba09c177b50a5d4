package io.salvo.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PersistenceSettingsTest {

  /** Loads like an actor system does: overrides resolved together with reference.conf. */
  private static Config load(String overrides) {
    return ConfigFactory.load(ConfigFactory.parseString(overrides));
  }

  @Test
  void readsTheDefaultsOfReferenceConf() {
    PersistenceSettings s = PersistenceSettings.create(ConfigFactory.load());
    assertEquals("salvo", s.keyspace());
    assertEquals(1, s.replicationFactor());
    assertEquals("ONE", s.writeConsistency());
    assertEquals(List.of("127.0.0.1:9042"), s.contactPoints());
    assertEquals("datacenter1", s.localDatacenter());
    assertTrue(s.embedded().enabled());
    assertEquals(Path.of("data/cassandra"), s.embedded().dataDirectory());
    assertEquals(9042, s.embedded().cqlPort());
    assertEquals(7000, s.embedded().storagePort());
    assertEquals("periodic", s.embedded().commitlogSync());
    assertEquals("768M", s.embedded().heap());
    assertEquals(Duration.ofSeconds(90), s.embedded().startTimeout());
    assertTrue(s.describe().contains("commitlog_sync periodic"), s.describe());
    assertTrue(s.describe().contains("write consistency ONE"), s.describe());
  }

  @Test
  void derivesThePluginAndDriverConfigFromSalvoKeys() {
    Config c = load("""
        salvo.persistence.keyspace = broker_ks
        salvo.persistence.write-consistency = QUORUM
        salvo.persistence.cassandra.contact-points = ["10.0.0.1:9042", "10.0.0.2:9042"]
        salvo.persistence.cassandra.local-datacenter = dc-east
        """);
    assertEquals("broker_ks", c.getString("akka.persistence.cassandra.journal.keyspace"));
    assertEquals("broker_ks", c.getString("akka.persistence.cassandra.snapshot.keyspace"));
    assertFalse(c.getBoolean("akka.persistence.cassandra.journal.tables-autocreate"));
    assertFalse(c.getBoolean("akka.persistence.cassandra.journal.keyspace-autocreate"));
    assertFalse(c.getBoolean("akka.persistence.cassandra.snapshot.tables-autocreate"));
    assertFalse(c.getBoolean("akka.persistence.cassandra.events-by-tag.enabled"));
    assertEquals("akka.persistence.cassandra.journal", c.getString("akka.persistence.journal.plugin"));
    assertEquals(List.of("10.0.0.1:9042", "10.0.0.2:9042"),
        c.getStringList("datastax-java-driver.basic.contact-points"));
    assertEquals("dc-east", c.getString("datastax-java-driver.basic.load-balancing-policy.local-datacenter"));
    assertEquals("QUORUM",
        c.getString("datastax-java-driver.profiles.salvo-write-profile.basic.request.consistency"));
    assertEquals(Duration.ofSeconds(5),
        c.getDuration("akka.persistence.cassandra.journal.circuit-breaker.call-timeout"));
    assertTrue(c.getBoolean("datastax-java-driver.advanced.reconnect-on-init"));
  }

  @Test
  void buildsTheEmbeddedCassandraFromItsSettings() {
    PersistenceSettings s = PersistenceSettings.create(load("""
        salvo.persistence.embedded { data-directory = "target/x", cql-port = 0, commitlog-sync = group }
        """));
    io.salvo.persistence.cassandra.EmbeddedCassandra c = io.salvo.persistence.cassandra.EmbeddedCassandra.fromSettings(s);
    assertEquals(Path.of("target/x").toAbsolutePath(), c.dataDirectory());
    assertEquals("group", c.commitlogSync());
    assertEquals(-1, c.pid());
  }

  @Test
  void contactPointsConfigOverridesBothPlaces() {
    Config c = PersistenceSettings.contactPointsConfig(List.of("127.0.0.1:19042")).withFallback(ConfigFactory.load());
    assertEquals(List.of("127.0.0.1:19042"), PersistenceSettings.create(c).contactPoints());
    assertEquals(List.of("127.0.0.1:19042"), c.getStringList("datastax-java-driver.basic.contact-points"));
  }

  static Stream<Arguments> invalidValues() {
    return Stream.of(
        Arguments.of("salvo.persistence.keyspace = \"1bad\"", "salvo.persistence.keyspace = 1bad"),
        Arguments.of("salvo.persistence.replication-factor = 0", "salvo.persistence.replication-factor = 0"),
        Arguments.of("salvo.persistence.write-consistency = MOST", "salvo.persistence.write-consistency = MOST"),
        Arguments.of("salvo.persistence.read-consistency = SOME", "salvo.persistence.read-consistency = SOME"),
        Arguments.of("salvo.persistence.cassandra.contact-points = []", "salvo.persistence.cassandra.contact-points"),
        Arguments.of("salvo.persistence.cassandra.contact-points = [\"host-without-port\"]",
            "salvo.persistence.cassandra.contact-points = host-without-port"),
        Arguments.of("salvo.persistence.embedded.cql-port = 70000", "salvo.persistence.embedded.cql-port = 70000"),
        Arguments.of("salvo.persistence.embedded.storage-port = 9042", "salvo.persistence.embedded.storage-port"),
        Arguments.of("salvo.persistence.embedded.commitlog-sync = never",
            "salvo.persistence.embedded.commitlog-sync = never"),
        Arguments.of("salvo.persistence.embedded.heap = lots", "salvo.persistence.embedded.heap = lots"),
        Arguments.of("salvo.persistence.embedded.start-timeout = soon", "salvo.persistence.embedded.start-timeout"),
        Arguments.of("salvo.persistence.embedded.enabled = maybe", "salvo.persistence.embedded.enabled"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidValues")
  void rejectsInvalidValuesNamingTheKey(String override, String expectedStart) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PersistenceSettings.create(load(override)));
    assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
  }

  @Test
  void readsCassandraYamlOverridesAndRejectsBadKeys() {
    PersistenceSettings s = PersistenceSettings.create(load("""
        salvo.persistence.embedded.cassandra-yaml {
          concurrent_writes = 32
          memtable = "{configurations: {default: {class_name: TrieMemtable}}}"
        }
        """));
    assertEquals("32", s.embedded().cassandraYaml().get("concurrent_writes"));
    assertEquals("{configurations: {default: {class_name: TrieMemtable}}}", s.embedded().cassandraYaml().get("memtable"));
    assertTrue(PersistenceSettings.create(ConfigFactory.load()).embedded().cassandraYaml().isEmpty());

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PersistenceSettings.create(
        load("salvo.persistence.embedded.cassandra-yaml { Concurrent-Writes = 32 }")));
    assertTrue(e.getMessage().contains("embedded.cassandra-yaml") && e.getMessage().contains("Concurrent-Writes"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> PersistenceSettings.create(
        load("salvo.persistence.embedded.cassandra-yaml { seed_provider = [1, 2] }")));
    assertTrue(e.getMessage().contains("seed_provider"), e.getMessage());
  }

  @Test
  void readsJvmOptionsAndRejectsWhatIsNotAnOption() {
    assertEquals(List.of(), PersistenceSettings.create(ConfigFactory.load()).embedded().jvmOptions());
    PersistenceSettings s = PersistenceSettings.create(
        load("salvo.persistence.embedded.jvm-options = [\"-XX:+UseParallelGC\", \"-XX:ParallelGCThreads=2\"]"));
    assertEquals(List.of("-XX:+UseParallelGC", "-XX:ParallelGCThreads=2"), s.embedded().jvmOptions());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PersistenceSettings.create(
        load("salvo.persistence.embedded.jvm-options = [\"UseParallelGC\"]")));
    assertTrue(e.getMessage().startsWith("salvo.persistence.embedded.jvm-options = UseParallelGC"), e.getMessage());
  }
}
