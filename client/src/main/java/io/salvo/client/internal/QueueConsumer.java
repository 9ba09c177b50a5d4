package io.salvo.client.internal;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.japi.Pair;
import akka.stream.KillSwitches;
import akka.stream.RestartSettings;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.RestartSource;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import io.salvo.client.consumer.listener.ConsumeConcurrentlyContext;
import io.salvo.client.consumer.listener.ConsumeConcurrentlyStatus;
import io.salvo.client.consumer.listener.ConsumeOrderlyContext;
import io.salvo.client.consumer.listener.ConsumeOrderlyStatus;
import io.salvo.client.consumer.listener.MessageListener;
import io.salvo.client.consumer.listener.MessageListenerConcurrently;
import io.salvo.client.consumer.listener.MessageListenerOrderly;
import io.salvo.client.message.MessageExt;
import io.salvo.client.message.MessageQueue;
import io.salvo.core.protocol.v1.FilterExpression;
import io.salvo.core.protocol.v1.ReceiveMessagesRequest;
import io.salvo.core.protocol.v1.ReceiveMessagesResponse;
import io.salvo.core.protocol.v1.StoredMessage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery of one assigned queue: a ReceiveMessages stream, restarted with back-off after a failure, a non-OK
 * status or its end, from the {@link OffsetTracker}'s fetch position; its messages cut into batches of at most
 * {@code batchSize} and handed to the listener on the consume executor: a concurrent listener with at most
 * {@code parallelism} calls in flight (mapAsyncUnordered), an orderly one with one call at a time, in offset order
 * (mapAsync(1)). When the calls are busy the stream stops pulling and gRPC flow control slows the broker; nothing is
 * buffered beyond one received element.
 *
 * <p>A concurrent batch answered RECONSUME_LATER (or null, or whose listener threw) is delivered again in place after
 * the reconsume delay, its messages' reconsume count increased, until it succeeds or the queue stops (retry topics
 * and the dead-letter queue come later). An orderly batch answered SUSPEND_CURRENT_QUEUE_A_MOMENT (or null, or whose
 * listener threw) holds the queue for the suspend time and comes again the same way, before anything after it. A
 * stopped queue receives nothing more but still hands the batches it already received to the listener (at most one
 * received element's worth), so that a queue moving to another member repeats nothing there; batches waiting for a
 * redelivery are abandoned without acknowledgement, so the committed offset never passes them.
 *
 * <p>Thread safety: created and stopped by the {@link PushConsumerActor}; the stream and the consume threads share
 * only the tracker (thread safe) and the volatile stop flag.
 */
final class QueueConsumer {
  private static final Logger log = LoggerFactory.getLogger(QueueConsumer.class);

  private final String group;
  private final String clientId;
  private final String topic;
  private final int queueId;
  private final FilterExpression filter;
  private final ConsumeOptions options;
  private final BrokerConnections connections;
  private final MessageListener listener;
  private final Executor consumeExecutor;
  private final ActorSystem<?> system;
  private final OffsetTracker tracker;
  private volatile boolean stopping;
  private UniqueKillSwitch killSwitch;
  private CompletionStage<Done> done;

  private record Received(ReceiveMessagesResponse response, BrokerAddress address) {}

  QueueConsumer(String group, String clientId, String topic, int queueId, FilterExpression filter, long startOffset,
      ConsumeOptions options, BrokerConnections connections, MessageListener listener,
      Executor consumeExecutor, ActorSystem<?> system) {
    this.group = group;
    this.clientId = clientId;
    this.topic = topic;
    this.queueId = queueId;
    this.filter = filter;
    this.options = options;
    this.connections = connections;
    this.listener = listener;
    this.consumeExecutor = consumeExecutor;
    this.system = system;
    this.tracker = new OffsetTracker(startOffset);
  }

  OffsetTracker tracker() {
    return tracker;
  }

  /** Starts the stream. Called once. */
  void start() {
    RestartSettings restart = RestartSettings.create(options.reconnectMinBackoff(), options.reconnectMaxBackoff(),
        options.reconnectRandomFactor());
    Source<Received, NotUsed> received = RestartSource.withBackoff(restart, this::connect);
    Source<List<MessageExt>, UniqueKillSwitch> batches = received
        .viaMat(KillSwitches.single(), Keep.right())
        .mapConcat(this::toBatches);
    Source<Done, UniqueKillSwitch> consumed = listener instanceof MessageListenerOrderly
        ? batches.mapAsync(1, this::consume)
        : batches.mapAsyncUnordered(options.parallelism(), this::consume);
    Pair<UniqueKillSwitch, CompletionStage<Done>> running = consumed.toMat(Sink.ignore(), Keep.both()).run(system);
    killSwitch = running.first();
    done = running.second();
  }

  /** Stops pulling; the returned stage completes when the listener calls in flight have returned. */
  CompletionStage<Done> stop() {
    stopping = true;
    killSwitch.shutdown();
    return done;
  }

  private Source<Received, NotUsed> connect() {
    BrokerAddress address = connections.nextAddress();
    long offset = tracker.fetchPosition();
    ReceiveMessagesRequest request = ReceiveMessagesRequest.newBuilder()
        .setGroup(group)
        .setClientId(clientId)
        .setTopic(topic)
        .setQueueId(queueId)
        .setOffset(offset)
        .setFilter(filter)
        .setMaxBatch(options.maxBatch())
        .build();
    log.debug("Receiving {}#{} from offset {} at {}", topic, queueId, offset, address);
    return connections.client(address).receiveMessages(request).map(response -> {
      if (!Errors.isOk(response.getStatus())) {
        var error = Errors.fromStatus(response.getStatus(), address.toString(),
            "ReceiveMessages of " + topic + "#" + queueId + " from offset " + offset + " for group '" + group + "'");
        log.warn("{}; reconnecting with back-off", error.getMessage());
        throw error;
      }
      return new Received(response, address);
    });
  }

  private List<List<MessageExt>> toBatches(Received received) {
    ReceiveMessagesResponse response = received.response();
    List<Long> offsets = new ArrayList<>(response.getMessagesCount());
    for (StoredMessage m : response.getMessagesList()) {
      offsets.add(m.getQueueOffset());
    }
    Set<Long> accepted = new HashSet<>(tracker.register(offsets, response.getNextOffset()));
    if (accepted.isEmpty() || stopping) {
      return List.of();
    }
    String broker = received.address().toString();
    List<List<MessageExt>> batches = new ArrayList<>();
    List<MessageExt> batch = new ArrayList<>(options.batchSize());
    for (StoredMessage m : response.getMessagesList()) {
      if (accepted.remove(m.getQueueOffset())) {
        batch.add(MessageConverter.fromProto(m, broker));
        if (batch.size() == options.batchSize()) {
          batches.add(batch);
          batch = new ArrayList<>(options.batchSize());
        }
      }
    }
    if (!batch.isEmpty()) {
      batches.add(batch);
    }
    return batches;
  }

  private CompletionStage<Done> consume(List<MessageExt> batch) {
    CompletableFuture<Done> finished = new CompletableFuture<>();
    attempt(batch, finished);
    return finished;
  }

  private void attempt(List<MessageExt> batch, CompletableFuture<Done> finished) {
    try {
      consumeExecutor.execute(() -> callListener(batch, finished));
    } catch (RejectedExecutionException e) {
      finished.complete(Done.getInstance());
    }
  }

  private void callListener(List<MessageExt> batch, CompletableFuture<Done> finished) {
    if (listener instanceof MessageListenerOrderly orderly) {
      callOrderly(orderly, batch, finished);
    } else {
      callConcurrently((MessageListenerConcurrently) listener, batch, finished);
    }
  }

  private void callOrderly(MessageListenerOrderly orderly, List<MessageExt> batch, CompletableFuture<Done> finished) {
    ConsumeOrderlyContext context =
        new ConsumeOrderlyContext(new MessageQueue(topic, batch.get(0).getBrokerName(), queueId));
    ConsumeOrderlyStatus status;
    try {
      status = orderly.consumeMessage(Collections.unmodifiableList(batch), context);
    } catch (Throwable t) {
      log.warn("Orderly listener of group '{}' threw on {} message(s) of {}#{} from offset {}; suspending the queue",
          group, batch.size(), topic, queueId, batch.get(0).getQueueOffset(), t);
      status = ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT;
    }
    if (status == ConsumeOrderlyStatus.SUCCESS) {
      for (MessageExt m : batch) {
        tracker.ack(m.getQueueOffset());
      }
      finished.complete(Done.getInstance());
      return;
    }
    Duration suspend = context.getSuspendCurrentQueueTimeMillis() > 0
        ? Duration.ofMillis(context.getSuspendCurrentQueueTimeMillis()) : options.suspendCurrentQueueTime();
    redeliver(batch, suspend, finished);
  }

  private void callConcurrently(MessageListenerConcurrently concurrently, List<MessageExt> batch,
      CompletableFuture<Done> finished) {
    ConsumeConcurrentlyContext context =
        new ConsumeConcurrentlyContext(new MessageQueue(topic, batch.get(0).getBrokerName(), queueId));
    ConsumeConcurrentlyStatus status;
    try {
      status = concurrently.consumeMessage(Collections.unmodifiableList(batch), context);
    } catch (Throwable t) {
      log.warn("Listener of group '{}' threw on {} message(s) of {}#{} from offset {}; redelivering in {}",
          group, batch.size(), topic, queueId, batch.get(0).getQueueOffset(), options.reconsumeDelay(), t);
      status = ConsumeConcurrentlyStatus.RECONSUME_LATER;
    }
    if (status == null) {
      status = ConsumeConcurrentlyStatus.RECONSUME_LATER;
    }
    int acked = status == ConsumeConcurrentlyStatus.CONSUME_SUCCESS
        ? Math.max(0, Math.min(context.getAckIndex(), batch.size() - 1) + 1) : 0;
    for (int i = 0; i < acked; i++) {
      tracker.ack(batch.get(i).getQueueOffset());
    }
    if (acked == batch.size()) {
      finished.complete(Done.getInstance());
      return;
    }
    redeliver(new ArrayList<>(batch.subList(acked, batch.size())), options.reconsumeDelay(), finished);
  }

  /** Delivers {@code again} to the listener once more after {@code delay}, its reconsume counts increased. */
  private void redeliver(List<MessageExt> again, Duration delay, CompletableFuture<Done> finished) {
    for (MessageExt m : again) {
      m.setReconsumeTimes(m.getReconsumeTimes() + 1);
    }
    try {
      system.scheduler().scheduleOnce(delay, () -> {
        if (stopping) {
          finished.complete(Done.getInstance()); // abandoned unacknowledged: the committed offset stays before it
        } else {
          attempt(again, finished);
        }
      }, system.executionContext());
    } catch (IllegalStateException e) {
      finished.complete(Done.getInstance());
    }
  }
}
