package io.salvo.core.validation;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValidationTest {

  @ParameterizedTest
  @ValueSource(strings = {"TopicTest", "a", "%RETRY%group", "with-dash_and_underscore", "a|b", "0123456789"})
  void acceptsTopicNamesRocketMqAccepts(String topic) {
    assertDoesNotThrow(() -> Validation.checkTopic(topic));
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "bad topic;position 3",
      "topic#0;position 5",
      "tópico;position 1",
      "a.b;position 1",
      "'   ';must not be blank"})
  void rejectsTopicNamesNamingThePosition(String topic, String expected) {
    SalvoException e = assertThrows(SalvoException.class, () -> Validation.checkTopic(topic));
    assertEquals(ErrorCode.INVALID_TOPIC, e.code());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {127, 128, 1000})
  void topicLengthLimitIs127(int length) {
    String topic = "t".repeat(length);
    if (length <= 127) {
      assertDoesNotThrow(() -> Validation.checkTopic(topic));
    } else {
      SalvoException e = assertThrows(SalvoException.class, () -> Validation.checkTopic(topic));
      assertTrue(e.getMessage().contains("length " + length + " is over the limit of 127"), e.getMessage());
    }
  }

  @ParameterizedTest
  @CsvSource({"0,EMPTY_BODY", "1,OK", "4194304,OK", "4194305,MESSAGE_TOO_LARGE"})
  void bodyMustBeNonEmptyAndWithinTheLimit(int length, String expected) {
    if (expected.equals("OK")) {
      assertDoesNotThrow(() -> Validation.checkBody(length, 4194304));
    } else {
      SalvoException e = assertThrows(SalvoException.class, () -> Validation.checkBody(length, 4194304));
      assertEquals(ErrorCode.valueOf(expected), e.code());
      if (length > 0) {
        assertEquals("message body is 4194305 bytes, over the limit of 4194304 bytes", e.getMessage());
      }
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {"TagA;OK", "'';OK", "Tag A;INVALID_TAG", "A||B;INVALID_TAG"})
  void tags(String tag, String expected) {
    if (expected.equals("OK")) {
      assertDoesNotThrow(() -> Validation.checkTag(tag));
    } else {
      assertEquals(ErrorCode.valueOf(expected), assertThrows(SalvoException.class, () -> Validation.checkTag(tag)).code());
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {"order-1;OK", "has space;INVALID_KEY", "'';INVALID_KEY"})
  void keys(String key, String expected) {
    if (expected.equals("OK")) {
      assertDoesNotThrow(() -> Validation.checkKeys(List.of(key)));
    } else {
      assertEquals(ErrorCode.valueOf(expected), assertThrows(SalvoException.class, () -> Validation.checkKeys(List.of(key))).code());
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {"color;red;OK", "TAGS;x;INVALID_PROPERTY", "UNIQ_KEY;x;INVALID_PROPERTY", "a b;x;INVALID_PROPERTY"})
  void properties(String name, String value, String expected) {
    if (expected.equals("OK")) {
      assertDoesNotThrow(() -> Validation.checkProperties(Map.of(name, value)));
    } else {
      SalvoException e = assertThrows(SalvoException.class, () -> Validation.checkProperties(Map.of(name, value)));
      assertEquals(ErrorCode.valueOf(expected), e.code());
      assertTrue(e.getMessage().contains(name), e.getMessage());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ConsumerGroupName", "%DLQ%g"})
  void acceptsGroups(String group) {
    assertDoesNotThrow(() -> Validation.checkGroup(group));
  }
}
