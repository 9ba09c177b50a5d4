package io.salvo.tests.offsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.client.message.Message;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.client.producer.SendResult;
import io.salvo.tests.harness.AdminHttp;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Ports;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Offsets are consecutive from 0 in every queue, across a broker restart; group commit batches writes. */
@ExtendWith(CassandraFixture.class)
class QueueOffsetsTest {

  @Test
  void offsetsAreConsecutiveFromZeroPerQueueAcrossRestarts(CassandraFixture.Cassandra cassandra) throws Exception {
    int port = Ports.free();
    Map<Integer, List<Long>> offsets = new TreeMap<>();
    BrokerProcess broker = BrokerProcess.on(cassandra, "offsets-1", port, Map.of()).start();
    try {
      HttpResponse<String> created = AdminHttp.post(broker.managementUrl() + "/topics", "{\"name\":\"Offsets\",\"queues\":3}");
      assertEquals(201, created.statusCode(), created.body());
      HttpResponse<String> again = AdminHttp.post(broker.managementUrl() + "/topics", "{\"name\":\"Offsets\",\"queues\":3}");
      assertEquals(409, again.statusCode(), again.body());
      assertTrue(again.body().contains("TOPIC_EXISTS"), again.body());
      sendSync(broker.address(), 60, offsets);
    } finally {
      broker.stop();
    }
    BrokerProcess restarted = BrokerProcess.on(cassandra, "offsets-2", port, Map.of()).start();
    try {
      sendSync(restarted.address(), 60, offsets);
    } finally {
      restarted.stop();
    }
    assertEquals(3, offsets.size(), "queues used: " + offsets.keySet());
    for (Map.Entry<Integer, List<Long>> q : offsets.entrySet()) {
      List<Long> sorted = new ArrayList<>(q.getValue());
      sorted.sort(null);
      for (int i = 0; i < sorted.size(); i++) {
        assertEquals(i, sorted.get(i), "queue " + q.getKey() + " offsets " + sorted);
      }
    }
  }

  @Test
  void concurrentSendsShareJournalWrites(CassandraFixture.Cassandra cassandra) throws Exception {
    BrokerProcess broker = BrokerProcess.on(cassandra, "group-commit", Map.of()).start();
    DefaultMQProducer producer = new DefaultMQProducer("GroupCommitProducers");
    producer.setNamesrvAddr(broker.address());
    producer.setSendMsgTimeout(10_000); // a loaded CI machine must not turn this into a timing test
    producer.start();
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      producer.send(new Message("GroupCommit", "A", "warm".getBytes(StandardCharsets.UTF_8)));
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 32; t++) {
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 100; i++) {
            producer.send(new Message("GroupCommit", "A", new byte[1024]));
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      String stats = AdminHttp.get(broker.managementUrl() + "/stats").body();
      System.out.println("journal stats after 3,201 sends on 32 threads: " + stats);
      long writes = Long.parseLong(stats.replaceAll(".*\"journalWrites\":(\\d+).*", "$1"));
      long messages = Long.parseLong(stats.replaceAll(".*\"messages\":(\\d+).*", "$1"));
      assertEquals(3201, messages, stats);
      assertTrue(writes < messages, "every message took its own journal write: " + stats);
    } finally {
      pool.shutdownNow();
      producer.shutdown();
      broker.stop();
    }
  }

  private static void sendSync(String address, int count, Map<Integer, List<Long>> offsets) throws Exception {
    DefaultMQProducer producer = new DefaultMQProducer("OffsetProducers");
    producer.setNamesrvAddr(address);
    producer.setSendMsgTimeout(10_000);
    producer.start();
    try {
      for (int i = 0; i < count; i++) {
        SendResult r = producer.send(new Message("Offsets", "A", ("m" + i).getBytes(StandardCharsets.UTF_8)));
        offsets.computeIfAbsent(r.getMessageQueue().getQueueId(), k -> new ArrayList<>()).add(r.getQueueOffset());
      }
    } finally {
      producer.shutdown();
    }
  }
}
