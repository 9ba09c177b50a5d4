package io.salvo.cluster.admin;

import akka.actor.ActorSystem;
import akka.cluster.Cluster;
import akka.cluster.MemberStatus;
import akka.stream.alpakka.cassandra.javadsl.CassandraSession;
import akka.stream.alpakka.cassandra.javadsl.CassandraSessionRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Akka Management readiness check ({@code akka.management.health-checks.readiness-checks.salvo-node}, served at
 * {@code /ready}): true when this node is Up in the cluster and Cassandra answers a one-row query of
 * {@code system.local} through the journal plugin's own session within {@link #QUERY_TIMEOUT}. Akka Management
 * creates it with the actor system and calls it per request.
 */
public final class NodeReadyCheck implements Supplier<CompletionStage<Boolean>> {
  /** Bounded below Akka Management's check-timeout (3 s in management.conf) so a slow Cassandra reads as "not ready". */
  static final Duration QUERY_TIMEOUT = Duration.ofMillis(2500);

  private final Cluster cluster;
  private final CassandraSession session;

  public NodeReadyCheck(ActorSystem system) {
    this.cluster = Cluster.get(system);
    this.session = CassandraSessionRegistry.get(system).sessionFor("akka.persistence.cassandra");
  }

  @Override
  public CompletionStage<Boolean> get() {
    if (cluster.selfMember().status() != MemberStatus.up()) {
      return CompletableFuture.completedFuture(false);
    }
    return session.selectOne("SELECT release_version FROM system.local").toCompletableFuture()
        .thenApply(row -> row.isPresent())
        .completeOnTimeout(false, QUERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(e -> false);
  }
}
