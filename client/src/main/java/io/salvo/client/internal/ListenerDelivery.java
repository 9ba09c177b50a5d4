package io.salvo.client.internal;

import akka.Done;
import akka.actor.Cancellable;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import io.salvo.client.consumer.listener.ConsumeConcurrentlyContext;
import io.salvo.client.consumer.listener.ConsumeConcurrentlyStatus;
import io.salvo.client.consumer.listener.ConsumeOrderlyContext;
import io.salvo.client.consumer.listener.ConsumeOrderlyStatus;
import io.salvo.client.consumer.listener.MessageListener;
import io.salvo.client.consumer.listener.MessageListenerConcurrently;
import io.salvo.client.consumer.listener.MessageListenerOrderly;
import io.salvo.client.message.MessageExt;
import io.salvo.client.message.MessageQueue;
import io.salvo.core.protocol.v1.RetryMessageResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A push consumer's delivery: each queue's batches go to the listener on the consume executor, a concurrent
 * listener with at most {@code parallelism} calls of a queue in flight (mapAsyncUnordered), an orderly one with one
 * call at a time, in offset order (mapAsync(1)). When the calls are busy the queue's stream stops pulling.
 *
 * <p>Failures. With a retry topic (a clustering push consumer), a concurrent batch answered RECONSUME_LATER (or null,
 * or whose listener threw) goes back to the broker message by message: into the group's retry topic with a growing
 * delay and its reconsume count increased, or after the maximum reconsume times into the group's dead-letter topic;
 * each message handed back is acknowledged here. A message the broker could not take (it is down) is delivered again
 * in place after the reconsume delay instead. Without a retry topic (broadcasting) a failed batch comes again in
 * place after the reconsume delay, until it succeeds.
 *
 * <p>An orderly batch answered SUSPEND_CURRENT_QUEUE_A_MOMENT (or null, or whose listener threw) holds the queue for
 * the suspend time and comes again the same way, before anything after it; with a retry topic, once its reconsume
 * count reaches the maximum its messages go to the dead-letter topic instead (never skipped silently) and the queue
 * moves on. Batches waiting for a redelivery when their queue stops are abandoned unacknowledged, so the committed
 * offset never passes them.
 */
public final class ListenerDelivery implements QueueDelivery {
  private static final Logger log = LoggerFactory.getLogger(ListenerDelivery.class);

  private final MessageListener listener;
  private final Executor consumeExecutor;
  private final ConsumeOptions options;

  public ListenerDelivery(MessageListener listener, Executor consumeExecutor, ConsumeOptions options) {
    this.listener = listener;
    this.consumeExecutor = consumeExecutor;
    this.options = options;
  }

  @Override
  public Sink<List<MessageExt>, CompletionStage<Done>> sink(QueueConsumer queue) {
    Flow<List<MessageExt>, List<MessageExt>, akka.NotUsed> batches = Flow.create();
    Flow<List<MessageExt>, Done, akka.NotUsed> consumed = listener instanceof MessageListenerOrderly
        ? batches.mapAsync(1, batch -> consume(queue, batch))
        : batches.mapAsyncUnordered(options.parallelism(), batch -> consume(queue, batch));
    return consumed.toMat(Sink.ignore(), Keep.right());
  }

  private CompletionStage<Done> consume(QueueConsumer queue, List<MessageExt> batch) {
    CompletableFuture<Done> finished = new CompletableFuture<>();
    attempt(queue, batch, finished);
    return finished;
  }

  private void attempt(QueueConsumer queue, List<MessageExt> batch, CompletableFuture<Done> finished) {
    try {
      consumeExecutor.execute(() -> {
        if (listener instanceof MessageListenerOrderly orderly) {
          callOrderly(queue, orderly, batch, finished);
        } else {
          callConcurrently(queue, (MessageListenerConcurrently) listener, batch, finished);
        }
      });
    } catch (RejectedExecutionException e) {
      finished.complete(Done.getInstance()); // shutting down: unacknowledged, so not committed
    }
  }

  private void callOrderly(QueueConsumer queue, MessageListenerOrderly orderly, List<MessageExt> batch,
      CompletableFuture<Done> finished) {
    ConsumeOrderlyContext context =
        new ConsumeOrderlyContext(new MessageQueue(queue.topic(), batch.get(0).getBrokerName(), queue.queueId()));
    ConsumeOrderlyStatus status;
    try {
      status = orderly.consumeMessage(Collections.unmodifiableList(batch), context);
    } catch (Throwable t) {
      log.warn("Orderly listener of group '{}' threw on {} message(s) of {} from offset {}; suspending the queue",
          queue.group(), batch.size(), queue, batch.get(0).getQueueOffset(), t);
      status = ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT;
    }
    if (status == ConsumeOrderlyStatus.SUCCESS) {
      for (MessageExt m : batch) {
        queue.tracker().ack(m.getQueueOffset());
      }
      finished.complete(Done.getInstance());
      return;
    }
    if (options.retryTopic() && batch.get(0).getReconsumeTimes() >= options.maxReconsumeTimes()) {
      log.warn("Orderly listener of group '{}' failed {} message(s) of {} from offset {} {} times; moving them to the"
          + " dead-letter topic", queue.group(), batch.size(), queue, batch.get(0).getQueueOffset(),
          batch.get(0).getReconsumeTimes() + 1);
      handBack(queue, batch, true, 0, options.suspendCurrentQueueTime(), finished);
      return;
    }
    Duration suspend = context.getSuspendCurrentQueueTimeMillis() > 0
        ? Duration.ofMillis(context.getSuspendCurrentQueueTimeMillis()) : options.suspendCurrentQueueTime();
    redeliver(queue, batch, suspend, finished);
  }

