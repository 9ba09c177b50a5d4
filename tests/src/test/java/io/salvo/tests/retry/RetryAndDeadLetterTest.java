package io.salvo.tests.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.salvo.client.consumer.DefaultMQPushConsumer;
import io.salvo.client.consumer.listener.ConsumeConcurrentlyStatus;
import io.salvo.client.consumer.listener.ConsumeOrderlyStatus;
import io.salvo.client.consumer.listener.MessageListenerConcurrently;
import io.salvo.client.consumer.listener.MessageListenerOrderly;
import io.salvo.client.internal.ClientSettings;
import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.client.producer.SendResult;
import io.salvo.tests.harness.AdminHttp;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Eventually;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 6, retries: a listener that fails one message every time sees it again through the group's retry topic after
 * RocketMQ's growing delays (10 s, then 30 s), with its reconsume count and its own topic, until after
 * maxReconsumeTimes it lands in the group's dead-letter topic; the admin API lists it there and sends it back to its
 * topic. An orderly listener retries in place up to the same count, then moves the message to the dead-letter topic
 * and goes on with the queue. A listener call that outruns the consume timeout has its message retried the same way.
 */
@ExtendWith(CassandraFixture.class)
class RetryAndDeadLetterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static BrokerProcess broker;
  private static DefaultMQProducer producer;

  /** One delivery of the failing message: when, and with which reconsume count and topic. */
  private record Attempt(long at, int reconsumeTimes, String topic) {}

  @BeforeAll
  static void start(CassandraFixture.Cassandra cassandra) throws Exception {
    broker = BrokerProcess.on(cassandra, "broker-retry", Map.of()).start();
    producer = broker.startProducer("RetryProducers");
  }

  @AfterAll
  static void stop() {
    producer.shutdown();
    broker.stop();
  }

  @Test
  void aMessageFailedEveryTimeIsRetriedWithGrowingDelaysThenDeadLetteredAndCanBeResent() throws Exception {
    String topic = "RetryTopic";
    String group = "RetryGroup";
    List<Attempt> attempts = new CopyOnWriteArrayList<>();
    Set<String> succeeded = ConcurrentHashMap.newKeySet();
    AtomicBoolean healed = new AtomicBoolean();
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
    consumer.setNamesrvAddr(broker.address());
    consumer.setMaxReconsumeTimes(2);
    consumer.subscribe(topic, "*");
    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
      for (MessageExt m : msgs) {
        String body = new String(m.getBody(), StandardCharsets.UTF_8);
        if (body.equals("poison") && !healed.get()) {
          attempts.add(new Attempt(System.currentTimeMillis(), m.getReconsumeTimes(), m.getTopic()));
          System.out.printf("attempt %d of %s: reconsumeTimes %d, topic %s%n", attempts.size(), m.getMsgId(),
              m.getReconsumeTimes(), m.getTopic());
          return ConsumeConcurrentlyStatus.RECONSUME_LATER;
        }
        succeeded.add(body + "/" + m.getReconsumeTimes() + "/" + m.getTopic());
      }
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    consumer.start();
    try {
      SendResult poison = producer.send(new Message(topic, "T", "poison".getBytes(StandardCharsets.UTF_8)));
      for (int i = 0; i < 5; i++) {
        producer.send(new Message(topic, "T", ("fine-" + i).getBytes(StandardCharsets.UTF_8)));
      }
      // First attempt, then 10 s (level 3), then 30 s (level 4); the third failure exceeds maxReconsumeTimes 2.
      Eventually.within(Duration.ofSeconds(90), () -> assertEquals(3, attempts.size(), "attempts"));
      JsonNode dlq = Eventually.within(Duration.ofSeconds(20), () -> {
        JsonNode listing = JSON.readTree(AdminHttp.get(broker.managementUrl() + "/groups/" + group + "/dlq").body());
        assertEquals(1, listing.path("messages").size(), listing.toString());
        return listing;
      });
      System.out.println("dead letters: " + dlq);
      for (int i = 0; i < attempts.size(); i++) {
        Attempt a = attempts.get(i);
        assertEquals(i, a.reconsumeTimes(), "reconsume count of attempt " + (i + 1));
        assertEquals(topic, a.topic(), "a retried message shows its own topic");
      }
      long firstGap = attempts.get(1).at() - attempts.get(0).at();
      long secondGap = attempts.get(2).at() - attempts.get(1).at();
      System.out.printf("retry delays: %d ms (level 3: 10 s), %d ms (level 4: 30 s)%n", firstGap, secondGap);
      assertTrue(firstGap >= 10_000 && firstGap < 13_000, "first retry after " + firstGap + " ms");
      assertTrue(secondGap >= 30_000 && secondGap < 33_000, "second retry after " + secondGap + " ms");
      for (int i = 0; i < 5; i++) {
        assertTrue(succeeded.contains("fine-" + i + "/0/" + topic), "fine-" + i + " consumed once, in place");
      }

      JsonNode letter = dlq.path("messages").get(0);
      assertEquals(poison.getMsgId(), letter.path("messageId").asText());
      assertEquals(topic, letter.path("topic").asText());
      assertEquals("poison", letter.path("body").asText());
      assertEquals(2, letter.path("reconsumeTimes").asInt());

      // Resend from the dead-letter topic: the message comes back on its topic, reconsume count reset.
      healed.set(true);
      HttpResponse<String> resent = AdminHttp.post(broker.managementUrl() + "/groups/" + group + "/dlq/resend",
          "{\"messageId\":\"" + poison.getMsgId() + "\"}");
      assertEquals(200, resent.statusCode(), resent.body());
      assertEquals(1, JSON.readTree(resent.body()).path("resent").asInt(), resent.body());
      Eventually.within(Duration.ofSeconds(30),
          () -> assertTrue(succeeded.contains("poison/0/" + topic), "resent message consumed: " + succeeded));
      HttpResponse<String> unknown = AdminHttp.post(broker.managementUrl() + "/groups/" + group + "/dlq/resend",
          "{\"messageId\":\"00000000000000000000000000000000\"}");
      assertEquals(400, unknown.statusCode(), unknown.body());
      assertEquals(400, AdminHttp.get(broker.managementUrl() + "/groups/" + group + "/dlq?limit=x").statusCode());
    } finally {
      consumer.shutdown();
    }
  }

  @Test
  void anOrderlyListenerRetriesInPlaceThenMovesTheMessageToTheDeadLetterTopic() throws Exception {
    String topic = "OrderlyRetryTopic";
    String group = "OrderlyRetryGroup";
    List<String> consumed = new CopyOnWriteArrayList<>();
    List<Integer> poisonAttempts = new CopyOnWriteArrayList<>();
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
    consumer.setNamesrvAddr(broker.address());
    consumer.setMaxReconsumeTimes(2);
    consumer.setSuspendCurrentQueueTimeMillis(200);
    consumer.subscribe(topic, "*");
    consumer.registerMessageListener((MessageListenerOrderly) (msgs, context) -> {
      for (MessageExt m : msgs) {
        String body = new String(m.getBody(), StandardCharsets.UTF_8);
        if (body.equals("step-2")) {
          poisonAttempts.add(m.getReconsumeTimes());
          return ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT;
        }
        consumed.add(body);
      }
      return ConsumeOrderlyStatus.SUCCESS;
    });
    consumer.start();
    try {
      for (int i = 0; i < 5; i++) {
        producer.send(new Message(topic, "T", ("step-" + i).getBytes(StandardCharsets.UTF_8)),
            (mqs, msg, arg) -> mqs.get(0), null);
      }
      Eventually.within(Duration.ofSeconds(60), () -> assertEquals(List.of("step-0", "step-1", "step-3", "step-4"),
          consumed, "the queue goes on after the message moved to the dead-letter topic"));
      assertEquals(List.of(0, 1, 2), poisonAttempts, "attempts in place, with their reconsume counts");
      JsonNode listing = JSON.readTree(AdminHttp.get(broker.managementUrl() + "/groups/" + group + "/dlq").body());
      assertEquals(1, listing.path("messages").size(), listing.toString());
      assertEquals("step-2", listing.path("messages").get(0).path("body").asText());
      assertEquals(0, listing.path("messages").get(0).path("queueId").asInt());
    } finally {
      consumer.shutdown();
    }
  }

  @Test
  void aListenerCallLongerThanTheConsumeTimeoutHasItsMessagesRetried() throws Exception {
    String topic = "SlowTopic";
    ClientSettings settings = ClientSettings.create(ConfigFactory.parseString(
        "salvo.client.consumer.consume-timeout = 2s").withFallback(ConfigFactory.load()));
    List<Attempt> attempts = new CopyOnWriteArrayList<>();
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("SlowGroup", settings);
    consumer.setNamesrvAddr(broker.address());
    consumer.subscribe(topic, "*");
    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
      MessageExt m = msgs.get(0);
      attempts.add(new Attempt(System.currentTimeMillis(), m.getReconsumeTimes(), m.getTopic()));
      if (m.getReconsumeTimes() == 0) {
        try {
          Thread.sleep(5_000); // beyond the 2 s consume timeout; this call's answer comes too late to count
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    consumer.start();
    try {
      producer.send(new Message(topic, "T", "slow".getBytes(StandardCharsets.UTF_8)));
      Eventually.within(Duration.ofSeconds(40), () -> assertEquals(2, attempts.size(), "attempts"));
      long gap = attempts.get(1).at() - attempts.get(0).at();
      System.out.printf("consume timeout: retried after %d ms (2 s timeout + 10 s retry delay), reconsumeTimes %d%n",
          gap, attempts.get(1).reconsumeTimes());
      assertEquals(1, attempts.get(1).reconsumeTimes());
      assertTrue(gap >= 11_500 && gap < 16_000, "retried after " + gap + " ms");
      Thread.sleep(3_000);
      assertEquals(2, attempts.size(), "the retried message is consumed once more, no further");
    } finally {
      consumer.shutdown();
    }
  }
}
