package io.salvo.cluster.transaction;

import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.stream.OverflowStrategy;
import akka.stream.javadsl.Source;
import akka.stream.typed.javadsl.ActorSource;
import io.salvo.cluster.Asks;
import io.salvo.cluster.transaction.TransactionEntity.CheckTransaction;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.model.QueueId;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transactions seen from outside their entities (the gRPC layer): prepare and end them, and the stream of checks a
 * producer keeps open. A rejection fails the stage with a SalvoException carrying its ErrorCode; a store that does
 * not answer in time fails it with STORE_UNAVAILABLE. Thread safe.
 */
public final class Transactions {
  private static final Logger log = LoggerFactory.getLogger(Transactions.class);
  /**
   * Checks waiting to enter one producer's stream. Beyond that the oldest is dropped: a dropped check costs nothing but
   * time, the transaction is checked again after the check interval.
   */
  private static final int CHECK_BUFFER = 1024;

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Duration storeTimeout;

  public Transactions(ActorSystem<?> system, Duration storeTimeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.storeTimeout = storeTimeout;
  }

  /** Journals the half message {@code message} (validated) of {@code producerGroup} for {@code queue}. */
  public CompletionStage<Void> prepare(String producerGroup, QueueId queue, MessageAppended message) {
    return ask(message.messageId(),
        replyTo -> new TransactionEntity.Prepare(producerGroup, queue.topic(), queue.index(), message, replyTo),
        storeTimeout, "journal write of the half message " + message.messageId() + " for queue " + queue)
        .thenApply(offset -> null);
  }

  /**
   * Ends transaction {@code transactionId}; completes with the committed message's queue offset (-1 unless
   * committed). A commit waits for three writes: the decision, the append to the queue, its record.
   */
  public CompletionStage<Long> end(String producerGroup, String transactionId, TransactionEntity.Resolution resolution,
      boolean fromCheck, String clientId) {
    return ask(transactionId,
        replyTo -> new TransactionEntity.End(producerGroup, resolution, fromCheck, clientId, replyTo),
        storeTimeout.multipliedBy(resolution == TransactionEntity.Resolution.COMMIT ? 3 : 1),
        resolution + " of transaction " + transactionId);
  }

  /**
   * The checks of {@code producerGroup} sent to one producer: while the stream runs, its actor is registered with the
   * cluster receptionist under the group's key, so that any broker's transactions can ask it; when the stream ends
   * (the producer went away), the actor stops and the receptionist forgets it.
   */
  public Source<CheckTransaction, NotUsed> checks(String producerGroup, String clientId) {
    return ActorSource.<CheckTransaction>actorRef(check -> false, check -> Optional.empty(), CHECK_BUFFER,
            OverflowStrategy.dropHead())
        .mapMaterializedValue(ref -> {
          system.receptionist().tell(Receptionist.register(TransactionEntity.producersKey(producerGroup), ref));
          log.info("producer {} of group {} opened its transaction checks stream", clientId, producerGroup);
          return NotUsed.getInstance();
        })
        .watchTermination((notUsed, done) -> {
          done.whenComplete((d, failure) -> log.info("producer {} of group {} closed its transaction checks stream{}",
              clientId, producerGroup, failure == null ? "" : ": " + failure));
          return NotUsed.getInstance();
        });
  }

  private CompletionStage<Long> ask(String transactionId,
      akka.japi.function.Function<ActorRef<TransactionEntity.Reply>, TransactionEntity.Command> command,
      Duration timeout, String what) {
    return Asks.ask(sharding.entityRefFor(TransactionEntity.ENTITY_TYPE_KEY, transactionId), command, timeout, what)
        .thenApply(reply -> {
          if (reply instanceof TransactionEntity.Rejected r) {
            throw new SalvoException(ErrorCode.ofNumber(r.code()), r.message());
          }
          return ((TransactionEntity.Accepted) reply).queueOffset();
        });
  }
}
