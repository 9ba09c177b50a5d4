package io.salvo.cluster.queue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.salvo.cluster.Asks;
import io.salvo.core.model.QueueId;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Asks of queue entities from outside them (the gRPC layer, the timer, retries, the admin API), with the store timeout:
 * a timeout fails with STORE_UNAVAILABLE naming what was asked. Thread safe.
 */
public final class Queues {
  private final ClusterSharding sharding;
  private final Duration storeTimeout;

  public Queues(ActorSystem<?> system, Duration storeTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.storeTimeout = storeTimeout;
  }

  /** Appends {@code messages} to {@code queue} in one journal write; {@code what} names it in a timeout's error. */
  public CompletionStage<QueueEntity.Appended> append(QueueId queue, List<MessageAppended> messages, String what) {
    return Asks.ask(sharding.entityRefFor(QueueEntity.ENTITY_TYPE_KEY, queue.entityId()),
        (ActorRef<QueueEntity.Appended> replyTo) -> new QueueEntity.Append(messages, replyTo), storeTimeout, what);
  }

  /** Retention: deletes {@code queue}'s messages below {@code beforeOffset} (see {@link QueueEntity.Truncate}). */
  public CompletionStage<QueueEntity.Truncated> truncate(QueueId queue, long beforeOffset, int indexTtlSeconds,
      Duration timeout) {
    return Asks.ask(sharding.entityRefFor(QueueEntity.ENTITY_TYPE_KEY, queue.entityId()),
        (ActorRef<QueueEntity.Truncated> replyTo) -> new QueueEntity.Truncate(beforeOffset, indexTtlSeconds, replyTo),
        timeout, "retention of queue " + queue);
  }

  /** Topic deletion: deletes every message {@code queue} stored so far (see {@link QueueEntity.Purge}). */
  public CompletionStage<QueueEntity.Truncated> purge(QueueId queue, int indexTtlSeconds, Duration timeout) {
    return Asks.ask(sharding.entityRefFor(QueueEntity.ENTITY_TYPE_KEY, queue.entityId()),
        (ActorRef<QueueEntity.Truncated> replyTo) -> new QueueEntity.Purge(indexTtlSeconds, replyTo), timeout,
        "deletion of queue " + queue);
  }

  /** The first and next offsets of {@code queue}. */
  public CompletionStage<QueueEntity.Offsets> offsets(QueueId queue) {
    return Asks.ask(sharding.entityRefFor(QueueEntity.ENTITY_TYPE_KEY, queue.entityId()),
        (ActorRef<QueueEntity.Offsets> replyTo) -> new QueueEntity.GetOffsets(replyTo), storeTimeout,
        "offsets of queue " + queue);
  }
}
