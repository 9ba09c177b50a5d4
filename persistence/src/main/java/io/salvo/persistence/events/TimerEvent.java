package io.salvo.persistence.events;

/**
 * Journal events of the broker's durable timer (package {@code io.salvo.cluster.delay}). Delayed messages are
 * journaled in buckets of one second of delivery time ({@code TimerBucketEntity}); an index per hour of delivery time
 * ({@code TimerIndexEntity}) lists the buckets that hold messages; one cursor ({@code TimerWheel}) remembers up to
 * which second every bucket has been delivered. Serialized by {@link SalvoEventSerializer}.
 */
public sealed interface TimerEvent extends SalvoEvent {

  /** A delayed message, to be appended to queue {@code topic#queueId} at {@code deliverAt} (ms since the epoch). */
  record MessageScheduled(String topic, int queueId, long deliverAt, QueueEvent.MessageAppended message)
      implements TimerEvent {}

  /**
   * The bucket's second is due: every message scheduled before this event is delivered by the bucket's firing;
   * a message scheduled into the bucket after it is no longer journaled here.
   */
  record BucketFired(long timestamp) implements TimerEvent {}

  /** Every message of the bucket journaled up to sequence number {@code upToSequenceNr} is in its queue. */
  record BucketDelivered(long upToSequenceNr, long timestamp) implements TimerEvent {}

  /** The bucket {@code second}/{@code partition} (of this hour's index) holds messages. */
  record BucketRegistered(long second, int partition) implements TimerEvent {}

  /** The timer has listed this hour's buckets up to {@code upToSecond}: no bucket at or before it registers now. */
  record IndexSealed(long upToSecond) implements TimerEvent {}

  /** Every bucket up to {@code second} has been delivered. */
  record WheelAdvanced(long second) implements TimerEvent {}
}
