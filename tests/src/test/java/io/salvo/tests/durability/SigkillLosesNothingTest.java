package io.salvo.tests.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.client.message.Message;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.client.producer.SendCallback;
import io.salvo.client.producer.SendResult;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Collector;
import io.salvo.tests.harness.Eventually;
import io.salvo.tests.harness.Ports;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sends with sync, async and batch producers on several threads while the broker JVM is SIGKILLed mid-run and
 * restarted on the same Cassandra; then a consumer reading from the first offset must receive every message
 * whose send was acknowledged.
 */
@ExtendWith(CassandraFixture.class)
class SigkillLosesNothingTest {
  private static final String TOPIC = "KillTest";
  private static final int TARGET_ACKED = 12_000;

  private final Set<String> acked = ConcurrentHashMap.newKeySet();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicBoolean running = new AtomicBoolean(true);

  @Test
  void everyAcknowledgedMessageSurvivesABrokerSigkill(CassandraFixture.Cassandra cassandra) throws Exception {
    int port = Ports.free();
    BrokerProcess broker = BrokerProcess.on(cassandra, "sigkill-1", port, Map.of()).start();
    DefaultMQProducer producer = new DefaultMQProducer("KillTestProducers");
    producer.setNamesrvAddr(broker.address());
    producer.setSendMsgTimeout(3000);
    producer.start();
    ExecutorService senders = Executors.newFixedThreadPool(7);
    BrokerProcess restarted = null;
    try {
      for (int t = 0; t < 4; t++) {
        senders.submit(() -> syncLoop(producer));
      }
      senders.submit(() -> asyncLoop(producer));
      for (int t = 0; t < 2; t++) {
        senders.submit(() -> batchLoop(producer));
      }

      Eventually.within(Duration.ofSeconds(120), () -> assertTrue(acked.size() >= TARGET_ACKED / 3, "acked " + acked.size()));
      long ackedBeforeKill = acked.size();
      broker.kill();
      System.out.printf("SIGKILLed broker pid %d after %d acknowledged sends%n", broker.pid(), ackedBeforeKill);
      restarted = BrokerProcess.on(cassandra, "sigkill-2", port, Map.of()).start();
      System.out.println("broker restarted on the same Cassandra");

      Eventually.within(Duration.ofSeconds(180), () -> assertTrue(acked.size() >= TARGET_ACKED, "acked " + acked.size()));
      running.set(false);
      senders.shutdown();
      assertTrue(senders.awaitTermination(60, TimeUnit.SECONDS), "senders did not stop");
      producer.shutdown();

      Set<String> expected = new HashSet<>(acked);
      try (Collector collector = Collector.start(restarted.address(), "KillTestVerifier", TOPIC)) {
        Eventually.within(Duration.ofSeconds(180), () -> {
          Set<String> missing = new HashSet<>(expected);
          missing.removeAll(collector.deliveries().keySet());
          assertTrue(missing.isEmpty(), missing.size() + " acknowledged messages not received yet");
        });
        long duplicates = collector.deliveries().values().stream().filter(n -> n > 1).count();
        System.out.printf("acknowledged %d, send failures %d, received %d distinct (%d deliveries), duplicates %d%n",
            expected.size(), failed.get(), collector.deliveries().size(), collector.totalDeliveries(), duplicates);
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(collector.deliveries().keySet());
        assertEquals(Set.of(), missing);
      }
    } finally {
      running.set(false);
      senders.shutdownNow();
      producer.shutdown();
      broker.kill();
      if (restarted != null) {
        restarted.stop();
      }
    }
  }

  private static Message message(String kind, int i) {
    return new Message(TOPIC, kind, (kind + "-" + i + "-" + "x".repeat(200)).getBytes(StandardCharsets.UTF_8));
  }

  private void syncLoop(DefaultMQProducer producer) {
    int i = 0;
    while (running.get()) {
      try {
        SendResult r = producer.send(message("sync", i++));
        acked.add(r.getMsgId());
      } catch (Exception e) {
        failed.incrementAndGet();
        pause();
      }
    }
  }

  private void asyncLoop(DefaultMQProducer producer) {
    Semaphore window = new Semaphore(64);
    int i = 0;
    while (running.get()) {
      try {
        if (!window.tryAcquire(1, TimeUnit.SECONDS)) {
          continue;
        }
        producer.send(message("async", i++), new SendCallback() {
          @Override
          public void onSuccess(SendResult result) {
            acked.add(result.getMsgId());
            window.release();
          }

          @Override
          public void onException(Throwable e) {
            failed.incrementAndGet();
            window.release();
          }
        });
      } catch (Exception e) {
        window.release();
        failed.incrementAndGet();
        pause();
      }
    }
  }

  private void batchLoop(DefaultMQProducer producer) {
    int i = 0;
    while (running.get()) {
      List<Message> batch = new ArrayList<>();
      for (int k = 0; k < 16; k++) {
        batch.add(message("batch", i++));
      }
      try {
        SendResult r = producer.send(batch);
        for (String id : r.getMsgId().split(",")) {
          acked.add(id);
        }
      } catch (Exception e) {
        failed.incrementAndGet();
        pause();
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
