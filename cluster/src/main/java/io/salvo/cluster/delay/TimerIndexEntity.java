package io.salvo.cluster.delay;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.SnapshotAdapter;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import io.salvo.cluster.CborSerializable;
import io.salvo.persistence.events.TimerEvent;
import io.salvo.persistence.events.TimerEvent.BucketRegistered;
import io.salvo.persistence.events.TimerEvent.IndexSealed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which timer buckets of one hour of delivery time hold messages (entity id: the hour, seconds since the epoch / 3600).
 * A bucket registers here before its first message is journaled; the {@link TimerWheel} lists the registered buckets
 * of the seconds it is about to deliver and thereby seals them: a bucket registering for a sealed second is told so
 * and hands its messages straight to their queues instead (see {@link TimerBucketEntity}). So every journaled
 * delayed message is in a bucket the wheel fires, and the wheel never reads a second that holds nothing.
 *
 * <p>State: at most 3,600 seconds × one bit per bucket partition, and the sealed second; independent of the number
 * of messages. Registrations that arrive while a write is in flight are written together.
 */
public final class TimerIndexEntity
    extends EventSourcedBehavior<TimerIndexEntity.Command, TimerEvent, TimerIndexEntity.IndexState> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "TimerIndex");

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId())));
  }

  public static Behavior<Command> create(String entityId) {
    return Behaviors.setup(ctx -> new TimerIndexEntity(ctx, entityId));
  }

  /** The index entity of the hour that holds {@code second}. */
  public static String entityId(long second) {
    return Long.toString(hourOf(second));
  }

  public static long hourOf(long second) {
    return Math.floorDiv(second, 3600);
  }

  /** The last second of the hour that holds {@code second}. */
  public static long lastSecondOfHour(long second) {
    return (hourOf(second) + 1) * 3600 - 1;
  }

  // ---- commands

  public sealed interface Command extends CborSerializable {}

  /** Registers bucket {@code second}/{@code partition}; answered once journaled, or at once when sealed. */
  public record Register(long second, int partition, ActorRef<Registration> replyTo) implements Command {}

  /**
   * Lists the buckets of seconds {@code fromSecond..toSecond} (both in this hour) and seals the hour up to
   * {@code toSecond}; answered after the seal is journaled.
   */
  public record SealAndList(long fromSecond, long toSecond, ActorRef<Listing> replyTo) implements Command {}

  private record Flush() implements Command {}

  private static final Flush FLUSH = new Flush();

  // ---- replies

  /** {@code sealed}: the second is already being delivered; the bucket must not journal messages for it. */
  public record Registration(boolean sealed) implements CborSerializable {}

  public record BucketRef(long second, int partition) implements CborSerializable {}

  public record Listing(List<BucketRef> buckets) implements CborSerializable {}

  /** What a snapshot stores. */
  public record Snapshot(long sealedUpTo, long[] seconds, int[] partitionMasks) implements CborSerializable {}

  // ---- state

  /** Registered seconds with a bit per partition, and the sealed second. Mutable; never leaves the entity. */
  public static final class IndexState {
    private final TreeMap<Long, Integer> masks = new TreeMap<>();
    private long sealedUpTo = Long.MIN_VALUE;

    boolean isSealed(long second) {
      return second <= sealedUpTo;
    }

    boolean isRegistered(long second, int partition) {
      Integer mask = masks.get(second);
      return mask != null && (mask & (1 << partition)) != 0;
    }

    IndexState apply(TimerEvent event) {
      if (event instanceof BucketRegistered r) {
        masks.merge(r.second(), 1 << r.partition(), (a, b) -> a | b);
      } else if (event instanceof IndexSealed s) {
        sealedUpTo = Math.max(sealedUpTo, s.upToSecond());
      }
      return this;
    }

    List<BucketRef> list(long from, long to) {
      List<BucketRef> out = new ArrayList<>();
      for (Map.Entry<Long, Integer> e : masks.subMap(from, true, to, true).entrySet()) {
        int mask = e.getValue();
        for (int p = 0; p < 31; p++) {
          if ((mask & (1 << p)) != 0) {
            out.add(new BucketRef(e.getKey(), p));
          }
        }
      }
      return out;
    }
  }

  // ---- behavior

  private static final int SNAPSHOT_EVERY = 1_000;

  private final ActorContext<Command> context;
  private final String hour;
  /** Registrations waiting for the next journal write. */
  private final List<Register> pending = new ArrayList<>();

  private TimerIndexEntity(ActorContext<Command> context, String hour) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), hour),
        SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(5), 0.2));
    this.context = context;
    this.hour = hour;
  }

  @Override
  public IndexState emptyState() {
    return new IndexState();
  }

  @Override
  public CommandHandler<Command, TimerEvent, IndexState> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Register.class, this::onRegister)
        .onCommand(Flush.class, this::onFlush)
        .onCommand(SealAndList.class, this::onSealAndList)
        .build();
  }

  private Effect<TimerEvent, IndexState> onRegister(IndexState state, Register register) {
    if (state.isSealed(register.second())) {
      register.replyTo().tell(new Registration(true));
    } else if (state.isRegistered(register.second(), register.partition())) {
      register.replyTo().tell(new Registration(false));
    } else {
      if (pending.isEmpty()) {
        context.getSelf().tell(FLUSH);
      }
      pending.add(register);
    }
    return Effect().none();
  }

  private Effect<TimerEvent, IndexState> onFlush(IndexState state, Flush flush) {
    if (pending.isEmpty()) {
      return Effect().none();
    }
    List<Register> batch = new ArrayList<>(pending);
    pending.clear();
    return Effect().persist(registrations(state, batch)).thenRun(after -> replyRegistered(batch));
  }

  /**
   * Writes the waiting registrations and the seal together, so that a registration asked before the seal is in
   * the listing, and lists.
   */
  private Effect<TimerEvent, IndexState> onSealAndList(IndexState state, SealAndList seal) {
    List<Register> batch = new ArrayList<>(pending);
    pending.clear();
    List<TimerEvent> events = registrations(state, batch);
    if (seal.toSecond() > state.sealedUpTo) {
      events.add(new IndexSealed(seal.toSecond()));
    }
    if (events.isEmpty()) {
      seal.replyTo().tell(new Listing(state.list(seal.fromSecond(), seal.toSecond())));
      return Effect().none();
    }
    return Effect().persist(events).thenRun(after -> {
      replyRegistered(batch);
      seal.replyTo().tell(new Listing(after.list(seal.fromSecond(), seal.toSecond())));
    });
  }

  private static List<TimerEvent> registrations(IndexState state, List<Register> batch) {
    List<TimerEvent> events = new ArrayList<>();
    for (Register r : batch) {
      BucketRegistered event = new BucketRegistered(r.second(), r.partition());
      if (!state.isRegistered(r.second(), r.partition()) && !events.contains(event)) {
        events.add(event);
      }
    }
    return events;
  }

  private static void replyRegistered(List<Register> batch) {
    for (Register r : batch) {
      r.replyTo().tell(new Registration(false));
    }
  }

  @Override
  public EventHandler<IndexState, TimerEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onAnyEvent(IndexState::apply);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
  }

  @Override
  public SnapshotAdapter<IndexState> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(IndexState state) {
        long[] seconds = new long[state.masks.size()];
        int[] masks = new int[seconds.length];
        int i = 0;
        for (Map.Entry<Long, Integer> e : state.masks.entrySet()) {
          seconds[i] = e.getKey();
          masks[i++] = e.getValue();
        }
        return new Snapshot(state.sealedUpTo, seconds, masks);
      }

      @Override
      public IndexState fromJournal(Object from) {
        Snapshot snapshot = (Snapshot) from;
        IndexState state = new IndexState();
        state.sealedUpTo = snapshot.sealedUpTo();
        for (int i = 0; i < snapshot.seconds().length; i++) {
          state.masks.put(snapshot.seconds()[i], snapshot.partitionMasks()[i]);
        }
        return state;
      }
    };
  }

  @Override
  public String toString() {
    return "TimerIndexEntity[hour " + hour + "]";
  }
}
