package io.salvo.client.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The consumption state of one queue (RocketMQ's ProcessQueue, offsets only): the offsets received and not yet
 * consumed, and the fetch position (the offset after the last stream element received, filtered-out messages
 * included). The offset safe to commit is the smallest unconsumed offset, or the fetch position when nothing is in
 * flight. Thread safe: the stream registers, consume threads acknowledge, the consumer actor reads.
 */
public final class OffsetTracker {
  private final TreeSet<Long> inFlight = new TreeSet<>();
  private long fetchPosition;

  /** A tracker starting at {@code startOffset} (its first commit offset, fetch position and lower bound). */
  public OffsetTracker(long startOffset) {
    this.fetchPosition = startOffset;
  }

  /**
   * Registers a received stream element: the offsets of its messages and its next_offset. Returns the offsets
   * accepted, in the given order: an offset below the fetch position (a message received before) or already in
   * flight is dropped, so a reconnect can never deliver a message twice at the same time.
   */
  public synchronized List<Long> register(List<Long> offsets, long nextOffset) {
    List<Long> accepted = new ArrayList<>(offsets.size());
    long highest = fetchPosition;
    for (Long offset : offsets) {
      if (offset >= fetchPosition && inFlight.add(offset)) {
        accepted.add(offset);
        highest = Math.max(highest, offset + 1);
      }
    }
    fetchPosition = Math.max(highest, nextOffset);
    return accepted;
  }

  /** Marks an offset consumed. Unknown offsets are ignored. */
  public synchronized void ack(long offset) {
    inFlight.remove(offset);
  }

  /** The offset of the next message to consume, as committed to the group. */
  public synchronized long commitOffset() {
    return inFlight.isEmpty() ? fetchPosition : inFlight.first();
  }

  /** Where a reconnected stream resumes: after everything received (in-flight messages are still here). */
  public synchronized long fetchPosition() {
    return fetchPosition;
  }

  public synchronized int inFlightCount() {
    return inFlight.size();
  }
}
