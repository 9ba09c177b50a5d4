package io.salvo.cluster.topic;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.persistence.cassandra.query.javadsl.CassandraReadJournal;
import akka.persistence.query.PersistenceQuery;
import akka.NotUsed;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
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
 * The node's view of topics: routes (queue counts) through {@link TopicEntity}, auto-creation by the broker's switch,
 * and the admin operations. Thread safe.
 *
 * <p>Queue counts are cached per node. A change made through this node (grow, delete) updates or drops its entry at
 * once; other nodes learn it when their entry expires, {@link #ROUTE_CACHE_TTL} after it was asked of the entity. Until
 * then a node may route sends of a grown topic to its first queues only, and accept sends to a topic just deleted (they
 * land in its queues and are deleted with them by a later {@code DELETE}, or by retention after a re-creation).
 */
public final class Topics {
  private final ClusterSharding sharding;
  private final ActorSystem<?> system;
  private final BrokerSettings settings;
  private final Duration timeout;
  /** How long a node trusts a cached queue count that another node may change (grow or delete). */
  public static final Duration ROUTE_CACHE_TTL = Duration.ofSeconds(5);

  private record Cached(int queueCount, long expiresAtNanos) {}

  private final ConcurrentHashMap<String, Cached> queueCounts = new ConcurrentHashMap<>();

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
    OptionalInt known = cachedQueueCount(topic);
    if (known.isPresent()) {
      return CompletableFuture.completedFuture(known.getAsInt());
    }
    Validation.checkTopic(topic);
    return Asks.ask(sharding.entityRefFor(TopicEntity.ENTITY_TYPE_KEY, topic),
            (akka.actor.typed.ActorRef<TopicEntity.RouteReply> replyTo) -> new TopicEntity.GetRoute(create, replyTo),
            timeout, "route of topic '" + topic + "'")
        .thenApply(reply -> {
          if (reply instanceof TopicEntity.Route route) {
            remember(topic, route.queueCount());
            return route.queueCount();
          }
          if (create == 0 && !settings.autoCreateTopics()) {
            throw new SalvoException(ErrorCode.TOPIC_NOT_FOUND, ErrorCode.TOPIC_NOT_FOUND.format(topic)
                + " and auto-create is off (salvo.broker.topics.auto-create)");
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

  /** The queue count of {@code topic} if this node knows it already and it has not expired (no ask, no validation). */
  public OptionalInt cachedQueueCount(String topic) {
    Cached known = queueCounts.get(topic);
    if (known == null) {
      return OptionalInt.empty();
    }
    if (System.nanoTime() - known.expiresAtNanos() > 0) {
      queueCounts.remove(topic, known);
      return OptionalInt.empty();
    }
    return OptionalInt.of(known.queueCount());
  }

  private void remember(String topic, int queueCount) {
    queueCounts.put(topic, new Cached(queueCount, System.nanoTime() + ROUTE_CACHE_TTL.toNanos()));
  }

  /**
   * Grows {@code topic} to {@code queueCount} queues. Fails with QUEUE_COUNT_SHRINK when it has more, INVALID_QUEUE_COUNT,
   * TOPIC_NOT_FOUND, INVALID_TOPIC or STORE_UNAVAILABLE.
   */
  public CompletionStage<TopicEntity.Route> setQueueCount(String topic, int queueCount) {
    Validation.checkTopic(topic);
    if (queueCount < 1 || queueCount > settings.maxQueueCount()) {
      throw SalvoException.of(ErrorCode.INVALID_QUEUE_COUNT, queueCount, settings.maxQueueCount());
    }
    return Asks.ask(sharding.entityRefFor(TopicEntity.ENTITY_TYPE_KEY, topic),
            (akka.actor.typed.ActorRef<TopicEntity.QueueCountReply> replyTo) ->
                new TopicEntity.SetQueueCount(queueCount, replyTo),
            timeout, "queue count of topic '" + topic + "'")
        .thenApply(reply -> {
          if (reply instanceof TopicEntity.Shrink shrink) {
            throw SalvoException.of(ErrorCode.QUEUE_COUNT_SHRINK, topic, shrink.queueCount(), queueCount);
          }
          if (reply instanceof TopicEntity.QueueCountSetTo set) {
            remember(topic, set.route().queueCount());
            return set.route();
          }
          throw SalvoException.of(ErrorCode.TOPIC_NOT_FOUND, topic);
        });
  }

  /**
   * Deletes {@code topic}'s definition and forgets its cached route; answers the route it had. Its queues' messages
   * are the caller's to delete. Fails with TOPIC_NOT_FOUND, INVALID_TOPIC or STORE_UNAVAILABLE.
   */
  public CompletionStage<TopicEntity.Route> delete(String topic) {
    Validation.checkTopic(topic);
    queueCounts.remove(topic);
    return Asks.ask(sharding.entityRefFor(TopicEntity.ENTITY_TYPE_KEY, topic),
            (akka.actor.typed.ActorRef<TopicEntity.RouteReply> replyTo) -> new TopicEntity.Delete(replyTo),
            timeout, "deletion of topic '" + topic + "'")
        .thenApply(reply -> {
          queueCounts.remove(topic);
          return routeOrNotFound(topic, reply);
        });
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
          remember(topic, queueCount);
          return queueCount;
        });
  }

  /**
   * The names of all existing topics: the journal's list of topic entities (an admin operation, not fast), less the
   * deleted ones (each entity is asked, 8 at a time).
   */
  public CompletionStage<List<String>> list() {
    return entityNames(system, TopicEntity.ENTITY_TYPE_KEY.name())
        .mapAsyncUnordered(8, name -> describe(name).handle((route, failure) -> failure == null ? name : ""))
        .filter(name -> !name.isEmpty())
        .runWith(Sink.seq(), system)
        .thenApply(ids -> ids.stream().sorted().toList());
  }

  /**
   * The entity ids of every persistent entity of {@code entityType} the journal has, from its list of persistence
   * ids (it reads the whole list: an admin operation, not fast).
   */
  public static Source<String, NotUsed> entityNames(ActorSystem<?> system, String entityType) {
    CassandraReadJournal journal = PersistenceQuery.get(system)
        .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    String prefix = entityType + "|";
    return journal.currentPersistenceIds()
        .filter(id -> id.startsWith(prefix))
        .map(id -> id.substring(prefix.length()));
  }
}
