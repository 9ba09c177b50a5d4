package io.salvo.cluster.transaction;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.SignalHandler;
import io.salvo.cluster.BrokerSettings.TransactionSettings;
import io.salvo.cluster.CborSerializable;
import io.salvo.cluster.queue.Queues;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.model.QueueId;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import io.salvo.persistence.events.TransactionEvent;
import io.salvo.persistence.events.TransactionEvent.CheckRequested;
import io.salvo.persistence.events.TransactionEvent.CommitDecided;
import io.salvo.persistence.events.TransactionEvent.CommitDelivered;
import io.salvo.persistence.events.TransactionEvent.Discarded;
import io.salvo.persistence.events.TransactionEvent.RolledBack;
import io.salvo.persistence.events.TransactionEvent.TransactionPrepared;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One transaction of a transactional producer (entity id = transaction id = the half message's id), sharded over the
 * cluster with remember-entities (event-sourced store): an open transaction is restarted after a broker restart or a
 * rebalance and resumes its checks. Its journal is the transaction's state machine:
 * <pre>
 *   (new) --Prepare--> Prepared --commit--> CommitDecided --appended to its queue--> CommitDelivered
 *                      Prepared --rollback--> RolledBack
 *                      Prepared --max-checks checks unanswered--> Discarded
 * </pre>
 * Invariants: the half message reaches its queue only after {@link CommitDecided} is journaled, so a rolled-back or
 * discarded transaction is never delivered; a recovered {@code CommitDecided} appends the message again, so a
 * committed one is never lost (at least once: a crash between the append and {@link CommitDelivered} appends it
 * twice). While Prepared, a timer fires at prepared + timeout, then every check-interval; each firing journals
 * {@link CheckRequested} and asks one producer of the group registered with the receptionist under
 * {@link #producersKey}. A resolved transaction passivates, so that it is no longer remembered.
 */
public final class TransactionEntity
    extends EventSourcedBehavior<TransactionEntity.Command, TransactionEvent, TransactionEntity.State> {
  private static final Logger log = LoggerFactory.getLogger(TransactionEntity.class);

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "Transaction");

  public static void init(ActorSystem<?> system, TransactionSettings settings, Duration storeTimeout) {
    Queues queues = new Queues(system, storeTimeout);
    ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY,
            ctx -> create(ctx.getEntityId(), ctx.getShard(), settings, queues))
        .withSettings(ClusterShardingSettings.create(system)
            .withRememberEntities(true)
            .withRememberEntitiesStoreMode(ClusterShardingSettings.rememberEntitiesStoreModeEventSourced())));
  }

  public static Behavior<Command> create(String transactionId, ActorRef<ClusterSharding.ShardCommand> shard,
      TransactionSettings settings, Queues queues) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new TransactionEntity(ctx, timers, transactionId, shard, settings, queues)));
  }

  /** The receptionist key under which the open TransactionChecks streams of {@code producerGroup} register. */
  public static ServiceKey<CheckTransaction> producersKey(String producerGroup) {
    return ServiceKey.create(CheckTransaction.class, "salvo-tx-producers-" + producerGroup);
  }

  // ---- commands

  public sealed interface Command extends CborSerializable {}

  /** Journals the half message (validated by the gRPC layer); answered after the write. Idempotent while Prepared. */
  public record Prepare(String producerGroup, String topic, int queueId, MessageAppended message,
      ActorRef<Reply> replyTo) implements Command {}

  /** The producer's outcome of the transaction; a commit is answered once the message is in its queue. */
  public record End(String producerGroup, Resolution resolution, boolean fromCheck, String clientId,
      ActorRef<Reply> replyTo) implements Command {}

  public enum Resolution { COMMIT, ROLLBACK, UNKNOWN }

  private record CheckDue() implements Command {}

  private record ProducersListed(Receptionist.Listing listing, Throwable failure, int checkTimes) implements Command {}

  private record Delivered(long queueOffset, Throwable failure) implements Command {}

  private record DeliverAgain() implements Command {}

  private static final CheckDue CHECK_DUE = new CheckDue();
  private static final DeliverAgain DELIVER_AGAIN = new DeliverAgain();

  // ---- replies

  public sealed interface Reply extends CborSerializable {}

  /** Done; {@code queueOffset} is the committed message's offset, -1 when it is not committed. */
  public record Accepted(long queueOffset) implements Reply {}

  /** Refused; {@code code} is an ErrorCode number. */
  public record Rejected(int code, String message) implements Reply {}

  /** What the broker sends to a producer's TransactionChecks stream. */
  public record CheckTransaction(String transactionId, String topic, int queueId, MessageAppended message,
      int checkTimes) implements CborSerializable {}

  // ---- state

  public enum Status { NEW, PREPARED, COMMIT_DECIDED, COMMITTED, ROLLED_BACK, DISCARDED }

  /** The transaction; {@code message} is kept only until the transaction is resolved. */
  public record State(Status status, String producerGroup, String topic, int queueId, MessageAppended message,
      long preparedAtMs, int checkTimes, long lastCheckAtMs, long queueOffset) {
    static final State NEW = new State(Status.NEW, null, null, -1, null, 0, 0, 0, -1);

    State apply(TransactionEvent event) {
      if (event instanceof TransactionPrepared p) {
        return new State(Status.PREPARED, p.producerGroup(), p.topic(), p.queueId(), p.message(), p.preparedAtMs(),
            0, 0, -1);
      } else if (event instanceof CheckRequested c) {
        return new State(status, producerGroup, topic, queueId, message, preparedAtMs, c.checkTimes(), c.atMs(), -1);
      } else if (event instanceof CommitDecided) {
        return with(Status.COMMIT_DECIDED, message, -1);
      } else if (event instanceof CommitDelivered d) {
        return with(Status.COMMITTED, null, d.queueOffset());
      } else if (event instanceof RolledBack) {
        return with(Status.ROLLED_BACK, null, -1);
      } else if (event instanceof Discarded) {
        return with(Status.DISCARDED, null, -1);
      }
      return this;
    }

    private State with(Status newStatus, MessageAppended keep, long offset) {
      return new State(newStatus, producerGroup, topic, queueId, keep, preparedAtMs, checkTimes, lastCheckAtMs, offset);
    }

    boolean resolved() {
      return status == Status.COMMITTED || status == Status.ROLLED_BACK || status == Status.DISCARDED;
    }

    /** The state in words, for an error message. */
    String describe() {
      return switch (status) {
        case NEW -> "not prepared";
        case PREPARED -> "prepared";
        case COMMIT_DECIDED, COMMITTED -> "committed";
        case ROLLED_BACK -> "rolled back";
        case DISCARDED -> "discarded after " + checkTimes + " unanswered checks";
      };
    }
  }

  // ---- behavior

  private static final Duration DELIVER_RETRY = Duration.ofSeconds(1);

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final String transactionId;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final TransactionSettings settings;
  private final Queues queues;
  /** Commits waiting for the message to be in its queue. */
  private final List<ActorRef<Reply>> commitWaiters = new ArrayList<>();

  private TransactionEntity(ActorContext<Command> context, TimerScheduler<Command> timers, String transactionId,
      ActorRef<ClusterSharding.ShardCommand> shard, TransactionSettings settings, Queues queues) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), transactionId),
        SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(5), 0.2));
    this.context = context;
    this.timers = timers;
    this.transactionId = transactionId;
    this.shard = shard;
    this.settings = settings;
    this.queues = queues;
  }

  @Override
  public State emptyState() {
    return State.NEW;
  }

  @Override
  public CommandHandler<Command, TransactionEvent, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Prepare.class, this::onPrepare)
        .onCommand(End.class, this::onEnd)
        .onCommand(CheckDue.class, this::onCheckDue)
        .onCommand(ProducersListed.class, this::onProducersListed)
        .onCommand(Delivered.class, this::onDelivered)
        .onCommand(DeliverAgain.class, this::onDeliverAgain)
        .build();
  }

  private Effect<TransactionEvent, State> onPrepare(State state, Prepare prepare) {
    if (state.status() == Status.NEW) {
      return Effect().persist(new TransactionPrepared(prepare.producerGroup(), prepare.topic(), prepare.queueId(),
              prepare.message(), System.currentTimeMillis()))
          .thenRun(prepared -> {
            scheduleCheck(prepared);
            prepare.replyTo().tell(new Accepted(-1));
          });
    }
    if (state.status() == Status.PREPARED && state.producerGroup().equals(prepare.producerGroup())) {
      prepare.replyTo().tell(new Accepted(-1)); // a retried prepare
      return Effect().none();
    }
    prepare.replyTo().tell(rejected(ErrorCode.TRANSACTION_RESOLVED, transactionId, "prepared again", state.describe()));
    return state.resolved() ? Effect().none().thenRun(s -> passivate()) : Effect().none();
  }

  private Effect<TransactionEvent, State> onEnd(State state, End end) {
    if (state.status() == Status.NEW || !state.producerGroup().equals(end.producerGroup())) {
      end.replyTo().tell(rejected(ErrorCode.TRANSACTION_NOT_FOUND, transactionId, end.producerGroup()));
      // Woken only by this message (an unknown id, or a resolved transaction): not to be remembered.
      return state.status() == Status.NEW || state.resolved() ? Effect().none().thenRun(s -> passivate())
          : Effect().none();
    }
    return switch (state.status()) {
      case PREPARED -> endPrepared(end);
      case COMMIT_DECIDED -> {
        if (end.resolution() == Resolution.COMMIT) {
          commitWaiters.add(end.replyTo()); // answered when the append in flight completes
        } else {
          answerResolved(state, end);
        }
        yield Effect().none();
      }
      default -> {
        answerResolved(state, end);
        yield Effect().none().thenRun(s -> passivate());
      }
    };
  }

  private Effect<TransactionEvent, State> endPrepared(End end) {
    switch (end.resolution()) {
      case COMMIT:
        return Effect().persist(new CommitDecided(end.fromCheck())).thenRun(decided -> {
          timers.cancel(CHECK_DUE);
          commitWaiters.add(end.replyTo());
          deliver(decided);
        });
      case ROLLBACK:
        return Effect().persist(new RolledBack(end.fromCheck())).thenRun(rolledBack -> {
          timers.cancel(CHECK_DUE);
          end.replyTo().tell(new Accepted(-1));
          passivate();
        });
      default:
        log.debug("transaction {} of producer group {}: still unknown to producer {} (check {})", transactionId,
            end.producerGroup(), end.clientId(), end.fromCheck());
        end.replyTo().tell(new Accepted(-1));
        return Effect().none();
    }
  }

  /** A resolved (or committing) transaction: the same outcome again is OK, a conflicting one TRANSACTION_RESOLVED. */
  private void answerResolved(State state, End end) {
    boolean committed = state.status() == Status.COMMITTED || state.status() == Status.COMMIT_DECIDED;
    if (end.resolution() == Resolution.COMMIT && !committed) {
      end.replyTo().tell(rejected(ErrorCode.TRANSACTION_RESOLVED, transactionId, "committed", state.describe()));
    } else if (end.resolution() == Resolution.ROLLBACK && committed) {
      end.replyTo().tell(rejected(ErrorCode.TRANSACTION_RESOLVED, transactionId, "rolled back", state.describe()));
    } else {
      end.replyTo().tell(new Accepted(end.resolution() == Resolution.COMMIT ? state.queueOffset() : -1));
    }
  }

  private Effect<TransactionEvent, State> onCheckDue(State state, CheckDue due) {
    if (state.status() != Status.PREPARED) {
      return Effect().none();
    }
    if (state.checkTimes() >= settings.maxChecks()) {
      return Effect().persist(new Discarded(state.checkTimes())).thenRun(discarded -> {
        log.warn("transaction {} of producer group {} discarded after {} checks (no producer resolved it within {} s"
                + " of its prepare; salvo.broker.transaction.max-checks = {}); its message for queue {}#{} is dropped",
            transactionId, state.producerGroup(), state.checkTimes(),
            (System.currentTimeMillis() - state.preparedAtMs()) / 1000, settings.maxChecks(), state.topic(),
            state.queueId());
        passivate();
      });
    }
    return Effect().persist(new CheckRequested(state.checkTimes() + 1, System.currentTimeMillis()))
        .thenRun(checked -> {
          timers.startSingleTimer(CHECK_DUE, settings.checkInterval());
          context.ask(Receptionist.Listing.class, context.getSystem().receptionist(), Duration.ofSeconds(3),
              replyTo -> Receptionist.find(producersKey(checked.producerGroup()), replyTo),
              (listing, failure) -> new ProducersListed(listing, failure, checked.checkTimes()));
        });
  }

  private Effect<TransactionEvent, State> onProducersListed(State state, ProducersListed listed) {
    if (state.status() != Status.PREPARED) {
      return Effect().none();
    }
    Set<ActorRef<CheckTransaction>> producers = listed.listing() == null ? Set.of()
        : listed.listing().getServiceInstances(producersKey(state.producerGroup()));
    if (producers.isEmpty()) {
      log.info("transaction {} of producer group {}: no producer of the group is connected to check it (check {} of"
              + " {}{})", transactionId, state.producerGroup(), listed.checkTimes(), settings.maxChecks(),
          listed.failure() == null ? "" : "; receptionist: " + listed.failure());
      return Effect().none();
    }
    List<ActorRef<CheckTransaction>> candidates = new ArrayList<>(producers);
    ActorRef<CheckTransaction> producer = candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
    producer.tell(new CheckTransaction(transactionId, state.topic(), state.queueId(), state.message(),
        listed.checkTimes()));
    return Effect().none();
  }

  private void deliver(State state) {
    QueueId queue = QueueId.of(state.topic(), state.queueId());
    context.pipeToSelf(queues.append(queue, List.of(state.message()),
            "append of committed transaction " + transactionId + " to queue " + queue),
        (appended, failure) -> new Delivered(failure == null ? appended.firstOffset() : -1, failure));
  }

  private Effect<TransactionEvent, State> onDelivered(State state, Delivered delivered) {
    if (state.status() != Status.COMMIT_DECIDED) {
      return Effect().none();
    }
    if (delivered.failure() != null) {
      log.warn("transaction {}: append of the committed message failed, retrying in {} ms: {}", transactionId,
          DELIVER_RETRY.toMillis(), delivered.failure().toString());
      timers.startSingleTimer(DELIVER_AGAIN, DELIVER_RETRY);
      return Effect().none();
    }
    return Effect().persist(new CommitDelivered(delivered.queueOffset())).thenRun(committed -> {
      for (ActorRef<Reply> waiter : commitWaiters) {
        waiter.tell(new Accepted(committed.queueOffset()));
      }
      commitWaiters.clear();
      passivate();
    });
  }

  private Effect<TransactionEvent, State> onDeliverAgain(State state, DeliverAgain again) {
    if (state.status() == Status.COMMIT_DECIDED) {
      deliver(state);
    }
    return Effect().none();
  }

  /** The first check at prepared + timeout, later ones check-interval after the previous one. */
  private void scheduleCheck(State state) {
    long due = state.checkTimes() == 0 ? state.preparedAtMs() + settings.timeout().toMillis()
        : state.lastCheckAtMs() + settings.checkInterval().toMillis();
    timers.startSingleTimer(CHECK_DUE, Duration.ofMillis(Math.max(0, due - System.currentTimeMillis())));
  }

  /** Leaves memory and the remembered entities: a resolved transaction has nothing more to do. */
  private void passivate() {
    if (shard != null) {
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
  }

  private static Rejected rejected(ErrorCode code, Object... args) {
    return new Rejected(code.number(), code.format(args));
  }

  @Override
  public EventHandler<State, TransactionEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .build();
  }

  private void onRecovered(State state) {
    switch (state.status()) {
      case PREPARED -> scheduleCheck(state);
      // Committed but maybe not appended before the stop: append again (at least once, never lost).
      case COMMIT_DECIDED -> deliver(state);
      case COMMITTED, ROLLED_BACK, DISCARDED -> passivate();
      default -> { }
    }
  }
}
