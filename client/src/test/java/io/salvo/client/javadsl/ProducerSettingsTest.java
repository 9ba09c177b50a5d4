package io.salvo.client.javadsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProducerSettingsTest {
  private static final Config REFERENCE = ConfigFactory.defaultReference();

  @Test
  void referenceConfHoldsTheDefaults() {
    ProducerSettings s = ProducerSettings.create(REFERENCE, "P");
    assertEquals(100, s.parallelism());
    assertEquals(Duration.ofSeconds(3), s.sendTimeout());
    assertEquals(2, s.retryTimes());
    assertEquals(null, s.producer());
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of((UnaryOperator<ProducerSettings>) s -> s.withParallelism(0), "parallelism 0"),
        Arguments.of((UnaryOperator<ProducerSettings>) s -> s.withParallelism(20_000), "parallelism 20000"),
        Arguments.of((UnaryOperator<ProducerSettings>) s -> s.withSendTimeout(Duration.ZERO), "sendTimeout PT0S"),
        Arguments.of((UnaryOperator<ProducerSettings>) s -> s.withRetryTimes(-1), "retryTimes -1"),
        Arguments.of((UnaryOperator<ProducerSettings>) s -> s.withNamesrvAddr(" ; "), "namesrvAddr ' ; '"));
  }

  @ParameterizedTest
  @MethodSource("badValues")
  void rejectsAnOutOfRangeValueNamingIt(UnaryOperator<ProducerSettings> change, String named) {
    SalvoException e = assertThrows(SalvoException.class, () -> change.apply(ProducerSettings.create(REFERENCE, "P")));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertTrue(e.getMessage().contains(named), e.getMessage());
  }

  @Test
  void rejectsAnInvalidConfigurationKeyNamingIt() {
    ConfigException e = assertThrows(ConfigException.class, () -> ProducerSettings.create(
        ConfigFactory.parseString("salvo.client.streams.producer.parallelism = 0").withFallback(REFERENCE), "P"));
    assertTrue(e.getMessage().contains("parallelism"), e.getMessage());
  }

  @Test
  void aSinkWithoutBrokerAddressesIsRefusedUnlessAProducerIsShared() {
    ProducerSettings s = ProducerSettings.create(REFERENCE, "P");
    SalvoException e = assertThrows(SalvoException.class, () -> SalvoProducer.sink(s));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertTrue(e.getMessage().contains("producer group 'P'") && e.getMessage().contains("salvo.client.namesrv-addr"),
        e.getMessage());
    DefaultMQProducer shared = new DefaultMQProducer("Shared");
    assertSame(shared, s.withProducer(shared).producer());
    SalvoProducer.sink(s.withProducer(shared)); // no address needed: the shared producer has its own
  }
}
