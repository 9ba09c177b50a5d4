package io.salvo.persistence.schema;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.salvo.persistence.PersistenceSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the journal and snapshot schema from {@code io/salvo/persistence/schema/journal.cql} and
 * {@code snapshot.cql} (the keyspace and every table akka-persistence-cassandra 1.1.1 uses), and Salvo's message
 * indexes from {@code index.cql}. Idempotent (every
 * statement is {@code IF NOT EXISTS}); never alters or drops anything. The plugin's own auto-create is off.
 */
public final class CassandraSchema {

  private static final Logger log = LoggerFactory.getLogger(CassandraSchema.class);

  /** CQL resources, applied in this order. */
  public static final List<String> RESOURCES = List.of(
      "io/salvo/persistence/schema/journal.cql", "io/salvo/persistence/schema/snapshot.cql",
      "io/salvo/persistence/schema/index.cql");

  /** Every table the schema creates, in the keyspace of the settings. */
  public static final Set<String> TABLES = Set.of(
      "messages", "tag_views", "tag_write_progress", "tag_scanning", "metadata", "all_persistence_ids",
      "snapshots", "message_ids", "message_keys");

  private static final Duration DDL_TIMEOUT = Duration.ofSeconds(30);

  private CassandraSchema() {}

  /**
   * Connects to {@code settings.contactPoints()} and creates whatever of the schema is missing. Fails (does not
   * wait forever) when Cassandra does not answer.
   *
   * @throws com.datastax.oss.driver.api.core.DriverException when Cassandra rejects a statement or is unreachable
   */
  public static void create(PersistenceSettings settings) {
    DriverConfigLoader loader = DriverConfigLoader.programmaticBuilder()
        .withStringList(DefaultDriverOption.CONTACT_POINTS, settings.contactPoints())
        .withString(DefaultDriverOption.LOAD_BALANCING_LOCAL_DATACENTER, settings.localDatacenter())
        .withBoolean(DefaultDriverOption.RECONNECT_ON_INIT, false)
        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, DDL_TIMEOUT)
        .withString(DefaultDriverOption.SESSION_NAME, "salvo-schema")
        .build();
    try (CqlSession session = CqlSession.builder().withConfigLoader(loader).build()) {
      create(session, settings);
    }
  }

  /** Creates whatever of the schema is missing through an open session (the caller keeps ownership of it). */
  public static void create(CqlSession session, PersistenceSettings settings) {
    String keyspace = settings.keyspace();
    Set<String> before = existingTables(session, keyspace);
    long began = System.nanoTime();
    if (before.containsAll(TABLES)) {
      // Every statement is CREATE ... IF NOT EXISTS: nothing to do, and on a busy multi-node Cassandra each
      // statement would still wait for schema agreement (tens of seconds for a broker joining a cluster).
      log.info("Schema of keyspace {} present: {}", keyspace, new TreeSet<>(before));
      return;
    }
    // Like the plugin's own auto-create: no schema metadata refresh after each DDL (that costs ~1 s each);
    // the driver still waits for schema agreement.
    session.setSchemaMetadataEnabled(false);
    try {
      for (String statement : statements(settings)) {
        log.debug("Schema: {}", statement);
        session.execute(SimpleStatement.newInstance(statement).setTimeout(DDL_TIMEOUT));
      }
    } finally {
      session.setSchemaMetadataEnabled(null);
    }
    Set<String> after = tablesOnceAgreed(session, keyspace);
    Set<String> created = new TreeSet<>(after);
    created.removeAll(before);
    Set<String> missing = new TreeSet<>(TABLES);
    missing.removeAll(after);
    if (!missing.isEmpty()) {
      throw new IllegalStateException("schema of keyspace " + keyspace + " still lacks tables " + missing
          + " after applying " + RESOURCES + " (waited " + DDL_TIMEOUT + " for the nodes to agree)");
    }
    log.info("Schema of keyspace {} (replication {}) ready in {} ms: created {}, already present {}",
        keyspace, settings.replicationCql(), Duration.ofNanos(System.nanoTime() - began).toMillis(),
        created.isEmpty() ? "nothing" : created, before.isEmpty() ? "nothing" : new TreeSet<>(before));
  }

  /**
   * The tables of {@code keyspace} once every table of the schema is there, or as they are after {@link #DDL_TIMEOUT}.
   * On a multi-node Cassandra the read may reach a node that has not applied the last DDL yet: it waits for the
   * nodes to agree on the schema and reads again.
   */
  private static Set<String> tablesOnceAgreed(CqlSession session, String keyspace) {
    long deadline = System.nanoTime() + DDL_TIMEOUT.toNanos();
    while (true) {
      Set<String> tables = existingTables(session, keyspace);
      if (tables.containsAll(TABLES) || System.nanoTime() > deadline) {
        return tables;
      }
      session.checkSchemaAgreement();
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return tables;
      }
    }
  }

  /** Names of the tables in {@code keyspace} (empty if the keyspace does not exist). */
  public static Set<String> existingTables(CqlSession session, String keyspace) {
    Set<String> tables = new TreeSet<>();
    for (Row row : session.execute(SimpleStatement.newInstance(
        "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", keyspace))) {
      tables.add(row.getString("table_name"));
    }
    return tables;
  }

  /** The CQL statements of {@link #RESOURCES} with the keyspace and replication of {@code settings} filled in. */
  public static List<String> statements(PersistenceSettings settings) {
    List<String> statements = new ArrayList<>();
    for (String resource : RESOURCES) {
      String text = readResource(resource)
          .replace("${keyspace}", settings.keyspace())
          .replace("${replication}", settings.replicationCql());
      statements.addAll(split(text));
    }
    return statements;
  }

  /** Splits a CQL script into statements: drops {@code --} comment lines, splits at a {@code ;} ending a line. */
  static List<String> split(String script) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\\R")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("--")) {
        continue;
      }
      if (current.length() > 0) {
        current.append('\n');
      }
      if (trimmed.endsWith(";")) {
        current.append(line, 0, line.lastIndexOf(';'));
        statements.add(current.toString().strip());
        current.setLength(0);
      } else {
        current.append(line);
      }
    }
    if (!current.toString().isBlank()) {
      throw new IllegalArgumentException("CQL script ends inside a statement (missing ';'): " + current);
    }
    return statements;
  }

  private static String readResource(String resource) {
    try (InputStream in = CassandraSchema.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("schema resource " + resource + " not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
