package io.salvo.persistence.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Cassandra cluster of {@code n} {@link EmbeddedCassandra} nodes on one machine, node {@code i} (1-based) on
 * loopback address {@code 127.0.0.i} with data under {@code baseDirectory/node-i}. Every node uses the same CQL and
 * storage port on its own address (so the driver and gossip find them all from any one) and the same cluster name;
 * nodes 1 and 2 are the seeds. {@link #start()} starts the nodes one at a time (Cassandra lets only one node join at
 * once), {@link #stop()} stops them by pid in reverse order.
 *
 * <p>Linux routes all of 127.0.0.0/8 to the loopback interface, so 127.0.0.2 and 127.0.0.3 need no setup; macOS
 * needs {@code sudo ifconfig lo0 alias 127.0.0.2 up} (and .3). Not thread-safe; {@code start} and {@code stop} are
 * {@code synchronized} so that a shutdown hook may stop it.
 */
public final class EmbeddedCassandraCluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedCassandraCluster.class);
  /** Nodes 127.0.0.1 .. 127.0.0.9. */
  public static final int MAX_NODES = 9;
  private static final int SEEDS = 2;

  private final List<EmbeddedCassandra> nodes;
  private final int cqlPort;

  private EmbeddedCassandraCluster(List<EmbeddedCassandra> nodes, int cqlPort) {
    this.nodes = List.copyOf(nodes);
    this.cqlPort = cqlPort;
  }

  /** The address of node {@code i} (1-based): {@code 127.0.0.i}. */
  public static String nodeAddress(int i) {
    return "127.0.0." + i;
  }

  /**
   * An unstarted cluster of {@code count} nodes. {@code cqlPort} and {@code storagePort} are shared by all nodes;
   * 0 picks one that is free on every node's address. {@code customize} sets anything else on each node's builder
   * (heap, commitlog_sync, yaml overrides); the address, ports, directory and seeds are set here.
   */
  public static EmbeddedCassandraCluster create(Path baseDirectory, int count, int cqlPort, int storagePort,
      UnaryOperator<EmbeddedCassandra.Builder> customize) {
    if (count < 1 || count > MAX_NODES) {
      throw new IllegalArgumentException("a loopback Cassandra cluster has 1.." + MAX_NODES + " nodes, got " + count);
    }
    List<String> addresses = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      addresses.add(nodeAddress(i));
    }
    int cql = cqlPort == 0 ? freeOnAll(addresses, -1) : cqlPort;
    int storage = storagePort == 0 ? freeOnAll(addresses, cql) : storagePort;
    List<String> seeds = addresses.subList(0, Math.min(SEEDS, count)).stream().map(a -> a + ":" + storage).toList();
    List<EmbeddedCassandra> nodes = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      EmbeddedCassandra.Builder b = customize.apply(EmbeddedCassandra.builder())
          .dataDirectory(baseDirectory.resolve("node-" + i))
          .listenAddress(nodeAddress(i))
          .cqlPort(cql)
          .storagePort(storage);
      nodes.add((count > 1 ? b.seeds(seeds) : b).build());
    }
    return new EmbeddedCassandraCluster(nodes, cql);
  }

  /** Starts every node that is not running, in order, each once the previous one accepts CQL clients. */
  public synchronized EmbeddedCassandraCluster start() {
    try {
      for (EmbeddedCassandra node : nodes) {
        if (!node.isRunning()) {
          node.start();
        }
      }
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
    log.info("Embedded Cassandra cluster of {} nodes ready: {}", nodes.size(), contactPoints());
    return this;
  }

  /** Stops every node by pid (SIGTERM, then SIGKILL after 30 s), last node first. Idempotent. */
  public synchronized void stop() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      try {
        nodes.get(i).stop();
      } catch (RuntimeException e) {
        log.warn("cannot stop Cassandra node {}: {}", i + 1, e.toString());
      }
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** Node {@code i}, 1-based (to stop, kill or restart one). */
  public EmbeddedCassandra node(int i) {
    return nodes.get(i - 1);
  }

  public int size() {
    return nodes.size();
  }

  /** The CQL port every node listens on. */
  public int cqlPort() {
    return cqlPort;
  }

  /** {@code 127.0.0.i:cqlPort} of every node, the form {@code salvo.persistence.cassandra.contact-points} takes. */
  public List<String> contactPoints() {
    return nodes.stream().map(n -> n.host() + ":" + cqlPort).toList();
  }

  private static int freeOnAll(List<String> addresses, int avoid) {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(addresses.get(0)))) {
        port = s.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException("no free port on " + addresses.get(0), e);
      }
      if (port != avoid && addresses.stream().allMatch(a -> isFree(a, port))) {
        return port;
      }
    }
    throw new IllegalStateException("no port free on all of " + addresses);
  }

  private static boolean isFree(String address, int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(address))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
