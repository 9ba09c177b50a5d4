package io.salvo.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.client.exception.MQClientException;
import io.salvo.core.error.ErrorCode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Selectors are checked at subscribe, with the broker's parser, and with no broker. */
class MessageSelectorTest {

  @Test
  void selectorsNameTheirTypeAsRocketMqDoes() {
    assertEquals("SQL92", MessageSelector.bySql("a > 1").getExpressionType());
    assertEquals("a > 1", MessageSelector.bySql("a > 1").getExpression());
    assertEquals("TAG", MessageSelector.byTag("A || B").getExpressionType());
    assertEquals(MessageSelector.bySql("a > 1"), MessageSelector.bySql("a > 1"));
  }

  @Test
  void subscribeKeepsEachTopicsNormalisedExpression() throws Exception {
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("G");
    consumer.subscribe("Tags", "A ||B");
    consumer.subscribe("Sql", MessageSelector.bySql("  region = 'eu' AND amount > 100 "));
    consumer.subscribe("All", MessageSelector.byTag(null));
    assertEquals(Map.of("Tags", "A || B", "Sql", "region = 'eu' AND amount > 100", "All", "*"),
        consumer.getSubscription());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      amount >                 | at column 9: expected a property, TAGS or a literal after '>', found end of expression
      region = 'eu' amount > 1 | at column 15: expected AND, OR or the end of the expression, found property 'amount'
      a BETWEEN 'x' AND 'y'    | at column 11: expected a number or a property (BETWEEN compares numbers)
      """)
  void aMalformedSqlSelectorIsRefusedAtSubscribeNamingTheColumn(String sql, String detail) {
    for (Subscriber consumer : new Subscriber[] {
        new DefaultMQPushConsumer("G")::subscribe, new DefaultLitePullConsumer("G")::subscribe}) {
      MQClientException e = assertThrows(MQClientException.class,
          () -> consumer.subscribe("T", MessageSelector.bySql(sql)));
      assertEquals(ErrorCode.INVALID_FILTER, e.errorCode());
      assertTrue(e.getMessage().contains(detail), e.getMessage());
    }
  }

  @Test
  void aNullSelectorIsRefused() {
    MQClientException e = assertThrows(MQClientException.class,
        () -> new DefaultMQPushConsumer("G").subscribe("T", (MessageSelector) null));
    assertEquals(ErrorCode.INVALID_FILTER, e.errorCode());
  }

  private interface Subscriber {
    void subscribe(String topic, MessageSelector selector) throws MQClientException;
  }
}