  private void callConcurrently(QueueConsumer queue, MessageListenerConcurrently concurrently, List<MessageExt> batch,
      CompletableFuture<Done> finished) {
    ConsumeConcurrentlyContext context =
        new ConsumeConcurrentlyContext(new MessageQueue(queue.topic(), batch.get(0).getBrokerName(), queue.queueId()));
    // With a retry topic, a call that outruns the consume timeout has its batch retried that way; its late answer
    // is then ignored (the first of the two to happen settles the batch).
    AtomicBoolean settled = new AtomicBoolean();
    Cancellable watch = options.retryTopic() ? watchTimeout(queue, batch, settled, finished) : null;
    ConsumeConcurrentlyStatus status;
    try {
      status = concurrently.consumeMessage(Collections.unmodifiableList(batch), context);
    } catch (Throwable t) {
      log.warn("Listener of group '{}' threw on {} message(s) of {} from offset {}; retrying them",
          queue.group(), batch.size(), queue, batch.get(0).getQueueOffset(), t);
      status = ConsumeConcurrentlyStatus.RECONSUME_LATER;
    }
    if (watch != null) {
      watch.cancel();
    }
    if (!settled.compareAndSet(false, true)) {
      return;
    }
    if (status == null) {
      status = ConsumeConcurrentlyStatus.RECONSUME_LATER;
    }
    int acked = status == ConsumeConcurrentlyStatus.CONSUME_SUCCESS
        ? Math.max(0, Math.min(context.getAckIndex(), batch.size() - 1) + 1) : 0;
    for (int i = 0; i < acked; i++) {
      queue.tracker().ack(batch.get(i).getQueueOffset());
    }
    if (acked == batch.size()) {
      finished.complete(Done.getInstance());
      return;
    }
    List<MessageExt> failed = new ArrayList<>(batch.subList(acked, batch.size()));
    if (options.retryTopic()) {
      handBack(queue, failed, false, context.getDelayLevelWhenNextConsume(), options.reconsumeDelay(), finished);
    } else {
      redeliver(queue, failed, options.reconsumeDelay(), finished);
    }
  }

  private Cancellable watchTimeout(QueueConsumer queue, List<MessageExt> batch, AtomicBoolean settled,
      CompletableFuture<Done> finished) {
    try {
      return queue.system().scheduler().scheduleOnce(options.consumeTimeout(), () -> {
        if (settled.compareAndSet(false, true)) {
          log.warn("Listener of group '{}' has run longer than the consume timeout {} on {} message(s) of {} from"
              + " offset {}; retrying them through the retry topic", queue.group(), options.consumeTimeout(),
              batch.size(), queue, batch.get(0).getQueueOffset());
          handBack(queue, batch, false, 0, options.reconsumeDelay(), finished);
        }
      }, queue.system().executionContext());
    } catch (IllegalStateException e) {
      return null; // shutting down
    }
  }

  /**
   * Hands each message of {@code failed} back to the broker (retry topic, or dead-letter topic) and acknowledges it;
   * those the broker did not take are delivered again in place after {@code delay}.
   */
  private void handBack(QueueConsumer queue, List<MessageExt> failed, boolean deadLetter, int delayLevel,
      Duration delay, CompletableFuture<Done> finished) {
    List<CompletableFuture<Boolean>> results = new ArrayList<>(failed.size());
    for (MessageExt m : failed) {
      CompletionStage<RetryMessageResponse> handedBack;
      try {
        handedBack = queue.retry(m, options.maxReconsumeTimes(), deadLetter, delayLevel);
      } catch (RuntimeException e) { // closed connections at shutdown, a message the listener emptied
        handedBack = CompletableFuture.failedFuture(e);
      }
      results.add(handedBack
          .handle((response, error) -> {
            if (error != null) {
              log.warn("Group '{}': could not hand message {} of {} back to the broker ({}); redelivering in place",
                  queue.group(), m.getMsgId(), queue, error.getMessage());
              return false;
            }
            queue.tracker().ack(m.getQueueOffset());
            return true;
          })
          .toCompletableFuture());
    }
    CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenRun(() -> {
      List<MessageExt> again = new ArrayList<>();
      for (int i = 0; i < failed.size(); i++) {
        if (!results.get(i).join()) {
          again.add(failed.get(i));
        }
      }
      if (again.isEmpty()) {
        finished.complete(Done.getInstance());
      } else {
        redeliver(queue, again, delay, finished);
      }
    });
  }

  /** Delivers {@code again} to the listener once more after {@code delay}, its reconsume counts increased. */
  private void redeliver(QueueConsumer queue, List<MessageExt> again, Duration delay,
      CompletableFuture<Done> finished) {
    for (MessageExt m : again) {
      m.setReconsumeTimes(m.getReconsumeTimes() + 1);
    }
    try {
      queue.system().scheduler().scheduleOnce(delay, () -> {
        if (queue.isStopping()) {
          finished.complete(Done.getInstance()); // abandoned unacknowledged: the committed offset stays before it
        } else {
          attempt(queue, again, finished);
        }
      }, queue.system().executionContext());
    } catch (IllegalStateException e) {
      finished.complete(Done.getInstance());
    }
  }
}
