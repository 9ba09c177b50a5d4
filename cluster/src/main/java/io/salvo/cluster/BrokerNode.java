package io.salvo.cluster;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.management.javadsl.AkkaManagement;
import akka.stream.alpakka.cassandra.javadsl.CassandraSessionRegistry;
import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import io.salvo.cluster.admin.AdminRoutes;
import io.salvo.cluster.delay.TimerBucketEntity;
import io.salvo.cluster.delay.TimerIndexEntity;
import io.salvo.cluster.delay.TimerWheel;
import io.salvo.cluster.delivery.QueueSource;
import io.salvo.cluster.group.ConsumerGroupEntity;
import io.salvo.cluster.group.GroupOffsets;
import io.salvo.cluster.query.MessageQueries;
import io.salvo.cluster.queue.Queues;
import io.salvo.cluster.retention.RetentionJob;
import io.salvo.cluster.grpc.MessagingServiceImpl;
import io.salvo.cluster.queue.QueueEntity;
import io.salvo.cluster.queue.WriteStats;
import io.salvo.cluster.topic.TopicEntity;
import io.salvo.cluster.topic.Topics;
import io.salvo.cluster.transaction.TransactionEntity;
import io.salvo.core.protocol.v1.MessagingServiceHandlerFactory;
import io.salvo.persistence.PersistenceSettings;
import io.salvo.persistence.cassandra.EmbeddedCassandra;
import io.salvo.persistence.index.MessageIndex;
import io.salvo.persistence.retention.JournalRetention;
import io.salvo.persistence.schema.CassandraSchema;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of a broker node: starts the embedded Cassandra when configured, creates the schema,
 * forms the cluster, initialises the sharded entities, and binds the client gRPC port and the management
 * port. It wires and owns nothing else. Shutdown (SIGTERM) runs Akka's CoordinatedShutdown, then stops the
 * embedded Cassandra.
 */
public final class BrokerNode {
  private static final Logger log = LoggerFactory.getLogger(BrokerNode.class);

  private final ActorSystem<Void> system;

  private BrokerNode(ActorSystem<Void> system) {
    this.system = system;
  }

