package io.salvo.client.internal;

import akka.Done;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import io.salvo.client.message.MessageExt;
import io.salvo.client.message.MessageQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lite pull consumer's delivery: each consumed queue's batches go into a buffer of that queue, and
 * {@link #poll} takes from the buffers, the queues in turn. A queue's buffer holds at most {@code thresholdPerQueue}
 * messages (or one batch, when a batch is larger): a batch that does not fit waits, and its queue's stream with it,
 * until a poll makes room, so a queue nobody polls is backpressured up to the broker instead of buffered without
 * bound.
 *
 * <p>Messages count as consumed only once {@link #ackReturned} acknowledges what earlier polls returned (the consumer
 * calls it at the next poll with auto-commit, or at commitSync without): until then they are in flight in their
 * queue's {@link OffsetTracker}, and the committed offset stays before them.
 *
 * <p>Each buffer belongs to one {@link QueueConsumer} (one run of a queue's stream from a start offset). When that
 * consumer stops (its queue was released, seeked or the consumer shuts down), its buffer is dropped with whatever it
 * held: a seek's new consumer gets a new, empty buffer, so a poll never returns a message from before the seek.
 *
 * <p>Thread safe: one lock guards the buffers; the streams offer, the consumer actor starts and stops queues, and
 * the application polls, from any threads. Futures are completed outside the lock.
 */
public final class PullDelivery implements QueueDelivery {
  private static final CompletableFuture<Done> DONE = CompletableFuture.completedFuture(Done.getInstance());

  private final int thresholdPerQueue;
  private final String queueBrokerName;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  /** The buffer of every queue consumed now, by queue, in the order they started. */
  private final Map<PushConsumerActor.QueueKey, QueueBuffer> buffers = new LinkedHashMap<>();
  private final Set<PushConsumerActor.QueueKey> paused = new HashSet<>();
  /** What polls returned and nobody acknowledged yet. */
  private final List<Taken> returned = new ArrayList<>();
  private int turn;
  private boolean closed;

  /** Messages one poll took from one queue: acknowledged together, on that queue consumer's tracker. */
  private record Taken(OffsetTracker tracker, long[] offsets) {}

  /** One queue consumer's buffered messages; guarded by the lock. */
  static final class QueueBuffer {
    final QueueConsumer consumer;
    final ArrayDeque<MessageExt> messages = new ArrayDeque<>();
    /** A batch that did not fit, and the future its stream waits on until it does (or the buffer is dropped). */
    List<MessageExt> waiting;
    CompletableFuture<Done> room;
    boolean dropped;

    QueueBuffer(QueueConsumer consumer) {
      this.consumer = consumer;
    }
  }

  /**
   * @param thresholdPerQueue most messages buffered per queue (RocketMQ's pullThresholdForQueue), at least 1
   * @param queueBrokerName the brokerName of the queues {@link #assignment()} names
   */
  public PullDelivery(int thresholdPerQueue, String queueBrokerName) {
    if (thresholdPerQueue < 1) {
      throw new IllegalArgumentException("thresholdPerQueue must be at least 1, was " + thresholdPerQueue);
    }
    this.thresholdPerQueue = thresholdPerQueue;
    this.queueBrokerName = queueBrokerName;
  }

  @Override
  public Sink<List<MessageExt>, CompletionStage<Done>> sink(QueueConsumer queue) {
    QueueBuffer buffer = register(queue);
    return Flow.<List<MessageExt>>create()
        .mapAsync(1, batch -> offer(buffer, batch))
        .toMat(Sink.ignore(), Keep.right());
  }

  @Override
  public void stopping(QueueConsumer queue) {
    CompletableFuture<Done> room = null;
    lock.lock();
    try {
      PushConsumerActor.QueueKey key = keyOf(queue);
      QueueBuffer buffer = buffers.get(key);
      if (buffer != null && buffer.consumer == queue) {
        buffers.remove(key);
        room = drop(buffer);
      }
    } finally {
      lock.unlock();
    }
    complete(room);
  }

  /** Starts the buffer of a queue consumer; one of an earlier consumer of the same queue is dropped. */
  QueueBuffer register(QueueConsumer queue) {
    QueueBuffer buffer = new QueueBuffer(queue);
    CompletableFuture<Done> room = null;
    lock.lock();
    try {
      if (closed) {
        buffer.dropped = true;
        return buffer;
      }
      QueueBuffer old = buffers.put(keyOf(queue), buffer);
      if (old != null) {
        room = drop(old);
      }
    } finally {
      lock.unlock();
    }
    complete(room);
    return buffer;
  }

  /** Takes a batch into the buffer now, or returns a stage that completes when it was taken in (or dropped). */
  CompletionStage<Done> offer(QueueBuffer buffer, List<MessageExt> batch) {
    lock.lock();
    try {
      if (buffer.dropped || batch.isEmpty()) {
        return DONE;
      }
      if (fits(buffer, batch.size())) {
        buffer.messages.addAll(batch);
        arrived.signalAll();
        return DONE;
      }
      buffer.waiting = batch;
      buffer.room = new CompletableFuture<>();
      return buffer.room;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Up to {@code max} buffered messages, taken from the queues in turn (paused queues skipped); waits up to
   * {@code timeoutMillis} for the first. Empty after the timeout, on interruption (the interrupt flag stays set)
   * or once closed. What it returns is remembered for {@link #ackReturned}.
   */
  public List<MessageExt> poll(long timeoutMillis, int max) {
    List<MessageExt> out = new ArrayList<>();
    List<CompletableFuture<Done>> rooms = new ArrayList<>();
    lock.lock();
    try {
      long nanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
      while (!closed) {
        take(max, out, rooms);
        if (!out.isEmpty() || nanos <= 0) {
          break;
        }
        nanos = arrived.awaitNanos(nanos);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
    rooms.forEach(PullDelivery::complete);
    return out;
  }

  private void take(int max, List<MessageExt> out, List<CompletableFuture<Done>> rooms) {
    List<QueueBuffer> order = new ArrayList<>(buffers.values());
    if (order.isEmpty()) {
      return;
    }
    int first = Math.floorMod(turn++, order.size());
    for (int i = 0; i < order.size() && out.size() < max; i++) {
      QueueBuffer buffer = order.get((first + i) % order.size());
      if (buffer.messages.isEmpty() || paused.contains(keyOf(buffer.consumer))) {
        continue;
      }
      int n = Math.min(max - out.size(), buffer.messages.size());
      long[] offsets = new long[n];
      for (int k = 0; k < n; k++) {
        MessageExt m = buffer.messages.poll();
        offsets[k] = m.getQueueOffset();
        out.add(m);
      }
      returned.add(new Taken(buffer.consumer.tracker(), offsets));
      if (buffer.waiting != null && fits(buffer, buffer.waiting.size())) {
        buffer.messages.addAll(buffer.waiting);
        buffer.waiting = null;
        rooms.add(buffer.room);
        buffer.room = null;
      }
    }
  }

  /** Marks everything earlier polls returned consumed: the committed offset may pass it. Returns how many. */
  public int ackReturned() {
    List<Taken> taken;
    lock.lock();
    try {
      taken = new ArrayList<>(returned);
      returned.clear();
    } finally {
      lock.unlock();
    }
    int n = 0;
    for (Taken t : taken) {
      for (long offset : t.offsets()) {
        t.tracker().ack(offset);
        n++;
      }
    }
    return n;
  }

  /** Polls skip the queue until {@link #resume}; its buffer fills and its stream waits. */
  public void pause(String topic, int queueId) {
    lock.lock();
    try {
      paused.add(new PushConsumerActor.QueueKey(topic, queueId));
    } finally {
      lock.unlock();
    }
  }

  public void resume(String topic, int queueId) {
    lock.lock();
    try {
      if (paused.remove(new PushConsumerActor.QueueKey(topic, queueId))) {
        arrived.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** The queues consumed now (their streams started), in topic and queue order. */
  public Set<MessageQueue> assignment() {
    Set<MessageQueue> out = new TreeSet<>();
    lock.lock();
    try {
      for (PushConsumerActor.QueueKey key : buffers.keySet()) {
        out.add(new MessageQueue(key.topic(), queueBrokerName, key.queueId()));
      }
    } finally {
      lock.unlock();
    }
    return out;
  }

  /** Messages buffered for the queue now (not yet polled). */
  public int buffered(String topic, int queueId) {
    lock.lock();
    try {
      QueueBuffer buffer = buffers.get(new PushConsumerActor.QueueKey(topic, queueId));
      return buffer == null ? 0 : buffer.messages.size();
    } finally {
      lock.unlock();
    }
  }

  /** Wakes a waiting poll and makes every later poll return nothing; buffers are dropped. */
  public void close() {
    List<CompletableFuture<Done>> rooms = new ArrayList<>();
    lock.lock();
    try {
      closed = true;
      for (QueueBuffer buffer : buffers.values()) {
        rooms.add(drop(buffer));
      }
      buffers.clear();
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
    rooms.forEach(PullDelivery::complete);
  }

  private boolean fits(QueueBuffer buffer, int size) {
    return buffer.messages.isEmpty() || buffer.messages.size() + size <= thresholdPerQueue;
  }

  /** Empties a buffer for good; returns the future its stream waits on, to complete outside the lock. */
  private static CompletableFuture<Done> drop(QueueBuffer buffer) {
    buffer.dropped = true;
    buffer.messages.clear();
    buffer.waiting = null;
    CompletableFuture<Done> room = buffer.room;
    buffer.room = null;
    return room;
  }

  private static void complete(CompletableFuture<Done> room) {
    if (room != null) {
      room.complete(Done.getInstance());
    }
  }

  private static PushConsumerActor.QueueKey keyOf(QueueConsumer queue) {
    return new PushConsumerActor.QueueKey(queue.topic(), queue.queueId());
  }
}
