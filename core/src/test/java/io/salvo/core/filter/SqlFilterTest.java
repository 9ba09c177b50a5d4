package io.salvo.core.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlFilterTest {

  // ---- parser: what parses, and into which tree (precedence, keywords, literals) ----

  @ParameterizedTest(name = "{0}  =>  {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      a = 1                                    | (a = 1)
      a <> 'x'                                 | (a <> 'x')
      a>=1.5                                   | (a >= 1.5)
      a < -3                                   | (a < -3)
      a <= .5e2                                | (a <= 50.0)
      a > +7                                   | (a > 7)
      1 < a                                    | (1 < a)
      a = TRUE                                 | (a = TRUE)
      a = false                                | (a = FALSE)
      TAGS = 'TagA'                            | (TAGS = 'TagA')
      name = 'it''s'                           | (name = 'it''s')
      s = ''                                   | (s = '')
      a.b_c$d = 'x'                            | (a.b_c$d = 'x')
      a BETWEEN 1 AND 5                        | (a BETWEEN 1 AND 5)
      a not between -1.5 and 2                 | (a NOT BETWEEN -1.5 AND 2)
      a BETWEEN 3 AND 3                        | (a BETWEEN 3 AND 3)
      a BETWEEN b AND c                        | (a BETWEEN b AND c)
      TAGS IN ('A', 'B')                       | (TAGS IN ('A', 'B'))
      a NOT IN (1, 2.5, 'x')                   | (a NOT IN (1, 2.5, 'x'))
      a IS NULL                                | (a IS NULL)
      a is not null                            | (a IS NOT NULL)
      TRUE                                     | TRUE
      NOT FALSE                                | NOT FALSE
      a = 1 OR b = 2 AND c = 3                 | ((a = 1) OR ((b = 2) AND (c = 3)))
      (a = 1 OR b = 2) AND c = 3               | (((a = 1) OR (b = 2)) AND (c = 3))
      a = 1 AND b = 2 OR c = 3                 | (((a = 1) AND (b = 2)) OR (c = 3))
      NOT a = 1 AND b = 2                      | (NOT (a = 1) AND (b = 2))
      NOT (a = 1 AND b = 2)                    | NOT ((a = 1) AND (b = 2))
      NOT NOT a IS NULL                        | NOT NOT (a IS NULL)
      a = 1 OR b = 2 OR c = 3                  | (((a = 1) OR (b = 2)) OR (c = 3))
      ((a = 1))                                | (a = 1)
      "  a=1  and  b='x'  "                    | ((a = 1) AND (b = 'x'))
      a = 9223372036854775807                  | (a = 9223372036854775807)
      """)
  void parsesIntoTheTreeOfItsPrecedence(String expression, String tree) {
    assertEquals(tree, SqlFilter.parse(expression).tree());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      a >                    | 4  | expected a property, TAGS or a literal after '>', found end of expression
      a =                    | 4  | found end of expression
      a                      | 2  | expected a comparison (=, <>, <, <=, >, >=, BETWEEN, IN or IS) after property 'a', found end of expression
      a 1                    | 3  | expected a comparison
      = 1                    | 1  | expected a condition: a property, TAGS, a literal, NOT or '(', found '='
      a = 1 b = 2            | 7  | expected AND, OR or the end of the expression, found property 'b'
      a = 1 AND              | 10 | found end of expression
      a = 1 OR OR b = 2      | 10 | found 'OR'
      (a = 1                 | 7  | expected ')' closing the '(' at column 1, AND or OR, found end of expression
      a = 1)                 | 6  | expected AND, OR or the end of the expression, found ')'
      a = 'abc               | 9  | expected a closing quote for the string opened at column 5, found end of expression
      a != 1                 | 3  | found '!=' (not equal is written '<>')
      a == 1                 | 4  | found '='
      a # 1                  | 3  | expected a property, a literal, an operator or a parenthesis, found '#'
      a > 'x'                | 5  | expected a number or a property ('>' compares numbers), found string 'x'
      'x' <= a               | 1  | expected a number or a property ('<=' compares numbers), found string 'x'
      a < TRUE               | 5  | found 'TRUE'
      a BETWEEN 'a' AND 'z'  | 11 | expected a number or a property (BETWEEN compares numbers), found string 'a'
      a BETWEEN 1 OR 2       | 13 | expected AND between the bounds of BETWEEN, found 'OR'
      a BETWEEN 5 AND 1      | 11 | BETWEEN's lower bound 5 is greater than its upper bound 1
      a BETWEEN 1 AND        | 16 | expected the upper bound of BETWEEN, found end of expression
      a NOT LIKE 'x'         | 7  | expected BETWEEN or IN after NOT, found property 'LIKE'
      a IN ()                | 7  | expected a string or number literal in the list of IN, found ')'
      a IN ('x' 'y')         | 11 | expected ',' or ')' closing the list of IN, found string 'y'
      a IN 'x'               | 6  | expected '(' opening the list of IN, found string 'x'
      a IN (b)               | 7  | found property 'b'
      a IS 1                 | 6  | expected NULL or NOT NULL after IS, found number 1
      a IS NOT               | 9  | expected NULL after IS NOT, found end of expression
      a = NULL               | 5  | found NULL (test for a missing property with IS NULL)
      a = 1e                 | 7  | expected the digits of the exponent of 1e, found end of expression
      a = 12abc              | 7  | expected an operator or a space after the number 12
      a = 99999999999999999999 | 5 | expected an integer between
      NOT                    | 4  | found end of expression
      ()                     | 2  | found ')'
      """)
  void rejectsMalformedExpressionsNamingTheColumnAndWhatWasExpected(String expression, int column, String detail) {
    SalvoException e = assertThrows(SalvoException.class, () -> SqlFilter.parse(expression));
    assertEquals(ErrorCode.INVALID_FILTER, e.code());
    assertTrue(e.getMessage().startsWith("invalid filter expression '" + expression + "': at column " + column + ": "),
        e.getMessage());
    assertTrue(e.getMessage().contains(detail), e.getMessage());
  }

  @Test
  void rejectsNestingBeyondTheLimit() {
    String deep = "(".repeat(SqlParser.MAX_DEPTH + 1) + "a = 1" + ")".repeat(SqlParser.MAX_DEPTH + 1);
    SalvoException e = assertThrows(SalvoException.class, () -> SqlFilter.parse(deep));
    assertTrue(e.getMessage().contains("at column " + (SqlParser.MAX_DEPTH + 1) + ": nesting deeper than"),
        e.getMessage());
    assertEquals("(a = 1)", SqlFilter.parse("(".repeat(SqlParser.MAX_DEPTH) + "a = 1"
        + ")".repeat(SqlParser.MAX_DEPTH)).tree());
  }

  @Test
  void rejectsAnExpressionOverTheLengthLimit() {
    String longOne = "a = 1" + " OR a = 1".repeat(SqlFilter.MAX_LENGTH / 9);
    SalvoException e = assertThrows(SalvoException.class, () -> SqlFilter.parse(longOne));
    assertEquals(ErrorCode.INVALID_FILTER, e.code());
    assertTrue(e.getMessage().contains("over the limit of " + SqlFilter.MAX_LENGTH), e.getMessage());
  }

  @Test
  void aBlankExpressionPassesEverything() {
    assertTrue(SqlFilter.parse(null).matchesAll());
    assertTrue(SqlFilter.parse("  ").matches(null, Map.of()));
    assertFalse(SqlFilter.parse("a = 1").matchesAll());
  }

  // ---- evaluator: properties are strings; "k=v;k2=v2" below, "-" for none; tag "null" for no tag ----

  @ParameterizedTest(name = "{0}  on tag={1} props={2}  =>  {3}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', nullValues = "null", textBlock = """
      a = 'x'                         | null | a=x          | true
      a = 'x'                         | null | a=X          | false
      a = 'x'                         | null | -            | false
      a <> 'x'                        | null | a=y          | true
      a <> 'x'                        | null | -            | false
      a = b                           | null | a=1;b=1      | true
      a = b                           | null | a=1;b=1.0    | false
      a = 10                          | null | a=10         | true
      a = 10                          | null | a=10.0       | true
      a = 10.0                        | null | a=10         | true
      a = 10                          | null | "a= 10 "     | true
      a = 10                          | null | a=ten        | false
      a <> 10                         | null | a=ten        | false
      a <> 10                         | null | a=11         | true
      a > 5                           | null | a=10         | true
      a > 5                           | null | a=9e-1       | false
      a > 5                           | null | a=5          | false
      a >= 5                          | null | a=5          | true
      a < 5.5                         | null | a=5          | true
      a <= -1                         | null | a=-1         | true
      a > 5                           | null | a=abc        | false
      a > 5                           | null | -            | false
      a > 5                           | null | a=           | false
      a > 5                           | null | a=NaN        | false
      a > 5                           | null | a=Infinity   | false
      a > 5                           | null | a=99999999999999999999 | true
      a < b                           | null | a=9;b=10     | true
      a < b                           | null | a=x;b=y      | false
      NOT a > 5                       | null | a=3          | true
      NOT a > 5                       | null | a=abc        | false
      NOT a > 5                       | null | -            | false
      NOT (a > 5)                     | null | a=10         | false
      a = TRUE                        | null | a=true       | true
      a = TRUE                        | null | a=TRUE       | true
      a = FALSE                       | null | a=true       | false
      a = TRUE                        | null | a=yes        | false
      NOT a = TRUE                    | null | a=yes        | false
      a IS NULL                       | null | -            | true
      a IS NULL                       | null | a=           | false
      a IS NOT NULL                   | null | a=x          | true
      a IS NOT NULL                   | null | b=x          | false
      NOT a IS NULL                   | null | a=x          | true
      a BETWEEN 1 AND 5               | null | a=1          | true
      a BETWEEN 1 AND 5               | null | a=5          | true
      a BETWEEN 1 AND 5               | null | a=3.5        | true
      a BETWEEN 1 AND 5               | null | a=6          | false
      a BETWEEN 1 AND 5               | null | a=x          | false
      a BETWEEN 1 AND 5               | null | -            | false
      a NOT BETWEEN 1 AND 5           | null | a=6          | true
      a NOT BETWEEN 1 AND 5           | null | a=3          | false
      a NOT BETWEEN 1 AND 5           | null | -            | false
      a NOT BETWEEN 1 AND 5           | null | a=x          | false
      a BETWEEN lo AND hi             | null | a=5;lo=1;hi=9 | true
      a BETWEEN lo AND hi             | null | a=5;lo=1     | false
      a IN ('x', 'y')                 | null | a=y          | true
      a IN ('x', 'y')                 | null | a=z          | false
      a IN ('x', 'y')                 | null | -            | false
      a NOT IN ('x', 'y')             | null | a=z          | true
      a NOT IN ('x', 'y')             | null | a=x          | false
      a NOT IN ('x', 'y')             | null | -            | false
      a IN (1, 2)                     | null | a=2.0        | true
      a IN (1, 'x')                   | null | a=x          | true
      a NOT IN (1, 'x')               | null | a=y          | false
      TAGS = 'TagA'                   | TagA | -            | true
      TAGS = 'TagA'                   | TagB | -            | false
      TAGS = 'TagA'                   | null | -            | false
      TAGS IS NULL                    | null | -            | true
      TAGS IS NULL                    | ""   | -            | true
      TAGS IN ('TagA', 'TagB')        | TagB | -            | true
      TAGS <> 'TagA'                  | TagB | -            | true
      TAGS = 'TagA'                   | TagA | TAGS=TagB    | true
      tags = 'TagA'                   | TagA | -            | false
      TRUE                            | null | -            | true
      FALSE                           | null | -            | false
      a = 1 OR b = 1                  | null | b=1          | true
      a = 1 OR b = 1                  | null | a=x;b=2      | false
      a = 1 AND b = 1                 | null | a=1;b=1      | true
      a = 1 AND b = 1                 | null | a=1          | false
      a = 1 OR b = 2 AND c = 3        | null | a=1          | true
      (a = 1 OR b = 2) AND c = 3      | null | a=1          | false
      (a = 1 OR b = 2) AND c = 3      | null | a=1;c=3      | true
      NOT (a = 1 OR b = 2)            | null | a=2          | false
      NOT (a = 1 OR b = 2)            | null | a=2;b=1      | true
      NOT (a = 1 AND b = 2)           | null | a=2          | true
      NOT a = 1 AND b = 2             | null | a=2;b=2      | true
      NOT a = 1 AND b = 2             | null | a=1;b=2      | false
      a IS NULL OR a > 5              | null | -            | true
      a IS NULL OR a > 5              | null | a=6          | true
      a IS NULL OR a > 5              | null | a=4          | false
      region = 'eu' AND (amount > 100 OR TAGS IN ('vip')) | vip | region=eu;amount=5 | true
      """)
  void evaluates(String expression, String tag, String properties, boolean expected) {
    assertEquals(expected, SqlFilter.parse(expression).matches(tag, properties(properties)));
  }

  @ParameterizedTest(name = "{0}: passes {1}, NOT-ed passes {2}")
  @CsvSource(delimiter = '|', textBlock = """
      a > 5                | false | false
      a = 'x'              | false | false
      a <> 'x'             | false | false
      a BETWEEN 1 AND 2    | false | false
      a IN ('x')           | false | false
      a IS NULL            | true  | false
      a IS NOT NULL        | false | true
      """)
  void comparisonsOfAMissingPropertyAreUnknownSoTheirNegationsFailToo(String condition, boolean passes,
      boolean negatedPasses) {
    assertEquals(passes, SqlFilter.parse(condition).matches(null, Map.of()));
    assertEquals(negatedPasses, SqlFilter.parse("NOT (" + condition + ")").matches(null, Map.of()));
  }

  @Test
  void messageFilterParsesBothLanguages() {
    MessageFilter tag = MessageFilter.parse(MessageFilter.Type.TAG, "A || B");
    MessageFilter sql = MessageFilter.parse(MessageFilter.Type.SQL92, " TAGS IN ('A', 'B') ");
    assertEquals(MessageFilter.Type.TAG, tag.type());
    assertEquals(MessageFilter.Type.SQL92, sql.type());
    assertEquals("TAGS IN ('A', 'B')", sql.expression());
    for (String t : new String[] {"A", "B", "C", null}) {
      assertEquals(tag.matches(t, Map.of()), sql.matches(t, Map.of()), "tag " + t);
    }
    SalvoException e = assertThrows(SalvoException.class, () -> MessageFilter.parse(MessageFilter.Type.SQL92, "A || B"));
    assertEquals(ErrorCode.INVALID_FILTER, e.code());
    assertTrue(MessageFilter.parse(MessageFilter.Type.TAG, "*").matchesAll());
    assertTrue(MessageFilter.all().matches(null, null));
  }

  private static Map<String, String> properties(String spec) {
    Map<String, String> out = new HashMap<>();
    if (spec == null || spec.equals("-")) {
      return out;
    }
    for (String pair : spec.split(";")) {
      int eq = pair.indexOf('=');
      out.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return out;
  }
}
