package io.salvo.cluster.delay;

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
import akka.persistence.cassandra.query.javadsl.CassandraReadJournal;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import akka.stream.javadsl.Sink;
import io.salvo.cluster.CborSerializable;
import io.salvo.cluster.queue.Queues;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.model.QueueId;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import io.salvo.persistence.events.TimerEvent;
import io.salvo.persistence.events.TimerEvent.BucketDelivered;
import io.salvo.persistence.events.TimerEvent.BucketFired;
import io.salvo.persistence.events.TimerEvent.MessageScheduled;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * One bucket of the durable timer: the delayed messages due in one second, one partition of it (entity id
 * {@code <second>-<partition>}). Its journal holds one {@link MessageScheduled} per message; the send is answered
 * after that write (appends that arrive while a write is in flight are written together).
 *
 * <p>Life of a bucket:
 * <ol>
 *   <li>Before journaling its first message it registers with the hour's {@link TimerIndexEntity}. If the index
 *       answers that the second is sealed (the {@link TimerWheel} has already listed it), nothing is journaled: the
 *       bucket holds the send, appends the message to its queue when due (at most the timer's lead away) and answers
 *       then.</li>
 *   <li>The wheel sends {@link Fire} shortly before the second. The bucket journals {@link BucketFired} (from then
 *       on it journals nothing more: later sends take the direct way above), reads its messages back from the
 *       journal, and appends each to its queue at its time (millisecond timers), grouped per queue.</li>
 *   <li>When all are appended it journals {@link BucketDelivered} and answers the wheel. A firing cut short (crash,
 *       node loss) is repeated by the wheel, from the last {@link BucketDelivered}: messages of an interrupted
 *       firing may be appended twice, never lost.</li>
 * </ol>
 * The state is three numbers; messages are held in memory only while the bucket is delivering.
 */
public final class TimerBucketEntity
    extends EventSourcedBehavior<TimerBucketEntity.Command, TimerEvent, TimerBucketEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "TimerBucket");

  public static void init(ActorSystem<?> system, Duration storeTimeout) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY,
            ctx -> create(ctx.getEntityId(), ctx.getShard(), storeTimeout))
        .withStopMessage(STOP));
  }

  public static Behavior<Command> create(String entityId, ActorRef<ClusterSharding.ShardCommand> shard,
      Duration storeTimeout) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new TimerBucketEntity(ctx, timers, entityId, shard, storeTimeout)));
  }

  public static String entityId(long second, int partition) {
    return second + "-" + partition;
  }

  /** The second (since the epoch) of a delivery time in ms. */
  public static long secondOf(long deliverAtMs) {
    return Math.floorDiv(deliverAtMs, 1000);
  }

  // ---- commands

  public sealed interface Command extends CborSerializable {}

  /** Schedules {@code message} for queue {@code topic#queueId} at {@code deliverAt} (ms; within this bucket's second). */
  public record Schedule(String topic, int queueId, long deliverAt, MessageAppended message,
      ActorRef<ScheduleReply> replyTo) implements Command {}

  /** The second is due: deliver everything journaled; answered when it is all in its queues. */
  public record Fire(ActorRef<Fired> replyTo) implements Command {}

  private record Flush() implements Command {}

  // Answers to this entity's own asks carry its incarnation: one that arrives after a restart is dropped.

  private record Indexed(long incarnation, boolean sealed, Throwable failure) implements Command {}

  private record Loaded(long incarnation, List<MessageScheduled> dues, long upToSequenceNr, Throwable failure)
      implements Command {}

  private record DeliverDue() implements Command {}

  private record GroupAppended(long incarnation, List<MessageScheduled> group, Throwable failure) implements Command {}

  private record DirectDue() implements Command {}

  private record DirectAppended(long incarnation, Schedule schedule, Throwable failure) implements Command {}

  /** The shard's stop message when the bucket passivates. */
  private record Stop() implements Command {}

  private record Retry(long incarnation, List<MessageScheduled> group) implements Command {}

  private record Idle() implements Command {}

  private static final Flush FLUSH = new Flush();
  private static final DeliverDue DELIVER_DUE = new DeliverDue();
  private static final DirectDue DIRECT_DUE = new DirectDue();
  private static final Idle IDLE = new Idle();
  private static final Stop STOP = new Stop();

  // ---- replies

  public sealed interface ScheduleReply extends CborSerializable {}

  /** The message is journaled (or, taken the direct way, already in its queue). */
  public record Accepted(long timestamp) implements ScheduleReply {}

  /** The message was not taken; {@code code} is an ErrorCode number. */
  public record Rejected(int code, String message) implements ScheduleReply {}

  /** The bucket's messages are in their queues. */
  public record Fired(int delivered) implements CborSerializable {}

  // ---- state

  /** Messages journaled, whether the bucket has fired, and up to which sequence number it has delivered. */
  public record State(long scheduled, boolean fired, long deliveredUpTo) implements CborSerializable {
    State apply(TimerEvent event) {
      if (event instanceof MessageScheduled) {
        return new State(scheduled + 1, fired, deliveredUpTo);
      } else if (event instanceof BucketFired) {
        return new State(scheduled, true, deliveredUpTo);
      } else if (event instanceof BucketDelivered d) {
        return new State(scheduled, fired, Math.max(deliveredUpTo, d.upToSequenceNr()));
      }
      return this;
    }
  }

  // ---- behavior

  private static final int SNAPSHOT_EVERY = 1_000;
  private static final int MAX_GROUP = 256;
  /**
   * Bytes of messages per journal write, here and in the appends to queues, at most (a write beyond Cassandra's limits
   * fails); a message larger than this goes alone.
   */
  private static final int MAX_WRITE_BYTES = 4 * 1024 * 1024;
  private static final Duration RETRY_DELAY = Duration.ofSeconds(1);
  /** A bucket with nothing to do for this long leaves memory (buckets are many and each is used briefly). */
  private static final Duration IDLE_PASSIVATION = Duration.ofSeconds(30);

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final String entityId;
  private final long second;
  private final int partition;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final Duration storeTimeout;
  private final ClusterSharding sharding;
  private final Queues queues;
  private final long incarnation = System.nanoTime();

  /** Registered with the index (known after recovery when anything is journaled). */
  private boolean registered;
  private boolean registering;
  /** The index said the second is sealed: nothing more is journaled here. */
  private boolean sealed;
  private final List<Schedule> awaitingIndex = new ArrayList<>();
  /** Sends waiting for the next journal write (group commit). */
  private final ArrayDeque<Schedule> pending = new ArrayDeque<>();
  /** Sends taken the direct way, by delivery time. */
  private final PriorityQueue<Schedule> direct = new PriorityQueue<>(Comparator.comparingLong(Schedule::deliverAt));
  private int directInFlight;

  /** While firing: the journaled messages by delivery time, the next one to go, appends in flight, who waits. */
  private List<MessageScheduled> dues;
  private int nextDue;
  private int groupsInFlight;
  private long loadedUpTo;
  private boolean loading;
  private final List<ActorRef<Fired>> fireWaiters = new ArrayList<>();

  private TimerBucketEntity(ActorContext<Command> context, TimerScheduler<Command> timers, String entityId,
      ActorRef<ClusterSharding.ShardCommand> shard, Duration storeTimeout) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), entityId),
        SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(5), 0.2));
    this.context = context;
    this.timers = timers;
    this.entityId = entityId;
    int dash = entityId.lastIndexOf('-');
    this.second = Long.parseLong(entityId.substring(0, dash));
    this.partition = Integer.parseInt(entityId.substring(dash + 1));
    this.shard = shard;
    this.storeTimeout = storeTimeout;
    this.sharding = ClusterSharding.get(context.getSystem());
    this.queues = new Queues(context.getSystem(), storeTimeout);
  }

  @Override
  public State emptyState() {
    return new State(0, false, 0);
  }

  @Override
  public CommandHandler<Command, TimerEvent, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Schedule.class, this::onSchedule)
        .onCommand(Indexed.class, this::onIndexed)
        .onCommand(Flush.class, this::onFlush)
        .onCommand(Fire.class, this::onFire)
        .onCommand(Loaded.class, this::onLoaded)
        .onCommand(DeliverDue.class, this::onDeliverDue)
        .onCommand(GroupAppended.class, this::onGroupAppended)
        .onCommand(DirectDue.class, this::onDirectDue)
        .onCommand(DirectAppended.class, this::onDirectAppended)
        .onCommand(Retry.class, this::onRetry)
        .onCommand(Idle.class, this::onIdle)
        .onCommand(Stop.class, (state, stop) -> Effect().stop())
        .build();
  }

  private Effect<TimerEvent, State> onSchedule(State state, Schedule schedule) {
    timers.startSingleTimer(IDLE, IDLE, IDLE_PASSIVATION);
    if (secondOf(schedule.deliverAt()) != second) {
      schedule.replyTo().tell(new Rejected(ErrorCode.INTERNAL.number(), ErrorCode.INTERNAL.format(
          "message due at " + schedule.deliverAt() + " sent to timer bucket " + entityId)));
    } else if (state.fired() || sealed) {
      goDirect(schedule);
    } else if (registered) {
      if (pending.isEmpty()) {
        context.getSelf().tell(FLUSH);
      }
      pending.addLast(schedule);
    } else {
      awaitingIndex.add(schedule);
      if (!registering) {
        registering = true;
        context.pipeToSelf(
            sharding.entityRefFor(TimerIndexEntity.ENTITY_TYPE_KEY, TimerIndexEntity.entityId(second))
                .<TimerIndexEntity.Registration>ask(
                    replyTo -> new TimerIndexEntity.Register(second, partition, replyTo), storeTimeout),
            (registration, failure) -> new Indexed(incarnation, failure == null && registration.sealed(), failure));
      }
    }
    return Effect().none();
  }

  private Effect<TimerEvent, State> onIndexed(State state, Indexed indexed) {
    if (indexed.incarnation() != incarnation) {
      return Effect().none();
    }
    registering = false;
    List<Schedule> waiting = new ArrayList<>(awaitingIndex);
    awaitingIndex.clear();
    if (indexed.failure() != null) {
      context.getLog().warn("timer bucket {}: the timer index did not answer: {}", entityId, indexed.failure().toString());
      for (Schedule s : waiting) {
        s.replyTo().tell(unavailable("registration of timer bucket " + entityId));
      }
      return Effect().none();
    }
    sealed = sealed || indexed.sealed();
    registered = !indexed.sealed();
    for (Schedule s : waiting) {
      onSchedule(state, s);
    }
    return Effect().none();
  }

  /** Journals the waiting sends in one write and answers them. */
  private Effect<TimerEvent, State> onFlush(State state, Flush flush) {
    if (pending.isEmpty()) {
      return Effect().none();
    }
    List<Schedule> batch = new ArrayList<>();
    List<TimerEvent> events = new ArrayList<>();
    int bytes = 0;
    while (!pending.isEmpty() && events.size() < 512) {
      int size = pending.peekFirst().message().approximateSize();
      if (!events.isEmpty() && bytes + size > MAX_WRITE_BYTES) {
        break;
      }
      Schedule s = pending.removeFirst();
      batch.add(s);
      bytes += size;
      events.add(new MessageScheduled(s.topic(), s.queueId(), s.deliverAt(), s.message()));
    }
    if (!pending.isEmpty()) {
      context.getSelf().tell(FLUSH);
    }
    long now = System.currentTimeMillis();
    return Effect().persist(events).thenRun(after -> {
      for (Schedule s : batch) {
        s.replyTo().tell(new Accepted(now));
      }
    });
  }

  private Effect<TimerEvent, State> onFire(State state, Fire fire) {
    context.getLog().debug("timer bucket {}: fire (journaled {}, delivered up to {}, fired {})", entityId,
        state.scheduled(), state.deliveredUpTo(), state.fired());
    timers.startSingleTimer(IDLE, IDLE, IDLE_PASSIVATION);
    fireWaiters.add(fire.replyTo());
    // Sends not journaled yet are no longer journaled here: they go the direct way.
    while (!pending.isEmpty()) {
      goDirect(pending.removeFirst());
    }
    sealed = true;
    if (dues != null || loading) {
      return Effect().none();
    }
    if (!state.fired()) {
      return Effect().persist(new BucketFired(System.currentTimeMillis())).thenRun(this::load);
    }
    load(state);
    return Effect().none();
  }

  /** Reads the messages journaled after the last delivery. */
  private void load(State state) {
    long last = lastSequenceNumber(context);
    if (state.scheduled() == 0 || state.deliveredUpTo() >= last) {
      answerFired(0);
      return;
    }
    loading = true;
    CassandraReadJournal journal = PersistenceQuery.get(context.getSystem())
        .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    context.pipeToSelf(
        journal.currentEventsByPersistenceId(persistenceId().id(), state.deliveredUpTo() + 1, last)
            .runWith(Sink.seq(), context.getSystem()),
        (envelopes, failure) -> {
          if (failure != null) {
            return new Loaded(incarnation, null, last, failure);
          }
          List<MessageScheduled> loaded = new ArrayList<>();
          for (EventEnvelope e : envelopes) {
            if (e.event() instanceof MessageScheduled m) {
              loaded.add(m);
            }
          }
          return new Loaded(incarnation, loaded, last, null);
        });
  }

  private Effect<TimerEvent, State> onLoaded(State state, Loaded loaded) {
    if (loaded.incarnation() != incarnation) {
      return Effect().none();
    }
    loading = false;
    if (loaded.failure() != null) {
      context.getLog().warn("timer bucket {}: reading its messages failed ({}); the timer will ask again",
          entityId, loaded.failure().toString());
      fireWaiters.clear();
      return Effect().none();
    }
    dues = new ArrayList<>(loaded.dues());
    dues.sort(Comparator.comparingLong(MessageScheduled::deliverAt));
    nextDue = 0;
    loadedUpTo = loaded.upToSequenceNr();
    context.getLog().debug("timer bucket {}: delivering {} messages", entityId, dues.size());
    return onDeliverDue(state, DELIVER_DUE);
  }

  /** Appends every loaded message whose time has come, grouped per queue, and waits for the next one's time. */
  private Effect<TimerEvent, State> onDeliverDue(State state, DeliverDue tick) {
    if (dues == null) {
      return Effect().none();
    }
    long now = System.currentTimeMillis();
    Map<QueueId, List<MessageScheduled>> groups = new LinkedHashMap<>();
    for (; nextDue < dues.size() && dues.get(nextDue).deliverAt() <= now; nextDue++) {
      MessageScheduled m = dues.get(nextDue);
      groups.computeIfAbsent(QueueId.of(m.topic(), m.queueId()), q -> new ArrayList<>()).add(m);
    }
    for (List<MessageScheduled> group : groups.values()) {
      List<MessageScheduled> part = new ArrayList<>();
      int bytes = 0;
      for (MessageScheduled d : group) {
        int size = d.message().approximateSize();
        if (!part.isEmpty() && (part.size() == MAX_GROUP || bytes + size > MAX_WRITE_BYTES)) {
          appendGroup(part);
          part = new ArrayList<>();
          bytes = 0;
        }
        part.add(d);
        bytes += size;
      }
      if (!part.isEmpty()) {
        appendGroup(part);
      }
    }
    if (nextDue < dues.size()) {
      timers.startSingleTimer(DELIVER_DUE, DELIVER_DUE,
          Duration.ofMillis(Math.max(1, dues.get(nextDue).deliverAt() - now)));
    }
    return finishIfDone();
  }

  private void appendGroup(List<MessageScheduled> group) {
    groupsInFlight++;
    MessageScheduled first = group.get(0);
    List<MessageAppended> messages = new ArrayList<>(group.size());
    for (MessageScheduled d : group) {
      messages.add(d.message());
    }
    List<MessageScheduled> copy = List.copyOf(group);
    QueueId queue = QueueId.of(first.topic(), first.queueId());
    context.pipeToSelf(queues.append(queue, messages, "append of " + messages.size() + " due message(s) to " + queue),
        (appended, failure) -> new GroupAppended(incarnation, copy, failure));
  }

  private Effect<TimerEvent, State> onGroupAppended(State state, GroupAppended appended) {
    if (appended.incarnation() != incarnation) {
      return Effect().none();
    }
    groupsInFlight--;
    if (appended.failure() != null) {
      MessageScheduled m = appended.group().get(0);
      context.getLog().warn("timer bucket {}: appending {} due message(s) to {}#{} failed ({}); retrying in {}",
          entityId, appended.group().size(), m.topic(), m.queueId(), appended.failure().toString(), RETRY_DELAY);
      groupsInFlight++;
      context.scheduleOnce(RETRY_DELAY, context.getSelf(), new Retry(incarnation, appended.group()));
      return Effect().none();
    }
    return finishIfDone();
  }

  private Effect<TimerEvent, State> onRetry(State state, Retry retry) {
    if (retry.incarnation() != incarnation) {
      return Effect().none();
    }
    groupsInFlight--;
    appendGroup(retry.group());
    return Effect().none();
  }

  /** Leaves memory when nothing is pending here; a later send or Fire starts the bucket again from its journal. */
  private Effect<TimerEvent, State> onIdle(State state, Idle idle) {
    boolean busy = registering || loading || dues != null || !pending.isEmpty() || !direct.isEmpty()
        || directInFlight > 0 || !awaitingIndex.isEmpty() || !fireWaiters.isEmpty();
    if (busy) {
      timers.startSingleTimer(IDLE, IDLE, IDLE_PASSIVATION);
    } else {
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
    return Effect().none();
  }

  private Effect<TimerEvent, State> finishIfDone() {
    if (dues == null || nextDue < dues.size() || groupsInFlight > 0) {
      return Effect().none();
    }
    int delivered = dues.size();
    dues = null;
    if (delivered == 0) {
      answerFired(0); // nothing journaled since the last delivery
      return Effect().none();
    }
    context.getLog().debug("timer bucket {}: {} message(s) delivered", entityId, delivered);
    return Effect().persist(new BucketDelivered(loadedUpTo, System.currentTimeMillis()))
        .thenRun(after -> answerFired(delivered));
  }

  private void answerFired(int delivered) {
    for (ActorRef<Fired> waiter : fireWaiters) {
      waiter.tell(new Fired(delivered));
    }
    fireWaiters.clear();
  }

  // ---- the direct way: sends for a second that is already being delivered

  private void goDirect(Schedule schedule) {
    direct.add(schedule);
    context.getSelf().tell(DIRECT_DUE);
  }

  private Effect<TimerEvent, State> onDirectDue(State state, DirectDue tick) {
    long now = System.currentTimeMillis();
    while (!direct.isEmpty() && direct.peek().deliverAt() <= now) {
      Schedule s = direct.poll();
      directInFlight++;
      QueueId queue = QueueId.of(s.topic(), s.queueId());
      context.pipeToSelf(queues.append(queue, List.of(s.message()), "append of a due message to " + queue),
          (appended, failure) -> new DirectAppended(incarnation, s, failure));
    }
    if (!direct.isEmpty()) {
      timers.startSingleTimer(DIRECT_DUE, DIRECT_DUE, Duration.ofMillis(Math.max(1, direct.peek().deliverAt() - now)));
    }
    return Effect().none();
  }

  private Effect<TimerEvent, State> onDirectAppended(State state, DirectAppended appended) {
    if (appended.incarnation() != incarnation) {
      return Effect().none();
    }
    Schedule s = appended.schedule();
    directInFlight--;
    if (appended.failure() != null) {
      s.replyTo().tell(unavailable("append of a due message to " + s.topic() + "#" + s.queueId()));
    } else {
      s.replyTo().tell(new Accepted(System.currentTimeMillis()));
    }
    return Effect().none();
  }

  private Rejected unavailable(String what) {
    return new Rejected(ErrorCode.STORE_UNAVAILABLE.number(),
        ErrorCode.STORE_UNAVAILABLE.format(storeTimeout.toMillis() + " ms", what));
  }

  @Override
  public EventHandler<State, TimerEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onAnyEvent(State::apply);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> registered = state.scheduled() > 0)
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
  }
}
