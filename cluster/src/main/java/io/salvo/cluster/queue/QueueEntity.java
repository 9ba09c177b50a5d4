package io.salvo.cluster.queue;

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
import akka.persistence.typed.SnapshotAdapter;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import io.salvo.cluster.BrokerSettings.QueueSettings;
import io.salvo.cluster.CborSerializable;
import io.salvo.core.model.QueueId;
import io.salvo.persistence.events.QueueEvent;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One queue of a topic ({@code T#i}), sharded over the cluster. Its journal is the queue's log:
 * <ul>
 *   <li>one {@link MessageAppended} event per message, so a message's offset = its sequence number − 1 and
 *       offsets are consecutive from 0;</li>
 *   <li>group commit: appends that arrive while a journal write is in flight are written together by the
 *       next single {@code persist(List)}, capped by message count and bytes;</li>
 *   <li>a send is answered only after its journal write is acknowledged; a journal failure restarts the entity
 *       with backoff and it recovers from the journal (unanswered sends time out at the broker as
 *       STORE_UNAVAILABLE);</li>
 *   <li>consumers read through {@link Read}: recent messages from an in-memory tail, older ones from the
 *       journal (the reply says which), and a caught-up reader is answered as soon as a message is
 *       appended (the live tail is pushed, never polled).</li>
 * </ul>
 */
public final class QueueEntity extends EventSourcedBehavior<QueueEntity.Command, QueueEvent, QueueState> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "Queue");

  public static void init(ActorSystem<?> system, QueueSettings settings, String storeHost, WriteStats stats) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY,
        ctx -> create(QueueId.parse(ctx.getEntityId()), settings, storeHost, stats)));
  }

  public static Behavior<Command> create(QueueId queueId, QueueSettings settings, String storeHost, WriteStats stats) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new QueueEntity(ctx, timers, queueId, settings, storeHost, stats)));
  }

  public static PersistenceId persistenceId(QueueId queueId) {
    return PersistenceId.of(ENTITY_TYPE_KEY.name(), queueId.entityId());
  }

  // ---- commands

  public sealed interface Command extends CborSerializable {}

  /**
   * Appends messages (one send, or a batch) with consecutive offsets. The messages come validated from the gRPC
   * layer; their store timestamp is set when they are written.
   */
  public record Append(List<MessageAppended> messages, ActorRef<Appended> replyTo) implements Command {}

  /** Reads up to {@code maxMessages} from {@code fromOffset}; waits for new messages when there are none. */
  public record Read(long fromOffset, int maxMessages, ActorRef<ReadReply> replyTo) implements Command {}

  /** The queue's first and next offsets. */
  public record GetOffsets(ActorRef<Offsets> replyTo) implements Command {}

  private record Flush() implements Command {}

  private record ExpireWaiters() implements Command {}

  private static final Flush FLUSH = new Flush();
  private static final ExpireWaiters EXPIRE_WAITERS = new ExpireWaiters();

  // ---- replies

  /** The messages of an {@link Append} are stored from {@code firstOffset} on. */
  public record Appended(long firstOffset, long storeTimestamp, String storeHost) implements CborSerializable {}

  public sealed interface ReadReply extends CborSerializable {}

  /** Messages from the asked offset (possibly none, after a long-poll timeout), and the queue's next offset. */
  public record Messages(List<StoredEntry> entries, long nextOffset) implements ReadReply {}

  /** The asked offset is older than the in-memory tail: read the journal up to {@code firstCachedOffset}. */
  public record NotInMemory(long firstCachedOffset, long nextOffset) implements ReadReply {}

  public record Offsets(long minOffset, long nextOffset) implements CborSerializable {}

  /** What a snapshot stores: the queue's small state. The tail cache refills from new appends. */
  public record Snapshot(long nextOffset) implements CborSerializable {}

  // ---- behavior

  private static final int SNAPSHOT_EVERY = 10_000;

  private final ActorContext<Command> context;
  private final QueueId queueId;
  private final QueueSettings settings;
  private final String storeHost;
  private final WriteStats stats;
  /** Appends waiting for the next journal write (group commit). Lives outside the journaled state. */
  private final ArrayDeque<Append> pending = new ArrayDeque<>();
  /** Caught-up readers waiting for the next append. */
  private final List<Waiter> waiters = new ArrayList<>();

  private record Waiter(Read read, long deadlineNanos) {}

  private QueueEntity(ActorContext<Command> context, TimerScheduler<Command> timers, QueueId queueId,
      QueueSettings settings, String storeHost, WriteStats stats) {
    super(persistenceId(queueId),
        SupervisorStrategy.restartWithBackoff(settings.restartBackoffMin(), settings.restartBackoffMax(), 0.2));
    this.context = context;
    this.queueId = queueId;
    this.settings = settings;
    this.storeHost = storeHost;
    this.stats = stats;
    timers.startTimerWithFixedDelay(EXPIRE_WAITERS, Duration.ofSeconds(1));
  }

  @Override
  public QueueState emptyState() {
    return new QueueState(0, settings.tailCacheMaxMessages(), settings.tailCacheMaxBytes());
  }

  @Override
  public CommandHandler<Command, QueueEvent, QueueState> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Append.class, this::onAppend)
        .onCommand(Flush.class, this::onFlush)
        .onCommand(Read.class, this::onRead)
        .onCommand(GetOffsets.class, this::onGetOffsets)
        .onCommand(ExpireWaiters.class, this::onExpireWaiters)
        .build();
  }

  private Effect<QueueEvent, QueueState> onAppend(QueueState state, Append append) {
    if (pending.isEmpty()) {
      context.getSelf().tell(FLUSH);
    }
    pending.addLast(append);
    return Effect().none();
  }

  /**
   * Writes the pending appends, up to the group-commit caps, in one journal write. While it is in flight,
   * new appends are stashed; once it completes they are unstashed into {@link #pending} ahead of the next
   * Flush, which writes them all together.
   */
  private Effect<QueueEvent, QueueState> onFlush(QueueState state, Flush flush) {
    if (pending.isEmpty()) {
      return Effect().none();
    }
    long now = System.currentTimeMillis();
    List<Append> batch = new ArrayList<>();
    List<QueueEvent> events = new ArrayList<>();
    int bytes = 0;
    while (!pending.isEmpty()) {
      Append next = pending.peekFirst();
      int size = next.messages().stream().mapToInt(MessageAppended::approximateSize).sum();
      boolean full = events.size() + next.messages().size() > settings.groupCommitMaxMessages()
          || bytes + size > settings.groupCommitMaxBytes();
      if (full && !batch.isEmpty()) {
        break;
      }
      pending.removeFirst();
      batch.add(next);
      bytes += size;
      for (MessageAppended m : next.messages()) {
        events.add(m.withStoreTimestamp(now));
      }
    }
    if (!pending.isEmpty()) {
      context.getSelf().tell(FLUSH);
    }
    long firstOffset = state.nextOffset();
    if (context.getLog().isDebugEnabled()) {
      context.getLog().debug("{}: writing {} messages of {} sends in one journal write", queueId, events.size(), batch.size());
    }
    long startNanos = System.nanoTime();
    return Effect().persist(events).thenRun(after -> onWritten(after, batch, firstOffset, now, startNanos));
  }

  private void onWritten(QueueState state, List<Append> batch, long firstOffset, long storeTimestamp,
      long startNanos) {
    long offset = firstOffset;
    for (Append append : batch) {
      append.replyTo().tell(new Appended(offset, storeTimestamp, storeHost));
      offset += append.messages().size();
    }
    stats.record(batch.size(), (int) (offset - firstOffset), System.nanoTime() - startNanos);
    serveWaiters(state);
  }

  private Effect<QueueEvent, QueueState> onRead(QueueState state, Read read) {
    long from = read.fromOffset();
    if (from > state.nextOffset()) {
      context.getLog().warn("{}: read from offset {} beyond the queue's next offset {}; answering from {}",
          queueId, from, state.nextOffset(), state.nextOffset());
      read.replyTo().tell(new Messages(List.of(), state.nextOffset()));
    } else if (from == state.nextOffset()) {
      waiters.add(new Waiter(read, System.nanoTime() + settings.longPollTimeout().toNanos()));
    } else if (state.isCached(from)) {
      read.replyTo().tell(new Messages(state.readCached(from, read.maxMessages()), state.nextOffset()));
    } else {
      read.replyTo().tell(new NotInMemory(state.firstCachedOffset(), state.nextOffset()));
    }
    return Effect().none();
  }

  private Effect<QueueEvent, QueueState> onGetOffsets(QueueState state, GetOffsets get) {
    get.replyTo().tell(new Offsets(0, state.nextOffset()));
    return Effect().none();
  }

  private Effect<QueueEvent, QueueState> onExpireWaiters(QueueState state, ExpireWaiters expire) {
    long now = System.nanoTime();
    Iterator<Waiter> it = waiters.iterator();
    while (it.hasNext()) {
      Waiter w = it.next();
      if (now - w.deadlineNanos() >= 0) {
        w.read().replyTo().tell(new Messages(List.of(), state.nextOffset()));
        it.remove();
      }
    }
    return Effect().none();
  }

  private void serveWaiters(QueueState state) {
    if (waiters.isEmpty()) {
      return;
    }
    for (Waiter w : waiters) {
      Read read = w.read();
      if (state.isCached(read.fromOffset())) {
        read.replyTo().tell(new Messages(state.readCached(read.fromOffset(), read.maxMessages()), state.nextOffset()));
      } else {
        read.replyTo().tell(new NotInMemory(state.firstCachedOffset(), state.nextOffset()));
      }
    }
    waiters.clear();
  }

  @Override
  public EventHandler<QueueState, QueueEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(MessageAppended.class, QueueState::apply)
        .build();
  }

  @Override
  public SignalHandler<QueueState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecoveryCompleted)
        .build();
  }

  private void onRecoveryCompleted(QueueState state) {
    context.getLog().debug("{}: recovered, next offset {}", queueId, state.nextOffset());
    // After a restart (journal failure) the Flush that was stashed is gone: write what is still pending.
    if (!pending.isEmpty()) {
      context.getSelf().tell(FLUSH);
    }
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
  }

  @Override
  public SnapshotAdapter<QueueState> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(QueueState state) {
        return new Snapshot(state.nextOffset());
      }

      @Override
      public QueueState fromJournal(Object from) {
        Snapshot snapshot = (Snapshot) from;
        return new QueueState(snapshot.nextOffset(), settings.tailCacheMaxMessages(), settings.tailCacheMaxBytes());
      }
    };
  }
}
