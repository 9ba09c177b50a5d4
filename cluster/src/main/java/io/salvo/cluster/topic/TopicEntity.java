package io.salvo.cluster.topic;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import io.salvo.cluster.CborSerializable;
import io.salvo.persistence.events.TopicEvent;
import io.salvo.persistence.events.TopicEvent.QueueCountSet;
import io.salvo.persistence.events.TopicEvent.TopicDeleted;
import io.salvo.persistence.events.TopicEvent.RetentionSet;
import io.salvo.persistence.events.TopicEvent.TopicCreated;
import java.time.Duration;

/**
 * A topic's definition (its queue count), one sharded entity per topic name. Its queues are the entities
 * {@code T#0 … T#n-1} of {@code QueueEntity}. Invariants: a topic exists once at a time (created, then possibly
 * deleted and created anew); while it exists its queue count never shrinks (queues hold messages and offsets).
 */
public final class TopicEntity
    extends EventSourcedBehaviorWithEnforcedReplies<TopicEntity.Command, TopicEvent, TopicEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "Topic");

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId())));
  }

  public static Behavior<Command> create(String topic) {
    return new TopicEntity(topic);
  }

  // ---- commands

  public sealed interface Command extends CborSerializable {}

  /** The topic's route; when it does not exist and {@code createQueues > 0}, creates it with that many queues. */
  public record GetRoute(int createQueues, ActorRef<RouteReply> replyTo) implements Command {}

  /** Creates the topic with {@code queueCount} queues (admin). */
  public record Create(int queueCount, ActorRef<CreateReply> replyTo) implements Command {}

  /**
   * Grows the topic to {@code queueCount} queues (admin): replies the new Route, Shrink when it has more already, or
   * NotFound. Asking for the current count changes nothing and replies the route.
   */
  public record SetQueueCount(int queueCount, ActorRef<QueueCountReply> replyTo) implements Command {}

  /** Deletes the topic (admin): replies the Route it had, or NotFound. Its queues' messages are the caller's to delete. */
  public record Delete(ActorRef<RouteReply> replyTo) implements Command {}

  // ---- replies

  /** Sets how long the topic keeps messages (0: the broker's default); replies the route, or NotFound. */
  public record SetRetention(long retentionMs, ActorRef<RouteReply> replyTo) implements Command {}

  public sealed interface RouteReply extends CborSerializable {}

  /** {@code retentionMs} 0: the broker's default retention. */
  public record Route(int queueCount, long createdAt, long retentionMs) implements RouteReply {}

  public record NotFound() implements RouteReply, QueueCountReply {}

  public sealed interface QueueCountReply extends CborSerializable {}

  /** The topic has {@code queueCount} queues already, more than asked for. */
  public record Shrink(int queueCount) implements QueueCountReply {}

  /** The route after a {@link SetQueueCount}. */
  public record QueueCountSetTo(Route route) implements QueueCountReply {}

  public sealed interface CreateReply extends CborSerializable {}

  public record Created(int queueCount) implements CreateReply {}

  public record AlreadyExists(int queueCount) implements CreateReply {}

  // ---- state

  /** queueCount 0 means the topic does not exist. */
  public record State(int queueCount, long createdAt, long retentionMs) {
    boolean exists() {
      return queueCount > 0;
    }
  }

  private TopicEntity(String topic) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), topic),
        SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(5), 0.2));
  }

  @Override
  public State emptyState() {
    return new State(0, 0, 0);
  }

  @Override
  public CommandHandlerWithReply<Command, TopicEvent, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(GetRoute.class, this::onGetRoute)
        .onCommand(Create.class, this::onCreate)
        .onCommand(SetRetention.class, this::onSetRetention)
        .onCommand(SetQueueCount.class, this::onSetQueueCount)
        .onCommand(Delete.class, this::onDelete)
        .build();
  }

  private ReplyEffect<TopicEvent, State> onGetRoute(State state, GetRoute get) {
    if (state.exists()) {
      return Effect().reply(get.replyTo(), route(state));
    }
    if (get.createQueues() <= 0) {
      return Effect().reply(get.replyTo(), new NotFound());
    }
    return Effect()
        .persist(new TopicCreated(get.createQueues(), true, System.currentTimeMillis()))
        .thenReply(get.replyTo(), TopicEntity::route);
  }

  private static Route route(State state) {
    return new Route(state.queueCount(), state.createdAt(), state.retentionMs());
  }

  private ReplyEffect<TopicEvent, State> onSetRetention(State state, SetRetention set) {
    if (!state.exists()) {
      return Effect().reply(set.replyTo(), new NotFound());
    }
    if (state.retentionMs() == set.retentionMs()) {
      return Effect().reply(set.replyTo(), route(state));
    }
    return Effect()
        .persist(new RetentionSet(set.retentionMs(), System.currentTimeMillis()))
        .thenReply(set.replyTo(), TopicEntity::route);
  }

  private ReplyEffect<TopicEvent, State> onSetQueueCount(State state, SetQueueCount set) {
    if (!state.exists()) {
      return Effect().reply(set.replyTo(), new NotFound());
    }
    if (set.queueCount() < state.queueCount()) {
      return Effect().reply(set.replyTo(), new Shrink(state.queueCount()));
    }
    if (set.queueCount() == state.queueCount()) {
      return Effect().reply(set.replyTo(), new QueueCountSetTo(route(state)));
    }
    return Effect()
        .persist(new QueueCountSet(set.queueCount(), System.currentTimeMillis()))
        .thenReply(set.replyTo(), grown -> new QueueCountSetTo(route(grown)));
  }

  private ReplyEffect<TopicEvent, State> onDelete(State state, Delete delete) {
    if (!state.exists()) {
      return Effect().reply(delete.replyTo(), new NotFound());
    }
    Route was = route(state);
    return Effect()
        .persist(new TopicDeleted(state.queueCount(), System.currentTimeMillis()))
        .thenReply(delete.replyTo(), deleted -> was);
  }

  private ReplyEffect<TopicEvent, State> onCreate(State state, Create create) {
    if (state.exists()) {
      return Effect().reply(create.replyTo(), new AlreadyExists(state.queueCount()));
    }
    return Effect()
        .persist(new TopicCreated(create.queueCount(), false, System.currentTimeMillis()))
        .thenReply(create.replyTo(), created -> new Created(created.queueCount()));
  }

  @Override
  public EventHandler<State, TopicEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(TopicCreated.class, (state, created) -> new State(created.queueCount(), created.timestamp(), 0))
        .onEvent(RetentionSet.class, (state, set) -> new State(state.queueCount(), state.createdAt(), set.retentionMs()))
        .onEvent(QueueCountSet.class, (state, set) -> new State(set.queueCount(), state.createdAt(), state.retentionMs()))
        .onEvent(TopicDeleted.class, (state, deleted) -> emptyState())
        .build();
  }
}
