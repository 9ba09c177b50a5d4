package io.salvo.cluster.queue;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of journal writes by the queue entities of one node: writes, appends (one per send, or per group of
 * sends a Publish stream combined) and messages. The ratio messages / writes shows group commit at work; served on
 * the admin API ({@code GET /stats}). Thread safe.
 */
public final class WriteStats {
  private final LongAdder writes = new LongAdder();
  private final LongAdder appends = new LongAdder();
  private final LongAdder messages = new LongAdder();

  void record(int appendCount, int messageCount) {
    writes.increment();
    appends.add(appendCount);
    messages.add(messageCount);
  }

  public record Snapshot(long writes, long appends, long messages) {
    public double messagesPerWrite() {
      return writes == 0 ? 0 : (double) messages / writes;
    }
  }

  public Snapshot snapshot() {
    return new Snapshot(writes.sum(), appends.sum(), messages.sum());
  }
}
