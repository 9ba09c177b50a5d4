package io.salvo.cluster.group;

import akka.Done;
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
import io.salvo.persistence.events.GroupEvent.OffsetReset;
import io.salvo.persistence.events.GroupEvent.QueueGranted;
import io.salvo.persistence.events.GroupEvent.QueueReleased;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A consumer group, one sharded entity per group name. It owns, persisted: the members, the assignment
 * generation (bumped whenever membership changes), which member holds which queue (its grants) and the committed
 * offset of every queue the group consumes.
 *
 * <p>Members heartbeat with their subscriptions and the queues they still have (both kept in memory). Each topic's
 * queues are split among the members subscribed to it by {@link QueueAllocation#sticky} (fair shares; a member keeps
 * what it holds where it can). A queue is handed over release-before-grant, so it is never consumed by two members
 * at once:
 * <ul>
 *   <li>a queue is granted (persisted, {@code QueueGranted}) to its target member only while no other member holds a
 *       grant for it; a heartbeat's reply lists the queues granted to the member that are still its target;
 *   <li>a queue taken from a member is left out of its replies, so it stops consuming, commits, and drops it; its
 *       grant ends ({@code QueueReleased}) at its first heartbeat that no longer lists the queue, and the new owner
 *       gets it at the new owner's next heartbeat;
 *   <li>a member whose session expires leaves the group with all its grants.
 * </ul>
 * A commit is accepted only from the member holding the queue's grant (else FENCED), so a member that lost a queue
 * cannot move the group's offset. A consumer outside the membership that chose its queues itself (manual
 * assignment, {@link CommitManualOffset}) commits only queues that no member holds.
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

  /**
   * A member is alive, subscribed to these topics (topic → its queue count) and still has the {@code held} queues
   * (entity ids, {@code topic#queueId}); replies its assignment. {@code sequence} grows with each heartbeat of the
   * client (0: unordered): a heartbeat older than one already handled changes nothing, since its held list is stale
   * (a retry sent after a timeout may arrive first, and the late original must not release a queue started since).
   */
  public record Heartbeat(String clientId, long sequence, Map<String, Integer> topics, Set<String> held,
      ActorRef<Assignment> replyTo) implements Command {
    /** An unordered heartbeat (sequence 0). */
    public Heartbeat(String clientId, Map<String, Integer> topics, Set<String> held, ActorRef<Assignment> replyTo) {
      this(clientId, 0, topics, held, replyTo);
    }
  }

  /** Commits the group's offset of one queue: the offset of the next message to consume. */
  public record CommitOffset(String clientId, long generation, String topic, int queueId, long offset,
      ActorRef<CommitReply> replyTo) implements Command {}

  /**
   * Commits the offset of a queue for a consumer that is not a member and chose the queue itself (a lite pull
   * consumer's assign()): accepted only while no member holds the queue's grant (else FENCED).
   */
  public record CommitManualOffset(String clientId, String topic, int queueId, long offset,
      ActorRef<CommitReply> replyTo) implements Command {}

  /** The member leaves now (after its final commits): its grants end and its queues move. Replies Done. */
  public record Leave(String clientId, ActorRef<Done> replyTo) implements Command {}

  /**
   * Sets the group's offsets of these queues (entity id → offset): an administrator's reset. A member holding one of
   * them must drop it before it gets it back with the new offset (its commits of it are fenced meanwhile). Replies Done.
   */
  public record ResetOffsets(Map<String, Long> offsets, ActorRef<Done> replyTo) implements Command {}

  /** The group's members, generation and committed offsets (admin). */
  public record Describe(ActorRef<Description> replyTo) implements Command {}

  private record CheckSessions() implements Command {}

  // ---- replies

  public record QueueAssignment(String topic, int queueId, long committedOffset) implements CborSerializable {}

  public record Assignment(long generation, List<QueueAssignment> queues) implements CborSerializable {}

  public sealed interface CommitReply extends CborSerializable {}

  public record Committed() implements CommitReply {}

  public record CommitRejected(ErrorCode code, String message) implements CommitReply {}

  /** {@code grants}: queue entity id to the member holding it. */
  public record Description(String group, long generation, List<String> members, Map<String, Long> offsets,
      Map<String, String> grants) implements CborSerializable {}

  // ---- state

  /**
   * Persisted state: members (client id → joined at), generation, offsets and grants (member holding the queue) by
   * queue entity id. Immutable.
   */
  public record State(Map<String, Long> members, long generation, Map<String, Long> offsets,
      Map<String, String> grants, Map<String, String> resetting) implements CborSerializable {
    public State {
      grants = grants == null ? Map.of() : grants; // snapshots written before grants existed
      resetting = resetting == null ? Map.of() : resetting; // snapshots written before offset resets existed
    }

    State withMember(String clientId, long generation, long at) {
      Map<String, Long> m = new TreeMap<>(members);
      m.put(clientId, at);
      return new State(m, generation, offsets, grants, resetting);
    }

    /** Without the member and its grants. */
    State withoutMember(String clientId, long generation) {
      Map<String, Long> m = new TreeMap<>(members);
      m.remove(clientId);
      Map<String, String> g = new TreeMap<>(grants);
      g.values().removeIf(clientId::equals);
      Map<String, String> r = new TreeMap<>(resetting);
      r.values().removeIf(clientId::equals);
      return new State(m, generation, offsets, g, r);
    }

    State withOffset(String queue, long offset) {
      Map<String, Long> o = new HashMap<>(offsets);
      o.put(queue, offset);
      return new State(members, generation, o, grants, resetting);
    }

    /** The offset an administrator set; {@code holder} (if any) must drop the queue before it gets it back. */
    State withReset(String queue, long offset, String holder) {
      Map<String, Long> o = new HashMap<>(offsets);
      o.put(queue, offset);
      Map<String, String> r = new TreeMap<>(resetting);
      if (holder.isEmpty()) {
        r.remove(queue);
      } else {
        r.put(queue, holder);
      }
      return new State(members, generation, o, grants, r);
    }

    State withGrant(String queue, String clientId) {
      Map<String, String> g = new TreeMap<>(grants);
      g.put(queue, clientId);
      return new State(members, generation, offsets, g, resetting);
    }

    State withoutGrant(String queue, String clientId) {
      Map<String, String> g = new TreeMap<>(grants);
      g.remove(queue, clientId);
      Map<String, String> r = new TreeMap<>(resetting);
      r.remove(queue, clientId);
      return new State(members, generation, offsets, g, r);
    }
  }

  private final ActorContext<Command> context;
  private final String group;
  private final Duration sessionTimeout;
  private final EventHandler<State, GroupEvent> eventHandler;
  /** Not persisted: when each member was last heard of, and what it subscribes to. */
  private final Map<String, Long> lastSeenNanos = new HashMap<>();
  /** Not persisted: the newest heartbeat sequence handled per client. */
  private final Map<String, Long> heartbeatSequences = new HashMap<>();
  private final Map<String, Map<String, Integer>> subscriptions = new HashMap<>();

  private ConsumerGroupEntity(ActorContext<Command> context, TimerScheduler<Command> timers, String group,
      Duration sessionTimeout) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), group),
        SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(5), 0.2));
    this.context = context;
    this.group = group;
    this.sessionTimeout = sessionTimeout;
    this.eventHandler = buildEventHandler();
    timers.startTimerWithFixedDelay(new CheckSessions(), Duration.ofSeconds(1));
  }

  @Override
  public State emptyState() {
    return new State(Map.of(), 0, Map.of(), Map.of(), Map.of());
  }

  @Override
  public CommandHandlerWithReply<Command, GroupEvent, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Heartbeat.class, this::onHeartbeat)
        .onCommand(CommitOffset.class, this::onCommitOffset)
        .onCommand(CommitManualOffset.class, this::onCommitManualOffset)
        .onCommand(Leave.class, this::onLeave)
        .onCommand(ResetOffsets.class, this::onResetOffsets)
        .onCommand(Describe.class, this::onDescribe)
        .onCommand(CheckSessions.class, this::onCheckSessions)
        .build();
  }

  private ReplyEffect<GroupEvent, State> onHeartbeat(State state, Heartbeat heartbeat) {
    String clientId = heartbeat.clientId();
    Long newest = heartbeatSequences.get(clientId);
    if (heartbeat.sequence() > 0 && newest != null && heartbeat.sequence() <= newest) {
      context.getLog().debug("group {}: heartbeat {} of {} arrived after {}; ignored", group, heartbeat.sequence(),
          clientId, newest);
      return Effect().reply(heartbeat.replyTo(), assignmentOf(state, clientId));
    }
    if (heartbeat.sequence() > 0) {
      heartbeatSequences.put(clientId, heartbeat.sequence());
    }
    lastSeenNanos.put(clientId, System.nanoTime());
    subscriptions.put(clientId, Map.copyOf(heartbeat.topics()));
    long now = System.currentTimeMillis();
    List<GroupEvent> events = new ArrayList<>();
    State current = state;
    if (!state.members().containsKey(clientId)) {
      context.getLog().info("group {}: member {} joined (generation {})", group, clientId, state.generation() + 1);
      MemberJoined joined = new MemberJoined(clientId, state.generation() + 1, now);
      events.add(joined);
      current = apply(current, joined);
    }
    Map<String, List<Integer>> target = targetOf(current, clientId);
    // Grants the member gave up: taken from it, and no longer among the queues it still has.
    for (Map.Entry<String, String> grant : new ArrayList<>(current.grants().entrySet())) {
      if (grant.getValue().equals(clientId) && !heartbeat.held().contains(grant.getKey())
          && (!isTarget(target, grant.getKey()) || current.resetting().containsKey(grant.getKey()))) {
        QueueId queue = QueueId.parse(grant.getKey());
        QueueReleased released = new QueueReleased(queue.topic(), queue.index(), clientId, now);
        events.add(released);
        current = apply(current, released);
      }
    }
    // Its target queues that nobody holds now.
    for (Map.Entry<String, List<Integer>> topic : target.entrySet()) {
      for (int q : topic.getValue()) {
        String queue = QueueId.of(topic.getKey(), q).entityId();
        if (!current.grants().containsKey(queue)) {
          QueueGranted granted = new QueueGranted(topic.getKey(), q, clientId, now);
          events.add(granted);
          current = apply(current, granted);
        }
      }
    }
    if (events.isEmpty()) {
      return Effect().reply(heartbeat.replyTo(), assignmentOf(state, clientId));
    }
    return Effect().persist(events).thenReply(heartbeat.replyTo(), after -> assignmentOf(after, clientId));
  }

  /** What the event handler does to {@code state}, for planning the events of one command before persisting them. */
  private State apply(State state, GroupEvent event) {
    return eventHandler.apply(state, event);
  }

  private static boolean isTarget(Map<String, List<Integer>> target, String queue) {
    QueueId id = QueueId.parse(queue);
    List<Integer> queues = target.get(id.topic());
    return queues != null && queues.contains(id.index());
  }

  private ReplyEffect<GroupEvent, State> onCommitOffset(State state, CommitOffset commit) {
    String queue = QueueId.of(commit.topic(), commit.queueId()).entityId();
    if (!commit.clientId().equals(state.grants().get(queue))) {
      return Effect().reply(commit.replyTo(), new CommitRejected(ErrorCode.FENCED,
          ErrorCode.FENCED.format(commit.clientId(), group, queue)));
    }
    if (state.resetting().containsKey(queue)) {
      return Effect().reply(commit.replyTo(), new CommitRejected(ErrorCode.FENCED, "the offset of queue " + queue
          + " of group '" + group + "' was reset by an administrator: member '" + commit.clientId() + "' must drop the"
          + " queue; it gets it back with the new offset at its next heartbeat"));
    }
    Long current = state.offsets().get(queue);
    if (current != null && current == commit.offset()) {
      return Effect().reply(commit.replyTo(), new Committed());
    }
    return Effect()
        .persist(new OffsetCommitted(commit.topic(), commit.queueId(), commit.offset(), System.currentTimeMillis()))
        .thenReply(commit.replyTo(), after -> new Committed());
  }

  private ReplyEffect<GroupEvent, State> onCommitManualOffset(State state, CommitManualOffset commit) {
    String queue = QueueId.of(commit.topic(), commit.queueId()).entityId();
    String holder = state.grants().get(queue);
    if (holder != null) {
      return Effect().reply(commit.replyTo(), new CommitRejected(ErrorCode.FENCED, "queue " + queue + " of group '"
          + group + "' is held by member '" + holder + "': client '" + commit.clientId() + "' assigned it manually"
          + " and may commit only queues that no member of the group consumes"));
    }
    Long current = state.offsets().get(queue);
    if (current != null && current == commit.offset()) {
      return Effect().reply(commit.replyTo(), new Committed());
    }
    return Effect()
        .persist(new OffsetCommitted(commit.topic(), commit.queueId(), commit.offset(), System.currentTimeMillis()))
        .thenReply(commit.replyTo(), after -> new Committed());
  }

  private ReplyEffect<GroupEvent, State> onLeave(State state, Leave leave) {
    lastSeenNanos.remove(leave.clientId());
    heartbeatSequences.remove(leave.clientId());
    subscriptions.remove(leave.clientId());
    if (!state.members().containsKey(leave.clientId())) {
      return Effect().reply(leave.replyTo(), Done.getInstance());
    }
    context.getLog().info("group {}: member {} left (generation {})", group, leave.clientId(), state.generation() + 1);
    return Effect()
        .persist(new MemberLeft(leave.clientId(), state.generation() + 1, System.currentTimeMillis()))
        .thenReply(leave.replyTo(), after -> Done.getInstance());
  }

  private ReplyEffect<GroupEvent, State> onResetOffsets(State state, ResetOffsets reset) {
    long now = System.currentTimeMillis();
    List<GroupEvent> events = new ArrayList<>();
    for (Map.Entry<String, Long> e : new TreeMap<>(reset.offsets()).entrySet()) {
      QueueId queue = QueueId.parse(e.getKey());
      String holder = state.grants().getOrDefault(e.getKey(), "");
      events.add(new OffsetReset(queue.topic(), queue.index(), e.getValue(), holder, now));
    }
    if (events.isEmpty()) {
      return Effect().reply(reset.replyTo(), Done.getInstance());
    }
    context.getLog().info("group {}: offsets reset by an administrator: {}", group, new TreeMap<>(reset.offsets()));
    return Effect().persist(events).thenReply(reset.replyTo(), after -> Done.getInstance());
  }

  private ReplyEffect<GroupEvent, State> onDescribe(State state, Describe describe) {
    return Effect().reply(describe.replyTo(),
        new Description(group, state.generation(), List.copyOf(state.members().keySet()), new TreeMap<>(state.offsets()),
            new TreeMap<>(state.grants())));
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
        heartbeatSequences.remove(member);
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

  /** The member's target queues by topic: its share of each subscribed topic, sticky to the current grants. */
  private Map<String, List<Integer>> targetOf(State state, String clientId) {
    Map<String, List<Integer>> target = new TreeMap<>();
    if (!state.members().containsKey(clientId)) {
      return target;
    }
    for (Map.Entry<String, Integer> topic : subscriptions.getOrDefault(clientId, Map.of()).entrySet()) {
      Map<Integer, String> holders = new HashMap<>();
      state.grants().forEach((queue, member) -> {
        QueueId id = QueueId.parse(queue);
        if (id.topic().equals(topic.getKey())) {
          holders.put(id.index(), member);
        }
      });
      target.put(topic.getKey(),
          QueueAllocation.sticky(membersOf(state, topic.getKey()), topic.getValue(), holders).get(clientId));
    }
    return target;
  }

  /** The queues granted to the member that are still its target, with the group's committed offsets. */
  private Assignment assignmentOf(State state, String clientId) {
    List<QueueAssignment> queues = new ArrayList<>();
    for (Map.Entry<String, List<Integer>> topic : targetOf(state, clientId).entrySet()) {
      for (int q : topic.getValue()) {
        String queue = QueueId.of(topic.getKey(), q).entityId();
        if (clientId.equals(state.grants().get(queue)) && !state.resetting().containsKey(queue)) {
          Long offset = state.offsets().get(queue);
          queues.add(new QueueAssignment(topic.getKey(), q, offset == null ? -1 : offset));
        }
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
    return eventHandler;
  }

  private EventHandler<State, GroupEvent> buildEventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(MemberJoined.class, (state, e) -> state.withMember(e.clientId(), e.generation(), e.timestamp()))
        .onEvent(MemberLeft.class, (state, e) -> state.withoutMember(e.clientId(), e.generation()))
        .onEvent(OffsetCommitted.class, (state, e) -> state.withOffset(QueueId.of(e.topic(), e.queueId()).entityId(), e.offset()))
        .onEvent(OffsetReset.class, (state, e) -> state.withReset(QueueId.of(e.topic(), e.queueId()).entityId(), e.offset(), e.holder()))
        .onEvent(QueueGranted.class, (state, e) -> state.withGrant(QueueId.of(e.topic(), e.queueId()).entityId(), e.clientId()))
        .onEvent(QueueReleased.class, (state, e) -> state.withoutGrant(QueueId.of(e.topic(), e.queueId()).entityId(), e.clientId()))
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
