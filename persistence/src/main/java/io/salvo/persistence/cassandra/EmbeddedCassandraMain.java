package io.salvo.persistence.cassandra;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs one {@link EmbeddedCassandra} until this JVM gets SIGTERM (or Ctrl-C), then stops it.
 *
 * <pre>
 * java -cp ... io.salvo.persistence.cassandra.EmbeddedCassandraMain --data DIR [--cql-port N] [--storage-port N]
 *     [--commitlog-sync periodic|group|batch] [--heap 768M] [--start-timeout-seconds 90]
 * </pre>
 *
 * Prints {@code cassandra ready on 127.0.0.1:PORT pid N} once CQL clients can connect. Exit codes: 143 (the
 * JVM's code for SIGTERM) after a stop on request, 1 if Cassandra failed to start or died, 2 on bad arguments.
 */
public final class EmbeddedCassandraMain {

  private static volatile boolean stopping;

  private EmbeddedCassandraMain() {}

  public static void main(String[] args) throws InterruptedException {
    EmbeddedCassandra.Builder builder;
    try {
      builder = parse(args);
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println(e.getMessage());
      System.err.println("usage: EmbeddedCassandraMain --data DIR [--cql-port N] [--storage-port N]"
          + " [--commitlog-sync periodic|group|batch] [--heap 768M] [--start-timeout-seconds N]");
      System.exit(2);
      return;
    }
    EmbeddedCassandra cassandra = builder.build();
    Thread hook = new Thread(() -> {
      stopping = true;
      cassandra.stop();
    }, "embedded-cassandra-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      cassandra.start();
    } catch (EmbeddedCassandraException e) {
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
    System.out.println("cassandra ready on " + cassandra.host() + ":" + cassandra.cqlPort() + " pid " + cassandra.pid());
    System.out.flush();
    ProcessHandle child = cassandra.processHandle().orElseThrow();
    child.onExit().join();
    if (stopping) {
      return; // the shutdown hook stopped it
    }
    System.err.println("cassandra pid " + child.pid() + " exited; last lines of " + cassandra.logFile() + ":\n"
        + cassandra.logTail());
    System.exit(1);
  }

  static EmbeddedCassandra.Builder parse(String[] args) {
    EmbeddedCassandra.Builder b = EmbeddedCassandra.builder();
    boolean hasData = false;
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + name);
      }
      String value = args[++i];
      switch (name) {
        case "--data" -> {
          b.dataDirectory(Path.of(value));
          hasData = true;
        }
        case "--cql-port" -> b.cqlPort(intArg(name, value));
        case "--storage-port" -> b.storagePort(intArg(name, value));
        case "--commitlog-sync" -> b.commitlogSync(value);
        case "--heap" -> b.heap(value);
        case "--start-timeout-seconds" -> b.startTimeout(Duration.ofSeconds(intArg(name, value)));
        default -> throw new IllegalArgumentException("unknown option " + name);
      }
    }
    if (!hasData) {
      throw new IllegalArgumentException("--data DIR is required");
    }
    return b;
  }

  private static int intArg(String name, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " takes a number, got " + value);
    }
  }
}
