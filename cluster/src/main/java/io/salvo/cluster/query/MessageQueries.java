package io.salvo.cluster.query;

import io.salvo.cluster.delivery.QueueSource;
import io.salvo.cluster.queue.QueueEntity;
import io.salvo.cluster.queue.Queues;
import io.salvo.cluster.queue.StoredEntry;
import io.salvo.cluster.topic.Topics;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.model.QueueId;
import io.salvo.core.validation.Validation;
import io.salvo.persistence.index.MessageIndex;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * Finding stored messages of a topic: by message id and by key through the {@link MessageIndex}, by store time through
 * a binary search of each queue's journal ({@link QueueSource#offsetAtTimestamp}). Every index hit is read back from the
 * journal and checked (an index row whose journal write failed, or whose message retention deleted, is not answered).
 * Serves the gRPC QueryMessages call and the admin routes. Thread safe.
 */
public final class MessageQueries {
  /** Most messages one query answers. */
  public static final int MAX_MESSAGES = 1000;
  public static final int DEFAULT_MESSAGES = 32;

  /** A message found, with its queue. */
  public record Found(QueueId queue, StoredEntry entry) {}

  private final Topics topics;
  private final Queues queues;
  private final QueueSource queueSource;
  private final MessageIndex index;

  public MessageQueries(Topics topics, Queues queues, QueueSource queueSource, MessageIndex index) {
    this.topics = topics;
    this.queues = queues;
    this.queueSource = queueSource;
    this.index = index;
  }

  /** The stored copies of message {@code messageId}; fails with MESSAGE_NOT_FOUND when there is none. */
  public CompletionStage<List<Found>> byId(String topic, String messageId) {
    if (messageId == null || messageId.isEmpty()) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "message id is empty");
    }
    return topics.queueCount(topic, false)
        .thenCompose(count -> index.byId(topic, messageId))
        .thenCompose(locations -> readChecked(locations, e -> e.message().messageId().equals(messageId)))
        .thenApply(found -> {
          if (found.isEmpty()) {
            throw SalvoException.of(ErrorCode.MESSAGE_NOT_FOUND, messageId, topic);
          }
          return found;
        });
  }

  /** The newest {@code max} messages with key {@code key} stored in [begin, end], newest first. */
  public CompletionStage<List<Found>> byKey(String topic, String key, long beginMs, long endMs, int max) {
    Validation.checkKeys(List.of(key));
    long end = checkRange(beginMs, endMs);
    int limit = checkMax(max);
    return topics.queueCount(topic, false)
        .thenCompose(count -> index.byKey(topic, key, beginMs, end, limit))
        .thenCompose(locations -> readChecked(locations, e -> e.message().keys().contains(key)));
  }

  /** The first {@code max} messages stored in [begin, end] across the topic's queues, oldest first. */
  public CompletionStage<List<Found>> byTime(String topic, long beginMs, long endMs, int max) {
    long end = checkRange(beginMs, endMs);
    int limit = checkMax(max);
    return topics.queueCount(topic, false).thenCompose(count -> {
      List<CompletableFuture<List<Found>>> perQueue = new ArrayList<>();
      for (int q = 0; q < count; q++) {
        perQueue.add(inQueue(QueueId.of(topic, q), beginMs, end, limit).toCompletableFuture());
      }
      return CompletableFuture.allOf(perQueue.toArray(CompletableFuture[]::new)).thenApply(v -> {
        List<Found> all = new ArrayList<>();
        perQueue.forEach(f -> all.addAll(f.join()));
        all.sort(Comparator.comparingLong((Found f) -> f.entry().message().storeTimestamp())
            .thenComparing(f -> f.queue().index()).thenComparingLong(f -> f.entry().offset()));
        return all.size() > limit ? List.copyOf(all.subList(0, limit)) : all;
      });
    });
  }

  /** Up to {@code max} messages of one queue stored in [begin, end], from the first stored at or after begin. */
  private CompletionStage<List<Found>> inQueue(QueueId queue, long beginMs, long endMs, int max) {
    return queues.offsets(queue).thenCompose(offsets ->
        queueSource.offsetAtTimestamp(queue, offsets.minOffset(), offsets.nextOffset(), beginMs)
            .thenCompose(from -> readUntil(queue, from, offsets.nextOffset(), endMs, max, new ArrayList<>())));
  }

  private CompletionStage<List<Found>> readUntil(QueueId queue, long from, long next, long endMs, int max,
      List<Found> out) {
    if (from >= next || out.size() >= max) {
      return CompletableFuture.completedFuture(out);
    }
    return queueSource.read(queue, from, Math.min(next, from + (max - out.size()))).thenCompose(entries -> {
      for (StoredEntry e : entries) {
        if (e.message().storeTimestamp() > endMs || out.size() >= max) {
          return CompletableFuture.completedFuture(out);
        }
        out.add(new Found(queue, e));
      }
      long after = entries.isEmpty() ? next : entries.get(entries.size() - 1).offset() + 1;
      return readUntil(queue, after, next, endMs, max, out);
    });
  }

  /** Reads each location's message from its queue's journal, keeping those still retained that pass {@code check}. */
  private CompletionStage<List<Found>> readChecked(List<MessageIndex.Location> locations, Predicate<StoredEntry> check) {
    // One offsets ask per queue, however many hits it has.
    Map<QueueId, CompletableFuture<QueueEntity.Offsets>> offsets = new HashMap<>();
    List<CompletableFuture<Found>> reads = new ArrayList<>();
    for (MessageIndex.Location l : locations) {
      QueueId queue = QueueId.of(l.topic(), l.queueId());
      reads.add(offsets.computeIfAbsent(queue, q -> queues.offsets(q).toCompletableFuture()).thenCompose(o -> {
        if (l.offset() < o.minOffset() || l.offset() >= o.nextOffset()) {
          return CompletableFuture.<Found>completedFuture(null); // deleted by retention, or a failed write's row
        }
        return queueSource.read(queue, l.offset(), l.offset() + 1).thenApply(entries ->
            entries.size() == 1 && check.test(entries.get(0)) ? new Found(queue, entries.get(0)) : null);
      }));
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<Found> found = new ArrayList<>();
      for (CompletableFuture<Found> r : reads) {
        if (r.join() != null) {
          found.add(r.join());
        }
      }
      return found;
    });
  }

  /** The end of a time range (0: now), checked against its begin. */
  private static long checkRange(long beginMs, long endMs) {
    long end = endMs <= 0 ? System.currentTimeMillis() : endMs;
    if (beginMs < 0 || beginMs > end) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "time range [" + beginMs + ", " + end + "] is empty or negative"
          + " (ms since the epoch; end 0 means now)");
    }
    return end;
  }

  private static int checkMax(int max) {
    if (max == 0) {
      return DEFAULT_MESSAGES;
    }
    if (max < 0 || max > MAX_MESSAGES) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "max messages " + max + " is not within 1.." + MAX_MESSAGES);
    }
    return max;
  }
}
