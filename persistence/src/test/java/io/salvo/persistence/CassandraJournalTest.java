package io.salvo.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.salvo.persistence.cassandra.EmbeddedCassandra;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import io.salvo.persistence.events.SalvoEvent;
import io.salvo.persistence.events.SalvoEventSerializer;
import io.salvo.persistence.retention.JournalRetention;
import io.salvo.persistence.schema.CassandraSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal as the broker uses it, with this module's reference.conf: akka-persistence-cassandra writes
 * through {@link SalvoEventSerializer} into the schema of {@link CassandraSchema}, replays, and recovers after
 * Cassandra was killed and restarted.
 */
class CassandraJournalTest {

  @Test
  @Timeout(300)
  void persistsReplaysAndRecoversAfterCassandraRestart(@TempDir Path dir) throws Exception {
    EmbeddedCassandra cassandra = EmbeddedCassandra.builder()
        .dataDirectory(dir.resolve("cassandra")).cqlPort(0).storagePort(0).heap("512M")
        .startTimeout(Duration.ofSeconds(120)).build();
    ActorSystem<Void> system = null;
    try {
      cassandra.start();
      Config config = ConfigFactory.load(ConfigFactory.parseString(
          "salvo.persistence.cassandra.contact-points = [\"" + cassandra.contactPoint() + "\"]"));
      PersistenceSettings settings = PersistenceSettings.create(config);
      CassandraSchema.create(settings);
      system = ActorSystem.create(Behaviors.empty(), "journal-test", config);

      String pid = "queue-test#" + UUID.randomUUID();
      Watched writer = Watched.spawn(system, pid, "writer");
      for (int i = 0; i < 3; i++) {
        assertEquals(i + 1L, append(system, writer, "m" + i, Duration.ofSeconds(20)));
      }
      writer.ref().tell(new Stop());
      writer.terminated().get(10, TimeUnit.SECONDS);

      Watched replayed = Watched.spawn(system, pid, "replayed");
      List<String> ids = AskPattern.<Command, List<String>>ask(replayed.ref(), Read::new, Duration.ofSeconds(20),
          system.scheduler()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(List.of("m0", "m1", "m2"), ids);
      replayed.ref().tell(new Stop());
      assertStoredWithSalvoSerializer(cassandra, settings.keyspace(), pid);
      retentionDeletesWholeRanges(cassandra, settings.keyspace());

      // Cassandra dies under a recovered entity: its next write fails within a few seconds (driver request
      // timeout 5 s, journal breaker call-timeout 5 s) and the entity stops.
      Watched during = Watched.spawn(system, pid, "during");
      AskPattern.<Command, List<String>>ask(during.ref(), Read::new, Duration.ofSeconds(20), system.scheduler())
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      cassandra.kill();
      long failStart = System.nanoTime();
      ActorSystem<Void> sys = system;
      assertThrows(IllegalStateException.class, () -> append(sys, during, "lost", Duration.ofSeconds(20)));
      long failedAfter = Duration.ofNanos(System.nanoTime() - failStart).toMillis();
      System.out.println("write with Cassandra down failed after " + failedAfter + " ms");
      assertTrue(failedAfter < 12_000, "write with Cassandra down took " + failedAfter + " ms to fail");

      // Cassandra returns on the same port: a new entity recovers and writes again soon after.
      cassandra.start();
      long back = System.nanoTime();
      long deadline = back + Duration.ofSeconds(60).toNanos();
      int attempt = 0;
      while (true) {
        Watched after = Watched.spawn(system, pid, "after-" + attempt++);
        try {
          long count = append(system, after, "m3", Duration.ofSeconds(10));
          assertEquals(4, count, "m0..m2 and m3; the failed write left nothing");
          break;
        } catch (IllegalStateException | TimeoutException | ExecutionException e) {
          if (System.nanoTime() > deadline) {
            fail("no successful write within 60 s after Cassandra came back; last error: " + e);
          }
          Thread.sleep(200);
        }
      }
      System.out.println("first successful write " + Duration.ofNanos(System.nanoTime() - back).toMillis()
          + " ms after Cassandra was ready again (" + attempt + " attempts)");
    } finally {
      if (system != null) {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      cassandra.stop();
    }
  }

  /** Appends through the watched entity; IllegalStateException if the entity stopped (journal failure) instead. */
  private static long append(ActorSystem<Void> system, Watched log, String id, Duration timeout)
      throws Exception {
    MessageAppended event = new MessageAppended(id, "TagA", List.of("k"), Map.of("p", "v"), new byte[1024],
        System.currentTimeMillis(), "127.0.0.1", System.currentTimeMillis(), 0);
    CompletionStage<Long> reply =
        AskPattern.ask(log.ref(), replyTo -> new Append(event, replyTo), timeout, system.scheduler());
    Object first = CompletableFuture.anyOf(reply.toCompletableFuture(), log.terminated())
        .get(timeout.toMillis() + 2000, TimeUnit.MILLISECONDS);
    if (first instanceof Long count) {
      return count;
    }
    throw new IllegalStateException("entity " + log.ref().path().name() + " stopped (journal failure)");
  }

  /**
   * JournalRetention on a journal of 3 events per partition (rows written directly: 10 events, partitions 0..3):
   * deleting up to 7 drops partitions 0 and 1 whole, range-deletes 6..7 in partition 2, records deleted_to; a second
   * delete below it changes nothing.
   */
  private static void retentionDeletesWholeRanges(EmbeddedCassandra cassandra, String keyspace) throws Exception {
    DriverConfigLoader loader = DriverConfigLoader.programmaticBuilder()
        .withStringList(DefaultDriverOption.CONTACT_POINTS, List.of(cassandra.contactPoint()))
        .withString(DefaultDriverOption.LOAD_BALANCING_LOCAL_DATACENTER, "datacenter1")
        .build();
    try (CqlSession session = CqlSession.builder().withConfigLoader(loader).build()) {
      String pid = "retention-test";
      for (long seq = 1; seq <= 10; seq++) {
        session.execute(SimpleStatement.newInstance("INSERT INTO " + keyspace + ".messages (persistence_id,"
            + " partition_nr, sequence_nr, timestamp, timebucket, writer_uuid, ser_id, ser_manifest, event_manifest,"
            + " event) VALUES (?, ?, ?, now(), '0', 'w', 1, '', '', 0x00)", pid, (seq - 1) / 3, seq));
      }
      JournalRetention retention = new JournalRetention(CompletableFuture.completedFuture(session), keyspace, 3,
          "ONE", "ONE");
      assertEquals(0L, retention.deletedTo(pid).toCompletableFuture().get(10, TimeUnit.SECONDS));
      JournalRetention.Deleted deleted = retention.deleteTo(pid, 7).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(new JournalRetention.Deleted(1, 7, 2, 2), deleted, "partitions 0, 1 dropped; 2 and 3 range-deleted");
      assertEquals(7L, retention.deletedTo(pid).toCompletableFuture().get(10, TimeUnit.SECONDS));
      List<Long> left = new ArrayList<>();
      for (Row row : session.execute(SimpleStatement.newInstance("SELECT sequence_nr FROM " + keyspace + ".messages"
          + " WHERE persistence_id = ? AND partition_nr IN (0, 1, 2, 3)", pid))) {
        left.add(row.getLong("sequence_nr"));
      }
      assertEquals(List.of(8L, 9L, 10L), left);
      assertEquals(0, retention.deleteTo(pid, 5).toCompletableFuture().get(10, TimeUnit.SECONDS).events());
      assertEquals(7L, retention.deletedTo(pid).toCompletableFuture().get(10, TimeUnit.SECONDS));
    }
  }

  private static void assertStoredWithSalvoSerializer(EmbeddedCassandra cassandra, String keyspace, String pid) {
    DriverConfigLoader loader = DriverConfigLoader.programmaticBuilder()
        .withStringList(DefaultDriverOption.CONTACT_POINTS, List.of(cassandra.contactPoint()))
        .withString(DefaultDriverOption.LOAD_BALANCING_LOCAL_DATACENTER, "datacenter1")
        .withBoolean(DefaultDriverOption.RECONNECT_ON_INIT, false)
        .build();
    try (CqlSession session = CqlSession.builder().withConfigLoader(loader).build()) {
      List<Row> rows = session.execute("SELECT ser_id, ser_manifest FROM " + keyspace
          + ".messages WHERE persistence_id = ? AND partition_nr = 0", pid).all();
      assertEquals(3, rows.size());
      for (Row row : rows) {
        assertEquals(SalvoEventSerializer.IDENTIFIER, row.getInt("ser_id"));
        assertEquals(SalvoEventSerializer.MESSAGE_APPENDED, row.getString("ser_manifest"));
      }
      assertEquals(0, session.execute("SELECT * FROM " + keyspace + ".tag_views LIMIT 1").all().size(),
          "events-by-tag is off: nothing in tag_views");
      assertEquals(1, session.execute("SELECT * FROM " + keyspace
          + ".all_persistence_ids WHERE persistence_id = ?", pid).all().size());
    }
  }

  /** An entity under a parent that watches it, so that a test sees at once when a journal failure stops it. */
  record Watched(ActorRef<Command> ref, CompletableFuture<Object> terminated) {
    static Watched spawn(ActorSystem<Void> system, String pid, String name) throws Exception {
      CompletableFuture<ActorRef<Command>> ref = new CompletableFuture<>();
      CompletableFuture<Object> terminated = new CompletableFuture<>();
      system.systemActorOf(Behaviors.<Void>setup(ctx -> {
        ActorRef<Command> child = ctx.spawn(QueueLog.create(pid), "log");
        ctx.watch(child);
        ref.complete(child);
        return Behaviors.receive(Void.class)
            .onSignal(Terminated.class, t -> stopped(terminated))
            .build();
      }), "watch-" + name, Props.empty());
      return new Watched(ref.get(10, TimeUnit.SECONDS), terminated);
    }

    private static Behavior<Void> stopped(CompletableFuture<Object> terminated) {
      terminated.complete("terminated");
      return Behaviors.stopped();
    }
  }

  interface Command {}

  record Append(MessageAppended event, ActorRef<Long> replyTo) implements Command {}

  record Read(ActorRef<List<String>> replyTo) implements Command {}

  record Stop() implements Command {}

  /** A stand-in for the cluster module's queue entity: one journal event per message. */
  static final class QueueLog extends EventSourcedBehavior<Command, SalvoEvent, List<String>> {

    static Behavior<Command> create(String persistenceId) {
      return new QueueLog(persistenceId);
    }

    private QueueLog(String persistenceId) {
      super(PersistenceId.ofUniqueId(persistenceId));
    }

    @Override
    public List<String> emptyState() {
      return new ArrayList<>();
    }

    @Override
    public CommandHandler<Command, SalvoEvent, List<String>> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(Append.class, (state, cmd) -> Effect().persist(cmd.event())
              .thenReply(cmd.replyTo(), s -> (long) s.size()))
          .onCommand(Read.class, (state, cmd) -> Effect().reply(cmd.replyTo(), List.copyOf(state)))
          .onCommand(Stop.class, (state, cmd) -> Effect().stop())
          .build();
    }

    @Override
    public EventHandler<List<String>, SalvoEvent> eventHandler() {
      return newEventHandlerBuilder().forAnyState()
          .onEvent(MessageAppended.class, (state, event) -> {
            state.add(event.messageId());
            return state;
          })
          .build();
    }
  }
}
