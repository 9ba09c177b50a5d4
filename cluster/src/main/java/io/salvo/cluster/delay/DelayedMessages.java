package io.salvo.cluster.delay;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.salvo.cluster.Asks;
import io.salvo.cluster.BrokerSettings.TimerSettings;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.model.DelayLevels;
import io.salvo.core.model.QueueId;
import io.salvo.core.protocol.v1.Message;
import io.salvo.core.protocol.v1.SendMessageRequest;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The send side of the durable timer: works out when a sent message is due and journals it in its
 * {@link TimerBucketEntity}. A delayed message carries, once delivered, the properties {@value #DELIVER_TIME_PROPERTY}
 * (its delivery time, ms) and, when sent with a level, {@value #DELAY_LEVEL_PROPERTY}.
 */
public final class DelayedMessages {
  public static final String DELIVER_TIME_PROPERTY = "TIMER_DELIVER_MS";
  public static final String DELAY_LEVEL_PROPERTY = "DELAY";

  private final ClusterSharding sharding;
  private final TimerSettings settings;
  private final Duration storeTimeout;

  public DelayedMessages(ActorSystem<?> system, TimerSettings settings, Duration storeTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.settings = settings;
    this.storeTimeout = storeTimeout;
  }

  /** Whether any message of the request asks for a delay. */
  public static boolean isDelayed(SendMessageRequest request) {
    for (Message m : request.getMessagesList()) {
      if (m.getDelayLevel() != 0 || m.getDeliverTimeMs() != 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * When the request's one message is due (ms since the epoch), with {@code nowMs} the time the broker accepts it;
   * INVALID_DELAY for a bad level, both a level and a time, or a time beyond the maximum delay; BAD_REQUEST for a
   * delayed message in a batch.
   */
  public long deliverAt(SendMessageRequest request, long nowMs) {
    if (request.getMessagesCount() != 1) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "a batch of " + request.getMessagesCount()
          + " messages holds a delayed message; send delayed messages one by one");
    }
    Message m = request.getMessages(0);
    long deliverAt = DelayLevels.deliverAt(m.getDelayLevel(), m.getDeliverTimeMs(), nowMs);
    long limit = nowMs + settings.maxDelay().toMillis();
    if (deliverAt > limit) {
      throw SalvoException.of(ErrorCode.INVALID_DELAY, String.format(
          "delivery time %d ms is %.1f days away, beyond the broker's maximum delay of %s days"
              + " (salvo.broker.timer.max-delay)", deliverAt, (deliverAt - nowMs) / 86_400_000.0,
          settings.maxDelay().toDays()));
    }
    return deliverAt;
  }

  /** The request with its one delayed message carrying its delivery time (and level), for a message due already. */
  public static SendMessageRequest stampedAsDue(SendMessageRequest request, long deliverAt) {
    Message m = request.getMessages(0);
    Message.Builder stamped = m.toBuilder().putProperties(DELIVER_TIME_PROPERTY, Long.toString(deliverAt));
    if (m.getDelayLevel() != 0) {
      stamped.putProperties(DELAY_LEVEL_PROPERTY, Integer.toString(m.getDelayLevel()));
    }
    return request.toBuilder().setMessages(0, stamped).build();
  }

  /**
   * Journals {@code message} to be appended to {@code queue} at {@code deliverAt}; completes with the time it was
   * accepted, or fails with a SalvoException (STORE_UNAVAILABLE when the journal did not answer).
   */
  public CompletionStage<Long> schedule(QueueId queue, long deliverAt, int level, MessageAppended message) {
    Map<String, String> properties = new HashMap<>(message.properties());
    properties.put(DELIVER_TIME_PROPERTY, Long.toString(deliverAt));
    if (level != 0) {
      properties.put(DELAY_LEVEL_PROPERTY, Integer.toString(level));
    }
    MessageAppended stamped = new MessageAppended(message.messageId(), message.tags(), message.keys(), properties,
        message.body(), message.bornTimestamp(), message.bornHost(), 0, message.reconsumeTimes());
    long second = TimerBucketEntity.secondOf(deliverAt);
    int partition = Math.floorMod(message.messageId().hashCode(), settings.bucketPartitions());
    // A send due within the lead may be answered only once delivered: the index ask, the wait, the append.
    Duration timeout = storeTimeout.multipliedBy(2).plus(settings.lead()).plusSeconds(1);
    return Asks.ask(
            sharding.entityRefFor(TimerBucketEntity.ENTITY_TYPE_KEY, TimerBucketEntity.entityId(second, partition)),
            (ActorRef<TimerBucketEntity.ScheduleReply> replyTo) ->
                new TimerBucketEntity.Schedule(queue.topic(), queue.index(), deliverAt, stamped, replyTo),
            timeout, "timer journal write of a message due at " + deliverAt + " for queue " + queue)
        .thenApply(reply -> {
          if (reply instanceof TimerBucketEntity.Rejected r) {
            throw new SalvoException(ErrorCode.ofNumber(r.code()), r.message());
          }
          return ((TimerBucketEntity.Accepted) reply).timestamp();
        });
  }
}
