package io.salvo.client.javadsl;

import io.salvo.core.error.SalvoException;
import io.salvo.core.filter.TagFilter;
import io.salvo.core.validation.Validation;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The topics a {@link SalvoSource} consumes, each with its tag expression (evaluated on the broker). Made by
 * {@link Subscriptions}; {@link #and} adds a topic. Immutable and thread safe.
 */
public final class Subscription {
  private final Map<String, String> topics;

  private Subscription(Map<String, String> topics) {
    this.topics = Collections.unmodifiableMap(topics);
  }

  static Subscription of(Map<String, String> topicExpressions) {
    if (topicExpressions.isEmpty()) {
      throw new IllegalArgumentException("a subscription needs at least one topic");
    }
    Map<String, String> checked = new LinkedHashMap<>();
    topicExpressions.forEach((topic, expression) -> checked.put(checkTopic(topic), normalised(expression)));
    return new Subscription(checked);
  }

  /**
   * This subscription plus {@code topic} with {@code expression} ({@code *} or empty for every tag,
   * {@code TagA || TagB}); a topic already here gets the new expression.
   *
   * @throws SalvoException INVALID_TOPIC or INVALID_FILTER naming the value
   */
  public Subscription and(String topic, String expression) {
    Map<String, String> more = new LinkedHashMap<>(topics);
    more.put(checkTopic(topic), normalised(expression));
    return new Subscription(more);
  }

  /** Topic to normalised tag expression, in the order added. */
  public Map<String, String> topics() {
    return topics;
  }

  @Override
  public String toString() {
    return topics.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Subscription s && s.topics.equals(topics);
  }

  @Override
  public int hashCode() {
    return topics.hashCode();
  }

  private static String checkTopic(String topic) {
    Validation.checkTopic(topic);
    return topic;
  }

  private static String normalised(String expression) {
    return TagFilter.parse(expression).toString();
  }
}
