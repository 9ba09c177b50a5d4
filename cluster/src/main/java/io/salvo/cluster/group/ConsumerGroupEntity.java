package io.salvo.cluster.group;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import io.salvo.cluster.CborSerializable;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.model.QueueId;
import io.salvo.persistence.events.GroupEvent;
import io.salvo.persistence.events.GroupEvent.MemberJoined;
import io.salvo.persistence.events.GroupEvent.MemberLeft;
import io.salvo.persistence.events.GroupEvent.OffsetCommitted;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A consumer group, one sharded entity per group name. It owns, persisted: the members, the assignment
 * generation (bumped whenever membership changes) and the committed offset of every queue the group
 * consumes. Members heartbeat with their subscriptions (kept in memory) and get their queues back: each
 * topic's queues are split averagely among the members subscribed to it, so a queue has one owner at a
 * time. A commit from a member that does not own the queue now is rejected (FENCED), so a member that lost
 * a queue cannot move the group's offset.
 */
public final class ConsumerGroupEntity
    extends EventSourcedBehaviorWithEnforcedReplies<ConsumerGroupEntity.Command, GroupEvent, ConsumerGroupEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "ConsumerGroup");

  public static void init(ActorSystem<?> system, Duration sessionTimeout) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY,
        ctx -> create(ctx.getEntityId(), sessionTimeout)));
  }

  public static Behavior<Command> create(String group, Duration sessionTimeout) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new ConsumerGroupEntity(ctx, timers, group, sessionTimeout)));
  }

  // ---- commands

  public sealed interface Command extends CborSerializable {}

  /** A member is alive and subscribed to these topics (topic → its queue count); replies its assignment. */
  public record Heartbeat(String clientId, Map<String, Integer> topics, ActorRef<Assignment> replyTo)
      implements Command {}

  /** Commits the group's offset of one queue: the offset of the next message to consume. */
  public record CommitOffset(String clientId, long generation, String topic, int queueId, long offset,
      ActorRef<CommitReply> replyTo) implements Command {}

  /** The group's members, generation and committed offsets (admin). */
  public record Describe(ActorRef<Description> replyTo) implements Command {}

  private record CheckSessions() implements Command {}

  // ---- replies

  public record QueueAssignment(String topic, int queueId, long committedOffset) implements CborSerializable {}

  public record Assignment(long generation, List<QueueAssignment> queues) implements CborSerializable {}

  public sealed interface CommitReply extends CborSerializable {}

  public record Committed() implements CommitReply {}

  public record CommitRejected(ErrorCode code, String message) implements CommitReply {}

  public record Description(String group, long generation, List<String> members, Map<String, Long> offsets)
      implements CborSerializable {}

  // ---- state

  /** Persisted state: members (client id → joined at), generation, offsets by queue entity id. Immutable. */
  public record State(Map<String, Long> members, long generation, Map<String, Long> offsets)
      implements CborSerializable {
    State withMember(String clientId, long generation, long at) {
      Map<String, Long> m = new TreeMap<>(members);
      m.put(clientId, at);
      return new State(m, generation, offsets);
    }

    State withoutMember(String clientId, long generation) {
      Map<String, Long> m = new TreeMap<>(members);
      m.remove(clientId);
      return new State(m, generation, offsets);
    }

    State withOffset(String queue, long offset) {
      Map<String, Long> o = new HashMap<>(offsets);
      o.put(queue, offset);
      return new State(members, generation, o);
    }
  }

  private final ActorContext<Command> context;
  private final String group;
  private final Duration sessionTimeout;
  /** Not persisted: when each member was last heard of, and what it subscribes to. */
  private final Map<String, Long> lastSeenNanos = new HashMap<>();
  private final Map<String, Map<String, Integer>> subscriptions = new HashMap<>();

  private ConsumerGroupEntity(ActorContext<Command> context, TimerScheduler<Command> timers, String group,
      Duration sessionTimeout) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), group),
        SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(5), 0.2));
    this.context = context;
    this.group = group;
    this.sessionTimeout = sessionTimeout;
    timers.startTimerWithFixedDelay(new CheckSessions(), Duration.ofSeconds(1));
  }

  @Override
  public State emptyState() {
    return new State(Map.of(), 0, Map.of());
  }

  @Override
  public CommandHandlerWithReply<Command, GroupEvent, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Heartbeat.class, this::onHeartbeat)
        .onCommand(CommitOffset.class, this::onCommitOffset)
        .onCommand(Describe.class, this::onDescribe)
        .onCommand(CheckSessions.class, this::onCheckSessions)
        .build();
  }

  private ReplyEffect<GroupEvent, State> onHeartbeat(State state, Heartbeat heartbeat) {
    String clientId = heartbeat.clientId();
    lastSeenNanos.put(clientId, System.nanoTime());
    subscriptions.put(clientId, Map.copyOf(heartbeat.topics()));
    if (state.members().containsKey(clientId)) {
      return Effect().reply(heartbeat.replyTo(), assignmentOf(state, clientId));
    }
    context.getLog().info("group {}: member {} joined (generation {})", group, clientId, state.generation() + 1);
    return Effect()
        .persist(new MemberJoined(clientId, state.generation() + 1, System.currentTimeMillis()))
        .thenReply(heartbeat.replyTo(), after -> assignmentOf(after, clientId));
  }

  private ReplyEffect<GroupEvent, State> onCommitOffset(State state, CommitOffset commit) {
    String queue = QueueId.of(commit.topic(), commit.queueId()).entityId();
    if (!ownsQueue(state, commit.clientId(), commit.topic(), commit.queueId())) {
      return Effect().reply(commit.replyTo(), new CommitRejected(ErrorCode.FENCED,
          ErrorCode.FENCED.format(commit.clientId(), group, commit.generation(), state.generation())));
    }
    Long current = state.offsets().get(queue);
    if (current != null && current == commit.offset()) {
      return Effect().reply(commit.replyTo(), new Committed());
    }
    return Effect()
        .persist(new OffsetCommitted(commit.topic(), commit.queueId(), commit.offset(), System.currentTimeMillis()))
        .thenReply(commit.replyTo(), after -> new Committed());
  }

  private ReplyEffect<GroupEvent, State> onDescribe(State state, Describe describe) {
    return Effect().reply(describe.replyTo(),
        new Description(group, state.generation(), List.copyOf(state.members().keySet()), new TreeMap<>(state.offsets())));
  }

  private ReplyEffect<GroupEvent, State> onCheckSessions(State state, CheckSessions check) {
    long now = System.nanoTime();
    List<GroupEvent> left = new ArrayList<>();
    long generation = state.generation();
    for (String member : state.members().keySet()) {
      Long seen = lastSeenNanos.get(member);
      if (seen == null || now - seen > sessionTimeout.toNanos()) {
        generation++;
        left.add(new MemberLeft(member, generation, System.currentTimeMillis()));
        lastSeenNanos.remove(member);
        subscriptions.remove(member);
        context.getLog().info("group {}: member {} left: no heartbeat for {} (generation {})",
            group, member, sessionTimeout, generation);
      }
    }
    if (left.isEmpty()) {
      return Effect().noReply();
    }
    return Effect().persist(left).thenNoReply();
  }

  private boolean ownsQueue(State state, String clientId, String topic, int queueId) {
    if (!state.members().containsKey(clientId)) {
      return false;
    }
    Map<String, Integer> topics = subscriptions.get(clientId);
    Integer queueCount = topics == null ? null : topics.get(topic);
    return queueCount != null && QueueAllocation.averagely(membersOf(state, topic), queueCount, clientId).contains(queueId);
  }

  private Assignment assignmentOf(State state, String clientId) {
    List<QueueAssignment> queues = new ArrayList<>();
    Map<String, Integer> topics = subscriptions.getOrDefault(clientId, Map.of());
    for (Map.Entry<String, Integer> topic : new TreeMap<>(topics).entrySet()) {
      for (int q : QueueAllocation.averagely(membersOf(state, topic.getKey()), topic.getValue(), clientId)) {
        Long offset = state.offsets().get(QueueId.of(topic.getKey(), q).entityId());
        queues.add(new QueueAssignment(topic.getKey(), q, offset == null ? -1 : offset));
      }
    }
    return new Assignment(state.generation(), queues);
  }

  /** Members that subscribe to {@code topic}, sorted by client id. */
  private List<String> membersOf(State state, String topic) {
    List<String> out = new ArrayList<>();
    for (String member : state.members().keySet()) {
      Map<String, Integer> topics = subscriptions.get(member);
      if (topics != null && topics.containsKey(topic)) {
        out.add(member);
      }
    }
    return out;
  }

  @Override
  public EventHandler<State, GroupEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(MemberJoined.class, (state, e) -> state.withMember(e.clientId(), e.generation(), e.timestamp()))
        .onEvent(MemberLeft.class, (state, e) -> state.withoutMember(e.clientId(), e.generation()))
        .onEvent(OffsetCommitted.class, (state, e) -> state.withOffset(QueueId.of(e.topic(), e.queueId()).entityId(), e.offset()))
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecoveryCompleted)
        .build();
  }

  /** Recovered members get one session timeout to heartbeat again before they are dropped. */
  private void onRecoveryCompleted(State state) {
    long now = System.nanoTime();
    for (String member : state.members().keySet()) {
      lastSeenNanos.putIfAbsent(member, now);
    }
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(1000, 2);
  }
}
