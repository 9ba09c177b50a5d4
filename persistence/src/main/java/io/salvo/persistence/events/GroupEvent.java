package io.salvo.persistence.events;

/**
 * Journal events of a consumer group entity ({@code ConsumerGroupEntity}): members, the assignment
 * generation, and committed offsets.
 */
public sealed interface GroupEvent extends SalvoEvent {

  /** A member joined the group (or re-joined after its session expired); the generation moved to {@code generation}. */
  record MemberJoined(String clientId, long generation, long timestamp) implements GroupEvent {}

  /** A member left or its session expired; the generation moved to {@code generation}. */
  record MemberLeft(String clientId, long generation, long timestamp) implements GroupEvent {}

  /** The group consumed queue {@code topic#queueId} up to (excluding) {@code offset}. */
  record OffsetCommitted(String topic, int queueId, long offset, long timestamp) implements GroupEvent {}
}