  public static BrokerNode start(Config loaded) {
    Config config = loaded;
    long started = System.nanoTime();
    BrokerSettings settings = BrokerSettings.create(config);
    PersistenceSettings persistence = PersistenceSettings.create(config);
    log.info("Salvo {} starting: {}", version(), settings.describe());
    log.info("storage: {}", persistence.describe());
    ClusterFormation formation = ClusterFormation.from(config);
    config = formation.discoveryConfig().withFallback(config);
    log.info("cluster: {}", formation.describe());

    EmbeddedCassandra cassandra = null;
    if (persistence.embedded().enabled()) {
      cassandra = EmbeddedCassandra.fromSettings(persistence).start();
      List<String> contactPoints = List.of(cassandra.contactPoint());
      config = PersistenceSettings.contactPointsConfig(contactPoints).withFallback(config);
      persistence = persistence.withContactPoints(contactPoints);
      log.info("embedded Cassandra ready on {}:{} (pid {}, log {})", cassandra.host(), cassandra.cqlPort(),
          cassandra.pid(), cassandra.logFile());
    }
    ActorSystem<Void> system = null;
    try {
      CassandraSchema.create(persistence);
      system = ActorSystem.create(Behaviors.empty(), "salvo", config);
      if (cassandra != null) {
        ActorSystem<Void> s = system;
        EmbeddedCassandra c = cassandra;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopCassandraAfter(s, c), "salvo-stop-cassandra"));
      }
      BrokerNode node = new BrokerNode(system);
      node.run(settings, persistence, formation, started);
      return node;
    } catch (RuntimeException e) {
      log.error("start-up failed; stopping", e);
      if (system != null) {
        system.terminate();
      } else if (cassandra != null) {
        cassandra.stop();
      }
      throw e;
    }
  }

  private void run(BrokerSettings settings, PersistenceSettings persistence, ClusterFormation formation,
      long startedNanos) {
    Cluster cluster = Cluster.get(system);

    WriteStats writeStats = new WriteStats();
    // The journal plugin's own Cassandra session, shared by the message index and retention.
    CompletionStage<CqlSession> session =
        CassandraSessionRegistry.get(system).sessionFor("akka.persistence.cassandra").underlying();
    MessageIndex index = new MessageIndex(session, persistence.keyspace(), persistence.writeConsistency(),
        persistence.readConsistency());
    JournalRetention journalRetention = new JournalRetention(session, persistence.keyspace(),
        system.settings().config().getLong("akka.persistence.cassandra.journal.target-partition-size"),
        persistence.writeConsistency(), persistence.readConsistency());
    TopicEntity.init(system);
    QueueEntity.init(system, settings.queue(), new QueueEntity.Store(settings.advertisedAddress(), writeStats, index,
        journalRetention, settings.retention()));
    ConsumerGroupEntity.init(system, settings.sessionTimeout());
    TimerIndexEntity.init(system);
    TimerBucketEntity.init(system, settings.storeTimeout());
    TimerWheel.init(system, settings.timer());
    TransactionEntity.init(system, settings.transaction(), settings.storeTimeout());
    Topics topics = new Topics(system, settings);
    QueueSource queueSource = new QueueSource(system, settings.catchUpChunk(), settings.catchUpMaxBytes(),
        settings.deliveryMaxBatchBytes(), settings.queue().longPollTimeout());

    Queues queues = new Queues(system, settings.storeTimeout());
    MessageQueries messageQueries = new MessageQueries(topics, queues, queueSource, index);
    GroupOffsets groupOffsets = new GroupOffsets(system, topics, queues, queueSource, settings.storeTimeout());
    RetentionJob.init(system, topics, queues, queueSource, settings.retention());
    MessagingServiceImpl service = new MessagingServiceImpl(system, settings, topics, queueSource, messageQueries,
        groupOffsets);
    ServerBinding grpc = await(Http.get(system)
        .newServerAt(settings.grpcHost(), settings.grpcPort())
        .bind(MessagingServiceHandlerFactory.create(service, system)), "client gRPC port " + settings.grpcPort());
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "unbind-grpc",
        () -> grpc.unbind().thenApply(done -> akka.Done.getInstance()));

    Config management = system.settings().config().getConfig("akka.management.http");
    AdminRoutes admin = new AdminRoutes(system, settings, topics, writeStats, queueSource, queues, messageQueries,
        groupOffsets);
    // Bound on bind-hostname when set (0.0.0.0 in a container); hostname is how other nodes reach this one, and
    // Cluster Bootstrap finds this node's own entry among the contact points by it.
    String bindHost = management.getString("bind-hostname").isEmpty()
        ? management.getString("hostname") : management.getString("bind-hostname");
    ServerBinding managementBinding = await(Http.get(system)
        .newServerAt(bindHost, management.getInt("port"))
        .bind(admin.routes().orElse(AkkaManagement.get(Adapter.toClassic(system)).getRoutes())),
        "management port " + management.getInt("port"));
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "unbind-management",
        () -> managementBinding.unbind().thenApply(done -> akka.Done.getInstance()));

    formation.join(system);
    awaitUp(cluster, system.settings().config().getDuration("salvo.cluster.join-timeout"), formation);
    log.info("client gRPC on {}, management HTTP on {}", grpc.localAddress(), managementBinding.localAddress());
    log.info("Salvo node {} ready in {} ms", cluster.selfMember().address(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
  }

  private static void awaitUp(Cluster cluster, Duration limit, ClusterFormation formation) {
    long began = System.nanoTime();
    long deadline = began + limit.toNanos();
    long nextLog = began + TimeUnit.SECONDS.toNanos(10);
    while (cluster.selfMember().status() != MemberStatus.up()) {
      long now = System.nanoTime();
      if (now > deadline) {
        throw new IllegalStateException("this node did not become Up in the cluster within " + limit
            + "; status " + cluster.selfMember().status() + ". Joining by " + formation.describe()
            + " (salvo.cluster.join-timeout)");
      }
      if (now > nextLog) {
        log.info("still joining after {} s (status {}): {}", TimeUnit.NANOSECONDS.toSeconds(now - began),
            cluster.selfMember().status(), formation.describe());
        nextLog = now + TimeUnit.SECONDS.toNanos(10);
      }
      sleep(50);
    }
  }


  /** Runs in a JVM shutdown hook: waits for the actor system's CoordinatedShutdown, then stops Cassandra. */
  private static void stopCassandraAfter(ActorSystem<Void> system, EmbeddedCassandra cassandra) {
    try {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("actor system did not terminate cleanly: {}", e.toString());
    }
    log.info("broker stopped; stopping embedded Cassandra (pid {})", cassandra.pid());
    cassandra.stop();
    log.info("embedded Cassandra stopped");
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage, String what) {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not bind the " + what + ": " + e.getMessage(), e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static String version() {
    Properties p = new Properties();
    try (InputStream in = BrokerNode.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    return p.getProperty("version", "unknown");
  }
}
