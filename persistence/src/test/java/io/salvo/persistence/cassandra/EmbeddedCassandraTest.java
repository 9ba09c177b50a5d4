package io.salvo.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.typesafe.config.ConfigFactory;
import io.salvo.persistence.PersistenceSettings;
import io.salvo.persistence.schema.CassandraSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starts a real Cassandra child JVM: schema, restart on the same data, leftover clean-up, stop. */
class EmbeddedCassandraTest {

  @Test
  @Timeout(300)
  void startsCreatesSchemaRestartsOnItsDataAndStopsWithoutLeftovers(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("cassandra");
    EmbeddedCassandra first = builder(data).build();
    EmbeddedCassandra second = builder(data).build();
    try {
      long began = System.nanoTime();
      first.start();
      System.out.println("embedded Cassandra ready in " + Duration.ofNanos(System.nanoTime() - began).toMillis()
          + " ms on port " + first.cqlPort());
      long firstPid = first.pid();
      assertTrue(first.isRunning());
      assertNotEquals(0, first.cqlPort());
      assertEquals(String.valueOf(firstPid), Files.readString(data.resolve("cassandra.pid")).trim());
      String yaml = Files.readString(data.resolve("conf/cassandra.yaml"));
      assertTrue(yaml.contains("commitlog_sync_period: 10000ms"));
      assertTrue(yaml.contains("\nkey_cache_size: 8MiB\n") && !yaml.contains("key_cache_size: 16MiB"), yaml);

      PersistenceSettings settings = settingsFor(first);
      CassandraSchema.create(settings);
      CassandraSchema.create(settings); // idempotent
      assertEquals(CassandraSchema.TABLES, tables(first, "salvo"));

      // A second instance on the same directory finds the first one's pid file, stops it, and finds the data.
      second.start();
      assertGone(firstPid);
      assertEquals(CassandraSchema.TABLES, tables(second, "salvo"));
      first.stop(); // already gone: a no-op

      long secondPid = second.pid();
      second.stop();
      assertGone(secondPid);
      second.stop(); // idempotent
      assertEquals(-1, second.pid());
      assertFalse(Files.exists(data.resolve("cassandra.pid")));
      assertTrue(Files.size(second.logFile()) > 0);
      assertNoProcessMentions(data);
    } finally {
      second.stop();
      first.stop();
    }
  }

  private static EmbeddedCassandra.Builder builder(Path data) {
    return EmbeddedCassandra.builder()
        .dataDirectory(data)
        .cqlPort(0)
        .storagePort(0)
        .heap("512M")
        .startTimeout(Duration.ofSeconds(120))
        // an override replaces the generated key: Cassandra must accept the file it ends up with
        .yamlOverrides(java.util.Map.of("key_cache_size", "8MiB"));
  }

  private static PersistenceSettings settingsFor(EmbeddedCassandra c) {
    return PersistenceSettings.create(
        PersistenceSettings.contactPointsConfig(List.of(c.contactPoint())).withFallback(ConfigFactory.load()));
  }

  private static Set<String> tables(EmbeddedCassandra c, String keyspace) {
    DriverConfigLoader loader = DriverConfigLoader.programmaticBuilder()
        .withStringList(DefaultDriverOption.CONTACT_POINTS, List.of(c.contactPoint()))
        .withString(DefaultDriverOption.LOAD_BALANCING_LOCAL_DATACENTER, "datacenter1")
        .withBoolean(DefaultDriverOption.RECONNECT_ON_INIT, false)
        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
        .build();
    try (CqlSession session = CqlSession.builder().withConfigLoader(loader).build()) {
      return CassandraSchema.existingTables(session, keyspace);
    }
  }

  private static void assertGone(long pid) throws InterruptedException {
    within(Duration.ofSeconds(45), () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true),
        "Cassandra pid " + pid + " still alive");
  }

  private static void assertNoProcessMentions(Path data) throws InterruptedException {
    String needle = data.toAbsolutePath().normalize().toString();
    within(Duration.ofSeconds(10), () -> ProcessHandle.allProcesses().noneMatch(h -> cmdline(h).contains(needle)),
        "a process still mentions " + needle);
  }

  private static String cmdline(ProcessHandle h) {
    try {
      Path proc = Path.of("/proc", Long.toString(h.pid()), "cmdline");
      if (Files.isReadable(proc)) {
        return new String(Files.readAllBytes(proc), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      // process went away
    }
    Optional<String> c = h.info().commandLine();
    return c.orElse("");
  }

  private static void within(Duration limit, BooleanSupplier condition, String failure) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail(failure + " after " + limit);
      }
      Thread.sleep(100);
    }
  }
}
