package io.salvo.tests.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.producer.DefaultMQProducer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real broker node in its own JVM ({@code io.salvo.cluster.Main}), on free loopback ports, using an
 * external Cassandra (the test's {@link CassandraFixture}). Its output goes to a log file under
 * {@code target/brokers}. Stopped by PID: {@link #stop()} (SIGTERM, CoordinatedShutdown) or {@link #kill()}
 * (SIGKILL).
 */
public final class BrokerProcess implements AutoCloseable {
  private static final Duration START_LIMIT = Duration.ofSeconds(90);
  /** The line BrokerNode logs once the node takes traffic. */
  private static final java.util.regex.Pattern READY = java.util.regex.Pattern.compile("Salvo node \\S+ ready in ");

  private final String name;
  private final int grpcPort;
  private final int managementPort;
  private final int remotePort;
  private final Map<String, String> properties;
  private final Path log;
  private Process process;
  /** Where the current run's output starts in the log file (a restart appends to it). */
  private long logOffset;

  private BrokerProcess(String name, int grpcPort, Map<String, String> properties) {
    this.name = name;
    this.grpcPort = grpcPort;
    this.managementPort = Ports.free();
    this.remotePort = Ports.free();
    this.properties = properties;
    this.log = Path.of("target", "brokers", name + ".log").toAbsolutePath();
  }

  /** A broker on {@code cassandra} with a free client port and the given extra settings. */
  public static BrokerProcess on(CassandraFixture.Cassandra cassandra, String name, Map<String, String> extra) {
    return on(cassandra, name, Ports.free(), extra);
  }

  public static BrokerProcess on(CassandraFixture.Cassandra cassandra, String name, int grpcPort, Map<String, String> extra) {
    return on(List.of("127.0.0.1:" + cassandra.cqlPort()), cassandra.keyspace(), name, grpcPort, extra);
  }

  /** A broker on the Cassandra nodes {@code contactPoints} ({@code host:cqlPort}), in {@code keyspace}. */
  public static BrokerProcess on(List<String> contactPoints, String keyspace, String name, int grpcPort,
      Map<String, String> extra) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("salvo.persistence.embedded.enabled", "false");
    for (int i = 0; i < contactPoints.size(); i++) {
      p.put("salvo.persistence.cassandra.contact-points." + i, contactPoints.get(i));
    }
    p.put("salvo.persistence.keyspace", keyspace);
    p.putAll(extra);
    return new BrokerProcess(name, grpcPort, p);
  }

  /** Adds a -D setting for the next {@link #start()} (for example the contact points, once every node's port is known). */
  public BrokerProcess with(String key, String value) {
    properties.put(key, value);
    return this;
  }

  /** Starts the JVM and waits (at most 90 s) until the node logs that it is ready. */
  public BrokerProcess start() {
    return start(START_LIMIT);
  }

  /** Starts the JVM and waits at most {@code limit} until the node logs that it is ready (killed if not). */
  public BrokerProcess start(Duration limit) {
    return launch().awaitReady(limit);
  }

  /**
   * Starts the JVM without waiting for it: for nodes that can only become ready together (Cluster Bootstrap forms a
   * cluster once a majority of the contact points answer). Then {@link #awaitReady}.
   */
  public BrokerProcess launch() {
    try {
      Files.createDirectories(log.getParent());
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xmx1g");
      cmd.add("-XX:+UseG1GC");
      cmd.add("-Dsalvo.broker.grpc.port=" + grpcPort);
      cmd.add("-Dakka.management.http.port=" + managementPort);
      cmd.add("-Dakka.remote.artery.canonical.port=" + remotePort);
      for (Map.Entry<String, String> e : properties.entrySet()) {
        cmd.add("-D" + e.getKey() + "=" + e.getValue());
      }
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add("io.salvo.cluster.Main");
      logOffset = Files.exists(log) ? Files.size(log) : 0;
      process = new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits at most {@code limit} until the node started by {@link #launch} logs that it is ready (killed if not). */
  public BrokerProcess awaitReady(Duration limit) {
    try {
      long deadline = System.nanoTime() + limit.toNanos();
      while (true) {
        String out = Files.exists(log) ? Files.readString(log).substring((int) logOffset) : "";
        if (READY.matcher(out).find()) {
          return this;
        }
        if (!process.isAlive() || System.nanoTime() > deadline) {
          String why = process.isAlive() ? "not ready within " + limit : "exited with " + process.exitValue();
          kill();
          throw new IllegalStateException("broker " + name + " " + why + "; log " + log + ":\n" + tail(out, 40));
        }
        Thread.sleep(100);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String address() {
    return "127.0.0.1:" + grpcPort;
  }

  /** A started producer of {@code group} on this broker, with a 10 s send timeout (for a fresh broker on a busy host). */
  public DefaultMQProducer startProducer(String group) throws MQClientException {
    DefaultMQProducer producer = new DefaultMQProducer(group);
    producer.setNamesrvAddr(address());
    producer.setSendMsgTimeout(10_000);
    producer.start();
    return producer;
  }

  public int grpcPort() {
    return grpcPort;
  }

  /** This node's management endpoint, {@code 127.0.0.1:port}, as salvo.cluster.contact-points lists it. */
  public String managementEndpoint() {
    return "127.0.0.1:" + managementPort;
  }

  public String managementUrl() {
    return "http://127.0.0.1:" + managementPort;
  }

  public long pid() {
    return process.pid();
  }

  public Path logFile() {
    return log;
  }

  /** SIGTERM and wait for a clean exit (CoordinatedShutdown). */
  public void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** SIGKILL: the JVM dies at once, mid-write. */
  public void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /**
   * The broker's {@code heap} from {@code /stats} right after a full GC (asked with {@code jcmd GC.run}), so that
   * {@code usedAfterLastGcBytes} is what the broker really holds.
   */
  public JsonNode heapAfterFullGc() throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (Files.isExecutable(jcmd)) {
      Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "GC.run")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!gc.waitFor(60, TimeUnit.SECONDS)) {
        gc.destroyForcibly();
      }
    }
    return new ObjectMapper().readTree(AdminHttp.get(managementUrl() + "/stats").body()).path("heap");
  }

  @Override
  public void close() {
    stop();
  }

  private static String tail(String text, int lines) {
    String[] all = text.split("\n");
    StringBuilder b = new StringBuilder();
    for (int i = Math.max(0, all.length - lines); i < all.length; i++) {
      b.append(all[i]).append('\n');
    }
    return b.toString();
  }
}
