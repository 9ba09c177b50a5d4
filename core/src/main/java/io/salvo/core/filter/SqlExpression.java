package io.salvo.core.filter;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The syntax tree of a SQL92 filter and its evaluation, in three-valued logic: a condition is {@link Truth#TRUE},
 * {@link Truth#FALSE} or {@link Truth#UNKNOWN}, and a message passes only when the whole condition is TRUE.
 *
 * <p>Values: a property ({@link Property}) is the message's user property, a string, or null when the message does
 * not have it; {@code TAGS} ({@link Tags}) is the message's tag, null when it has none. Literals are strings,
 * integers ({@code long}), decimals ({@code double}) and booleans.
 *
 * <p>A comparison is UNKNOWN when either side is null, or when it compares a number with a string that is not a
 * number (or a boolean with a string other than {@code true}/{@code false}, any case): such a comparison cannot be
 * made, so neither it nor its negation passes. Otherwise:
 * <ul>
 *   <li>{@code =} and {@code <>} compare as numbers when either side is a number literal (the other side converted,
 *       {@code '10' = 10.0} is TRUE), as booleans when either side is a boolean literal, and as strings (exactly,
 *       case-sensitive) otherwise;</li>
 *   <li>{@code <, <=, >, >=} and {@code BETWEEN} compare numbers only: the parser rejects a string or boolean literal
 *       there, and a property that is not a number makes the comparison UNKNOWN;</li>
 *   <li>{@code x BETWEEN a AND b} is {@code x >= a AND x <= b}; {@code x IN (v1, v2)} is {@code x = v1 OR x = v2};
 *       their NOT forms are the negations;</li>
 *   <li>{@code IS NULL} / {@code IS NOT NULL} are never UNKNOWN.</li>
 * </ul>
 * {@code NOT} turns TRUE and FALSE around and leaves UNKNOWN; {@code AND} is FALSE if either side is FALSE, else
 * UNKNOWN if either is UNKNOWN; {@code OR} is TRUE if either side is TRUE, else UNKNOWN if either is UNKNOWN (SQL's
 * and Kleene's logic). So {@code NOT (a > 5)} does not pass a message without {@code a}, as in RocketMQ.
 * Immutable; evaluation never throws.
 */
sealed interface SqlExpression {

  /** A three-valued truth. */
  enum Truth {
    TRUE, FALSE, UNKNOWN;

    static Truth of(boolean b) {
      return b ? TRUE : FALSE;
    }

    Truth not() {
      return this == TRUE ? FALSE : this == FALSE ? TRUE : UNKNOWN;
    }

    Truth and(Truth other) {
      if (this == FALSE || other == FALSE) {
        return FALSE;
      }
      return this == UNKNOWN || other == UNKNOWN ? UNKNOWN : TRUE;
    }

    Truth or(Truth other) {
      if (this == TRUE || other == TRUE) {
        return TRUE;
      }
      return this == UNKNOWN || other == UNKNOWN ? UNKNOWN : FALSE;
    }
  }

  /** The message an expression is evaluated against. */
  record Message(String tag, Map<String, String> properties) {}

  // ---- values ----

  /** Something with a value: a property, the tag or a literal. */
  sealed interface Operand {
    /** A String, Long, Double or Boolean; null for a missing property or tag. */
    Object value(Message m);
  }

  record Property(String name) implements Operand {
    @Override
    public Object value(Message m) {
      return m.properties() == null ? null : m.properties().get(name);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** {@code TAGS}: the message's tag. */
  record Tags() implements Operand {
    @Override
    public Object value(Message m) {
      return m.tag() == null || m.tag().isEmpty() ? null : m.tag();
    }

    @Override
    public String toString() {
      return "TAGS";
    }
  }

  /** A string, Long, Double or Boolean constant. */
  record Literal(Object value) implements Operand {
    @Override
    public Object value(Message m) {
      return value;
    }

    boolean isNumber() {
      return value instanceof Long || value instanceof Double;
    }

    @Override
    public String toString() {
      if (value instanceof String s) {
        return "'" + s.replace("'", "''") + "'";
      }
      return value instanceof Boolean b ? (b ? "TRUE" : "FALSE") : value.toString();
    }
  }

  // ---- conditions ----

  Truth evaluate(Message m);

  record And(SqlExpression left, SqlExpression right) implements SqlExpression {
    @Override
    public Truth evaluate(Message m) {
      Truth l = left.evaluate(m);
      return l == Truth.FALSE ? l : l.and(right.evaluate(m));
    }

    @Override
    public String toString() {
      return "(" + left + " AND " + right + ")";
    }
  }

  record Or(SqlExpression left, SqlExpression right) implements SqlExpression {
    @Override
    public Truth evaluate(Message m) {
      Truth l = left.evaluate(m);
      return l == Truth.TRUE ? l : l.or(right.evaluate(m));
    }

    @Override
    public String toString() {
      return "(" + left + " OR " + right + ")";
    }
  }

  record Not(SqlExpression operand) implements SqlExpression {
    @Override
    public Truth evaluate(Message m) {
      return operand.evaluate(m).not();
    }

    @Override
    public String toString() {
      return "NOT " + operand;
    }
  }

  /** {@code TRUE} or {@code FALSE} standing as a condition. */
  record Constant(boolean value) implements SqlExpression {
    @Override
    public Truth evaluate(Message m) {
      return Truth.of(value);
    }

    @Override
    public String toString() {
      return value ? "TRUE" : "FALSE";
    }
  }

  enum Operator {
    EQ("="), NE("<>"), LT("<"), LE("<="), GT(">"), GE(">=");

    final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    boolean ordering() {
      return this != EQ && this != NE;
    }
  }

  record Comparison(Operand left, Operator operator, Operand right) implements SqlExpression {
    @Override
    public Truth evaluate(Message m) {
      Object l = left.value(m);
      Object r = right.value(m);
      if (l == null || r == null) {
        return Truth.UNKNOWN;
      }
      return switch (operator) {
        case EQ -> Values.equal(l, r);
        case NE -> Values.equal(l, r).not();
        default -> Values.ordered(l, operator, r);
      };
    }

    @Override
    public String toString() {
      return "(" + left + " " + operator.symbol + " " + right + ")";
    }
  }

  record Between(Operand value, Operand low, Operand high, boolean negated) implements SqlExpression {
    @Override
    public Truth evaluate(Message m) {
      Object v = value.value(m);
      if (v == null) {
        return Truth.UNKNOWN;
      }
      Truth inside = Values.ordered(v, Operator.GE, low.value(m)).and(Values.ordered(v, Operator.LE, high.value(m)));
      return negated ? inside.not() : inside;
    }

    @Override
    public String toString() {
      return "(" + value + (negated ? " NOT" : "") + " BETWEEN " + low + " AND " + high + ")";
    }
  }

  record In(Operand value, List<Literal> values, boolean negated) implements SqlExpression {
    public In {
      values = List.copyOf(values);
    }

    @Override
    public Truth evaluate(Message m) {
      Object v = value.value(m);
      if (v == null) {
        return Truth.UNKNOWN;
      }
      Truth any = Truth.FALSE;
      for (Literal candidate : values) {
        any = any.or(Values.equal(v, candidate.value()));
        if (any == Truth.TRUE) {
          break;
        }
      }
      return negated ? any.not() : any;
    }

    @Override
    public String toString() {
      return "(" + value + (negated ? " NOT" : "") + " IN ("
          + values.stream().map(Literal::toString).collect(Collectors.joining(", ")) + "))";
    }
  }

  record IsNull(Operand value, boolean negated) implements SqlExpression {
    @Override
    public Truth evaluate(Message m) {
      return Truth.of((value.value(m) == null) != negated);
    }

    @Override
    public String toString() {
      return "(" + value + (negated ? " IS NOT NULL)" : " IS NULL)");
    }
  }

  /** Conversions between the value types; package-private helpers of the records above. */
  final class Values {
    private Values() {}

    /** Equality as the class comment says; never null. */
    static Truth equal(Object l, Object r) {
      if (isNumber(l) || isNumber(r)) {
        Integer c = compareNumbers(l, r);
        return c == null ? Truth.UNKNOWN : Truth.of(c == 0);
      }
      if (l instanceof Boolean || r instanceof Boolean) {
        Boolean lb = toBoolean(l);
        Boolean rb = toBoolean(r);
        return lb == null || rb == null ? Truth.UNKNOWN : Truth.of(lb.equals(rb));
      }
      return Truth.of(l.equals(r));
    }

    /** {@code l operator r} for an ordering operator: UNKNOWN when either is null or not a number. */
    static Truth ordered(Object l, Operator operator, Object r) {
      Integer c = l == null || r == null ? null : compareNumbers(l, r);
      if (c == null) {
        return Truth.UNKNOWN;
      }
      return Truth.of(switch (operator) {
        case LT -> c < 0;
        case LE -> c <= 0;
        case GT -> c > 0;
        case GE -> c >= 0;
        case EQ -> c == 0;
        case NE -> c != 0;
      });
    }

    /** The sign of {@code l - r} as numbers, or null when either is not a number. */
    static Integer compareNumbers(Object l, Object r) {
      Number a = toNumber(l);
      Number b = toNumber(r);
      if (a == null || b == null) {
        return null;
      }
      if (a instanceof Long x && b instanceof Long y) {
        return Long.compare(x, y);
      }
      double x = a.doubleValue();
      double y = b.doubleValue();
      return x < y ? -1 : x > y ? 1 : 0;
    }

    private static boolean isNumber(Object o) {
      return o instanceof Long || o instanceof Double;
    }

    private static Boolean toBoolean(Object o) {
      if (o instanceof Boolean b) {
        return b;
      }
      if (o instanceof String s) {
        if (s.equalsIgnoreCase("true")) {
          return Boolean.TRUE;
        }
        if (s.equalsIgnoreCase("false")) {
          return Boolean.FALSE;
        }
      }
      return null;
    }

    /**
     * A Long or Double for a number or a string that reads as one (optional sign, digits, optional fraction and
     * exponent, surrounding spaces allowed); null otherwise, including for NaN and infinities.
     */
    static Number toNumber(Object o) {
      if (o instanceof Long || o instanceof Double) {
        return (Number) o;
      }
      if (!(o instanceof String raw)) {
        return null;
      }
      String s = raw.strip();
      int i = 0;
      int n = s.length();
      if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
        i++;
      }
      int digits = 0;
      while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        i++;
        digits++;
      }
      boolean decimal = false;
      if (i < n && s.charAt(i) == '.') {
        decimal = true;
        i++;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
          i++;
          digits++;
        }
      }
      if (digits == 0) {
        return null;
      }
      if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
        decimal = true;
        i++;
        if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
          i++;
        }
        int exponentDigits = 0;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
          i++;
          exponentDigits++;
        }
        if (exponentDigits == 0) {
          return null;
        }
      }
      if (i != n) {
        return null;
      }
      if (!decimal) {
        try {
          return Long.parseLong(s);
        } catch (NumberFormatException tooLong) {
          // beyond a long: compare it as a double
        }
      }
      double d = Double.parseDouble(s);
      return Double.isInfinite(d) ? null : d;
    }
  }
}
