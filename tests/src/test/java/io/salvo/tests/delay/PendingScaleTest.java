package io.salvo.tests.delay;

import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.stream.javadsl.Source;
import io.salvo.client.internal.ClientRuntime;
import io.salvo.client.javadsl.ProducerSettings;
import io.salvo.client.javadsl.SalvoProducer;
import io.salvo.client.message.Message;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Ports;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 6, timer scale: a broker holding 1,000,000 pending scheduled messages starts as fast, and with as small a heap,
 * as one holding none. The timer's state is bucketed by delivery second in the journal; a start loads only the
 * timer's cursor, and a bucket is read only when its second comes. Prints start-up time and live heap after start for
 * both; asserts that neither grows with the pending messages (within generous bounds: this host is shared).
 *
 * <p>Minutes of filling, so not part of {@code ./mvnw verify}: run with
 * {@code ./mvnw -B -pl tests -am verify -Dtest=PendingScaleTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dsalvo.scale=true} ({@code -Dsalvo.scale.pending=N} for another count).
 */
@ExtendWith(CassandraFixture.class)
@EnabledIfSystemProperty(named = "salvo.scale", matches = "true")
class PendingScaleTest {
  private static final String TOPIC = "ScheduledScale";
  private static final int PENDING = Integer.getInteger("salvo.scale.pending", 1_000_000);

  private record Start(long millis, long liveHeapBytes) {
    @Override
    public String toString() {
      return String.format("start-up %,d ms, live heap after start %,.1f MiB", millis, liveHeapBytes / 1048576.0);
    }
  }

  @Test
  void millionPendingScheduledMessagesDoNotSlowStartUpOrGrowTheHeap(CassandraFixture.Cassandra cassandra)
      throws Exception {
    int port = Ports.free();
    Start empty = restart(cassandra, port, "scale-empty");
    System.out.println("with no pending scheduled message:   " + empty);

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "scale-test", ClientRuntime.config());
    try (BrokerProcess broker = BrokerProcess.on(cassandra, "scale-fill", port, Map.of()).start()) {
      long fillStart = System.nanoTime();
      long base = System.currentTimeMillis() + Duration.ofHours(2).toMillis();
      long spread = Duration.ofHours(1).toMillis();
      Source.range(0, PENDING - 1)
          .map(i -> {
            Message m = new Message(TOPIC, "later", ("scheduled-" + i).getBytes(StandardCharsets.UTF_8));
            // Delivery times grow with the send order (as with a fixed delay), spread over one hour.
            m.setDeliverTimeMs(base + i * spread / PENDING);
            return m;
          })
          .runWith(SalvoProducer.sink(ProducerSettings.create(system.settings().config(), "ScaleProducer")
              .withNamesrvAddr(broker.address()).withSendTimeout(Duration.ofSeconds(20)).withParallelism(512)), system)
          .toCompletableFuture().get(60, TimeUnit.MINUTES);
      double seconds = (System.nanoTime() - fillStart) / 1e9;
      System.out.printf("scheduled %,d messages due in 2-3 h in %.0f s (%,.0f msg/s)%n", PENDING, seconds,
          PENDING / seconds);
      System.out.println("filling broker heap: " + liveHeap(broker) / 1048576 + " MiB live");
    } finally {
      system.terminate();
    }

    Start full = restart(cassandra, port, "scale-full");
    System.out.println("with " + PENDING + " pending scheduled messages: " + full);
    assertTrue(full.millis() < empty.millis() * 2 + 10_000, "start-up grew with pending messages: " + full + " vs " + empty);
    assertTrue(full.liveHeapBytes() < empty.liveHeapBytes() + 64L * 1024 * 1024,
        "live heap grew with pending messages: " + full + " vs " + empty);
  }

  /** Starts a broker on the keyspace, measures its start and live heap, and stops it. */
  private static Start restart(CassandraFixture.Cassandra cassandra, int port, String name) throws Exception {
    long start = System.nanoTime();
    try (BrokerProcess broker = BrokerProcess.on(cassandra, name, port, Map.of()).start()) {
      long millis = (System.nanoTime() - start) / 1_000_000;
      Thread.sleep(5_000); // let the timer take its first steps
      return new Start(millis, liveHeap(broker));
    }
  }

  private static long liveHeap(BrokerProcess broker) throws Exception {
    return broker.heapAfterFullGc().path("usedAfterLastGcBytes").asLong();
  }
}
