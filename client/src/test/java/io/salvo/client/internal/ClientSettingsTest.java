package io.salvo.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClientSettingsTest {

  @Test
  void referenceConfHoldsTheRocketMqDefaults() {
    ClientSettings s = ClientSettings.create(ConfigFactory.defaultReference());
    assertEquals(9876, s.defaultPort());
    assertEquals(Duration.ofMillis(3000), s.producer().sendTimeout());
    assertEquals(2, s.producer().retryTimesWhenSendFailed());
    assertEquals(2, s.producer().retryTimesWhenSendAsyncFailed());
    assertEquals(4 * 1024 * 1024, s.producer().maxMessageSize());
    assertEquals(20, s.consumer().consumeThreadMin());
    assertEquals(20, s.consumer().consumeThreadMax());
    assertEquals(1, s.consumer().consumeMessageBatchMaxSize());
    assertEquals(1000, s.consumer().pullThresholdForQueue());
    assertEquals(Duration.ofSeconds(1), s.consumer().commitInterval());
  }

  @Test
  void rejectsANonPositiveValueNamingTheKey() {
    ConfigException e = assertThrows(ConfigException.class, () -> ClientSettings.create(
        ConfigFactory.parseString("salvo.client.consumer.pull-threshold-for-queue = 0")
            .withFallback(ConfigFactory.defaultReference())));
    assertTrue(e.getMessage().contains("pull-threshold-for-queue"), e.getMessage());
  }

  @Test
  void clientActorSystemsAreLocalWhateverTheClasspathSays() {
    assertEquals("local", ClientRuntime.config().getString("akka.actor.provider"));
  }

  @Test
  void theDefaultDispatcherHasTheConfiguredThreadCount() {
    var config = ClientRuntime.config();
    assertEquals(2, config.getInt("akka.actor.default-dispatcher.fork-join-executor.parallelism-min"));
    assertEquals(2, config.getInt("akka.actor.default-dispatcher.fork-join-executor.parallelism-max"));
  }

  @Test
  void systemNamesAreLegal() {
    String name = ClientRuntime.systemName("consumer", "group%with|odd");
    assertTrue(name.matches("consumer-group_with_odd-\\d+"), name);
  }

  @Test
  void consumeOptionsBoundListenerCallsByThePullThreshold() {
    ConsumeOptions o = new ConsumeOptions(4, 1000, 32, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMinutes(15), Duration.ofMillis(1),
        Duration.ofMillis(2), 0.1, Duration.ofSeconds(45), ConsumeOptions.IN_PLACE);
    assertEquals(250, o.parallelism());
    assertEquals(32, o.maxBatch());
    ConsumeOptions tiny = new ConsumeOptions(8, 5, 32, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMinutes(15), Duration.ofMillis(1),
        Duration.ofMillis(2), 0.1, Duration.ofSeconds(45), ConsumeOptions.IN_PLACE);
    assertEquals(1, tiny.parallelism());
    assertEquals(5, tiny.maxBatch());
  }
}
