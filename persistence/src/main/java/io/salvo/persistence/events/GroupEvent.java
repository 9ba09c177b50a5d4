package io.salvo.persistence.events;

/**
 * Journal events of a consumer group entity ({@code ConsumerGroupEntity}): members, the assignment
 * generation, which member holds which queue, and committed offsets.
 */
public sealed interface GroupEvent extends SalvoEvent {

  /** A member joined the group (or re-joined after its session expired); the generation moved to {@code generation}. */
  record MemberJoined(String clientId, long generation, long timestamp) implements GroupEvent {}

  /** A member left or its session expired; the generation moved to {@code generation}. */
  record MemberLeft(String clientId, long generation, long timestamp) implements GroupEvent {}

  /** Queue {@code topic#queueId} was given to member {@code clientId}: only it may consume and commit the queue. */
  record QueueGranted(String topic, int queueId, String clientId, long timestamp) implements GroupEvent {}

  /** Member {@code clientId} stopped consuming queue {@code topic#queueId}; the queue may go to another member. */
  record QueueReleased(String topic, int queueId, String clientId, long timestamp) implements GroupEvent {}

  /** The group consumed queue {@code topic#queueId} up to (excluding) {@code offset}. */
  record OffsetCommitted(String topic, int queueId, long offset, long timestamp) implements GroupEvent {}

  /**
   * An administrator set the group's offset of queue {@code topic#queueId} to {@code offset} (a reset to a time). When
   * a member held the queue ({@code holder}, else empty), it must drop the queue before it gets it back: until then its
   * commits of it are fenced, so its stream's older position never overwrites the reset.
   */
  record OffsetReset(String topic, int queueId, long offset, String holder, long timestamp) implements GroupEvent {}
}
