package io.salvo.client.javadsl;

import io.salvo.core.error.SalvoException;
import io.salvo.core.filter.MessageFilter;
import io.salvo.core.validation.Validation;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The topics a {@link SalvoSource} consumes, each with its filter, a tag expression or a SQL92 condition (evaluated
 * on the broker). Made by {@link Subscriptions}; {@link #and} and {@link #andSql} add a topic. Immutable and thread
 * safe.
 */
public final class Subscription {
  private final Map<String, MessageFilter> filters;

  private Subscription(Map<String, MessageFilter> filters) {
    this.filters = Collections.unmodifiableMap(filters);
  }

  static Subscription of(Map<String, String> topicExpressions) {
    if (topicExpressions.isEmpty()) {
      throw new IllegalArgumentException("a subscription needs at least one topic");
    }
    Map<String, MessageFilter> checked = new LinkedHashMap<>();
    topicExpressions.forEach((topic, expression) ->
        checked.put(checkTopic(topic), MessageFilter.parse(MessageFilter.Type.TAG, expression)));
    return new Subscription(checked);
  }

  static Subscription ofSql(String topic, String sql) {
    Map<String, MessageFilter> one = new LinkedHashMap<>();
    one.put(checkTopic(topic), MessageFilter.parse(MessageFilter.Type.SQL92, sql));
    return new Subscription(one);
  }

  /**
   * This subscription plus {@code topic} with the tag {@code expression} ({@code *} or empty for every tag,
   * {@code TagA || TagB}); a topic already here gets the new expression.
   *
   * @throws SalvoException INVALID_TOPIC or INVALID_FILTER naming the value
   */
  public Subscription and(String topic, String expression) {
    return with(topic, MessageFilter.Type.TAG, expression);
  }

  /**
   * This subscription plus {@code topic} with a SQL92 condition over user properties and {@code TAGS} (see
   * {@link io.salvo.client.consumer.MessageSelector#bySql}); a topic already here gets the new condition.
   *
   * @throws SalvoException INVALID_TOPIC, or INVALID_FILTER naming where the condition is wrong
   */
  public Subscription andSql(String topic, String sql) {
    return with(topic, MessageFilter.Type.SQL92, sql);
  }

  /** Topic to normalised expression (a tag expression or a SQL92 condition), in the order added. */
  public Map<String, String> topics() {
    Map<String, String> out = new LinkedHashMap<>();
    filters.forEach((topic, filter) -> out.put(topic, filter.expression()));
    return Collections.unmodifiableMap(out);
  }

  /** Topic to parsed filter, in the order added. */
  Map<String, MessageFilter> filters() {
    return filters;
  }

  @Override
  public String toString() {
    return described().toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Subscription s && s.described().equals(described());
  }

  @Override
  public int hashCode() {
    return described().hashCode();
  }

  /** Topic to "expression" for a tag expression, "SQL92: condition" for a SQL92 one. */
  private Map<String, String> described() {
    Map<String, String> out = new LinkedHashMap<>();
    filters.forEach((topic, filter) -> out.put(topic,
        filter.type() == MessageFilter.Type.TAG ? filter.expression() : "SQL92: " + filter.expression()));
    return out;
  }

  private Subscription with(String topic, MessageFilter.Type type, String expression) {
    Map<String, MessageFilter> more = new LinkedHashMap<>(filters);
    more.put(checkTopic(topic), MessageFilter.parse(type, expression));
    return new Subscription(more);
  }

  private static String checkTopic(String topic) {
    Validation.checkTopic(topic);
    return topic;
  }
}
