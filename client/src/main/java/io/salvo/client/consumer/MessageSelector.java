package io.salvo.client.consumer;

import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.filter.MessageFilter;
import java.util.Objects;

/**
 * Which messages of a topic a consumer wants, for {@code subscribe(topic, selector)}; evaluated on the broker, so
 * the messages left out never reach the client (and the group's offsets still move past them). As in RocketMQ:
 * <ul>
 *   <li>{@link #byTag}: {@code *} (or null or empty) for every message, {@code TagA} or {@code TagA || TagB};</li>
 *   <li>{@link #bySql}: a SQL92 condition over the message's user properties and its tag ({@code TAGS}), e.g.
 *       {@code region = 'eu' AND (amount > 100 OR TAGS IN ('vip'))}; null or empty for every message. Unlike
 *       RocketMQ's broker, Salvo's evaluates SQL92 without any setting. A missing property, or one that is not a
 *       number where a number is compared, makes a comparison unknown: such a message passes neither the
 *       comparison nor its NOT (use {@code a IS NULL} to select messages without {@code a}).</li>
 * </ul>
 * The expression is checked by {@code subscribe}, which throws {@code MQClientException} with INVALID_FILTER naming
 * the column and what was expected there. Immutable and thread safe.
 */
public final class MessageSelector {
  /** RocketMQ's {@code ExpressionType} names. */
  static final String TAG = "TAG";
  static final String SQL92 = "SQL92";

  private final String type;
  private final String expression;

  private MessageSelector(String type, String expression) {
    this.type = type;
    this.expression = expression;
  }

  /** A SQL92 condition over user properties and {@code TAGS}; null or empty selects every message. */
  public static MessageSelector bySql(String sql) {
    return new MessageSelector(SQL92, sql);
  }

  /** A tag expression: {@code *}, {@code TagA}, {@code TagA || TagB}; null or empty selects every message. */
  public static MessageSelector byTag(String tag) {
    return new MessageSelector(TAG, tag);
  }

  /** {@code "TAG"} or {@code "SQL92"}, as RocketMQ's {@code ExpressionType}. */
  public String getExpressionType() {
    return type;
  }

  /** The expression as given. */
  public String getExpression() {
    return expression;
  }

  /**
   * The filter {@code selector} stands for, parsed as the broker parses it.
   *
   * @throws SalvoException INVALID_FILTER naming where the expression is wrong, or for a null selector
   */
  static MessageFilter parse(MessageSelector selector) {
    if (selector == null) {
      throw SalvoException.of(ErrorCode.INVALID_FILTER, "null",
          "no message selector; MessageSelector.byTag(\"*\") selects every message");
    }
    return MessageFilter.parse(selector.type.equals(SQL92) ? MessageFilter.Type.SQL92 : MessageFilter.Type.TAG,
        selector.expression);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MessageSelector s && s.type.equals(type) && Objects.equals(s.expression, expression);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, expression);
  }

  @Override
  public String toString() {
    return type + ":" + expression;
  }
}
