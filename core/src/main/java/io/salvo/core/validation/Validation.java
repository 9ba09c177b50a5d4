package io.salvo.core.validation;

import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * Pure validators for names and message parts, the same rules on the client and the broker. Each throws a
 * {@link SalvoException} whose message names the value and the rule it broke.
 */
public final class Validation {
  /** RocketMQ's limit on a topic name. */
  public static final int TOPIC_MAX_LENGTH = 127;
  /** RocketMQ's limit on a group name. */
  public static final int GROUP_MAX_LENGTH = 255;
  public static final int TAG_MAX_LENGTH = 255;
  public static final int KEY_MAX_LENGTH = 255;
  public static final int PROPERTY_NAME_MAX_LENGTH = 255;
  /** Bytes of all property names and values of one message together (RocketMQ's Short.MAX_VALUE). */
  public static final int PROPERTIES_MAX_BYTES = Short.MAX_VALUE;

  /** Property names the broker sets itself; a producer may not. */
  public static final Set<String> RESERVED_PROPERTIES =
      Set.of("TAGS", "KEYS", "UNIQ_KEY", "MSG_REGION", "TRACE_ON", "WAIT", "DELAY", "RETRY_TOPIC",
          "REAL_TOPIC", "REAL_QID", "TRAN_MSG", "PGROUP", "MIN_OFFSET", "MAX_OFFSET", "RECONSUME_TIME",
          "MAX_RECONSUME_TIMES", "CONSUME_START_TIME", "TIMER_DELIVER_MS", "ORIGIN_MESSAGE_ID");

  private Validation() {}

  /** Topic names: 1..127 characters of {@code a-z A-Z 0-9 _ - % |}. */
  public static void checkTopic(String topic) {
    checkName(topic, TOPIC_MAX_LENGTH, ErrorCode.INVALID_TOPIC);
  }

  /** Group names: 1..255 characters of {@code a-z A-Z 0-9 _ - % |}. */
  public static void checkGroup(String group) {
    checkName(group, GROUP_MAX_LENGTH, ErrorCode.INVALID_GROUP);
  }

  private static void checkName(String name, int maxLength, ErrorCode code) {
    if (name == null || name.isBlank()) {
      throw SalvoException.of(code, name == null ? "null" : name, "must not be blank");
    }
    if (name.length() > maxLength) {
      throw SalvoException.of(code, abbreviate(name), "length " + name.length() + " is over the limit of " + maxLength);
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!isNameChar(c)) {
        throw SalvoException.of(code, name,
            "character '" + c + "' at position " + i + " is not allowed (allowed: a-z A-Z 0-9 _ - % |)");
      }
    }
  }

  private static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '_' || c == '-' || c == '%' || c == '|';
  }

  /** A message's tag: empty (no tag) or up to 255 characters with no whitespace and no '||'. */
  public static void checkTag(String tag) {
    if (tag == null || tag.isEmpty()) {
      return;
    }
    if (tag.length() > TAG_MAX_LENGTH) {
      throw SalvoException.of(ErrorCode.INVALID_TAG, abbreviate(tag), "length " + tag.length() + " is over the limit of " + TAG_MAX_LENGTH);
    }
    if (tag.contains("||")) {
      throw SalvoException.of(ErrorCode.INVALID_TAG, tag, "'||' separates tags in a subscription and may not appear in a tag");
    }
    checkNoWhitespaceOrControl(tag, ErrorCode.INVALID_TAG);
  }

  /** Message keys: each 1..255 characters with no whitespace. */
  public static void checkKeys(Collection<String> keys) {
    for (String key : keys) {
      if (key == null || key.isEmpty()) {
        throw SalvoException.of(ErrorCode.INVALID_KEY, String.valueOf(key), "must not be empty");
      }
      if (key.length() > KEY_MAX_LENGTH) {
        throw SalvoException.of(ErrorCode.INVALID_KEY, abbreviate(key), "length " + key.length() + " is over the limit of " + KEY_MAX_LENGTH);
      }
      checkNoWhitespaceOrControl(key, ErrorCode.INVALID_KEY);
    }
  }

  /** User properties: names 1..255 characters, not reserved, no control characters; 32767 bytes in all. */
  public static void checkProperties(Map<String, String> properties) {
    int bytes = 0;
    for (Map.Entry<String, String> e : properties.entrySet()) {
      String name = e.getKey();
      if (name == null || name.isEmpty()) {
        throw SalvoException.of(ErrorCode.INVALID_PROPERTY, String.valueOf(name), "name must not be empty");
      }
      if (name.length() > PROPERTY_NAME_MAX_LENGTH) {
        throw SalvoException.of(ErrorCode.INVALID_PROPERTY, abbreviate(name), "name length " + name.length() + " is over the limit of " + PROPERTY_NAME_MAX_LENGTH);
      }
      if (RESERVED_PROPERTIES.contains(name)) {
        throw SalvoException.of(ErrorCode.INVALID_PROPERTY, name, "the name is reserved for the broker");
      }
      checkNoWhitespaceOrControl(name, ErrorCode.INVALID_PROPERTY);
      String value = e.getValue() == null ? "" : e.getValue();
      for (int i = 0; i < value.length(); i++) {
        if (Character.isISOControl(value.charAt(i)) && value.charAt(i) != '\t') {
          throw SalvoException.of(ErrorCode.INVALID_PROPERTY, name, "value has a control character at position " + i);
        }
      }
      bytes += name.getBytes(StandardCharsets.UTF_8).length + value.getBytes(StandardCharsets.UTF_8).length;
    }
    if (bytes > PROPERTIES_MAX_BYTES) {
      throw SalvoException.of(ErrorCode.INVALID_PROPERTY, "*", "properties take " + bytes + " bytes, over the limit of " + PROPERTIES_MAX_BYTES);
    }
  }

  /** A body must be non-empty and at most {@code maxBytes}. */
  public static void checkBody(int length, int maxBytes) {
    if (length == 0) {
      throw SalvoException.of(ErrorCode.EMPTY_BODY);
    }
    if (length > maxBytes) {
      throw SalvoException.of(ErrorCode.MESSAGE_TOO_LARGE, length, maxBytes);
    }
  }

  private static void checkNoWhitespaceOrControl(String value, ErrorCode code) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw SalvoException.of(code, value, "whitespace or control character at position " + i);
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
