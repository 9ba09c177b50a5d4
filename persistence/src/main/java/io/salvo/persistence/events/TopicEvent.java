package io.salvo.persistence.events;

/** Journal events of a topic entity ({@code TopicEntity}): the topic's definition. */
public sealed interface TopicEvent extends SalvoEvent {

  /** The topic came into being with {@code queueCount} queues. */
  record TopicCreated(int queueCount, boolean autoCreated, long timestamp) implements TopicEvent {}

  /** The topic keeps messages for {@code retentionMs} (0: the broker's default retention). */
  record RetentionSet(long retentionMs, long timestamp) implements TopicEvent {}

  /** The topic grew to {@code queueCount} queues (admin; a queue count never shrinks). */
  record QueueCountSet(int queueCount, long timestamp) implements TopicEvent {}

  /**
   * The topic was deleted (admin); it had {@code queueCount} queues. Its state goes back to "does not exist": a later
   * create (or an auto-create) makes it anew.
   */
  record TopicDeleted(int queueCount, long timestamp) implements TopicEvent {}
}
