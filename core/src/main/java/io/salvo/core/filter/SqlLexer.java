package io.salvo.core.filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cuts a SQL92 filter expression into {@link Token}s. Keywords ({@code AND OR NOT BETWEEN IN IS NULL TRUE FALSE})
 * are case-insensitive; identifiers ({@code [A-Za-z_$][A-Za-z0-9_$.]*}) are property names, case-sensitive;
 * strings are in single quotes with {@code ''} for a quote; numbers are decimal integers (a {@code long}) or decimals
 * with a fraction or an exponent (a {@code double}), with an optional leading {@code -} or {@code +}. Columns are
 * 1-based. Package-private: {@link SqlFilter#parse} is the entry point.
 */
final class SqlLexer {

  enum Kind {
    IDENTIFIER, STRING, INTEGER, DECIMAL,
    AND, OR, NOT, BETWEEN, IN, IS, NULL, TRUE, FALSE,
    EQ("="), NE("<>"), LT("<"), LE("<="), GT(">"), GE(">="), LPAREN("("), RPAREN(")"), COMMA(","),
    END;

    final String symbol;

    Kind() {
      this.symbol = null;
    }

    Kind(String symbol) {
      this.symbol = symbol;
    }
  }

  /**
   * One token: its kind, its text as written, its value (the identifier's name, the string's content, a
   * {@code Long} or a {@code Double}; null otherwise) and the column of its first character.
   */
  record Token(Kind kind, String text, Object value, int column) {
    /** How an error message names this token. */
    String describe() {
      return switch (kind) {
        case END -> "end of expression";
        case STRING -> "string " + text;
        case IDENTIFIER -> "property '" + text + "'";
        case INTEGER, DECIMAL -> "number " + text;
        default -> "'" + text + "'";
      };
    }
  }

  private static final Map<String, Kind> KEYWORDS = Map.of(
      "AND", Kind.AND, "OR", Kind.OR, "NOT", Kind.NOT, "BETWEEN", Kind.BETWEEN, "IN", Kind.IN, "IS", Kind.IS,
      "NULL", Kind.NULL, "TRUE", Kind.TRUE, "FALSE", Kind.FALSE);

  private final String input;
  private int pos;

  private SqlLexer(String input) {
    this.input = input;
  }

  /**
   * The tokens of {@code input}, ending with one {@link Kind#END}.
   *
   * @throws SqlSyntaxError for a character that starts no token, an unterminated string, or a malformed number
   */
  static List<Token> tokenize(String input) {
    SqlLexer lexer = new SqlLexer(input);
    List<Token> tokens = new ArrayList<>();
    Token t;
    do {
      t = lexer.next();
      tokens.add(t);
    } while (t.kind() != Kind.END);
    return tokens;
  }

  private Token next() {
    while (pos < input.length() && Character.isWhitespace(input.charAt(pos))) {
      pos++;
    }
    int start = pos;
    if (pos >= input.length()) {
      return new Token(Kind.END, "", null, start + 1);
    }
    char c = input.charAt(pos);
    if (c == '\'') {
      return string(start);
    }
    if (isDigit(c) || (c == '.' && isDigitAt(pos + 1))
        || ((c == '-' || c == '+') && (isDigitAt(pos + 1) || (charAt(pos + 1) == '.' && isDigitAt(pos + 2))))) {
      return number(start);
    }
    if (isIdentifierStart(c)) {
      pos++;
      while (pos < input.length() && isIdentifierPart(input.charAt(pos))) {
        pos++;
      }
      String text = input.substring(start, pos);
      Kind keyword = KEYWORDS.get(text.toUpperCase(Locale.ROOT));
      return keyword != null ? new Token(keyword, text, null, start + 1) : new Token(Kind.IDENTIFIER, text, text, start + 1);
    }
    switch (c) {
      case '=':
        return symbol(Kind.EQ, start, 1);
      case '(':
        return symbol(Kind.LPAREN, start, 1);
      case ')':
        return symbol(Kind.RPAREN, start, 1);
      case ',':
        return symbol(Kind.COMMA, start, 1);
      case '<':
        if (charAt(pos + 1) == '>') {
          return symbol(Kind.NE, start, 2);
        }
        return charAt(pos + 1) == '=' ? symbol(Kind.LE, start, 2) : symbol(Kind.LT, start, 1);
      case '>':
        return charAt(pos + 1) == '=' ? symbol(Kind.GE, start, 2) : symbol(Kind.GT, start, 1);
      default:
        String found = c == '!' && charAt(pos + 1) == '='
            ? "'!=' (not equal is written '<>')"
            : "'" + new String(Character.toChars(input.codePointAt(pos))) + "'";
        throw new SqlSyntaxError(start + 1, "a property, a literal, an operator or a parenthesis", found);
    }
  }

  private Token symbol(Kind kind, int start, int length) {
    pos = start + length;
    return new Token(kind, kind.symbol, null, start + 1);
  }

  private Token string(int start) {
    StringBuilder value = new StringBuilder();
    pos++;
    while (true) {
      if (pos >= input.length()) {
        throw new SqlSyntaxError(input.length() + 1, "a closing quote for the string opened at column " + (start + 1),
            "end of expression");
      }
      char c = input.charAt(pos++);
      if (c == '\'') {
        if (charAt(pos) == '\'') {
          value.append('\'');
          pos++;
        } else {
          return new Token(Kind.STRING, input.substring(start, pos), value.toString(), start + 1);
        }
      } else {
        value.append(c);
      }
    }
  }

  private Token number(int start) {
    if (input.charAt(pos) == '-' || input.charAt(pos) == '+') {
      pos++;
    }
    boolean decimal = false;
    while (isDigitAt(pos)) {
      pos++;
    }
    if (charAt(pos) == '.') {
      decimal = true;
      pos++;
      while (isDigitAt(pos)) {
        pos++;
      }
    }
    if (charAt(pos) == 'e' || charAt(pos) == 'E') {
      decimal = true;
      int exponent = pos;
      pos++;
      if (charAt(pos) == '-' || charAt(pos) == '+') {
        pos++;
      }
      if (!isDigitAt(pos)) {
        throw new SqlSyntaxError(pos + 1, "the digits of the exponent of " + input.substring(start, exponent + 1),
            pos < input.length() ? "'" + input.charAt(pos) + "'" : "end of expression");
      }
      while (isDigitAt(pos)) {
        pos++;
      }
    }
    if (pos < input.length() && isIdentifierStart(input.charAt(pos))) {
      throw new SqlSyntaxError(pos + 1, "an operator or a space after the number " + input.substring(start, pos),
          "'" + input.charAt(pos) + "'");
    }
    String text = input.substring(start, pos);
    if (!decimal) {
      try {
        return new Token(Kind.INTEGER, text, Long.parseLong(text), start + 1);
      } catch (NumberFormatException e) {
        throw new SqlSyntaxError(start + 1, "an integer between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE,
            text);
      }
    }
    double value = Double.parseDouble(text);
    if (Double.isInfinite(value)) {
      throw new SqlSyntaxError(start + 1, "a finite number", text);
    }
    return new Token(Kind.DECIMAL, text, value, start + 1);
  }

  private char charAt(int i) {
    return i < input.length() ? input.charAt(i) : '\0';
  }

  private boolean isDigitAt(int i) {
    return i < input.length() && isDigit(input.charAt(i));
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isIdentifierStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
  }

  private static boolean isIdentifierPart(char c) {
    return isIdentifierStart(c) || isDigit(c) || c == '.';
  }

  /** A syntax error at a 1-based column: what was expected there and what was found. */
  static final class SqlSyntaxError extends RuntimeException {
    final int column;

    SqlSyntaxError(int column, String expected, String found) {
      super("at column " + column + ": expected " + expected + ", found " + found, null, false, false);
      this.column = column;
    }

    SqlSyntaxError(int column, String detail) {
      super("at column " + column + ": " + detail, null, false, false);
      this.column = column;
    }
  }
}
