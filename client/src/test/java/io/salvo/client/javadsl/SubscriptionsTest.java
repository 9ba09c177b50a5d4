package io.salvo.client.javadsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SubscriptionsTest {

  @Test
  void topicsKeepTheirNormalisedExpressionsInOrder() {
    Subscription s = Subscriptions.topics("Orders", " TagA ").and("Audit", "").and("Logs", "*");
    assertEquals(List.of("Orders", "Audit", "Logs"), List.copyOf(s.topics().keySet()));
    assertEquals(Map.of("Orders", "TagA", "Audit", "*", "Logs", "*"), s.topics());
    assertEquals(s, Subscriptions.topics(Map.of("Orders", "TagA", "Audit", "*", "Logs", "*")));
  }

  @Test
  void aTopicAddedAgainGetsTheNewExpression() {
    assertEquals(Map.of("T", "B"), Subscriptions.topics("T", "A").and("T", "B").topics());
  }

  @ParameterizedTest
  @CsvSource({
      "'bad topic', '*', INVALID_TOPIC, 'bad topic'",
      "'', '*', INVALID_TOPIC, ''''",
      "T, 'A ||', INVALID_FILTER, 'A ||'",
      "T, 'A || *', INVALID_FILTER, '''*'' must stand alone'"})
  void rejectsAnInvalidTopicOrExpressionNamingIt(String topic, String expression, ErrorCode code, String named) {
    SalvoException e = assertThrows(SalvoException.class, () -> Subscriptions.topics(topic, expression));
    assertEquals(code, e.code());
    assertTrue(e.getMessage().contains(named), e.getMessage());
  }

  @Test
  void sqlSubscriptionsKeepTheirTypeBesideTagOnes() {
    assertThrows(SalvoException.class, () -> Subscriptions.sql("T", "TagA"), "a bare property is no condition");
    Subscription s = Subscriptions.sql("Orders", " amount > 100 ").and("Audit", "A").andSql("Logs", "TAGS = 'x'");
    assertEquals(Map.of("Orders", "amount > 100", "Audit", "A", "Logs", "TAGS = 'x'"), s.topics());
    assertEquals(io.salvo.core.filter.MessageFilter.Type.SQL92, s.filters().get("Orders").type());
    assertEquals(io.salvo.core.filter.MessageFilter.Type.TAG, s.filters().get("Audit").type());
    assertEquals(Subscriptions.sql("T", "a > 1"), Subscriptions.sql("T", "a > 1"));
    assertNotEquals(Subscriptions.sql("T", ""), Subscriptions.topics("T", ""), "both select everything, in two languages");
    SalvoException e = assertThrows(SalvoException.class, () -> Subscriptions.sql("T", "amount >"));
    assertEquals(ErrorCode.INVALID_FILTER, e.code());
    assertTrue(e.getMessage().contains("at column 9"), e.getMessage());
  }

  @Test
  void aSubscriptionNeedsATopic() {
    assertThrows(IllegalArgumentException.class, () -> Subscriptions.topics(Map.of()));
  }
}
