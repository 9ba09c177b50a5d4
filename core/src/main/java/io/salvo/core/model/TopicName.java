package io.salvo.core.model;

import io.salvo.core.validation.Validation;

/** A validated topic name (RocketMQ's rules: {@code [%|a-zA-Z0-9_-]}, at most 127 characters). */
public record TopicName(String value) {
  public TopicName {
    Validation.checkTopic(value);
  }

  public static TopicName of(String value) {
    return new TopicName(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
