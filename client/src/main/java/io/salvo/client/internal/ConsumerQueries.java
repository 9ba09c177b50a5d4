package io.salvo.client.internal;

import io.salvo.client.exception.SalvoClientException;
import io.salvo.core.concurrent.CompletionStages;
import io.salvo.core.protocol.v1.GetQueueOffsetsRequest;
import io.salvo.core.protocol.v1.GetQueueOffsetsResponse;
import io.salvo.core.protocol.v1.QueryMessagesRequest;
import io.salvo.core.protocol.v1.QueryMessagesResponse;
import io.salvo.core.protocol.v1.QueueOffset;
import io.salvo.core.protocol.v1.ResetOffsetsRequest;
import io.salvo.core.protocol.v1.ResetOffsetsResponse;
import io.salvo.core.protocol.v1.StoredMessage;
import io.salvo.core.protocol.v1.QueryRouteRequest;
import io.salvo.core.protocol.v1.QueryRouteResponse;
import io.salvo.core.protocol.v1.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Blocking look-ups of consumers and the admin client (a lite pull consumer's fetchMessageQueues, seek checks,
 * offsetForTimestamp, committed; message queries and offset resets): one unary call within the request timeout, tried once more on each other broker address after a
 * retriable failure. Failures are the client's exception types with the broker's code. Thread safe.
 */
public final class ConsumerQueries {
  private final BrokerConnections connections;
  private final Duration timeout;

  public ConsumerQueries(BrokerConnections connections, Duration timeout) {
    this.connections = connections;
    this.timeout = timeout;
  }

  /** The topic's queue count. */
  public int queueCount(String topic) throws SalvoClientException, InterruptedException {
    QueryRouteRequest request = QueryRouteRequest.newBuilder().setTopic(topic).build();
    return call("QueryRoute of topic '" + topic + "'", address -> connections.client(address).queryRoute(request),
        QueryRouteResponse::getStatus).getQueueCount();
  }

  /**
   * A queue's min and next offsets; with {@code timestampMs} > 0 also the first offset stored at or after it; with a
   * {@code group} also that group's committed offset (-1 when none).
   */
  public GetQueueOffsetsResponse queueOffsets(String topic, int queueId, long timestampMs, String group)
      throws SalvoClientException, InterruptedException {
    GetQueueOffsetsRequest.Builder request = GetQueueOffsetsRequest.newBuilder().setTopic(topic).setQueueId(queueId)
        .setTimestampMs(Math.max(0, timestampMs));
    if (group != null) {
      request.setGroup(group);
    }
    GetQueueOffsetsRequest built = request.build();
    return call("GetQueueOffsets of " + topic + "#" + queueId,
        address -> connections.client(address).getQueueOffsets(built), GetQueueOffsetsResponse::getStatus);
  }

  /** Stored messages of a topic by id, by key or by store time (see the QueryMessages call). */
  public List<StoredMessage> queryMessages(QueryMessagesRequest request) throws SalvoClientException, InterruptedException {
    return call("QueryMessages on topic '" + request.getTopic() + "'",
        address -> connections.client(address).queryMessages(request), QueryMessagesResponse::getStatus)
        .getMessagesList();
  }

  /** Resets a group's offsets of a topic to a time; answers the new offset of each queue. */
  public List<QueueOffset> resetOffsets(String group, String topic, long timestampMs)
      throws SalvoClientException, InterruptedException {
    ResetOffsetsRequest request = ResetOffsetsRequest.newBuilder().setGroup(group).setTopic(topic)
        .setTimestampMs(timestampMs).build();
    return call("ResetOffsets of group '" + group + "' on topic '" + topic + "'",
        address -> connections.client(address).resetOffsets(request), ResetOffsetsResponse::getStatus)
        .getOffsetsList();
  }

  /** Closes the connections. */
  public CompletableFuture<Void> close() {
    return connections.closeAll();
  }

  private <T> T call(String what, Function<BrokerAddress, CompletionStage<T>> rpc, Function<T, Status> status)
      throws SalvoClientException, InterruptedException {
    SalvoClientException last = null;
    for (int attempt = 0; attempt < connections.addresses().size(); attempt++) {
      BrokerAddress address = connections.nextAddress();
      try {
        T response = await(() -> rpc.apply(address));
        if (Errors.isOk(status.apply(response))) {
          return response;
        }
        last = Errors.fromStatus(status.apply(response), address.toString(), what);
      } catch (ExecutionException | RuntimeException e) {
        last = Errors.fromFailure(e, address.toString(), what, timeout);
      }
      if (!last.isRetriable()) {
        break;
      }
    }
    throw last;
  }

  private <T> T await(Supplier<CompletionStage<T>> rpc) throws ExecutionException, InterruptedException {
    return CompletionStages.direct(rpc.get()).toCompletableFuture()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).get();
  }
}
