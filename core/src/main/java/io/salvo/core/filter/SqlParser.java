package io.salvo.core.filter;

import io.salvo.core.filter.SqlExpression.And;
import io.salvo.core.filter.SqlExpression.Between;
import io.salvo.core.filter.SqlExpression.Comparison;
import io.salvo.core.filter.SqlExpression.Constant;
import io.salvo.core.filter.SqlExpression.In;
import io.salvo.core.filter.SqlExpression.IsNull;
import io.salvo.core.filter.SqlExpression.Literal;
import io.salvo.core.filter.SqlExpression.Not;
import io.salvo.core.filter.SqlExpression.Operand;
import io.salvo.core.filter.SqlExpression.Operator;
import io.salvo.core.filter.SqlExpression.Or;
import io.salvo.core.filter.SqlExpression.Property;
import io.salvo.core.filter.SqlExpression.Tags;
import io.salvo.core.filter.SqlLexer.Kind;
import io.salvo.core.filter.SqlLexer.SqlSyntaxError;
import io.salvo.core.filter.SqlLexer.Token;
import java.util.ArrayList;
import java.util.List;

/**
 * A recursive-descent parser of RocketMQ's SQL92 filter grammar, from loosest to tightest binding:
 * <pre>
 * condition  := and (OR and)*
 * and        := not (AND not)*
 * not        := NOT not | predicate
 * predicate  := '(' condition ')'
 *             | operand ( ('=' | '&lt;&gt;' | '&lt;' | '&lt;=' | '&gt;' | '&gt;=') operand
 *                       | [NOT] BETWEEN operand AND operand
 *                       | [NOT] IN '(' literal (',' literal)* ')'
 *                       | IS [NOT] NULL )
 *             | TRUE | FALSE
 * operand    := property | TAGS | string | integer | decimal | TRUE | FALSE
 * </pre>
 * As in SQL, {@code NOT} binds looser than a comparison ({@code NOT a = 1} is {@code NOT (a = 1)}) and tighter than
 * {@code AND}, which binds tighter than {@code OR}. The ordering operators and BETWEEN take numbers: a string or
 * boolean literal there is a syntax error, as is a BETWEEN whose literal bounds are the wrong way round. Nesting
 * is limited to {@value #MAX_DEPTH} levels. Package-private: {@link SqlFilter#parse} is the entry point.
 */
final class SqlParser {
  static final int MAX_DEPTH = 100;

  private final List<Token> tokens;
  private int index;
  private int depth;

  private SqlParser(List<Token> tokens) {
    this.tokens = tokens;
  }

  /**
   * The tree of {@code input}.
   *
   * @throws SqlSyntaxError naming the column, what was expected and what was found
   */
  static SqlExpression parse(String input) {
    SqlParser parser = new SqlParser(SqlLexer.tokenize(input));
    SqlExpression root = parser.condition();
    Token end = parser.peek();
    if (end.kind() != Kind.END) {
      throw new SqlSyntaxError(end.column(), "AND, OR or the end of the expression", end.describe());
    }
    return root;
  }

  private SqlExpression condition() {
    SqlExpression left = and();
    while (accept(Kind.OR)) {
      left = new Or(left, and());
    }
    return left;
  }

  private SqlExpression and() {
    SqlExpression left = not();
    while (accept(Kind.AND)) {
      left = new And(left, not());
    }
    return left;
  }

  private SqlExpression not() {
    Token t = peek();
    if (t.kind() == Kind.NOT) {
      index++;
      enter(t);
      SqlExpression operand = not();
      depth--;
      return new Not(operand);
    }
    return predicate();
  }

