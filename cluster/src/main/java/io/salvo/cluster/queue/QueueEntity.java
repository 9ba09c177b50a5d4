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
import akka.persistence.typed.SnapshotCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import io.salvo.cluster.BrokerSettings.QueueSettings;
import io.salvo.cluster.BrokerSettings.RetentionSettings;
import io.salvo.cluster.CborSerializable;
import io.salvo.cluster.metrics.BrokerMetrics;
import io.salvo.cluster.topic.TopicEntity;
import io.salvo.core.model.QueueId;
import io.salvo.persistence.events.QueueEvent;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import io.salvo.persistence.index.MessageIndex;
import io.salvo.persistence.retention.JournalRetention;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *   <li>each group commit is indexed by message id and key ({@link MessageIndex}) while it is journaled; a send is
 *       answered once both are done (a failed index write is logged: the message is stored, only its lookup lacks);</li>
 *   <li>retention ({@link Truncate}) deletes the oldest messages in whole journal ranges, up to the newest snapshot
 *       (recovery replays from there); reads below the first retained offset start at it.</li>
 * </ul>
 */
public final class QueueEntity extends EventSourcedBehavior<QueueEntity.Command, QueueEvent, QueueState> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "Queue");

  private static final Duration PURGE_SNAPSHOT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * What queue entities share on a node: the write statistics, the message index and the journal's retention. Index and
   * retention are null only on a journal that is not Cassandra (the entity's unit tests): nothing is indexed then and
   * nothing was ever deleted.
   */
  public record Store(String storeHost, WriteStats stats, MessageIndex index, JournalRetention retention,
      RetentionSettings retentionSettings) {
    /** On a journal that is not Cassandra: no index, no retention. */
    public static Store journalOnly(String storeHost, WriteStats stats) {
      return new Store(storeHost, stats, null, null, null);
    }

    /** TTL of the index rows of a topic with {@code retentionMs} (0: the default retention). */
    int indexTtlSeconds(long retentionMs) {
      return retentionSettings == null ? 0
          : retentionSettings.indexTtlSeconds(retentionSettings.retentionOf(retentionMs));
    }
  }

  public static void init(ActorSystem<?> system, QueueSettings settings, Store store) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY,
        ctx -> create(QueueId.parse(ctx.getEntityId()), settings, store)));
  }

  public static Behavior<Command> create(QueueId queueId, QueueSettings settings, Store store) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new QueueEntity(ctx, timers, queueId, settings, store)));
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

  /**
   * Retention: deletes this queue's messages below {@code beforeOffset} (capped at the newest snapshot), and indexes
   * from now on with {@code indexTtlSeconds}. Replies with the queue's offsets after it.
   */
  public record Truncate(long beforeOffset, int indexTtlSeconds, ActorRef<Truncated> replyTo) implements Command {}

  /**
   * Deleting the topic: deletes every message of this queue stored so far. Saves a snapshot at the queue's end first
   * (recovery then starts above everything deleted; see {@link JournalRetention}), then truncates like retention.
   */
  public record Purge(int indexTtlSeconds, ActorRef<Truncated> replyTo) implements Command {}

  private record PurgeSnapshotSaved(Purge purge, long nextOffset, Throwable failure) implements Command {}

  private record Flush() implements Command {}

  private record FirstOffsetLoaded(long offset, Throwable failure) implements Command {}

  private record LoadFirstOffset() implements Command {}

  private record RetentionLoaded(long retentionMs) implements Command {}

  private record TruncateDone(Truncate truncate, long from, long to, JournalRetention.Deleted deleted,
      Throwable failure) implements Command {}

  private record ExpireWaiters() implements Command {}

  private static final Logger log = LoggerFactory.getLogger(QueueEntity.class);
  private static final Flush FLUSH = new Flush();
  private static final ExpireWaiters EXPIRE_WAITERS = new ExpireWaiters();

  // ---- replies

  /** The messages of an {@link Append} are stored from {@code firstOffset} on. */
  public record Appended(long firstOffset, long storeTimestamp, String storeHost) implements CborSerializable {}

  public sealed interface ReadReply extends CborSerializable {}

  /** Messages from the asked offset (possibly none, after a long-poll timeout), and the queue's next offset. */
  public record Messages(List<StoredEntry> entries, long nextOffset) implements ReadReply {}

  /**
   * The asked offset is older than the in-memory tail: read the journal from {@code fromOffset} (the asked one, or the
   * first retained one when retention deleted the asked) up to {@code firstCachedOffset}.
   */
  public record NotInMemory(long fromOffset, long firstCachedOffset, long nextOffset) implements ReadReply {}

  public record Offsets(long minOffset, long nextOffset) implements CborSerializable {}

  /** After a {@link Truncate}: {@code deleted} messages went (0 when nothing was due or allowed). */
  public record Truncated(long minOffset, long nextOffset, long deleted) implements CborSerializable {}

  /** What a snapshot stores: the queue's small state. The tail cache refills from new appends. */
  public record Snapshot(long nextOffset) implements CborSerializable {}

  // ---- behavior

  private final ActorContext<Command> context;
  private final QueueId queueId;
  private final QueueSettings settings;
  private final Store store;
  private final TimerScheduler<Command> timers;
  private final BrokerMetrics metrics;
  /** Appends waiting for the next journal write (group commit). Lives outside the journaled state. */
  private final ArrayDeque<Append> pending = new ArrayDeque<>();
  /** Caught-up readers waiting for the next append. */
  private final List<Waiter> waiters = new ArrayList<>();

  private record Waiter(Read read, long deadlineNanos) {}

  /** The first retained offset: below it messages were deleted by retention. Known after recovery (-1 until then). */
  private long minOffset = -1;
  /** Reads and offset asks that came before {@link #minOffset} was known. */
  private final List<Command> beforeFirstOffset = new ArrayList<>();
  /** The next offset of the newest snapshot: retention deletes nothing above it. */
  private long snapshotOffset;
  private int indexTtlSeconds;
  private boolean truncating;

  private QueueEntity(ActorContext<Command> context, TimerScheduler<Command> timers, QueueId queueId,
      QueueSettings settings, Store store) {
    super(persistenceId(queueId),
        SupervisorStrategy.restartWithBackoff(settings.restartBackoffMin(), settings.restartBackoffMax(), 0.2));
    this.context = context;
    this.queueId = queueId;
    this.settings = settings;
    this.store = store;
    this.timers = timers;
    this.metrics = BrokerMetrics.get(context.getSystem());
    this.indexTtlSeconds = store.indexTtlSeconds(0);
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
        .onCommand(FirstOffsetLoaded.class, this::onFirstOffsetLoaded)
        .onCommand(RetentionLoaded.class, (state, loaded) -> {
          indexTtlSeconds = store.indexTtlSeconds(loaded.retentionMs());
          return Effect().none();
        })
        .onCommand(LoadFirstOffset.class, (state, load) -> {
          loadFirstOffset();
          return Effect().none();
        })
        .onCommand(Truncate.class, this::onTruncate)
        .onCommand(TruncateDone.class, this::onTruncateDone)
        .onCommand(Purge.class, this::onPurge)
        .onCommand(PurgeSnapshotSaved.class, this::onPurgeSnapshotSaved)
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
    long bodyBytes = 0;
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
        bodyBytes += m.body().length;
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
    // The index rows go out beside the journal write; the sends are answered once both are done.
    @SuppressWarnings("unchecked")
    List<MessageAppended> stored = (List<MessageAppended>) (List<?>) events;
    CompletionStage<Void> indexed = store.index() == null ? CompletableFuture.completedFuture(null)
        : store.index().write(queueId.topic(), queueId.index(), firstOffset, stored, indexTtlSeconds);
    long sentBytes = bodyBytes;
    return Effect().persist(events).thenRun(after -> {
      store.stats().record(batch.size(), events.size(), System.nanoTime() - startNanos);
      metrics.sent(queueId.topic(), events.size(), sentBytes);
      serveWaiters(after);
      // Answered from the index write's completion, not through this actor: a reply never waits behind the mailbox,
      // and is not lost if the entity stops meanwhile.
      indexed.whenComplete((ok, failure) -> answer(batch, firstOffset, now, failure));
    });
  }

  private void answer(List<Append> batch, long firstOffset, long storeTimestamp, Throwable failure) {
    if (failure != null) {
      log.warn("{}: index write for offsets from {} failed ({}); the messages are stored, but lookups by id or key"
          + " will not find them", queueId, firstOffset, failure.toString());
    }
    long offset = firstOffset;
    for (Append append : batch) {
      append.replyTo().tell(new Appended(offset, storeTimestamp, store.storeHost()));
      offset += append.messages().size();
    }
  }

  private Effect<QueueEvent, QueueState> onRead(QueueState state, Read read) {
    if (minOffset < 0) {
      beforeFirstOffset.add(read);
      return Effect().none();
    }
    long from = Math.max(read.fromOffset(), minOffset);
    if (from != read.fromOffset()) {
      read = new Read(from, read.maxMessages(), read.replyTo());
    }
    if (from > state.nextOffset()) {
      context.getLog().warn("{}: read from offset {} beyond the queue's next offset {}; answering from {}",
          queueId, from, state.nextOffset(), state.nextOffset());
      read.replyTo().tell(new Messages(List.of(), state.nextOffset()));
    } else if (from == state.nextOffset()) {
      waiters.add(new Waiter(read, System.nanoTime() + settings.longPollTimeout().toNanos()));
    } else if (state.isCached(from)) {
      read.replyTo().tell(new Messages(state.readCached(from, read.maxMessages()), state.nextOffset()));
    } else {
      read.replyTo().tell(new NotInMemory(from, state.firstCachedOffset(), state.nextOffset()));
    }
    return Effect().none();
  }

  private Effect<QueueEvent, QueueState> onGetOffsets(QueueState state, GetOffsets get) {
    if (minOffset < 0) {
      beforeFirstOffset.add(get);
      return Effect().none();
    }
    get.replyTo().tell(new Offsets(minOffset, state.nextOffset()));
    return Effect().none();
  }

  private Effect<QueueEvent, QueueState> onFirstOffsetLoaded(QueueState state, FirstOffsetLoaded loaded) {
    if (loaded.failure() != null) {
      context.getLog().warn("{}: cannot read how far retention deleted ({}); retrying in 1 s", queueId,
          loaded.failure().toString());
      timers.startSingleTimer(new LoadFirstOffset(), Duration.ofSeconds(1));
      return Effect().none();
    }
    // deleted_to is a sequence number: offsets below it are gone.
    minOffset = Math.min(Math.max(minOffset, loaded.offset()), state.nextOffset());
    List<Command> waiting = new ArrayList<>(beforeFirstOffset);
    beforeFirstOffset.clear();
    waiting.forEach(context.getSelf()::tell);
    return Effect().none();
  }

  /** The topic's retention, for the index rows' TTL (until it is known, and if the ask fails: the default's). */
  private void loadRetention() {
    if (store.index() == null) {
      return;
    }
    context.ask(TopicEntity.RouteReply.class,
        ClusterSharding.get(context.getSystem()).entityRefFor(TopicEntity.ENTITY_TYPE_KEY, queueId.topic()),
        Duration.ofSeconds(10), (ActorRef<TopicEntity.RouteReply> replyTo) -> new TopicEntity.GetRoute(0, replyTo),
        (reply, failure) -> new RetentionLoaded(reply instanceof TopicEntity.Route route ? route.retentionMs() : 0));
  }

  private void loadFirstOffset() {
    if (store.retention() == null) {
      minOffset = Math.max(minOffset, 0);
      return;
    }
    context.pipeToSelf(store.retention().deletedTo(persistenceId(queueId).id()),
        (deletedTo, failure) -> new FirstOffsetLoaded(deletedTo == null ? 0 : deletedTo, failure));
  }

  private Effect<QueueEvent, QueueState> onTruncate(QueueState state, Truncate truncate) {
    indexTtlSeconds = truncate.indexTtlSeconds();
    long to = Math.min(truncate.beforeOffset(), snapshotOffset);
    if (minOffset < 0 || truncating || to <= minOffset || store.retention() == null) {
      truncate.replyTo().tell(new Truncated(Math.max(minOffset, 0), state.nextOffset(), 0));
      return Effect().none();
    }
    long from = minOffset;
    // Readers start at the new first offset from now on; the rows go after (a reader already below may fail once).
    minOffset = to;
    truncating = true;
    context.pipeToSelf(store.retention().deleteTo(persistenceId(queueId).id(), to),
        (deleted, failure) -> new TruncateDone(truncate, from, to, deleted, failure));
    return Effect().none();
  }

  private Effect<QueueEvent, QueueState> onPurge(QueueState state, Purge purge) {
    if (minOffset < 0) {
      beforeFirstOffset.add(purge);
      return Effect().none();
    }
    long end = state.nextOffset();
    if (end <= snapshotOffset || store.retention() == null) {
      return onTruncate(state, new Truncate(end, purge.indexTtlSeconds(), purge.replyTo()));
    }
    // The snapshot an EventSourcedBehavior would save at this sequence number (offset = sequence number - 1), saved
    // through the journal's snapshot store directly: typed persistence has no "snapshot now" without an event.
    // Persistence.snapshotStoreFor is private[akka] in Scala (public in bytecode): checked on Akka 2.8.5 by
    // AdminApiTest (a purged queue recovers on another node from this snapshot); recheck on an Akka upgrade.
    akka.actor.ActorRef snapshots = akka.persistence.Persistence.get(akka.actor.typed.javadsl.Adapter.toClassic(
        context.getSystem())).snapshotStoreFor("", com.typesafe.config.ConfigFactory.empty());
    akka.persistence.SnapshotMetadata metadata =
        new akka.persistence.SnapshotMetadata(persistenceId(queueId).id(), end, System.currentTimeMillis());
    context.pipeToSelf(akka.pattern.Patterns.ask(snapshots,
            new akka.persistence.SnapshotProtocol.SaveSnapshot(metadata, new Snapshot(end)), PURGE_SNAPSHOT_TIMEOUT),
        (reply, failure) -> new PurgeSnapshotSaved(purge, end, failure != null ? failure
            : reply instanceof akka.persistence.SaveSnapshotSuccess ? null
            : new IllegalStateException("snapshot not saved: " + reply)));
    return Effect().none();
  }

  private Effect<QueueEvent, QueueState> onPurgeSnapshotSaved(QueueState state, PurgeSnapshotSaved saved) {
    if (saved.failure() != null) {
      context.getLog().warn("{}: purge could not save a snapshot at offset {}: {}; deleting up to the newest snapshot",
          queueId, saved.nextOffset(), saved.failure().toString());
    } else {
      snapshotOffset = Math.max(snapshotOffset, saved.nextOffset());
    }
    return onTruncate(state, new Truncate(saved.nextOffset(), saved.purge().indexTtlSeconds(), saved.purge().replyTo()));
  }

  private Effect<QueueEvent, QueueState> onTruncateDone(QueueState state, TruncateDone done) {
    truncating = false;
    if (done.failure() != null) {
      context.getLog().warn("{}: retention could not delete offsets [{}, {}): {}; retried at the next run", queueId,
          done.from(), done.to(), done.failure().toString());
      done.truncate().replyTo().tell(new Truncated(minOffset, state.nextOffset(), 0));
    } else {
      context.getLog().info("{}: retention deleted offsets [{}, {}) ({} messages; {} journal partitions dropped, {} range"
          + " deletes)", queueId, done.from(), done.to(), done.to() - done.from(), done.deleted().partitionsDropped(),
          done.deleted().rangesDeleted());
      done.truncate().replyTo().tell(new Truncated(minOffset, state.nextOffset(), done.to() - done.from()));
    }
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
        read.replyTo().tell(new NotInMemory(read.fromOffset(), state.firstCachedOffset(), state.nextOffset()));
      }
    }
    waiters.clear();
  }

  @Override
  public EventHandler<QueueState, QueueEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(MessageAppended.class, (state, event) -> state.apply(event, lastSequenceNumber(context) - 1))
        .build();
  }

  @Override
  public SignalHandler<QueueState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecoveryCompleted)
        .onSignal(SnapshotCompleted.class, (state, done) -> snapshotOffset = done.metadata().sequenceNr())
        .build();
  }

  private void onRecoveryCompleted(QueueState state) {
    context.getLog().debug("{}: recovered, next offset {}", queueId, state.nextOffset());
    loadFirstOffset();
    loadRetention();
    // After a restart (journal failure) the Flush that was stashed is gone: write what is still pending.
    if (!pending.isEmpty()) {
      context.getSelf().tell(FLUSH);
    }
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
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
        snapshotOffset = snapshot.nextOffset();
        return new QueueState(snapshot.nextOffset(), settings.tailCacheMaxMessages(), settings.tailCacheMaxBytes());
      }
    };
  }
}
