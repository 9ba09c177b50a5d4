package io.salvo.tests.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.client.consumer.ConsumeFromWhere;
import io.salvo.client.consumer.DefaultMQPushConsumer;
import io.salvo.client.consumer.listener.ConsumeConcurrentlyStatus;
import io.salvo.client.consumer.listener.MessageListenerConcurrently;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.core.error.ErrorCode;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Eventually;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A new group with CONSUME_FROM_TIMESTAMP starts at the first message stored at or after the given second. */
@ExtendWith(CassandraFixture.class)
class ConsumeFromTimestampTest {
  private static final String TOPIC = "TimestampTopic";

  @Test
  void aNewGroupStartsAtTheFirstMessageStoredAtOrAfterTheTimestamp(CassandraFixture.Cassandra cassandra)
      throws Exception {
    try (BrokerProcess broker = BrokerProcess.on(cassandra, "timestamp", Map.of()).start()) {
      DefaultMQProducer producer = broker.startProducer("TimestampProducer");
      LocalDateTime at;
      try {
        send(producer, "early", 60);
        Thread.sleep(1_500);
        at = LocalDateTime.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        while (LocalDateTime.now().isBefore(at.plusNanos(200_000_000))) {
          Thread.sleep(50);
        }
        send(producer, "late", 60);
      } finally {
        producer.shutdown();
      }

      Set<String> received = ConcurrentHashMap.newKeySet();
      DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("FromTimestamp");
      consumer.setNamesrvAddr(broker.address());
      consumer.subscribe(TOPIC, "*");
      consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_TIMESTAMP);
      consumer.setConsumeTimestamp(at.format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss")));
      consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
        for (MessageExt m : msgs) {
          received.add(new String(m.getBody(), StandardCharsets.UTF_8));
        }
        return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
      });
      consumer.start();
      try {
        Eventually.within(Duration.ofSeconds(60), () -> {
          if (received.size() < 60) {
            throw new AssertionError("received " + received.size() + " of 60");
          }
          return null;
        });
        Thread.sleep(2_000); // anything from before the timestamp would have come first
      } finally {
        consumer.shutdown();
      }
      assertEquals(60, received.size(), "received " + new TreeSet<>(received));
      assertTrue(received.stream().allMatch(b -> b.startsWith("late")), "received " + new TreeSet<>(received));

      DefaultMQPushConsumer bad = new DefaultMQPushConsumer("BadTimestamp");
      bad.setNamesrvAddr(broker.address());
      bad.subscribe(TOPIC, "*");
      bad.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_TIMESTAMP);
      bad.setConsumeTimestamp("2026-11-25 10:00");
      bad.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> ConsumeConcurrentlyStatus.CONSUME_SUCCESS);
      MQClientException e = assertThrows(MQClientException.class, bad::start);
      assertEquals(ErrorCode.BAD_REQUEST, e.errorCode());
      assertTrue(e.getMessage().contains("'2026-11-25 10:00' is not a local time in the form yyyyMMddHHmmss"),
          e.getMessage());
    }
  }

  private static void send(DefaultMQProducer producer, String prefix, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      producer.send(new Message(TOPIC, "T", (prefix + "-" + i).getBytes(StandardCharsets.UTF_8)));
    }
  }
}