  private SqlExpression predicate() {
    Token start = peek();
    if (start.kind() == Kind.LPAREN) {
      index++;
      enter(start);
      SqlExpression inner = condition();
      depth--;
      expect(Kind.RPAREN, "')' closing the '(' at column " + start.column() + ", AND or OR");
      return inner;
    }
    Operand left = operand("a condition: a property, TAGS, a literal, NOT or '('");
    Token op = peek();
    switch (op.kind()) {
      case EQ, NE, LT, LE, GT, GE -> {
        index++;
        Operator operator = Operator.valueOf(op.kind().name());
        if (operator.ordering()) {
          requireNumeric(left, start, "'" + op.text() + "' compares numbers");
        }
        Token rightToken = peek();
        Operand right = operand("a property, TAGS or a literal after '" + op.text() + "'");
        if (operator.ordering()) {
          requireNumeric(right, rightToken, "'" + op.text() + "' compares numbers");
        }
        return new Comparison(left, operator, right);
      }
      case NOT -> {
        index++;
        Token after = peek();
        if (after.kind() == Kind.BETWEEN) {
          index++;
          return between(left, start, true);
        }
        if (after.kind() == Kind.IN) {
          index++;
          return in(left, true);
        }
        throw new SqlSyntaxError(after.column(), "BETWEEN or IN after NOT", after.describe());
      }
      case BETWEEN -> {
        index++;
        return between(left, start, false);
      }
      case IN -> {
        index++;
        return in(left, false);
      }
      case IS -> {
        index++;
        boolean negated = accept(Kind.NOT);
        expect(Kind.NULL, negated ? "NULL after IS NOT" : "NULL or NOT NULL after IS");
        return new IsNull(left, negated);
      }
      default -> {
        if (left instanceof Literal l && l.value() instanceof Boolean b) {
          return new Constant(b);
        }
        throw new SqlSyntaxError(op.column(),
            "a comparison (=, <>, <, <=, >, >=, BETWEEN, IN or IS) after " + start.describe(), op.describe());
      }
    }
  }

  private SqlExpression between(Operand value, Token valueToken, boolean negated) {
    String why = "BETWEEN compares numbers";
    requireNumeric(value, valueToken, why);
    Token lowToken = peek();
    Operand low = operand("the lower bound of BETWEEN");
    requireNumeric(low, lowToken, why);
    expect(Kind.AND, "AND between the bounds of BETWEEN");
    Token highToken = peek();
    Operand high = operand("the upper bound of BETWEEN");
    requireNumeric(high, highToken, why);
    if (low instanceof Literal l && high instanceof Literal h) {
      Integer c = SqlExpression.Values.compareNumbers(l.value(), h.value());
      if (c != null && c > 0) {
        throw new SqlSyntaxError(lowToken.column(),
            "BETWEEN's lower bound " + lowToken.text() + " is greater than its upper bound " + highToken.text());
      }
    }
    return new Between(value, low, high, negated);
  }

  private SqlExpression in(Operand value, boolean negated) {
    expect(Kind.LPAREN, "'(' opening the list of IN");
    List<Literal> values = new ArrayList<>();
    do {
      Token t = peek();
      if (t.kind() != Kind.STRING && t.kind() != Kind.INTEGER && t.kind() != Kind.DECIMAL) {
        throw new SqlSyntaxError(t.column(), "a string or number literal in the list of IN", t.describe());
      }
      index++;
      values.add(new Literal(t.value()));
    } while (accept(Kind.COMMA));
    expect(Kind.RPAREN, "',' or ')' closing the list of IN");
    return new In(value, values, negated);
  }

  private Operand operand(String expected) {
    Token t = peek();
    Operand operand = switch (t.kind()) {
      case IDENTIFIER -> t.text().equals("TAGS") ? new Tags() : new Property(t.text());
      case STRING, INTEGER, DECIMAL -> new Literal(t.value());
      case TRUE -> new Literal(Boolean.TRUE);
      case FALSE -> new Literal(Boolean.FALSE);
      case NULL -> throw new SqlSyntaxError(t.column(), expected, "NULL (test for a missing property with IS NULL)");
      default -> throw new SqlSyntaxError(t.column(), expected, t.describe());
    };
    index++;
    return operand;
  }

  private static void requireNumeric(Operand operand, Token at, String why) {
    if (operand instanceof Literal l && !l.isNumber()) {
      throw new SqlSyntaxError(at.column(), "a number or a property (" + why + ")", at.describe());
    }
  }

  private void enter(Token at) {
    if (++depth > MAX_DEPTH) {
      throw new SqlSyntaxError(at.column(), "nesting deeper than " + MAX_DEPTH + " levels of '(' and NOT");
    }
  }

  private Token peek() {
    return tokens.get(index);
  }

  private boolean accept(Kind kind) {
    if (peek().kind() == kind) {
      index++;
      return true;
    }
    return false;
  }

  private void expect(Kind kind, String expected) {
    Token t = peek();
    if (t.kind() != kind) {
      throw new SqlSyntaxError(t.column(), expected, t.describe());
    }
    index++;
  }
}
