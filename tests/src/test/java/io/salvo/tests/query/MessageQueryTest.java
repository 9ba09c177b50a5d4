package io.salvo.tests.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.salvo.client.QueryResult;
import io.salvo.client.admin.DefaultMQAdminExt;
import io.salvo.client.consumer.ConsumeFromWhere;
import io.salvo.client.consumer.DefaultMQPushConsumer;
import io.salvo.client.consumer.listener.ConsumeConcurrentlyStatus;
import io.salvo.client.consumer.listener.MessageListenerConcurrently;
import io.salvo.client.exception.SalvoClientException;
import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;
import io.salvo.client.message.MessageQueue;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.client.producer.SendResult;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.model.MessageId;
import io.salvo.tests.harness.AdminHttp;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Eventually;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 7, query and offsets: on a topic of many messages (20,000 in CI; {@code -Dsalvo.query.messages=1000000} for the
 * acceptance run), messages are found by id and by key through the index and by store time through each queue's
 * journal, each lookup timed; wrong ids and topics get specific errors; and resetting a group's offsets to a time
 * makes it consume again from the first message stored at or after it.
 */
@ExtendWith(CassandraFixture.class)
class MessageQueryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MESSAGES = Integer.getInteger("salvo.query.messages", 20_000);
  private static final int BATCH = 100;
  private static final int QUEUES = 4;

  private static BrokerProcess broker;
  private static DefaultMQProducer producer;
  private static DefaultMQAdminExt admin;

  /** A message the test sent: where the broker said it is. */
  private record Sent(String id, String key, String body, int queueId, long offset) {}

  @BeforeAll
  static void start(CassandraFixture.Cassandra cassandra) throws Exception {
    broker = BrokerProcess.on(cassandra, "broker-query", Map.of()).start();
    producer = broker.startProducer("QueryProducers");
    admin = new DefaultMQAdminExt();
    admin.setNamesrvAddr(broker.address());
    admin.start();
  }

  @AfterAll
  static void stop() {
    admin.shutdown();
    producer.shutdown();
    broker.stop();
  }

  @Test
  void messagesAreFoundByIdKeyAndTimeOnALargeTopic() throws Exception {
    String topic = "QueryTopic";
    assertEquals(201, AdminHttp.post(broker.managementUrl() + "/topics",
        "{\"name\":\"" + topic + "\",\"queues\":" + QUEUES + "}").statusCode());
    // Every message has key "order-<i/2>": two messages per key.
    long sendStart = System.nanoTime();
    List<Sent> sent = sendNumbered(topic, 0, MESSAGES);
    double seconds = (System.nanoTime() - sendStart) / 1e9;
    System.out.printf("sent %,d messages with keys to %s in %.1f s (%,.0f msg/s)%n", MESSAGES, topic, seconds,
        MESSAGES / seconds);

    // A last, separate burst stored after a known instant: the time query must return exactly it.
    Thread.sleep(1100);
    long burstBegin = System.currentTimeMillis();
    Thread.sleep(20);
    List<Sent> burst = sendNumbered(topic, MESSAGES, 200);
    Thread.sleep(20);
    long burstEnd = System.currentTimeMillis();

    // By id: a sample from the whole topic, each lookup timed.
    Random random = new Random(7);
    List<Long> idMicros = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Sent s = sent.get(random.nextInt(sent.size()));
      long t0 = System.nanoTime();
      MessageExt found = admin.viewMessage(topic, s.id());
      idMicros.add((System.nanoTime() - t0) / 1000);
      assertEquals(s.id(), found.getMsgId());
      assertEquals(s.body(), new String(found.getBody(), StandardCharsets.UTF_8));
      assertEquals(s.queueId(), found.getQueueId(), "queue of " + s.id());
      assertEquals(s.offset(), found.getQueueOffset(), "offset of " + s.id());
      assertEquals(s.key(), found.getKeys());
      assertTrue(found.getStoreTimestamp() > 0);
    }
    printTimes("by id", idMicros);

    // By key: both messages of the key, newest first, and nothing else.
    List<Long> keyMicros = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      int k = random.nextInt(MESSAGES / 2);
      long t0 = System.nanoTime();
      QueryResult result = admin.queryMessage(topic, "order-" + k, 32, 0, System.currentTimeMillis());
      keyMicros.add((System.nanoTime() - t0) / 1000);
      Set<String> bodies = new HashSet<>();
      for (MessageExt m : result.getMessageList()) {
        bodies.add(new String(m.getBody(), StandardCharsets.UTF_8));
      }
      assertEquals(Set.of("message-" + (2 * k), "message-" + (2 * k + 1)), bodies, "messages with key order-" + k);
      assertTrue(result.getMessageList().get(0).getStoreTimestamp() >= result.getMessageList().get(1).getStoreTimestamp(),
          "newest first");
    }
    printTimes("by key", keyMicros);

    // By time: exactly the burst, oldest first.
    long t0 = System.nanoTime();
    List<MessageExt> inRange = admin.queryMessageByTime(topic, burstBegin, burstEnd, 1000);
    long timeMicros = (System.nanoTime() - t0) / 1000;
    System.out.printf("lookup by time [%d, %d] on %,d messages: %,d messages in %.1f ms%n", burstBegin, burstEnd,
        MESSAGES + burst.size(), inRange.size(), timeMicros / 1000.0);
    Set<String> expected = new HashSet<>();
    burst.forEach(s -> expected.add(s.id()));
    Set<String> got = new HashSet<>();
    for (int i = 0; i < inRange.size(); i++) {
      got.add(inRange.get(i).getMsgId());
      if (i > 0) {
        assertTrue(inRange.get(i - 1).getStoreTimestamp() <= inRange.get(i).getStoreTimestamp(), "oldest first");
      }
    }
    assertEquals(expected, got, "messages stored in the time range");

    // The admin HTTP routes answer the same.
    Sent one = sent.get(sent.size() / 3);
    JsonNode byId = JSON.readTree(AdminHttp.get(broker.managementUrl() + "/topics/" + topic + "/messages/" + one.id()).body());
    System.out.println("GET /topics/" + topic + "/messages/" + one.id() + " -> " + byId);
    assertEquals(one.offset(), byId.get(0).path("queueOffset").asLong());
    assertEquals(one.body(), byId.get(0).path("body").asText());
    JsonNode byKey = JSON.readTree(AdminHttp.get(broker.managementUrl() + "/topics/" + topic + "/messages?key="
        + one.key()).body());
    assertEquals(2, byKey.size(), byKey.toString());

    // Wrong ids and topics: specific errors.
    SalvoClientException missing = assertThrows(SalvoClientException.class,
        () -> admin.viewMessage(topic, MessageId.next()));
    assertEquals(ErrorCode.MESSAGE_NOT_FOUND, missing.errorCode(), missing.getMessage());
    SalvoClientException noTopic = assertThrows(SalvoClientException.class,
        () -> admin.viewMessage("NoSuchTopic", one.id()));
    assertEquals(ErrorCode.TOPIC_NOT_FOUND, noTopic.errorCode(), noTopic.getMessage());
    HttpResponse<String> notFound = AdminHttp.get(broker.managementUrl() + "/topics/" + topic + "/messages/" + MessageId.next());
    assertEquals(404, notFound.statusCode(), notFound.body());
    HttpResponse<String> badRange = AdminHttp.get(broker.managementUrl() + "/topics/" + topic + "/messages?begin=10&end=5");
    assertEquals(400, badRange.statusCode(), badRange.body());
  }

  @Test
  void resettingAGroupToATimeReconsumesFromTheFirstMessageStoredAtOrAfterIt() throws Exception {
    String topic = "ResetTopic";
    String group = "ResetGroup";
    assertEquals(201, AdminHttp.post(broker.managementUrl() + "/topics", "{\"name\":\"" + topic + "\",\"queues\":2}")
        .statusCode());
    List<Sent> before = sendNumbered(topic, 0, 300);
    Thread.sleep(1100);
    long resetTo = System.currentTimeMillis();
    Thread.sleep(20);
    List<Sent> after = sendNumbered(topic, 300, 300);

    Map<String, Integer> deliveries = new ConcurrentHashMap<>();
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
    consumer.setNamesrvAddr(broker.address());
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.subscribe(topic, "*");
    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
      for (MessageExt m : msgs) {
        deliveries.merge(m.getMsgId(), 1, Integer::sum);
        order.add(m.getMsgId());
      }
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    consumer.start();
    try {
      Eventually.within(Duration.ofSeconds(60), () -> assertEquals(600, deliveries.size(), "consumed before the reset"));
      // Let the consumer commit everything before the reset.
      Eventually.within(Duration.ofSeconds(30), () -> {
        JsonNode lag = JSON.readTree(AdminHttp.get(broker.managementUrl() + "/groups/" + group + "/lag").body());
        assertEquals(0, lag.path("totalLag").asLong(), lag.toString());
        return lag;
      });
      int deliveredBefore = order.size();
      Map<MessageQueue, Long> offsets = admin.resetOffsetByTimestamp(topic, group, resetTo, true);
      System.out.println("reset " + group + " on " + topic + " to " + resetTo + ": " + offsets);
      // Each queue's new offset is the offset of its first message sent after the reset time.
      for (Map.Entry<MessageQueue, Long> e : offsets.entrySet()) {
        long firstAfter = after.stream().filter(s -> s.queueId() == e.getKey().getQueueId())
            .mapToLong(Sent::offset).min().orElseThrow();
        assertEquals(firstAfter, e.getValue(), "offset of " + e.getKey());
      }
      // The running consumer gets its queues back at the new offsets and consumes the later messages again.
      Eventually.within(Duration.ofSeconds(60), () -> {
        for (Sent s : after) {
          assertEquals(2, deliveries.get(s.id()), "deliveries of a message stored after the reset time");
        }
      });
      Thread.sleep(2000);
      List<String> again = new ArrayList<>(order.subList(deliveredBefore, order.size()));
      Set<String> beforeIds = new HashSet<>();
      before.forEach(s -> beforeIds.add(s.id()));
      long olderAgain = again.stream().filter(beforeIds::contains).count();
      System.out.printf("after the reset: %d deliveries, %d of messages stored after the time, %d of older ones%n",
          again.size(), again.size() - olderAgain, olderAgain);
      assertEquals(0, olderAgain, "messages stored before the reset time are not consumed again");
      assertEquals(after.size(), again.size(), "each later message consumed once more");
    } finally {
      consumer.shutdown();
    }
    HttpResponse<String> badGroup = AdminHttp.post(broker.managementUrl() + "/groups/bad%20group/reset-offset",
        "{\"topic\":\"" + topic + "\",\"timestamp\":0}");
    assertEquals(400, badGroup.statusCode(), badGroup.body());
  }

  /** Sends messages "message-<i>" with key "order-<i/2>" for i in [from, from + count), in batches from 8 threads. */
  private static List<Sent> sendNumbered(String topic, int from, int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<List<Sent>>> batches = new ArrayList<>();
      for (int start = from; start < from + count; start += BATCH) {
        int first = start;
        int n = Math.min(BATCH, from + count - start);
        batches.add(pool.submit(() -> {
          List<Message> batch = new ArrayList<>(n);
          for (int i = first; i < first + n; i++) {
            Message m = new Message(topic, "TagQ", ("message-" + i).getBytes(StandardCharsets.UTF_8));
            m.setKeys("order-" + (i / 2));
            batch.add(m);
          }
          SendResult result = producer.send(batch);
          List<Sent> out = new ArrayList<>(n);
          for (int j = 0; j < n; j++) {
            int i = first + j;
            out.add(new Sent(result.getMsgIds().get(j), "order-" + (i / 2), "message-" + i,
                result.getMessageQueue().getQueueId(), result.getQueueOffset() + j));
          }
          return out;
        }));
      }
      List<Sent> all = new ArrayList<>(count);
      for (Future<List<Sent>> f : batches) {
        all.addAll(f.get(5, TimeUnit.MINUTES));
      }
      return all;
    } finally {
      pool.shutdown();
    }
  }

  private static void printTimes(String what, List<Long> micros) {
    List<Long> sorted = new ArrayList<>(micros);
    Collections.sort(sorted);
    System.out.printf("lookup %s on %,d messages: %d lookups, median %.1f ms, p90 %.1f ms, max %.1f ms%n", what,
        MESSAGES, sorted.size(), sorted.get(sorted.size() / 2) / 1000.0, sorted.get(sorted.size() * 9 / 10) / 1000.0,
        sorted.get(sorted.size() - 1) / 1000.0);
  }
}
