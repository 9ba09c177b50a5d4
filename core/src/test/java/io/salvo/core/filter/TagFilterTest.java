package io.salvo.core.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TagFilterTest {

  @ParameterizedTest
  @CsvSource(delimiter = ';', nullValues = "null", value = {
      "*;TagA;true",
      "*;null;true",
      "'';TagB;true",
      "TagA;TagA;true",
      "TagA;TagB;false",
      "TagA;null;false",
      "TagA || TagB;TagB;true",
      "TagA||TagB;TagC;false",
      " TagA ||  TagB ;TagA;true"})
  void matches(String expression, String tag, boolean expected) {
    assertEquals(expected, TagFilter.parse(expression).matches(tag));
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {"TagA ||;position 7", "|| TagA;position 0", "A || * ;'*' must stand alone", "Tag A;whitespace inside a tag"})
  void rejectsMalformedExpressionsSayingWhere(String expression, String expected) {
    SalvoException e = assertThrows(SalvoException.class, () -> TagFilter.parse(expression));
    assertEquals(ErrorCode.INVALID_FILTER, e.code());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
