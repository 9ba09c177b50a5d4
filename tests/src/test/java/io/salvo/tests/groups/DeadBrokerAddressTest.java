package io.salvo.tests.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.salvo.client.consumer.ConsumeFromWhere;
import io.salvo.client.consumer.DefaultMQPushConsumer;
import io.salvo.client.consumer.listener.ConsumeConcurrentlyStatus;
import io.salvo.client.consumer.listener.MessageListenerConcurrently;
import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Eventually;
import io.salvo.tests.harness.Ports;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A consumer whose broker list holds an address where no broker runs (a broker that went away) still gets every
 * message: a queue stream opened on the dead address hears nothing (no keep-alive), is dropped after the client's
 * receive-silence-timeout and opened on the next address. Before that timeout existed, such a stream waited for
 * ever (akka-grpc retries the connection without end), and its queue with it: seen in the docker-compose fault run,
 * where a queue's stream reconnected to the stopped broker-2 and 54 acknowledged messages stayed unconsumed.
 */
@ExtendWith(CassandraFixture.class)
class DeadBrokerAddressTest {
  private static final String TOPIC = "DeadAddressTopic";
  private static final int MESSAGES = 40;

  @Test
  void queuesFirstOpenedOnADeadAddressMoveToALiveOne(CassandraFixture.Cassandra cassandra) throws Exception {
    // Keep-alives every 2 s from the broker; the consumer drops a stream silent for 6 s.
    BrokerProcess broker = BrokerProcess.on(cassandra, "dead-address",
        Map.of("salvo.broker.queue.long-poll-timeout", "2s")).start();
    System.setProperty("salvo.client.consumer.receive-silence-timeout", "6s");
    ConfigFactory.invalidateCaches();
    DefaultMQProducer producer = null;
    DefaultMQPushConsumer consumer = null;
    try {
      producer = broker.startProducer("DeadAddressProducer");
      Set<String> consumed = ConcurrentHashMap.newKeySet();
      consumer = new DefaultMQPushConsumer("DeadAddressGroup");
      // Dead address first and last: each queue's first stream has an even chance of landing on it.
      String dead = "127.0.0.1:" + Ports.free();
      consumer.setNamesrvAddr(dead + ";" + broker.address() + ";" + dead);
      consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
      consumer.subscribe(TOPIC, "*");
      consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
        for (MessageExt m : msgs) {
          consumed.add(new String(m.getBody(), StandardCharsets.UTF_8));
        }
        return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
      });
      Set<String> sent = new TreeSet<>();
      for (int i = 0; i < MESSAGES; i++) {
        String body = "dead-address-" + i;
        producer.send(new Message(TOPIC, "T", body.getBytes(StandardCharsets.UTF_8)));
        sent.add(body);
      }
      consumer.start();
      // Two silent rounds at most per queue (dead, live): 2 x 6 s plus back-off and the group's hand-out.
      Eventually.within(Duration.ofSeconds(90), () -> assertEquals(sent, new TreeSet<>(consumed)));
    } finally {
      System.clearProperty("salvo.client.consumer.receive-silence-timeout");
      ConfigFactory.invalidateCaches();
      if (consumer != null) {
        consumer.shutdown();
      }
      if (producer != null) {
        producer.shutdown();
      }
      broker.stop();
    }
  }
}
