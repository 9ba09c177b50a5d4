package io.salvo.cluster.topic;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.persistence.cassandra.query.javadsl.CassandraReadJournal;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import io.salvo.cluster.Asks;
import io.salvo.cluster.BrokerSettings;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.validation.Validation;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's view of topics: routes (queue counts) through {@link TopicEntity}, cached once known (a queue
 * count never shrinks), auto-creation by the broker's switch, and the admin operations. Thread safe.
 */
public final class Topics {
  private final ClusterSharding sharding;
  private final ActorSystem<?> system;
  private final BrokerSettings settings;
  private final Duration timeout;
  private final ConcurrentHashMap<String, Integer> queueCounts = new ConcurrentHashMap<>();

  public Topics(ActorSystem<?> system, BrokerSettings settings) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.settings = settings;
    this.timeout = settings.storeTimeout();
  }

  /**
   * The queue count of {@code topic}; creates it when missing if {@code mayCreate} and auto-create is on.
   * Fails with INVALID_TOPIC, TOPIC_NOT_FOUND, or STORE_UNAVAILABLE.
   */
  public CompletionStage<Integer> queueCount(String topic, boolean mayCreate) {
    return route(topic, mayCreate && settings.autoCreateTopics() ? settings.defaultQueueCount() : 0);
  }

  /**
   * The queue count of {@code topic}, creating it with {@code queueCount} queues when missing whatever the auto-create
   * switch (for the broker's own topics: a group's retry and dead-letter topics).
   */
  public CompletionStage<Integer> ensure(String topic, int queueCount) {
    return route(topic, queueCount);
  }

  /** The topic's queue count, asked of its entity unless known; created with {@code create} queues when > 0. */
  private CompletionStage<Integer> route(String topic, int create) {
    Integer known = queueCounts.get(topic);
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    Validation.checkTopic(topic);
    return Asks.ask(sharding.entityRefFor(TopicEntity.ENTITY_TYPE_KEY, topic),
            (akka.actor.typed.ActorRef<TopicEntity.RouteReply> replyTo) -> new TopicEntity.GetRoute(create, replyTo),
            timeout, "route of topic '" + topic + "'")
        .thenApply(reply -> {
          if (reply instanceof TopicEntity.Route route) {
            queueCounts.put(topic, route.queueCount());
            return route.queueCount();
          }
          throw SalvoException.of(ErrorCode.TOPIC_NOT_FOUND, topic);
        });
  }

  /**
   * The topic's route with its retention, always asked of its entity (the retention may have changed). Fails with
   * INVALID_TOPIC, TOPIC_NOT_FOUND or STORE_UNAVAILABLE.
   */
  public CompletionStage<TopicEntity.Route> describe(String topic) {
    Validation.checkTopic(topic);
    return Asks.ask(sharding.entityRefFor(TopicEntity.ENTITY_TYPE_KEY, topic),
            (akka.actor.typed.ActorRef<TopicEntity.RouteReply> replyTo) -> new TopicEntity.GetRoute(0, replyTo),
            timeout, "route of topic '" + topic + "'")
        .thenApply(reply -> routeOrNotFound(topic, reply));
  }

  /** Sets how long {@code topic} keeps messages; {@code retention} zero: back to the broker's default. */
  public CompletionStage<TopicEntity.Route> setRetention(String topic, Duration retention) {
    Validation.checkTopic(topic);
    if (retention.isNegative() || (!retention.isZero() && retention.toMillis() < 1000)) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "retention " + retention + " must be at least 1 s (0: the default)");
    }
    return Asks.ask(sharding.entityRefFor(TopicEntity.ENTITY_TYPE_KEY, topic),
            (akka.actor.typed.ActorRef<TopicEntity.RouteReply> replyTo) ->
                new TopicEntity.SetRetention(retention.toMillis(), replyTo),
            timeout, "retention of topic '" + topic + "'")
        .thenApply(reply -> routeOrNotFound(topic, reply));
  }

  private static TopicEntity.Route routeOrNotFound(String topic, TopicEntity.RouteReply reply) {
    if (reply instanceof TopicEntity.Route route) {
      return route;
    }
    throw SalvoException.of(ErrorCode.TOPIC_NOT_FOUND, topic);
  }

  /** The queue count of {@code topic} if this node knows it already (no ask, no validation). */
  public OptionalInt cachedQueueCount(String topic) {
    Integer known = queueCounts.get(topic);
    return known == null ? OptionalInt.empty() : OptionalInt.of(known);
  }

  /** Creates {@code topic} with {@code queueCount} queues; fails with TOPIC_EXISTS if it exists. */
  public CompletionStage<Integer> create(String topic, int queueCount) {
    Validation.checkTopic(topic);
    if (queueCount < 1 || queueCount > settings.maxQueueCount()) {
      throw SalvoException.of(ErrorCode.INVALID_QUEUE_COUNT, queueCount, settings.maxQueueCount());
    }
    return Asks.ask(sharding.entityRefFor(TopicEntity.ENTITY_TYPE_KEY, topic),
            (akka.actor.typed.ActorRef<TopicEntity.CreateReply> replyTo) -> new TopicEntity.Create(queueCount, replyTo),
            timeout, "creation of topic '" + topic + "'")
        .thenApply(reply -> {
          if (reply instanceof TopicEntity.AlreadyExists exists) {
            throw SalvoException.of(ErrorCode.TOPIC_EXISTS, topic, exists.queueCount());
          }
          queueCounts.put(topic, queueCount);
          return queueCount;
        });
  }

  /** The names of all topics, from the journal's list of persistence ids (an admin operation, not fast). */
  public CompletionStage<List<String>> list() {
    CassandraReadJournal journal = PersistenceQuery.get(system)
        .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    String prefix = TopicEntity.ENTITY_TYPE_KEY.name() + "|";
    return journal.currentPersistenceIds()
        .filter(id -> id.startsWith(prefix))
        .map(id -> id.substring(prefix.length()))
        .runWith(Sink.seq(), system)
        .thenApply(ids -> ids.stream().sorted().toList());
  }
}
