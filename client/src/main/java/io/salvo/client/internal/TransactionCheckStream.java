package io.salvo.client.internal;

import akka.Done;
import akka.NotUsed;
import akka.actor.ClassicActorSystemProvider;
import akka.stream.KillSwitches;
import akka.stream.RestartSettings;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.RestartSource;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import io.salvo.core.protocol.v1.TransactionCheck;
import io.salvo.core.protocol.v1.TransactionChecksRequest;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transactional producer's {@code TransactionChecks} stream: open to one broker (the next of the rotation), reopened
 * with back-off (the consumer's reconnect-* settings) when it fails or ends, until {@link UniqueKillSwitch#shutdown}.
 * Each check goes to {@code handler}, which answers it (EndTransaction) and never fails; keep-alive elements (no
 * transaction id) are dropped.
 */
final class TransactionCheckStream {
  private static final Logger log = LoggerFactory.getLogger(TransactionCheckStream.class);
  /** Checks being answered at once at most; beyond that the stream backpressures. */
  private static final int PARALLELISM = 32;

  private TransactionCheckStream() {}

  static UniqueKillSwitch open(BrokerConnections connections, ClassicActorSystemProvider system,
      ClientSettings settings, TransactionChecksRequest request,
      Function<TransactionCheck, CompletionStage<Done>> handler) {
    ClientSettings.Consumer backoff = settings.consumer();
    RestartSettings restart = RestartSettings.create(backoff.reconnectMinBackoff(), backoff.reconnectMaxBackoff(),
        backoff.reconnectRandomFactor());
    Source<TransactionCheck, NotUsed> checks = RestartSource.withBackoff(restart, () -> connect(connections, request));
    return checks
        .viaMat(KillSwitches.single(), Keep.right())
        .filter(check -> !check.getTransactionId().isEmpty())
        .mapAsyncUnordered(PARALLELISM, handler::apply)
        .toMat(Sink.ignore(), Keep.left())
        .run(system);
  }

  private static Source<TransactionCheck, NotUsed> connect(BrokerConnections connections,
      TransactionChecksRequest request) {
    BrokerAddress address = connections.nextAddress();
    return connections.client(address).transactionChecks(request)
        .watchTermination((notUsed, done) -> {
          done.whenComplete((d, failure) -> log.debug("Transaction checks stream of group '{}' to {} ended{}",
              request.getProducerGroup(), address, failure == null ? "" : ": " + Errors.describe(failure)));
          return NotUsed.getInstance();
        });
  }
}
