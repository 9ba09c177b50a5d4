package io.salvo.cluster.grpc;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.grpc.GrpcServiceException;
import akka.stream.javadsl.Source;
import io.salvo.cluster.BrokerSettings;
import io.salvo.cluster.queue.StoredEntry;
import io.salvo.cluster.topic.Topics;
import io.salvo.cluster.transaction.TransactionEntity;
import io.salvo.cluster.transaction.Transactions;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.model.MessageId;
import io.salvo.core.model.QueueId;
import io.salvo.core.protocol.v1.EndTransactionRequest;
import io.salvo.core.protocol.v1.EndTransactionResponse;
import io.salvo.core.protocol.v1.Message;
import io.salvo.core.protocol.v1.PrepareTransactionRequest;
import io.salvo.core.protocol.v1.PrepareTransactionResponse;
import io.salvo.core.protocol.v1.SendMessageRequest;
import io.salvo.core.protocol.v1.TransactionCheck;
import io.salvo.core.protocol.v1.TransactionChecksRequest;
import io.salvo.core.validation.Validation;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The transaction RPCs: PrepareTransaction, EndTransaction, TransactionChecks. Validates and converts; the
 * transactions themselves live in {@code io.salvo.cluster.transaction}.
 */
final class TransactionActivity {
  /** An idle TransactionChecks stream carries an empty check this often, so that no idle timeout closes it. */
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(20);

  private final BrokerSettings settings;
  private final Topics topics;
  private final RequestValidator validator;
  private final Transactions transactions;

  TransactionActivity(ActorSystem<?> system, BrokerSettings settings, Topics topics) {
    this.settings = settings;
    this.topics = topics;
    this.validator = new RequestValidator(settings.maxMessageBytes(), settings.maxBatchMessages());
    this.transactions = new Transactions(system, settings.storeTimeout());
  }

  /** Statuses: see PrepareTransaction in the .proto. */
  CompletionStage<PrepareTransactionResponse> prepare(PrepareTransactionRequest in) {
    Message message = in.getMessage();
    try {
      Validation.checkGroup(in.getProducerGroup());
      // Exactly the checks of a send of this one message.
      validator.checkSend(SendMessageRequest.newBuilder().setTopic(in.getTopic()).setQueueId(in.getQueueId())
          .addMessages(message).setProducerGroup(in.getProducerGroup()).build());
      if (message.getDelayLevel() != 0 || message.getDeliverTimeMs() != 0) {
        throw SalvoException.of(ErrorCode.INVALID_DELAY, "a transactional message cannot be delayed (delay_level "
            + message.getDelayLevel() + ", deliver_time_ms " + message.getDeliverTimeMs()
            + "); send it without a delay, or send a delayed message outside the transaction");
      }
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(prepareFailed(e));
    }
    return topics.queueCount(in.getTopic(), true)
        .thenCompose(queueCount -> {
          RequestValidator.checkQueueExists(in.getTopic(), in.getQueueId(), queueCount);
          return transactions.prepare(in.getProducerGroup(), QueueId.of(in.getTopic(), in.getQueueId()),
              ProtoConverter.toUnstored(message));
        })
        .thenApply(done -> PrepareTransactionResponse.newBuilder()
            .setStatus(StatusMapper.OK).setTransactionId(message.getMessageId()).build())
        .exceptionally(this::prepareFailed);
  }

  private PrepareTransactionResponse prepareFailed(Throwable e) {
    return PrepareTransactionResponse.newBuilder().setStatus(StatusMapper.toStatus(e)).build();
  }

  /** Statuses: see EndTransaction in the .proto. */
  CompletionStage<EndTransactionResponse> end(EndTransactionRequest in) {
    TransactionEntity.Resolution resolution;
    try {
      Validation.checkGroup(in.getProducerGroup());
      if (!MessageId.isWellFormed(in.getTransactionId())) {
        throw SalvoException.of(ErrorCode.BAD_REQUEST, "transaction_id '" + in.getTransactionId()
            + "' is not a transaction id (32 upper-case hex characters: the half message's id)");
      }
      resolution = switch (in.getResolution()) {
        case COMMIT -> TransactionEntity.Resolution.COMMIT;
        case ROLLBACK -> TransactionEntity.Resolution.ROLLBACK;
        case UNKNOWN -> TransactionEntity.Resolution.UNKNOWN;
        default -> throw SalvoException.of(ErrorCode.BAD_REQUEST, "unknown resolution " + in.getResolutionValue()
            + "; this broker knows UNKNOWN (0), COMMIT (1) and ROLLBACK (2)");
      };
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(endFailed(e));
    }
    return transactions.end(in.getProducerGroup(), in.getTransactionId(), resolution, in.getFromCheck(),
            in.getClientId())
        .thenApply(offset -> EndTransactionResponse.newBuilder().setStatus(StatusMapper.OK).setQueueOffset(offset)
            .build())
        .exceptionally(this::endFailed);
  }

  private EndTransactionResponse endFailed(Throwable e) {
    return EndTransactionResponse.newBuilder().setStatus(StatusMapper.toStatus(e)).setQueueOffset(-1).build();
  }

  /** The checks of a producer's group, as long as the producer keeps the stream open. */
  Source<TransactionCheck, NotUsed> checks(TransactionChecksRequest in) {
    try {
      Validation.checkGroup(in.getProducerGroup());
      RequestValidator.checkClientId(in.getClientId());
    } catch (RuntimeException e) {
      return Source.failed(new GrpcServiceException(io.grpc.Status.INVALID_ARGUMENT.withDescription(e.getMessage())));
    }
    String storeHost = settings.advertisedAddress();
    return transactions.checks(in.getProducerGroup(), in.getClientId())
        .map(check -> TransactionCheck.newBuilder()
            .setTransactionId(check.transactionId())
            .setMessage(ProtoConverter.toStoredMessage(check.topic(), check.queueId(),
                new StoredEntry(-1, check.message()), storeHost))
            .setCheckTimes(check.checkTimes())
            .build())
        .keepAlive(KEEP_ALIVE, TransactionCheck::getDefaultInstance);
  }
}
