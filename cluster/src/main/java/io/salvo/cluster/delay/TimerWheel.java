package io.salvo.cluster.delay;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.SingletonActor;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import io.salvo.cluster.BrokerSettings.TimerSettings;
import io.salvo.cluster.CborSerializable;
import io.salvo.cluster.delay.TimerIndexEntity.BucketRef;
import io.salvo.persistence.events.TimerEvent;
import io.salvo.persistence.events.TimerEvent.WheelAdvanced;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.TreeMap;

/**
 * The clock of the durable timer: one per cluster (a cluster singleton; it moves to another node when its node
 * leaves). Every tick it takes the seconds that are due (or within the timer's lead), asks the hour's
 * {@link TimerIndexEntity} which buckets hold messages for them (sealing those seconds), and tells each such
 * {@link TimerBucketEntity} to {@link TimerBucketEntity.Fire fire}. Its journaled state is one number, the second up
 * to which every bucket has delivered; after a restart or a move it asks the buckets from there again (a bucket that
 * has delivered answers at once). Behind by more than a moment (the cluster was down), it catches up hour by hour
 * with a bounded number of buckets firing at once, and logs its progress.
 */
public final class TimerWheel extends EventSourcedBehavior<TimerWheel.Command, TimerEvent, TimerWheel.State> {

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.of("TimerWheel", "wheel");

