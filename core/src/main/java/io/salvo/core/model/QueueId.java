package io.salvo.core.model;

import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;

/**
 * One queue of a topic: {@code topic#index}. The only place where that entity id is formatted or parsed.
 * '#' is not a legal topic character, so the split is unambiguous.
 */
public record QueueId(String topic, int index) {
  public static final char SEPARATOR = '#';

  public QueueId {
    if (index < 0) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "queue index " + index + " is negative");
    }
  }

  public static QueueId of(String topic, int index) {
    return new QueueId(topic, index);
  }

  /** Parses an entity id made by {@link #entityId()}. */
  public static QueueId parse(String entityId) {
    int at = entityId.lastIndexOf(SEPARATOR);
    if (at <= 0 || at == entityId.length() - 1) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "'" + entityId + "' is not a queue id of the form topic#index");
    }
    try {
      return new QueueId(entityId.substring(0, at), Integer.parseInt(entityId.substring(at + 1)));
    } catch (NumberFormatException e) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "'" + entityId + "' does not end in a queue index");
    }
  }

  public String entityId() {
    return topic + SEPARATOR + index;
  }

  @Override
  public String toString() {
    return entityId();
  }
}
