package io.salvo.persistence.cassandra;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one {@link EmbeddedCassandra}, or with {@code --nodes N} an {@link EmbeddedCassandraCluster} of N loopback
 * nodes, until this JVM gets SIGTERM (or Ctrl-C), then stops it.
 *
 * <pre>
 * java -cp ... io.salvo.persistence.cassandra.EmbeddedCassandraMain --data DIR [--nodes N] [--cql-port N]
 *     [--storage-port N] [--commitlog-sync periodic|group|batch] [--heap 768M] [--start-timeout-seconds 90]
 * </pre>
 *
 * Prints {@code cassandra ready on 127.0.0.1:PORT pid N} once CQL clients can connect; with {@code --nodes N} one
 * such line per node ({@code 127.0.0.i}, data under {@code DIR/node-i}, started one after another) and then
 * {@code cassandra cluster ready}. Exit codes: 143 (the JVM's code for SIGTERM) after a stop on request, 1 if
 * Cassandra failed to start or a node died, 2 on bad arguments.
 */
public final class EmbeddedCassandraMain {

  private static volatile boolean stopping;

  private EmbeddedCassandraMain() {}

  /** What the command line asked for: the node settings, and how many nodes (0: one node without seeds). */
  record Options(EmbeddedCassandra.Builder builder, Path data, int nodes, int cqlPort, int storagePort) {}

  public static void main(String[] args) throws InterruptedException {
    Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println(e.getMessage());
      System.err.println("usage: EmbeddedCassandraMain --data DIR [--nodes N] [--cql-port N] [--storage-port N]"
          + " [--commitlog-sync periodic|group|batch] [--heap 768M] [--start-timeout-seconds N]");
      System.exit(2);
      return;
    }
    List<EmbeddedCassandra> nodes;
    Runnable stop;
    if (options.nodes() == 0) {
      EmbeddedCassandra cassandra = options.builder().build();
      nodes = List.of(cassandra);
      stop = cassandra::stop;
    } else {
      EmbeddedCassandraCluster cluster = EmbeddedCassandraCluster.create(options.data(), options.nodes(),
          options.cqlPort(), options.storagePort(), b -> options.builder());
      nodes = new ArrayList<>();
      for (int i = 1; i <= cluster.size(); i++) {
        nodes.add(cluster.node(i));
      }
      stop = cluster::stop;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopping = true;
      stop.run();
    }, "embedded-cassandra-stop"));
    try {
      for (EmbeddedCassandra cassandra : nodes) {
        cassandra.start();
        System.out.println("cassandra ready on " + cassandra.host() + ":" + cassandra.cqlPort() + " pid " + cassandra.pid());
        System.out.flush();
      }
    } catch (EmbeddedCassandraException e) {
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
    if (options.nodes() > 0) {
      System.out.println("cassandra cluster ready");
      System.out.flush();
    }
    List<CompletableFuture<ProcessHandle>> exits = nodes.stream()
        .map(n -> n.processHandle().orElseThrow().onExit()).toList();
    ProcessHandle child = (ProcessHandle) CompletableFuture.anyOf(exits.toArray(CompletableFuture[]::new)).join();
    if (stopping) {
      return; // the shutdown hook stopped it
    }
    EmbeddedCassandra died = nodes.stream().filter(n -> !n.isRunning()).findFirst().orElse(nodes.get(0));
    System.err.println("cassandra pid " + child.pid() + " exited; last lines of " + died.logFile() + ":\n"
        + died.logTail());
    System.exit(1);
  }

  static Options parse(String[] args) {
    EmbeddedCassandra.Builder b = EmbeddedCassandra.builder();
    Path data = null;
    int nodes = 0;
    int cqlPort = 9042;
    int storagePort = 7000;
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + name);
      }
      String value = args[++i];
      switch (name) {
        case "--data" -> data = Path.of(value);
        case "--nodes" -> nodes = intArg(name, value);
        case "--cql-port" -> cqlPort = intArg(name, value);
        case "--storage-port" -> storagePort = intArg(name, value);
        case "--commitlog-sync" -> b.commitlogSync(value);
        case "--heap" -> b.heap(value);
        case "--start-timeout-seconds" -> b.startTimeout(Duration.ofSeconds(intArg(name, value)));
        default -> throw new IllegalArgumentException("unknown option " + name);
      }
    }
    if (data == null) {
      throw new IllegalArgumentException("--data DIR is required");
    }
    if (nodes < 0 || nodes > EmbeddedCassandraCluster.MAX_NODES) {
      throw new IllegalArgumentException("--nodes takes 1.." + EmbeddedCassandraCluster.MAX_NODES + ", got " + nodes);
    }
    b.cqlPort(cqlPort).storagePort(storagePort);
    if (nodes == 0) {
      b.dataDirectory(data);
    }
    return new Options(b, data, nodes, cqlPort, storagePort);
  }

  private static int intArg(String name, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " takes a number, got " + value);
    }
  }
}