  /** Starts the wheel as a cluster singleton; returns its proxy. */
  public static ActorRef<Command> init(ActorSystem<?> system, TimerSettings settings) {
    return ClusterSingleton.get(system).init(SingletonActor.of(
        Behaviors.supervise(create(settings))
            .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10), 0.2)),
        "salvo-timer-wheel"));
  }

  public static Behavior<Command> create(TimerSettings settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new TimerWheel(ctx, timers, settings)));
  }

  // ---- commands

  public sealed interface Command extends CborSerializable {}

  private record Tick() implements Command {}

  /** Answers carry the incarnation that asked: one that arrives after a restart (journal failure) is dropped. */
  private record Listed(long incarnation, long from, long to, List<BucketRef> buckets, Throwable failure)
      implements Command {}

  private record FireDone(long incarnation, BucketRef bucket, Throwable failure) implements Command {}

  private static final Tick TICK = new Tick();

  // ---- state

  /** The second up to which every bucket has delivered; -1 before the wheel's first start. */
  public record State(long cursor) implements CborSerializable {}

  // ---- behavior

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final TimerSettings settings;
  private final ClusterSharding sharding;

  private long listedTo = -1;
  private boolean listing;
  /** Buckets to fire, and per listed second how many of its buckets have not answered yet. */
  private final ArrayDeque<BucketRef> toFire = new ArrayDeque<>();
  private final TreeMap<Long, Integer> unanswered = new TreeMap<>();
  private int firing;
  private long lastPersistNanos;
  private long lastProgressLogNanos;
  private final long incarnation = System.nanoTime();

  private TimerWheel(ActorContext<Command> context, TimerScheduler<Command> timers, TimerSettings settings) {
    super(PERSISTENCE_ID,
        SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10), 0.2));
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.sharding = ClusterSharding.get(context.getSystem());
    this.lastPersistNanos = System.nanoTime() - settings.persistInterval().toNanos();
    this.lastProgressLogNanos = lastPersistNanos;
  }

  @Override
  public State emptyState() {
    return new State(-1);
  }

  @Override
  public CommandHandler<Command, TimerEvent, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Tick.class, this::onTick)
        .onCommand(Listed.class, this::onListed)
        .onCommand(FireDone.class, this::onFireDone)
        .build();
  }

  private Effect<TimerEvent, State> onTick(State state, Tick tick) {
    long target = dueSecond();
    // List the next seconds (at most up to the end of one hour: one index entity) unless enough is waiting to fire.
    if (!listing && listedTo < target && toFire.size() < settings.fireParallelism() * 4) {
      long from = listedTo + 1;
      long to = Math.min(target, TimerIndexEntity.lastSecondOfHour(from));
      listing = true;
      context.pipeToSelf(
          sharding.entityRefFor(TimerIndexEntity.ENTITY_TYPE_KEY, TimerIndexEntity.entityId(from))
              .<TimerIndexEntity.Listing>ask(
                  replyTo -> new TimerIndexEntity.SealAndList(from, to, replyTo), settings.fireTimeout()),
          (listing, failure) ->
              new Listed(incarnation, from, to, failure == null ? listing.buckets() : List.of(), failure));
    }
    fireWaiting();
    logProgress(target);
    return advance(state);
  }

  private Effect<TimerEvent, State> onListed(State state, Listed listed) {
    if (listed.incarnation() != incarnation || listed.from() != listedTo + 1) {
      return Effect().none(); // asked before a restart, or not the next seconds: never skip a second
    }
    listing = false;
    if (listed.failure() != null) {
      context.getLog().warn("timer: listing seconds {}..{} failed ({}); asking again", listed.from(), listed.to(),
          listed.failure().toString());
      return Effect().none();
    }
    if (!listed.buckets().isEmpty()) {
      context.getLog().debug("timer: seconds {}..{} hold {} bucket(s)", listed.from(), listed.to(),
          listed.buckets().size());
    }
    for (BucketRef bucket : listed.buckets()) {
      unanswered.merge(bucket.second(), 1, Integer::sum);
      toFire.addLast(bucket);
    }
    listedTo = listed.to();
    fireWaiting();
    if (listedTo < dueSecond()) {
      context.getSelf().tell(TICK); // catching up: list the next hour now
    }
    return advance(state);
  }

  private void fireWaiting() {
    while (firing < settings.fireParallelism() && !toFire.isEmpty()) {
      BucketRef bucket = toFire.removeFirst();
      firing++;
      context.pipeToSelf(
          sharding.entityRefFor(TimerBucketEntity.ENTITY_TYPE_KEY,
                  TimerBucketEntity.entityId(bucket.second(), bucket.partition()))
              .<TimerBucketEntity.Fired>ask(TimerBucketEntity.Fire::new, settings.fireTimeout()),
          (fired, failure) -> new FireDone(incarnation, bucket, failure));
    }
  }

  private Effect<TimerEvent, State> onFireDone(State state, FireDone done) {
    if (done.incarnation() != incarnation) {
      return Effect().none();
    }
    firing--;
    BucketRef bucket = done.bucket();
    if (done.failure() != null) {
      context.getLog().warn("timer: bucket {} did not confirm its delivery ({}); asking it again",
          TimerBucketEntity.entityId(bucket.second(), bucket.partition()), done.failure().toString());
      toFire.addLast(bucket);
    } else {
      unanswered.computeIfPresent(bucket.second(), (second, n) -> n == 1 ? null : n - 1);
    }
    fireWaiting();
    return advance(state);
  }

  /** The last second whose buckets are due now (within the lead). */
  private long dueSecond() {
    return Math.floorDiv(System.currentTimeMillis() + settings.lead().toMillis(), 1000);
  }

  /** Journals the cursor (every bucket up to it has delivered) when it moved, at most once per persist interval. */
  private Effect<TimerEvent, State> advance(State state) {
    long cursor = unanswered.isEmpty() ? listedTo : Math.min(listedTo, unanswered.firstKey() - 1);
    long now = System.nanoTime();
    if (cursor > state.cursor() && now - lastPersistNanos >= settings.persistInterval().toNanos()) {
      lastPersistNanos = now;
      return Effect().persist(new WheelAdvanced(cursor));
    }
    return Effect().none();
  }

  private void logProgress(long target) {
    long behind = target - listedTo;
    long now = System.nanoTime();
    if (behind > 60 && now - lastProgressLogNanos > Duration.ofSeconds(10).toNanos()) {
      lastProgressLogNanos = now;
      context.getLog().info("timer catching up: listed up to second {}, {} s behind; {} buckets firing, {} waiting",
          listedTo, behind, firing, toFire.size());
    }
  }

  @Override
  public EventHandler<State, TimerEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(WheelAdvanced.class, (state, event) -> new State(Math.max(state.cursor(), event.second())))
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecoveryCompleted)
        .build();
  }

  /**
   * Resumes after the journaled cursor. On the very first start the wheel looks back one hour, in case a bucket
   * registered before the wheel first ran.
   */
  private void onRecoveryCompleted(State state) {
    long nowSecond = Math.floorDiv(System.currentTimeMillis(), 1000);
    listedTo = state.cursor() >= 0 ? state.cursor() : nowSecond - 3600;
    context.getLog().info("timer started: delivered up to second {} ({} s ago); ticking every {}", listedTo,
        nowSecond - listedTo, settings.tickInterval());
    timers.startTimerWithFixedDelay(TICK, TICK, settings.tickInterval());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(1_000, 2);
  }
}
