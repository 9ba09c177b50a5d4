package io.salvo.cluster.queue;

import io.salvo.persistence.events.QueueEvent.MessageAppended;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A queue entity's state: the next offset to assign and a bounded cache of the most recent messages, which
 * serves caught-up consumers without a journal read. Changed only by {@link QueueEntity}'s event handler;
 * readers get copies.
 */
final class QueueState {
  private final int maxCachedMessages;
  private final long maxCachedBytes;
  private final ArrayDeque<StoredEntry> tail = new ArrayDeque<>();
  private long tailBytes;
  private long nextOffset;

  QueueState(long nextOffset, int maxCachedMessages, long maxCachedBytes) {
    this.nextOffset = nextOffset;
    this.maxCachedMessages = maxCachedMessages;
    this.maxCachedBytes = maxCachedBytes;
  }

  /** The offset the next appended message gets (= the number of messages ever appended). */
  long nextOffset() {
    return nextOffset;
  }

  /** The first offset the cache holds; equal to nextOffset when it is empty. */
  long firstCachedOffset() {
    return tail.isEmpty() ? nextOffset : tail.peekFirst().offset();
  }

  /**
   * Adds the message journaled at {@code offset} (its sequence number - 1). Offsets are consecutive, except that a
   * recovery may start past messages retention deleted (no snapshot covers them): the state then jumps to the offset
   * and the cache restarts there.
   */
  QueueState apply(MessageAppended event, long offset) {
    if (offset > nextOffset) {
      tail.clear();
      tailBytes = 0;
      nextOffset = offset;
    }
    StoredEntry entry = new StoredEntry(nextOffset, event);
    nextOffset++;
    tail.addLast(entry);
    tailBytes += event.approximateSize();
    while (tail.size() > maxCachedMessages || (tailBytes > maxCachedBytes && tail.size() > 1)) {
      tailBytes -= tail.removeFirst().message().approximateSize();
    }
    return this;
  }

  /** Whether {@code offset} can be served from the cache (or is the next offset, i.e. nothing to read yet). */
  boolean isCached(long offset) {
    return offset >= firstCachedOffset() && offset <= nextOffset;
  }

  /** A copy of the cached entries from {@code fromOffset}, at most {@code max}. Requires isCached(fromOffset). */
  List<StoredEntry> readCached(long fromOffset, int max) {
    int n = (int) Math.min(max, nextOffset - fromOffset);
    List<StoredEntry> out = new ArrayList<>(Math.max(n, 0));
    if (n <= 0) {
      return out;
    }
    long skip = fromOffset - firstCachedOffset();
    if (skip < tail.size() / 2) {
      Iterator<StoredEntry> it = tail.iterator();
      for (long i = 0; i < skip; i++) {
        it.next();
      }
      while (out.size() < n && it.hasNext()) {
        out.add(it.next());
      }
    } else {
      // Near the end: walk backwards from the newest entry.
      Iterator<StoredEntry> it = tail.descendingIterator();
      long fromEnd = nextOffset - fromOffset;
      List<StoredEntry> reversed = new ArrayList<>((int) Math.min(fromEnd, Integer.MAX_VALUE));
      for (long i = 0; i < fromEnd && it.hasNext(); i++) {
        reversed.add(it.next());
      }
      for (int i = reversed.size() - 1; i >= 0 && out.size() < n; i--) {
        out.add(reversed.get(i));
      }
    }
    return out;
  }
}
