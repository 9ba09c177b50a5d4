package io.salvo.client.internal;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.japi.Pair;
import akka.japi.pf.PFBuilder;
import akka.stream.KillSwitches;
import akka.stream.RestartSettings;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.RestartSource;
import akka.stream.javadsl.Source;
import io.salvo.client.message.MessageExt;
import io.salvo.core.protocol.v1.FilterExpression;
import io.salvo.core.protocol.v1.ReceiveMessagesRequest;
import io.salvo.core.protocol.v1.ReceiveMessagesResponse;
import io.salvo.core.protocol.v1.RetryMessageRequest;
import io.salvo.core.protocol.v1.RetryMessageResponse;
import io.salvo.core.protocol.v1.StoredMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feed of one assigned queue: a ReceiveMessages stream, restarted with back-off after a failure, a non-OK status
 * or its end, from the {@link OffsetTracker}'s fetch position; its messages registered with the tracker, cut into
 * batches of at most {@code batchSize} and run into the consumer's {@link QueueDelivery} (a listener, or a stream),
 * which backpressures: nothing is buffered here beyond one received element.
 *
 * <p>A stopped queue receives nothing more, but the batches of the element it already received still go to the
 * delivery, so that a queue moving to another member repeats nothing there; anything not acknowledged stays above
 * the commit offset.
 *
 * <p>Thread safety: created and stopped by the consumer actor; the stream and the delivery share only the tracker
 * (thread safe) and the volatile stop flag.
 */
public final class QueueConsumer {
  private static final Logger log = LoggerFactory.getLogger(QueueConsumer.class);

  private final String group;
  private final String clientId;
  private final String topic;
  private final int queueId;
  private final FilterExpression filter;
  private final ConsumeOptions options;
  private final BrokerConnections connections;
  private final QueueDelivery delivery;
  private final ActorSystem<?> system;
  private final OffsetTracker tracker;
  private volatile boolean stopping;
  /** Index (into the broker list) of the address of the current stream; the stream's connects are sequential. */
  private Integer addressIndex;
  private UniqueKillSwitch killSwitch;
  private CompletionStage<Done> done;

  private record Received(ReceiveMessagesResponse response, BrokerAddress address) {}

  QueueConsumer(String group, String clientId, String topic, int queueId, FilterExpression filter, long startOffset,
      ConsumeOptions options, BrokerConnections connections, QueueDelivery delivery, ActorSystem<?> system) {
    this.group = group;
    this.clientId = clientId;
    this.topic = topic;
    this.queueId = queueId;
    this.filter = filter;
    this.options = options;
    this.connections = connections;
    this.delivery = delivery;
    this.system = system;
    this.tracker = new OffsetTracker(startOffset);
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

  public ActorSystem<?> system() {
    return system;
  }

  /** Whether the queue is stopping: it receives nothing more, and redeliveries are abandoned. */
  public boolean isStopping() {
    return stopping;
  }

  @Override
  public String toString() {
    return topic + "#" + queueId;
  }

  public OffsetTracker tracker() {
    return tracker;
  }

  /**
   * Hands {@code message} (as delivered from this queue) back to the broker for the group's retry topic or, once
   * {@code maxReconsumeTimes} is reached or with {@code deadLetter}, its dead-letter topic.
   */
  public CompletionStage<RetryMessageResponse> retry(MessageExt message, int maxReconsumeTimes, boolean deadLetter,
      int delayLevel) {
    BrokerAddress address = connections.nextAddress();
    RetryMessageRequest request = RetryMessageRequest.newBuilder()
        .setGroup(group)
        .setClientId(clientId)
        .setMessage(MessageConverter.toStoredProto(message))
        .setMaxReconsumeTimes(maxReconsumeTimes)
        .setDeadLetter(deadLetter)
        .setDelayLevel(delayLevel)
        .build();
    return connections.client(address).retryMessage(request).thenApply(response -> {
      if (!Errors.isOk(response.getStatus())) {
        throw new java.util.concurrent.CompletionException(Errors.fromStatus(response.getStatus(), address.toString(),
            "RetryMessage of " + message.getMsgId() + " for group '" + group + "'"));
      }
      return response;
    });
  }

  /** Starts the stream. Called once. */
  void start() {
    RestartSettings restart = RestartSettings.create(options.reconnectMinBackoff(), options.reconnectMaxBackoff(),
        options.reconnectRandomFactor());
    Source<Received, NotUsed> received = RestartSource.withBackoff(restart, this::connect);
    Pair<UniqueKillSwitch, CompletionStage<Done>> running = received
        .viaMat(KillSwitches.single(), Keep.right())
        .mapConcat(this::toBatches)
        .toMat(delivery.sink(this), Keep.both())
        .run(system);
    killSwitch = running.first();
    done = running.second();
  }

  /** Stops pulling; the returned stage completes when the delivery has finished with what was received. */
  CompletionStage<Done> stop() {
    stopping = true;
    delivery.stopping(this);
    killSwitch.shutdown();
    return done;
  }

  private Source<Received, NotUsed> connect() {
    // The first stream goes where the shared rotation points; each reconnect to the next address after the last
    // one, so a broker that went away is not tried again before the others.
    addressIndex = addressIndex == null ? connections.nextIndex() : addressIndex + 1;
    BrokerAddress address = connections.address(addressIndex);
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
    return connections.client(address).receiveMessages(request)
        .via(new SilenceTimeout<>(options.receiveSilenceTimeout()))
        .map(response -> {
          if (!Errors.isOk(response.getStatus())) {
            var error = Errors.fromStatus(response.getStatus(), address.toString(),
                "ReceiveMessages of " + topic + "#" + queueId + " from offset " + offset + " for group '" + group + "'");
            log.warn("{}; reconnecting with back-off", error.getMessage());
            throw error;
          }
          return new Received(response, address);
        })
        .mapError(new PFBuilder<Throwable, Throwable>()
            .match(TimeoutException.class, e -> {
              log.warn("ReceiveMessages of {}#{} for group '{}': broker {} sent nothing for {}; reconnecting with"
                  + " back-off", topic, queueId, group, address, options.receiveSilenceTimeout());
              return e;
            })
            .build());
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
}
