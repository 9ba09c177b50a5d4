package io.salvo.persistence.events;

/** Journal events of a topic entity ({@code TopicEntity}): the topic's definition. */
public sealed interface TopicEvent extends SalvoEvent {

  /** The topic came into being with {@code queueCount} queues. */
  record TopicCreated(int queueCount, boolean autoCreated, long timestamp) implements TopicEvent {}

  /** The topic keeps messages for {@code retentionMs} (0: the broker's default retention). */
  record RetentionSet(long retentionMs, long timestamp) implements TopicEvent {}
}
