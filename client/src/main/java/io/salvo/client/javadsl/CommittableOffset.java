package io.salvo.client.javadsl;

import io.salvo.client.internal.OffsetTracker;

/**
 * The position of one consumed message in its queue, for {@link SalvoSink#committer()} (or {@link #commit()}
 * directly).
 *
 * <p>Committing marks the message consumed in this consumer. The consumer sends its queues' offsets to the broker
 * every commit interval ({@code salvo.client.consumer.commit-interval}, 1 s; {@link ConsumerSettings#withCommitInterval}),
 * when the group moves the queue to another member, and when it shuts down; each queue's committed offset is its
 * smallest message not committed yet, so messages may be committed in any order, and a message never committed
 * holds its queue's offset (everything after it is consumed again after a restart or a hand-over).
 *
 * <p>A commit after the queue has moved to another member, or after the consumer shut down, is ignored: the new
 * owner consumes the message again (at-least-once).
 *
 * <p>Immutable and thread safe; {@link #commit()} may be called from any thread, more than once.
 */
public final class CommittableOffset {
  private final OffsetTracker tracker;
  private final String group;
  private final String topic;
  private final int queueId;
  private final long offset;

  CommittableOffset(OffsetTracker tracker, String group, String topic, int queueId, long offset) {
    this.tracker = tracker;
    this.group = group;
    this.topic = topic;
    this.queueId = queueId;
    this.offset = offset;
  }

  /** Marks the message consumed; never blocks on the network (see the class comment for when it reaches the broker). */
  public void commit() {
    tracker.ack(offset);
  }

  public String group() {
    return group;
  }

  public String topic() {
    return topic;
  }

  public int queueId() {
    return queueId;
  }

  /** The message's offset in its queue. */
  public long offset() {
    return offset;
  }

  @Override
  public String toString() {
    return "CommittableOffset(" + group + ", " + topic + "#" + queueId + " @" + offset + ")";
  }
}
