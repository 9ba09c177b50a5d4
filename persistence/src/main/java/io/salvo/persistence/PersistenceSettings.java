package io.salvo.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.salvo.persistence.cassandra.EmbeddedCassandra;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code salvo.persistence} settings (see this module's {@code reference.conf} for every key's meaning),
 * read once and validated; every error names the offending key and value. Immutable.
 */
public final class PersistenceSettings {

  public static final String PATH = "salvo.persistence";

  private static final Pattern KEYSPACE = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,47}");
  private static final Pattern HOST_PORT = Pattern.compile("[^\\s:]+:\\d{1,5}|\\[[0-9a-fA-F:.]+\\]:\\d{1,5}");
  private static final Pattern HEAP = Pattern.compile("\\d+[kKmMgG]?");
  private static final Set<String> CONSISTENCY_LEVELS = Set.of(
      "ANY", "ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_ONE", "LOCAL_QUORUM", "EACH_QUORUM");
  private static final Set<String> COMMITLOG_SYNC = Set.of("periodic", "group", "batch");

  private final String keyspace;
  private final int replicationFactor;
  private final String writeConsistency;
  private final String readConsistency;
  private final List<String> contactPoints;
  private final String localDatacenter;
  private final Embedded embedded;

  /** The embedded Cassandra's settings ({@code salvo.persistence.embedded}). */
  public record Embedded(
      boolean enabled,
      Path dataDirectory,
      int cqlPort,
      int storagePort,
      String commitlogSync,
      String heap,
      Duration startTimeout,
      Map<String, String> cassandraYaml,
      List<String> jvmOptions) {

    /** A builder for an {@link EmbeddedCassandra} with these settings (the data directory made absolute). */
    public EmbeddedCassandra.Builder toBuilder() {
      return EmbeddedCassandra.builder()
          .dataDirectory(dataDirectory.toAbsolutePath())
          .cqlPort(cqlPort)
          .storagePort(storagePort)
          .commitlogSync(commitlogSync)
          .heap(heap)
          .startTimeout(startTimeout)
          .yamlOverrides(cassandraYaml)
          .jvmOptions(jvmOptions);
    }
  }

  private PersistenceSettings(
      String keyspace,
      int replicationFactor,
      String writeConsistency,
      String readConsistency,
      List<String> contactPoints,
      String localDatacenter,
      Embedded embedded) {
    this.keyspace = keyspace;
    this.replicationFactor = replicationFactor;
    this.writeConsistency = writeConsistency;
    this.readConsistency = readConsistency;
    this.contactPoints = List.copyOf(contactPoints);
    this.localDatacenter = localDatacenter;
    this.embedded = embedded;
  }

  /**
   * Reads and validates {@code salvo.persistence} from a resolved config (normally the actor system's).
   *
   * @throws IllegalArgumentException naming the key when a value is missing or invalid
   */
  public static PersistenceSettings create(Config root) {
    Config c;
    try {
      c = root.getConfig(PATH);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(PATH + ": missing or not an object (" + e.getMessage() + ")", e);
    }
    String keyspace = string(c, "keyspace");
    require(KEYSPACE.matcher(keyspace).matches(), "keyspace", keyspace,
        "a CQL identifier: a letter, then letters, digits or '_', at most 48 characters");
    int rf = integer(c, "replication-factor");
    require(rf >= 1, "replication-factor", rf, "at least 1");
    String write = consistency(c, "write-consistency");
    String read = consistency(c, "read-consistency");

    List<String> contactPoints;
    try {
      contactPoints = c.getStringList("cassandra.contact-points");
    } catch (ConfigException e) {
      throw invalid("cassandra.contact-points", null, "a list of \"host:port\" strings (" + e.getMessage() + ")");
    }
    require(!contactPoints.isEmpty(), "cassandra.contact-points", contactPoints, "at least one \"host:port\"");
    for (String cp : contactPoints) {
      require(HOST_PORT.matcher(cp).matches() && port(cp) <= 65535,
          "cassandra.contact-points", cp, "\"host:port\" with a port of 1..65535");
    }
    String dc = string(c, "cassandra.local-datacenter");
    require(!dc.isBlank(), "cassandra.local-datacenter", dc, "a datacenter name");

    boolean enabled = bool(c, "embedded.enabled");
    String dataDir = string(c, "embedded.data-directory");
    Path dataDirectory;
    try {
      require(!dataDir.isBlank(), "embedded.data-directory", dataDir, "a directory path");
      dataDirectory = Path.of(dataDir);
    } catch (InvalidPathException e) {
      throw invalid("embedded.data-directory", dataDir, "a valid path (" + e.getMessage() + ")");
    }
    int cqlPort = integer(c, "embedded.cql-port");
    require(cqlPort >= 0 && cqlPort <= 65535, "embedded.cql-port", cqlPort, "0..65535 (0 = pick a free port)");
    int storagePort = integer(c, "embedded.storage-port");
    require(storagePort >= 0 && storagePort <= 65535, "embedded.storage-port", storagePort,
        "0..65535 (0 = pick a free port)");
    require(cqlPort == 0 || cqlPort != storagePort, "embedded.storage-port", storagePort,
        "different from embedded.cql-port");
    String sync = string(c, "embedded.commitlog-sync").toLowerCase(Locale.ROOT);
    require(COMMITLOG_SYNC.contains(sync), "embedded.commitlog-sync", sync, "periodic, group or batch");
    String heap = string(c, "embedded.heap");
    require(HEAP.matcher(heap).matches(), "embedded.heap", heap, "a JVM heap size such as 768M or 2G");
    Duration startTimeout;
    try {
      startTimeout = c.getDuration("embedded.start-timeout");
    } catch (ConfigException e) {
      throw invalid("embedded.start-timeout", null, "a duration such as 90s (" + e.getMessage() + ")");
    }
    require(!startTimeout.isNegative() && !startTimeout.isZero(), "embedded.start-timeout", startTimeout,
        "a positive duration");

    Map<String, String> yaml = new HashMap<>();
    try {
      for (Map.Entry<String, ConfigValue> e : c.getConfig("embedded.cassandra-yaml").root().entrySet()) {
        require(EmbeddedCassandra.YAML_KEY.matcher(e.getKey()).matches(), "embedded.cassandra-yaml", e.getKey(),
            "cassandra.yaml top-level keys (lower case letters, digits and '_')");
        Object v = e.getValue().unwrapped();
        require(v instanceof String || v instanceof Number || v instanceof Boolean,
            "embedded.cassandra-yaml." + e.getKey(), v, "a string, number or boolean (YAML flow style for maps)");
        yaml.put(e.getKey(), String.valueOf(v));
      }
    } catch (ConfigException e) {
      throw invalid("embedded.cassandra-yaml", null, "an object of cassandra.yaml keys (" + e.getMessage() + ")");
    }

    List<String> jvmOptions;
    try {
      jvmOptions = c.getStringList("embedded.jvm-options");
    } catch (ConfigException e) {
      throw invalid("embedded.jvm-options", null, "a list of JVM options (" + e.getMessage() + ")");
    }
    for (String option : jvmOptions) {
      require(EmbeddedCassandra.isJvmOption(option), "embedded.jvm-options", option, "JVM options, each starting with '-'");
    }

    return new PersistenceSettings(keyspace, rf, write, read, contactPoints, dc,
        new Embedded(enabled, dataDirectory, cqlPort, storagePort, sync, heap, startTimeout, Map.copyOf(yaml),
            List.copyOf(jvmOptions)));
  }

  /** Keyspace of journal and snapshots. */
  public String keyspace() {
    return keyspace;
  }

  public int replicationFactor() {
    return replicationFactor;
  }

  /** The CQL replication map for a new keyspace, e.g. {@code {'class': 'SimpleStrategy', 'replication_factor': 1}}. */
  public String replicationCql() {
    return "{'class': 'SimpleStrategy', 'replication_factor': " + replicationFactor + "}";
  }

  /** Consistency level name of journal/snapshot writes (a DataStax {@code DefaultConsistencyLevel} name). */
  public String writeConsistency() {
    return writeConsistency;
  }

  public String readConsistency() {
    return readConsistency;
  }

  /** {@code host:port} CQL contact points. */
  public List<String> contactPoints() {
    return contactPoints;
  }

  public String localDatacenter() {
    return localDatacenter;
  }

  public Embedded embedded() {
    return embedded;
  }

  /** A copy with other contact points (e.g. the embedded Cassandra's picked port). */
  public PersistenceSettings withContactPoints(List<String> points) {
    return new PersistenceSettings(keyspace, replicationFactor, writeConsistency, readConsistency, points,
        localDatacenter, embedded);
  }

  /**
   * Config overriding both {@code salvo.persistence.cassandra.contact-points} and the derived
   * {@code datastax-java-driver.basic.contact-points}; put it in front of an already resolved config
   * ({@code contactPointsConfig(points).withFallback(config)}) when the contact points are only known at run
   * time, such as an embedded Cassandra on a picked port.
   */
  public static Config contactPointsConfig(List<String> points) {
    return ConfigFactory.parseMap(Map.of(
        PATH + ".cassandra.contact-points", ConfigValueFactory.fromIterable(points),
        "datastax-java-driver.basic.contact-points", ConfigValueFactory.fromIterable(points)));
  }

  /** One line for the start-up log. */
  public String describe() {
    String where = embedded.enabled()
        ? "embedded Cassandra in " + embedded.dataDirectory().toAbsolutePath() + " (cql port "
            + (embedded.cqlPort() == 0 ? "picked" : embedded.cqlPort()) + ", commitlog_sync "
            + embedded.commitlogSync() + ", heap " + embedded.heap() + ")"
        : "Cassandra at " + String.join(",", contactPoints) + " (dc " + localDatacenter
            + ", commitlog_sync set by the servers)";
    return "persistence: " + where + ", keyspace " + keyspace + " (replication factor " + replicationFactor
        + "), write consistency " + writeConsistency + ", read consistency " + readConsistency;
  }

  @Override
  public String toString() {
    return describe();
  }

  // ---------------------------------------------------------------- validation helpers

  private static String consistency(Config c, String key) {
    String value = string(c, key).toUpperCase(Locale.ROOT);
    require(CONSISTENCY_LEVELS.contains(value), key, value, "one of " + String.join(", ", CONSISTENCY_LEVELS.stream().sorted().toList()));
    return value;
  }

  private static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  private static String string(Config c, String key) {
    try {
      return c.getString(key);
    } catch (ConfigException e) {
      throw invalid(key, null, "a string (" + e.getMessage() + ")");
    }
  }

  private static int integer(Config c, String key) {
    try {
      return c.getInt(key);
    } catch (ConfigException e) {
      throw invalid(key, null, "an integer (" + e.getMessage() + ")");
    }
  }

  private static boolean bool(Config c, String key) {
    try {
      return c.getBoolean(key);
    } catch (ConfigException e) {
      throw invalid(key, null, "true or false (" + e.getMessage() + ")");
    }
  }

  private static void require(boolean ok, String key, Object value, String expected) {
    if (!ok) {
      throw invalid(key, value, expected);
    }
  }

  private static IllegalArgumentException invalid(String key, Object value, String expected) {
    return new IllegalArgumentException(PATH + "." + key + (value == null ? "" : " = " + value)
        + ": expected " + expected);
  }
}
