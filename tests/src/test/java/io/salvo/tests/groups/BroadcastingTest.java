package io.salvo.tests.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.salvo.client.consumer.DefaultMQPushConsumer;
import io.salvo.client.consumer.MessageModel;
import io.salvo.client.consumer.listener.ConsumeConcurrentlyStatus;
import io.salvo.client.consumer.listener.MessageListenerConcurrently;
import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Eventually;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Broadcasting: three members of one group each get every message; a member restarted with the same instance name
 * resumes from its own offsets (it gets only what was sent while it was away and after).
 */
@ExtendWith(CassandraFixture.class)
class BroadcastingTest {
  private static final String TOPIC = "BroadcastTopic";
  private final Map<String, Set<String>> received = new ConcurrentHashMap<>();
  private final Map<String, Integer> deliveries = new ConcurrentHashMap<>();

  @Test
  void everyMemberGetsEveryMessageAndResumesFromItsOwnOffsets(CassandraFixture.Cassandra cassandra)
      throws Exception {
    try (BrokerProcess broker = BrokerProcess.on(cassandra, "broadcasting", Map.of()).start()) {
      DefaultMQProducer producer = broker.startProducer("BroadcastProducer");
      try {
        DefaultMQPushConsumer a = member(broker, "a");
        DefaultMQPushConsumer b = member(broker, "b");
        DefaultMQPushConsumer c = member(broker, "c");
        send(producer, 0, 200);
        awaitAll(List.of("a", "b", "c"), 200);
        a.shutdown();
        send(producer, 200, 300);
        awaitAll(List.of("b", "c"), 300);
        DefaultMQPushConsumer again = member(broker, "a");
        awaitAll(List.of("a"), 300);
        System.out.println("broadcasting: deliveries per member " + new TreeMap<>(deliveries));
        assertEquals(300, deliveries.get("a"), "a got the 100 sent while it was away, and nothing twice");
        for (DefaultMQPushConsumer m : List.of(again, b, c)) {
          m.shutdown();
        }
      } finally {
        producer.shutdown();
      }
    }
  }

  private DefaultMQPushConsumer member(BrokerProcess broker, String name) throws Exception {
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("BroadcastGroup");
    consumer.setNamesrvAddr(broker.address());
    consumer.setInstanceName(name);
    consumer.setMessageModel(MessageModel.BROADCASTING);
    consumer.subscribe(TOPIC, "*");
    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
      for (MessageExt m : msgs) {
        received.computeIfAbsent(name, n -> ConcurrentHashMap.newKeySet())
            .add(new String(m.getBody(), StandardCharsets.UTF_8));
        deliveries.merge(name, 1, Integer::sum);
      }
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    consumer.start();
    return consumer;
  }

  private static void send(DefaultMQProducer producer, int from, int to) throws Exception {
    for (int i = from; i < to; i++) {
      producer.send(new Message(TOPIC, "T", ("m" + i).getBytes(StandardCharsets.UTF_8)));
    }
  }

  private void awaitAll(List<String> members, int count) {
    Eventually.within(Duration.ofSeconds(60), () -> {
      for (String m : members) {
        int got = received.getOrDefault(m, Set.of()).size();
        if (got < count) {
          throw new AssertionError(m + " received " + got + " of " + count);
        }
      }
      return null;
    });
  }
}
