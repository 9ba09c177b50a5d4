package io.salvo.core.filter;

import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import java.util.Map;

/**
 * A subscription's filter, evaluated on the broker for every message of the subscribed queues: a tag expression
 * ({@link TagFilter}) or a SQL92 condition over the message's properties and tag ({@link SqlFilter}). Parsed once
 * per subscription with {@link #parse}; implementations are immutable and thread safe, and {@link #matches} never
 * throws.
 */
public interface MessageFilter {

  /** The two expression languages, as RocketMQ's {@code ExpressionType} names them. */
  enum Type {
    TAG, SQL92
  }

  /**
   * Parses {@code expression} of {@code type}. A null or blank expression matches every message, as in RocketMQ's
   * {@code MessageSelector}.
   *
   * @throws SalvoException INVALID_FILTER naming the expression, where it is wrong and what was expected there
   */
  static MessageFilter parse(Type type, String expression) {
    if (type == null) {
      throw SalvoException.of(ErrorCode.INVALID_FILTER, expression, "no expression type (TAG or SQL92)");
    }
    return switch (type) {
      case TAG -> TagFilter.parse(expression);
      case SQL92 -> SqlFilter.parse(expression);
    };
  }

  /** The filter that lets every message through. */
  static MessageFilter all() {
    return TagFilter.all();
  }

  /**
   * Whether a message with {@code tag} (null when it has none) and user {@code properties} passes.
   */
  boolean matches(String tag, Map<String, String> properties);

  /** True when every message passes, so that a caller may skip evaluating. */
  boolean matchesAll();

  /** The language of {@link #expression()}. */
  Type type();

  /** The expression in a normalised form that {@link #parse} accepts again with the same {@link #type()}. */
  String expression();
}
