package io.salvo.tests.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.client.message.Message;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Eventually;
import io.salvo.tests.harness.JavaProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The seed's two programs, unchanged but for their imports, against a broker on localhost:9876. */
@ExtendWith(CassandraFixture.class)
class QuickStartExamplesTest {
  private static BrokerProcess broker;

  @BeforeAll
  static void startBroker(CassandraFixture.Cassandra cassandra) {
    broker = BrokerProcess.on(cassandra, "quickstart", 9876, Map.of()).start();
    // Warm the fresh broker (JIT, sharding, connections) on another topic, so that the seed's producer, which
    // uses the default 3 s send timeout, does not meet a cold broker on a busy machine.
    DefaultMQProducer warm = new DefaultMQProducer("QuickStartWarmUp");
    warm.setNamesrvAddr(broker.address());
    warm.setSendMsgTimeout(10_000);
    try {
      warm.start();
      for (int i = 0; i < 20; i++) {
        warm.send(new Message("WarmUp", "A", "warm".getBytes(StandardCharsets.UTF_8)));
      }
    } catch (Exception e) {
      throw new IllegalStateException("warm-up sends failed", e);
    } finally {
      warm.shutdown();
    }
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.stop();
    }
  }

  @Test
  void producerSendsTenAndConsumerPrintsAllTen() throws Exception {
    try (JavaProcess producer = JavaProcess.start("io.salvo.examples.quickstart.Producer")) {
      assertTrue(producer.process().waitFor(90, TimeUnit.SECONDS), "producer did not finish in 90 s");
      assertEquals(0, producer.process().exitValue(), "producer output:\n" + String.join("\n", producer.lines()));
      long ok = producer.lines().stream().filter(l -> l.contains("SEND_OK")).count();
      assertEquals(10, ok, "producer output:\n" + String.join("\n", producer.lines()));
    }

    Pattern received = Pattern.compile("Receive New Messages: (Hello RocketMQ \\d+)");
    try (JavaProcess consumer = JavaProcess.start("io.salvo.examples.quickstart.Consumer")) {
      Set<String> bodies = Eventually.within(Duration.ofSeconds(90), () -> {
        Set<String> seen = new TreeSet<>();
        for (String line : consumer.lines()) {
          Matcher m = received.matcher(line);
          if (m.find()) {
            seen.add(m.group(1));
          }
        }
        if (seen.size() < 10) {
          throw new AssertionError("consumer printed " + seen.size() + " of 10 so far:\n" + String.join("\n", consumer.lines()));
        }
        return seen;
      });
      Set<String> expected = new TreeSet<>();
      for (int i = 0; i < 10; i++) {
        expected.add("Hello RocketMQ " + i);
      }
      assertEquals(expected, bodies);
    }
  }
}
