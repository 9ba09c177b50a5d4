package io.salvo.persistence.cassandra;

import io.salvo.persistence.PersistenceSettings;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Apache Cassandra 5.0 node for development and tests (alone, or one node of a loopback cluster: see
 * {@link Builder#seeds} and {@link EmbeddedCassandraCluster}), always run as a child JVM (never inside the
 * caller's JVM) from the {@code cassandra-all} jars that {@code salvo-cassandra-server} lists in its
 * {@code classpath.txt}.
 *
 * <p>Everything lives under {@link #dataDirectory()}: {@code conf/} (generated {@code cassandra.yaml} and
 * {@code logback.xml}), {@code data/}, {@code commitlog/}, {@code hints/}, {@code saved_caches/}, {@code cdc_raw/},
 * {@code logs/cassandra.log} (the child's stdout and stderr) and {@code cassandra.pid}. Data is never wiped:
 * starting again on the same directory finds the same keyspaces. A child left running by an earlier, crashed
 * caller (its pid file names a live process whose command line contains this data directory) is stopped first.
 *
 * <p>Not thread-safe for concurrent {@code start}/{@code stop}; the methods are {@code synchronized} so that a
 * shutdown hook calling {@link #stop()} is safe.
 */
public final class EmbeddedCassandra implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedCassandra.class);

  /** Resource written by {@code salvo-cassandra-server}: Cassandra's jars, joined with the path separator. */
  public static final String CLASSPATH_RESOURCE = "io/salvo/persistence/cassandra/classpath.txt";

  static final String MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon";
  /** Line Cassandra logs once its native transport (CQL) is bound. */
  static final String CQL_READY_LINE = "Starting listening for CQL clients";

  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final int LOG_TAIL_LINES = 30;
  private static final Pattern HEAP = Pattern.compile("\\d+[kKmMgG]?");

  /**
   * Cassandra 5.0's {@code conf/jvm17-server.options} (JPMS section, plus its netty settings): the exports and
   * opens Cassandra needs on Java 17.
   */
  static final List<String> JVM17_OPTIONS = List.of(
      "-Djdk.attach.allowAttachSelf=true",
      "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
      "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
      "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
      "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
      "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
      "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
      "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
      "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.base/java.io=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/java.util=ALL-UNNAMED",
      "-Dio.netty.tryReflectionSetAccessible=true",
      "-Dio.netty.allocator.useCacheForAllThreads=true",
      "-Dio.netty.allocator.maxOrder=11");

  private final Path dataDirectory;
  private final String listenAddress;
  private final int requestedCqlPort;
  private final int requestedStoragePort;
  private final String commitlogSync;
  private final String heap;
  private final Duration startTimeout;
  private final String clusterName;
  private final Map<String, String> yamlOverrides;
  private final List<String> jvmOptions;
  private final List<String> seeds;

  private Process process;
  private int cqlPort;
  private int storagePort;

  private EmbeddedCassandra(Builder b) {
    this.dataDirectory = b.dataDirectory.toAbsolutePath().normalize();
    this.listenAddress = b.listenAddress;
    this.requestedCqlPort = b.cqlPort;
    this.requestedStoragePort = b.storagePort;
    this.commitlogSync = b.commitlogSync;
    this.heap = b.heap;
    this.startTimeout = b.startTimeout;
    this.clusterName = b.clusterName;
    this.yamlOverrides = b.yamlOverrides;
    this.jvmOptions = b.jvmOptions;
    this.seeds = b.seeds;
  }

  /** Whether {@code option} can be a JVM option (the check {@link Builder#jvmOptions} applies). */
  public static boolean isJvmOption(String option) {
    return option != null && option.startsWith("-");
  }

  /** A JVM option that selects the garbage collector; one in {@link Builder#jvmOptions} replaces G1. */
  static final Pattern GC_SELECTION = Pattern.compile("-XX:\\+Use\\w+GC");

  /** What a top-level cassandra.yaml key looks like (the keys {@link Builder#yamlOverrides} accepts). */
  public static final Pattern YAML_KEY = Pattern.compile("[a-z][a-z0-9_]*");

  public static Builder builder() {
    return new Builder();
  }

  /**
   * An (unstarted) embedded Cassandra configured from {@code salvo.persistence.embedded}; the data directory is
   * resolved against the working directory. Whether it should run at all is {@code settings.embedded().enabled()}.
   */
  public static EmbeddedCassandra fromSettings(PersistenceSettings settings) {
    return settings.embedded().toBuilder().build();
  }

  /**
   * Starts the child JVM and returns once CQL clients can connect: the CQL port accepts connections and the log
   * says Cassandra is listening for CQL clients. Blocks at most {@code startTimeout}.
   *
   * @throws EmbeddedCassandraException if the child exits or is not ready in time (it is stopped then); the
   *     message holds the last lines of its log
   * @throws IllegalStateException if this instance is already running
   */
  public synchronized EmbeddedCassandra start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("embedded Cassandra already running, pid " + process.pid());
    }
    long began = System.nanoTime();
    try {
      Files.createDirectories(dataDirectory.resolve("conf"));
      Files.createDirectories(dataDirectory.resolve("logs"));
      Files.createDirectories(dataDirectory.resolve("triggers"));
      stopLeftoverFromPidFile();
      // A port picked at the first start is kept for later starts, so clients can reconnect after a restart.
      if (cqlPort == 0) {
        cqlPort = requestedCqlPort == 0 ? freePort(-1) : requestedCqlPort;
      }
      if (storagePort == 0) {
        storagePort = requestedStoragePort == 0 ? freePort(cqlPort) : requestedStoragePort;
      }
      Path yaml = dataDirectory.resolve("conf/cassandra.yaml");
      Files.writeString(yaml, cassandraYaml());
      Path logback = dataDirectory.resolve("conf/logback.xml");
      Files.writeString(logback, LOGBACK_XML);
      Path logFile = logFile();
      long logOffset = Files.exists(logFile) ? Files.size(logFile) : 0L;

      List<String> command = command(yaml, logback);
      ProcessBuilder pb = new ProcessBuilder(command)
          .directory(dataDirectory.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      pb.environment().remove("JAVA_TOOL_OPTIONS");
      pb.environment().remove("_JAVA_OPTIONS");
      process = pb.start();
      Files.writeString(pidFile(), Long.toString(process.pid()));
      log.info("Embedded Cassandra starting: pid {}, CQL {}:{}, storage port {}, commitlog_sync {}, data {}",
          process.pid(), listenAddress, cqlPort, storagePort, commitlogSync, dataDirectory);

      awaitReady(logOffset, began);
      log.info("Embedded Cassandra ready on {}:{} (pid {}) after {} ms",
          listenAddress, cqlPort, process.pid(), Duration.ofNanos(System.nanoTime() - began).toMillis());
      return this;
    } catch (IOException e) {
      stopQuietly();
      throw new EmbeddedCassandraException("cannot start embedded Cassandra in " + dataDirectory + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopQuietly();
      throw new EmbeddedCassandraException("interrupted while starting embedded Cassandra in " + dataDirectory, e);
    } catch (RuntimeException e) {
      stopQuietly();
      throw e;
    }
  }

  /**
   * Stops the child gracefully: SIGTERM (Cassandra drains and flushes in its shutdown hook), up to 30 s, then
   * SIGKILL. Returns once the process is gone. Idempotent; a no-op when not running.
   */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    ProcessHandle handle = process.toHandle();
    if (handle.isAlive()) {
      long began = System.nanoTime();
      terminate(handle, STOP_GRACE);
      log.info("Embedded Cassandra pid {} stopped in {} ms", handle.pid(),
          Duration.ofNanos(System.nanoTime() - began).toMillis());
    }
    process = null;
    deletePidFile(handle.pid());
  }

  /** SIGKILLs the child now, without draining (fault tests: unflushed periodic commitlog writes may be lost). */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    ProcessHandle handle = process.toHandle();
    handle.destroyForcibly();
    awaitExit(handle, Duration.ofSeconds(10));
    log.info("Embedded Cassandra pid {} killed", handle.pid());
    process = null;
    deletePidFile(handle.pid());
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The address CQL and storage listen on (loopback). */
  public String host() {
    return listenAddress;
  }

  /**
   * The CQL (native transport) port; the picked port when 0 was asked, valid after {@link #start()} and kept
   * by later starts of this instance (so a restart after {@link #kill()} comes back on the same port).
   */
  public synchronized int cqlPort() {
    return cqlPort;
  }

  /** The inter-node storage port; the picked port when 0 was asked, valid after {@link #start()}. */
  public synchronized int storagePort() {
    return storagePort;
  }

  /** {@code host:cqlPort}, the form the DataStax driver's {@code basic.contact-points} takes. */
  public synchronized String contactPoint() {
    return listenAddress + ":" + cqlPort;
  }

  /** The child's pid, or -1 when not running. */
  public synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  /** The child's process handle, if started (stays valid to check liveness after stop). */
  public synchronized Optional<ProcessHandle> processHandle() {
    return process == null ? Optional.empty() : Optional.of(process.toHandle());
  }

  public Path logFile() {
    return dataDirectory.resolve("logs/cassandra.log");
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  public String commitlogSync() {
    return commitlogSync;
  }

  Path pidFile() {
    return dataDirectory.resolve("cassandra.pid");
  }

  // ---------------------------------------------------------------- start-up

  List<String> command(Path yaml, Path logback) {
    List<String> classpath = cassandraClasspath();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xms" + heap);
    cmd.add("-Xmx" + heap);
    cmd.add("-Xss256k");
    if (jvmOptions.stream().noneMatch(o -> GC_SELECTION.matcher(o).matches())) {
      cmd.add("-XX:+UseG1GC");
    }
    cmd.add("-XX:+ExitOnOutOfMemoryError");
    cmd.add("-XX:+PerfDisableSharedMem");
    cmd.add("-Djava.net.preferIPv4Stack=true");
    cmd.add("-Djava.awt.headless=true");
    cmd.addAll(JVM17_OPTIONS);
    classpath.stream().filter(p -> p.contains("/jamm-")).findFirst().ifPresent(j -> cmd.add("-javaagent:" + j));
    cmd.add("-Dcassandra-foreground=yes");
    cmd.add("-Dcassandra.config=" + yaml.toUri());
    cmd.add("-Dcassandra.storagedir=" + dataDirectory);
    cmd.add("-Dcassandra.logdir=" + dataDirectory.resolve("logs"));
    cmd.add("-Dlogback.configurationFile=" + logback.toUri());
    cmd.add("-Dcassandra.triggers_dir=" + dataDirectory.resolve("triggers"));
    cmd.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
    cmd.add("-Dcassandra.ring_delay_ms=100");
    cmd.add("-Dcassandra.superuser_setup_delay_ms=0");
    cmd.add("-Dcassandra.consistent.rangemovement=false");
    // JMX stays off: without cassandra.jmx.*.port Cassandra logs a warning and starts no JMX server.
    cmd.add("-Dsalvo.embedded.datadir=" + dataDirectory);
    cmd.addAll(jvmOptions); // last, so that they win over the defaults above
    cmd.add("-cp");
    cmd.add(String.join(File.pathSeparator, classpath));
    cmd.add(MAIN_CLASS);
    return cmd;
  }

  /** Cassandra's jars, from the {@value #CLASSPATH_RESOURCE} resource; each one must exist on this machine. */
  static List<String> cassandraClasspath() {
    ClassLoader cl = EmbeddedCassandra.class.getClassLoader();
    String text;
    try (InputStream in = cl.getResourceAsStream(CLASSPATH_RESOURCE)) {
      if (in == null) {
        throw new EmbeddedCassandraException("resource " + CLASSPATH_RESOURCE
            + " not on the classpath: add io.salvo:salvo-cassandra-server (with all transitive dependencies excluded)");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + CLASSPATH_RESOURCE, e);
    }
    List<String> jars = new ArrayList<>();
    for (String entry : text.split(Pattern.quote(File.pathSeparator))) {
      if (entry.isBlank()) {
        continue;
      }
      if (!Files.isRegularFile(Path.of(entry))) {
        throw new EmbeddedCassandraException("Cassandra jar " + entry + " listed in " + CLASSPATH_RESOURCE
            + " is missing: run `mvn -pl persistence/cassandra-server install` on this machine");
      }
      jars.add(entry);
    }
    if (jars.stream().noneMatch(j -> j.contains("cassandra-all"))) {
      throw new EmbeddedCassandraException(CLASSPATH_RESOURCE + " lists no cassandra-all jar");
    }
    return jars;
  }

  private void awaitReady(long logOffset, long began) throws IOException, InterruptedException {
    long deadline = began + startTimeout.toNanos();
    boolean logSaysListening = false;
    while (true) {
      if (!process.isAlive()) {
        int code = process.exitValue();
        throw new EmbeddedCassandraException("embedded Cassandra (pid " + process.pid() + ") exited with code "
            + code + " during start-up; last lines of " + logFile() + ":\n" + logTail());
      }
      if (!logSaysListening) {
        logSaysListening = logContainsSince(logOffset, CQL_READY_LINE);
      }
      if (logSaysListening && portAccepts(listenAddress, cqlPort)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        String tail = logTail();
        stopQuietly();
        throw new EmbeddedCassandraException("embedded Cassandra not ready on " + listenAddress + ":" + cqlPort
            + " within " + startTimeout + " (stopped it); last lines of " + logFile() + ":\n" + tail);
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  private boolean logContainsSince(long offset, String needle) throws IOException {
    Path file = logFile();
    if (!Files.exists(file)) {
      return false;
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long len = raf.length();
      if (len <= offset) {
        return false;
      }
      byte[] buf = new byte[(int) Math.min(len - offset, 64L * 1024 * 1024)];
      raf.seek(offset);
      raf.readFully(buf);
      return new String(buf, StandardCharsets.UTF_8).contains(needle);
    }
  }

  private static boolean portAccepts(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The last {@value #LOG_TAIL_LINES} lines of the child's log (or a note that there is none). */
  public String logTail() {
    Path file = logFile();
    try {
      if (!Files.exists(file)) {
        return "(no log file)";
      }
      Deque<String> tail = new ArrayDeque<>();
      try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
        lines.forEach(l -> {
          tail.addLast(l);
          if (tail.size() > LOG_TAIL_LINES) {
            tail.removeFirst();
          }
        });
      }
      return String.join("\n", tail);
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  private String cassandraYaml() {
    String dir = dataDirectory.toString();
    StringBuilder y = new StringBuilder();
    y.append("# Generated by Salvo's EmbeddedCassandra on every start; edits are overwritten.\n");
    y.append("cluster_name: '").append(clusterName.replace("'", "''")).append("'\n");
    y.append("num_tokens: 4\n");
    y.append("partitioner: org.apache.cassandra.dht.Murmur3Partitioner\n");
    y.append("endpoint_snitch: SimpleSnitch\n");
    y.append("authenticator: AllowAllAuthenticator\n");
    y.append("authorizer: AllowAllAuthorizer\n");
    y.append("seed_provider:\n");
    y.append("  - class_name: org.apache.cassandra.locator.SimpleSeedProvider\n");
    y.append("    parameters:\n");
    y.append("      - seeds: \"").append(seeds.isEmpty() ? listenAddress + ":" + storagePort : String.join(",", seeds))
        .append("\"\n");
    if (!seeds.isEmpty()) {
      // One node of a fresh loopback cluster: it joins without streaming data (there is none yet), so nodes
      // can start one after another within seconds. Adding a node to a cluster that holds data needs bootstrap.
      y.append("auto_bootstrap: false\n");
    }
    y.append("listen_address: ").append(listenAddress).append('\n');
    y.append("rpc_address: ").append(listenAddress).append('\n');
    y.append("storage_port: ").append(storagePort).append('\n');
    y.append("native_transport_port: ").append(cqlPort).append('\n');
    y.append("start_native_transport: true\n");
    y.append("data_file_directories:\n");
    y.append("  - ").append(dir).append("/data\n");
    y.append("commitlog_directory: ").append(dir).append("/commitlog\n");
    y.append("hints_directory: ").append(dir).append("/hints\n");
    y.append("saved_caches_directory: ").append(dir).append("/saved_caches\n");
    y.append("cdc_raw_directory: ").append(dir).append("/cdc_raw\n");
    y.append("commitlog_sync: ").append(commitlogSync).append('\n');
    switch (commitlogSync) {
      case "periodic" -> y.append("commitlog_sync_period: 10000ms\n");
      case "group" -> y.append("commitlog_sync_group_window: 15ms\n");
      default -> { } // batch: every write waits for an fsync (writes waiting together share one)
    }
    if (!"periodic".equals(commitlogSync)) {
      // Where writes wait for the fsync, O_DIRECT commit log writes (Cassandra 5.0; "auto" falls back to mmap where
      // the file system cannot) doubled durable sends here: sync 8 threads, commitlog_sync batch, 250 -> 500-750
      // msg/s (docs/performance.md).
      y.append("commitlog_disk_access_mode: auto\n");
    }
    y.append("commitlog_segment_size: 32MiB\n");
    y.append("disk_failure_policy: stop\n");
    y.append("commit_failure_policy: stop\n");
    y.append("hinted_handoff_enabled: false\n");
    y.append("dynamic_snitch: false\n");
    y.append("concurrent_reads: 8\n");
    y.append("concurrent_writes: 16\n");
    y.append("concurrent_counter_writes: 4\n");
    // Room for a group commit of several MiB plus large bodies (the native protocol frame limit is 256 MiB).
    y.append("native_transport_max_frame_size: 16MiB\n");
    // A queue's group commit is one unlogged batch. Within one journal partition Cassandra does not check its
    // size, but a batch that crosses a partition boundary (every 500,000 events) is two mutations and is
    // checked: the 50 KiB default would then fail a perfectly normal group commit, again on every retry.
    y.append("batch_size_warn_threshold: 8MiB\n");
    y.append("batch_size_fail_threshold: 16MiB\n");
    y.append("commitlog_total_space: 1024MiB\n");
    y.append("memtable_heap_space: 128MiB\n");
    y.append("memtable_offheap_space: 128MiB\n");
    y.append("key_cache_size: 16MiB\n");
    y.append("counter_cache_size: 0MiB\n");
    y.append("read_request_timeout: 5000ms\n");
    y.append("write_request_timeout: 5000ms\n");
    y.append("range_request_timeout: 10000ms\n");
    y.append("request_timeout: 10000ms\n");
    y.append("auto_snapshot: false\n");
    y.append("snapshot_before_compaction: false\n");
    y.append("incremental_backups: false\n");
    return withOverrides(y.toString(), yamlOverrides);
  }

  /**
   * {@code yaml} with each top-level key of {@code overrides} replaced (its line and any indented lines under it
   * dropped) or added, in the overrides' key order, after a marker comment.
   */
  static String withOverrides(String yaml, Map<String, String> overrides) {
    if (overrides.isEmpty()) {
      return yaml;
    }
    StringBuilder out = new StringBuilder();
    boolean skipping = false;
    for (String line : yaml.split("\n")) {
      boolean indented = line.startsWith(" ") || line.startsWith("\t");
      if (skipping && indented) {
        continue;
      }
      int colon = line.indexOf(':');
      skipping = !indented && colon > 0 && overrides.containsKey(line.substring(0, colon).trim());
      if (!skipping) {
        out.append(line).append('\n');
      }
    }
    out.append("# salvo.persistence.embedded.cassandra-yaml\n");
    new TreeMap<>(overrides).forEach((k, v) -> out.append(k).append(": ").append(v).append('\n'));
    return out.toString();
  }

  private static final String LOGBACK_XML = """
      <configuration scan="false">
        <!-- Generated by Salvo's EmbeddedCassandra: everything goes to stdout, which the parent appends to
             logs/cassandra.log. -->
        <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
          <encoder>
            <pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern>
          </encoder>
        </appender>
        <logger name="org.apache.cassandra" level="INFO"/>
        <logger name="com.thinkaurelius.thrift" level="ERROR"/>
        <root level="WARN">
          <appender-ref ref="STDOUT"/>
        </root>
      </configuration>
      """;

  // ---------------------------------------------------------------- processes

  private void stopLeftoverFromPidFile() throws IOException {
    Path pidFile = pidFile();
    if (!Files.exists(pidFile)) {
      return;
    }
    String text = Files.readString(pidFile).trim();
    long pid;
    try {
      pid = Long.parseLong(text);
    } catch (NumberFormatException e) {
      log.warn("Ignoring unreadable pid file {} ({})", pidFile, text);
      Files.deleteIfExists(pidFile);
      return;
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isPresent() && handle.get().isAlive() && commandLineOf(handle.get()).contains(dataDirectory.toString())) {
      log.warn("Stopping Cassandra pid {} left running on data directory {} by an earlier run", pid, dataDirectory);
      terminate(handle.get(), STOP_GRACE);
    }
    Files.deleteIfExists(pidFile);
  }

  private static String commandLineOf(ProcessHandle handle) {
    Path proc = Path.of("/proc", Long.toString(handle.pid()), "cmdline");
    try {
      if (Files.isReadable(proc)) {
        return new String(Files.readAllBytes(proc), StandardCharsets.UTF_8).replace('\0', ' ');
      }
    } catch (IOException e) {
      // fall through to ProcessHandle.Info
    }
    return handle.info().commandLine().orElse("");
  }

  private static void terminate(ProcessHandle handle, Duration grace) {
    handle.destroy();
    if (!awaitExit(handle, grace)) {
      log.warn("Cassandra pid {} still alive {} after SIGTERM; sending SIGKILL", handle.pid(), grace);
      handle.destroyForcibly();
      if (!awaitExit(handle, Duration.ofSeconds(10))) {
        throw new EmbeddedCassandraException("Cassandra pid " + handle.pid() + " survived SIGKILL for 10 s");
      }
    }
  }

  private static boolean awaitExit(ProcessHandle handle, Duration timeout) {
    try {
      handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return !handle.isAlive();
    } catch (java.util.concurrent.ExecutionException e) {
      return !handle.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !handle.isAlive();
    }
  }

  private void stopQuietly() {
    try {
      stop();
    } catch (RuntimeException e) {
      log.warn("Failed to stop embedded Cassandra after a failed start", e);
    }
  }

  /** Deletes the pid file if it still names {@code pid} (another instance may have taken the directory over). */
  private void deletePidFile(long pid) {
    try {
      Path file = pidFile();
      if (Files.exists(file) && Files.readString(file).trim().equals(Long.toString(pid))) {
        Files.delete(file);
      }
    } catch (IOException e) {
      log.warn("Cannot delete {}", pidFile(), e);
    }
  }

  private int freePort(int avoid) throws IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(listenAddress))) {
        s.setReuseAddress(true);
        int port = s.getLocalPort();
        if (port != avoid) {
          return port;
        }
      }
    }
    throw new IOException("no free port on " + listenAddress);
  }

  @Override
  public String toString() {
    return "EmbeddedCassandra[" + listenAddress + ":" + cqlPort + ", pid " + pid() + ", " + dataDirectory + "]";
  }

  // ---------------------------------------------------------------- builder

  /** Builder; every value has a default except {@link #dataDirectory(Path)}. */
  public static final class Builder {
    private Path dataDirectory;
    private int cqlPort = 9042;
    private int storagePort = 7000;
    private String listenAddress = "127.0.0.1";
    private String commitlogSync = "periodic";
    private String heap = "768M";
    private Duration startTimeout = Duration.ofSeconds(90);
    private String clusterName = "salvo";
    private Map<String, String> yamlOverrides = Map.of();
    private List<String> jvmOptions = List.of();
    private List<String> seeds = List.of();

    private Builder() {}

    /**
     * The cluster's seed nodes as {@code address:storagePort}, making this node one of a multi-node cluster (all
     * nodes need the same {@link #clusterName} and seeds). Empty (the default): a single node that is its own seed.
     * A node with seeds starts with {@code auto_bootstrap: false}, which suits a fresh cluster started node by node.
     */
    public Builder seeds(List<String> seeds) {
      for (String seed : seeds) {
        int colon = seed.lastIndexOf(':');
        if (colon <= 0 || !seed.substring(colon + 1).matches("\\d{1,5}")) {
          throw new IllegalArgumentException("a seed is address:storagePort, got " + seed);
        }
      }
      this.seeds = List.copyOf(seeds);
      return this;
    }

    /**
     * Options added to the child JVM's command line after Salvo's own, so they win (e.g. {@code -XX:+UseParallelGC},
     * which then replaces the default G1, or {@code -XX:MaxGCPauseMillis=50}). Each must start with '-'.
     */
    public Builder jvmOptions(List<String> options) {
      for (String o : options) {
        if (!isJvmOption(o)) {
          throw new IllegalArgumentException("a JVM option starts with '-', got " + o);
        }
      }
      this.jvmOptions = List.copyOf(options);
      return this;
    }

    /**
     * cassandra.yaml settings that replace (or add to) the generated ones: top-level key to its YAML value, written
     * as given (use flow style for maps, e.g. {@code {configurations: {default: {class_name: TrieMemtable}}}}).
     */
    public Builder yamlOverrides(Map<String, String> overrides) {
      overrides.keySet().forEach(k -> {
        if (!YAML_KEY.matcher(k).matches()) {
          throw new IllegalArgumentException("cassandra.yaml key must be lower case letters, digits and '_', got " + k);
        }
      });
      this.yamlOverrides = Map.copyOf(overrides);
      return this;
    }

    /** Where configuration, data, commit log and logs live; kept across starts. Required. */
    public Builder dataDirectory(Path dir) {
      this.dataDirectory = Objects.requireNonNull(dir, "dataDirectory");
      return this;
    }

    /** CQL port; 0 picks a free one (read it back with {@link EmbeddedCassandra#cqlPort()}). Default 9042. */
    public Builder cqlPort(int port) {
      this.cqlPort = checkPort("cqlPort", port);
      return this;
    }

    /** Inter-node storage port; 0 picks a free one. Default 7000. */
    public Builder storagePort(int port) {
      this.storagePort = checkPort("storagePort", port);
      return this;
    }

    /** Loopback address to listen on; default 127.0.0.1. Non-loopback addresses are refused. */
    public Builder listenAddress(String address) {
      try {
        if (!InetAddress.getByName(address).isLoopbackAddress()) {
          throw new IllegalArgumentException("listenAddress must be a loopback address, got " + address);
        }
      } catch (java.net.UnknownHostException e) {
        throw new IllegalArgumentException("listenAddress " + address + " does not resolve", e);
      }
      this.listenAddress = address;
      return this;
    }

    /**
     * {@code periodic} (fsync every 10 s; a machine crash may lose up to 10 s of acknowledged writes),
     * {@code group} (acknowledge after an fsync shared by a 15 ms window) or {@code batch} (fsync before every
     * acknowledgement). Default periodic.
     */
    public Builder commitlogSync(String mode) {
      String m = Objects.requireNonNull(mode, "commitlogSync").toLowerCase(Locale.ROOT);
      if (!List.of("periodic", "group", "batch").contains(m)) {
        throw new IllegalArgumentException("commitlogSync must be periodic, group or batch, got " + mode);
      }
      this.commitlogSync = m;
      return this;
    }

    /** Child heap, JVM syntax ({@code 768M}, {@code 1G}); used for both -Xms and -Xmx. */
    public Builder heap(String heap) {
      if (heap == null || !HEAP.matcher(heap).matches()) {
        throw new IllegalArgumentException("heap must look like 768M or 1G, got " + heap);
      }
      this.heap = heap;
      return this;
    }

    /** How long {@link EmbeddedCassandra#start()} waits for CQL; default 90 s. */
    public Builder startTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("startTimeout must be positive, got " + timeout);
      }
      this.startTimeout = timeout;
      return this;
    }

    /** Cassandra's cluster_name; must stay the same for an existing data directory. Default "salvo". */
    public Builder clusterName(String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("clusterName must not be blank");
      }
      this.clusterName = name;
      return this;
    }

    public EmbeddedCassandra build() {
      if (dataDirectory == null) {
        throw new IllegalStateException("EmbeddedCassandra.Builder: dataDirectory is required");
      }
      if (cqlPort != 0 && cqlPort == storagePort) {
        throw new IllegalStateException("cqlPort and storagePort are both " + cqlPort);
      }
      return new EmbeddedCassandra(this);
    }

    private static int checkPort(String name, int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(name + " must be 0..65535, got " + port);
      }
      return port;
    }
  }
}
