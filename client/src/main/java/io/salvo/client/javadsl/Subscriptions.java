package io.salvo.client.javadsl;

import io.salvo.core.error.SalvoException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Makes the {@link Subscription} of a {@link SalvoSource}. */
public final class Subscriptions {
  private Subscriptions() {}

  /**
   * One topic with a tag expression: {@code *} (or empty) for every message, {@code TagA || TagB} for those tags.
   * Add more topics with {@link Subscription#and}.
   *
   * @throws SalvoException INVALID_TOPIC or INVALID_FILTER naming the value
   */
  public static Subscription topics(String topic, String expression) {
    Map<String, String> one = new LinkedHashMap<>();
    one.put(topic, expression);
    return Subscription.of(one);
  }

  /**
   * One topic with a SQL92 condition over the messages' user properties and {@code TAGS}, e.g.
   * {@code region = 'eu' AND amount > 100} (see {@link io.salvo.client.consumer.MessageSelector#bySql}). Add more
   * topics with {@link Subscription#and} or {@link Subscription#andSql}.
   *
   * @throws SalvoException INVALID_TOPIC, or INVALID_FILTER naming where the condition is wrong
   */
  public static Subscription sql(String topic, String sql) {
    return Subscription.ofSql(topic, sql);
  }

  /**
   * Several topics, topic to tag expression.
   *
   * @throws SalvoException INVALID_TOPIC or INVALID_FILTER naming the value
   * @throws IllegalArgumentException when the map is empty
   */
  public static Subscription topics(Map<String, String> topicExpressions) {
    return Subscription.of(topicExpressions);
  }
}
