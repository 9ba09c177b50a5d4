package io.salvo.tests.harness;

import io.salvo.persistence.cassandra.EmbeddedCassandra;
import io.salvo.persistence.cassandra.EmbeddedCassandraCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests a real Cassandra: one embedded Cassandra child JVM per test JVM, started on
 * first use (never from a static initializer) on free loopback ports and stopped by PID when the test JVM's
 * root context closes. Each test class gets its own keyspace, so classes never see each other's data.
 * Inject {@link Cassandra} as a parameter of a test or lifecycle method.
 */
public final class CassandraFixture implements ParameterResolver {

  /** The shared Cassandra as one test class sees it. */
  public record Cassandra(EmbeddedCassandra server, String keyspace) {
    public int cqlPort() {
      return server.cqlPort();
    }
  }

  private static final class Shared implements ExtensionContext.Store.CloseableResource {
    final EmbeddedCassandra server;

    Shared(EmbeddedCassandra server) {
      this.server = server;
    }

    @Override
    public void close() {
      server.stop();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Cassandra.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Shared shared = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent("salvo-cassandra", key -> new Shared(startFresh(Path.of("target", "cassandra", "shared"))),
            Shared.class);
    String keyspace = "t_" + context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT);
    return new Cassandra(shared.server, keyspace.length() > 48 ? keyspace.substring(0, 48) : keyspace);
  }

  /** A Cassandra of a test's own, in a fresh directory, for tests that stop or kill it. Caller stops it. */
  public static EmbeddedCassandra startFresh(Path directory) {
    deleteRecursively(directory.toAbsolutePath());
    return EmbeddedCassandra.builder()
        .dataDirectory(directory.toAbsolutePath())
        .cqlPort(0)
        .storagePort(0)
        .build()
        .start();
  }

  /**
   * A loopback Cassandra cluster of the test's own ({@code nodes} nodes on 127.0.0.1..n, shared free ports, 512 MiB
   * heap each) in a fresh directory, started node after node. Caller stops it (by pid, {@code close()}).
   */
  public static EmbeddedCassandraCluster startFreshCluster(Path directory, int nodes) {
    deleteRecursively(directory.toAbsolutePath());
    return EmbeddedCassandraCluster.create(directory.toAbsolutePath(), nodes, 0, 0, b -> b.heap("512M")).start();
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
