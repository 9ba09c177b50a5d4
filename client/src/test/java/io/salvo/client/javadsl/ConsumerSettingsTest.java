package io.salvo.client.javadsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.salvo.client.consumer.ConsumeFromWhere;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConsumerSettingsTest {
  private static final Config REFERENCE = ConfigFactory.defaultReference();

  @Test
  void referenceConfHoldsTheDefaults() {
    ConsumerSettings s = ConsumerSettings.create(REFERENCE, "G");
    assertEquals("G", s.group());
    assertEquals(16, s.perQueueBuffer());
    assertEquals(Duration.ofSeconds(30), s.stopTimeout());
    assertEquals(32, s.receiveMaxBatch());
    assertEquals(Duration.ofSeconds(1), s.commitInterval());
    assertEquals(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET, s.consumeFromWhere());
    assertEquals("DEFAULT", s.instanceName());
  }

  @Test
  void withMethodsReplaceOneValueAndKeepTheRest() {
    ConsumerSettings s = ConsumerSettings.create(REFERENCE, "G")
        .withNamesrvAddr("a:1;b")
        .withPerQueueBuffer(4)
        .withCommitInterval(Duration.ofMillis(200))
        .withConsumeFromTimestamp(Instant.ofEpochSecond(1000));
    assertEquals("a:1;b", s.namesrvAddr());
    assertEquals(4, s.perQueueBuffer());
    assertEquals(Duration.ofMillis(200), s.commitInterval());
    assertEquals(Duration.ofMillis(200), s.clientSettings().consumer().commitInterval());
    assertEquals(ConsumeFromWhere.CONSUME_FROM_TIMESTAMP, s.consumeFromWhere());
    assertEquals(Instant.ofEpochSecond(1000), s.consumeTimestamp());
    assertEquals(Duration.ofSeconds(30), s.stopTimeout());
    assertEquals(2, s.brokerAddresses().size());
  }

  @Test
  void rejectsAnInvalidGroupName() {
    SalvoException e = assertThrows(SalvoException.class, () -> ConsumerSettings.create(REFERENCE, "bad group"));
    assertEquals(ErrorCode.INVALID_GROUP, e.code());
    assertTrue(e.getMessage().contains("'bad group'"), e.getMessage());
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of((UnaryOperator<ConsumerSettings>) s -> s.withPerQueueBuffer(0), "perQueueBuffer 0"),
        Arguments.of((UnaryOperator<ConsumerSettings>) s -> s.withPerQueueBuffer(70_000), "perQueueBuffer 70000"),
        Arguments.of((UnaryOperator<ConsumerSettings>) s -> s.withReceiveMaxBatch(0), "receiveMaxBatch 0"),
        Arguments.of((UnaryOperator<ConsumerSettings>) s -> s.withReceiveMaxBatch(2000), "receiveMaxBatch 2000"),
        Arguments.of((UnaryOperator<ConsumerSettings>) s -> s.withStopTimeout(Duration.ofSeconds(-1)),
            "stopTimeout PT-1S"),
        Arguments.of((UnaryOperator<ConsumerSettings>) s -> s.withCommitInterval(Duration.ZERO),
            "commitInterval PT0S"),
        Arguments.of((UnaryOperator<ConsumerSettings>) s -> s.withNamesrvAddr(""), "namesrvAddr ''"),
        Arguments.of((UnaryOperator<ConsumerSettings>) s -> s.withNamesrvAddr("http://h:1"), "has a scheme"));
  }

  @ParameterizedTest
  @MethodSource("badValues")
  void rejectsAnOutOfRangeValueNamingIt(UnaryOperator<ConsumerSettings> change, String named) {
    SalvoException e = assertThrows(SalvoException.class, () -> change.apply(ConsumerSettings.create(REFERENCE, "G")));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertTrue(e.getMessage().contains(named), e.getMessage());
  }

  @Test
  void rejectsAnInvalidConfigurationKeyNamingIt() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConsumerSettings.create(
        ConfigFactory.parseString("salvo.client.streams.consumer.per-queue-buffer = 0").withFallback(REFERENCE), "G"));
    assertTrue(e.getMessage().contains("per-queue-buffer"), e.getMessage());
  }

  @Test
  void aSourceWithoutBrokerAddressesIsRefusedSayingWhereToSetThem() {
    SalvoException e = assertThrows(SalvoException.class, () -> SalvoSource.committable(
        ConsumerSettings.create(REFERENCE, "G"), Subscriptions.topics("T", "*")));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertTrue(e.getMessage().contains("consumer group 'G'") && e.getMessage().contains("salvo.client.namesrv-addr"),
        e.getMessage());
  }
}
