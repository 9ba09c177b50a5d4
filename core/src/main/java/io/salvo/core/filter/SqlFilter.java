package io.salvo.core.filter;

import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import java.util.Map;

/**
 * A subscription's SQL92 filter, RocketMQ's grammar over the message's user properties and its tag ({@code TAGS}):
 * {@code =, <>, <, <=, >, >=, [NOT] BETWEEN … AND …, [NOT] IN (…), IS [NOT] NULL, AND, OR, NOT}, parentheses,
 * strings in single quotes, integers, decimals and {@code TRUE}/{@code FALSE}; for example
 * {@code region = 'eu' AND (amount > 100 OR TAGS IN ('vip')) AND retry IS NULL}. Keywords are case-insensitive,
 * property names are not. The syntax is in {@link SqlParser}, the meaning (three-valued logic: a missing property
 * or one that is not a number where a number is compared makes a comparison UNKNOWN, which never passes, not even
 * under NOT) in {@link SqlExpression}. A null or blank expression passes every message.
 *
 * <p>Parsed once per subscription; immutable and thread safe; {@link #matches} never throws.
 */
public final class SqlFilter implements MessageFilter {
  /** The longest expression accepted, in characters: bounds the parser's and the evaluator's recursion. */
  public static final int MAX_LENGTH = 8192;

  private static final SqlFilter ALL = new SqlFilter("", null);

  private final String expression;
  /** null means every message. */
  private final SqlExpression root;

  private SqlFilter(String expression, SqlExpression root) {
    this.expression = expression;
    this.root = root;
  }

  /**
   * Parses a SQL92 condition.
   *
   * @throws SalvoException INVALID_FILTER whose message names the column (1-based), what was expected there and
   *     what was found, e.g. {@code at column 6: expected a number or a property after '>', found end of expression}
   */
  public static SqlFilter parse(String expression) {
    if (expression == null || expression.isBlank()) {
      return ALL;
    }
    if (expression.length() > MAX_LENGTH) {
      throw SalvoException.of(ErrorCode.INVALID_FILTER, expression.substring(0, 64) + "…",
          "the expression is " + expression.length() + " characters long, over the limit of " + MAX_LENGTH);
    }
    try {
      return new SqlFilter(expression.strip(), SqlParser.parse(expression));
    } catch (SqlLexer.SqlSyntaxError e) {
      throw SalvoException.of(ErrorCode.INVALID_FILTER, expression, e.getMessage());
    }
  }

  @Override
  public boolean matches(String tag, Map<String, String> properties) {
    return root == null
        || root.evaluate(new SqlExpression.Message(tag, properties)) == SqlExpression.Truth.TRUE;
  }

  @Override
  public boolean matchesAll() {
    return root == null;
  }

  @Override
  public Type type() {
    return Type.SQL92;
  }

  /** The expression as written, without surrounding whitespace. */
  @Override
  public String expression() {
    return expression;
  }

  /** The tree, fully parenthesised (for tests and logs): {@code a = 1 OR b = 2 AND c = 3} is {@code ((a = 1) OR ((b = 2) AND (c = 3)))}. */
  String tree() {
    return root == null ? "TRUE" : root.toString();
  }

  @Override
  public String toString() {
    return expression;
  }
}
