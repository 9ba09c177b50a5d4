package io.salvo.client.internal;

import io.salvo.client.exception.SalvoClientException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Callers waiting for a commit of their queues now (a lite pull consumer's commitSync): each names, per queue, the
 * offset it wants committed, and is answered once every one of them was committed at or past that offset, or failed.
 * Its answer is the list of failures (empty: all committed). Not thread safe: the consumer actor owns it.
 */
final class CommitWaiters {
  private static final class Waiter {
    final Map<PushConsumerActor.QueueKey, Long> pending;
    final List<SalvoClientException> failures = new ArrayList<>();
    final CompletableFuture<List<SalvoClientException>> replyTo;

    Waiter(Map<PushConsumerActor.QueueKey, Long> pending, CompletableFuture<List<SalvoClientException>> replyTo) {
      this.pending = pending;
      this.replyTo = replyTo;
    }
  }

  private final List<Waiter> waiters = new ArrayList<>();

  /** A caller waiting for {@code targets} (queue to offset); answered at once when there is nothing to wait for. */
  void add(Map<PushConsumerActor.QueueKey, Long> targets, CompletableFuture<List<SalvoClientException>> replyTo) {
    if (targets.isEmpty()) {
      replyTo.complete(List.of());
    } else {
      waiters.add(new Waiter(new TreeMap<>(targets), replyTo));
    }
  }

  /** Whether a caller still waits for a commit of {@code key}. */
  boolean waitsFor(PushConsumerActor.QueueKey key) {
    for (Waiter w : waiters) {
      if (w.pending.containsKey(key)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A commit of {@code key} at {@code offset} was answered: OK ({@code error} null) settles the callers that wanted
   * at most that offset; a failure settles every caller waiting for the queue, with that failure.
   */
  void answered(PushConsumerActor.QueueKey key, long offset, SalvoClientException error) {
    settle(key, target -> error != null || offset >= target, error);
  }

  /**
   * The queue left the consumer (or was restarted by a seek): callers whose offset was committed by then are
   * settled as OK, the others with {@code behind}.
   */
  void gone(PushConsumerActor.QueueKey key, long lastCommitted, SalvoClientException behind) {
    settle(key, target -> lastCommitted >= target, null);
    settle(key, target -> true, behind);
  }

  /** Answers every caller with {@code why} added to its failures (the consumer stops). */
  void failAll(SalvoClientException why) {
    for (Waiter w : waiters) {
      w.failures.add(why);
      w.replyTo.complete(List.copyOf(w.failures));
    }
    waiters.clear();
  }

  private void settle(PushConsumerActor.QueueKey key, java.util.function.LongPredicate done,
      SalvoClientException error) {
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      Long target = w.pending.get(key);
      if (target == null || !done.test(target)) {
        continue;
      }
      w.pending.remove(key);
      if (error != null) {
        w.failures.add(error);
      }
      if (w.pending.isEmpty()) {
        it.remove();
        w.replyTo.complete(List.copyOf(w.failures));
      }
    }
  }
}
