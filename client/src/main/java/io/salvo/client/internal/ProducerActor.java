package io.salvo.client.internal;

import akka.Done;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.exception.RemotingTimeoutException;
import io.salvo.client.exception.SalvoClientException;
import io.salvo.client.message.MessageQueue;
import io.salvo.client.producer.SendResult;
import io.salvo.client.producer.SendStatus;
import io.salvo.core.concurrent.CompletionStages;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.protocol.v1.EndTransactionRequest;
import io.salvo.core.protocol.v1.EndTransactionResponse;
import io.salvo.core.protocol.v1.Message;
import io.salvo.core.protocol.v1.PrepareTransactionRequest;
import io.salvo.core.protocol.v1.PrepareTransactionResponse;
import io.salvo.core.protocol.v1.QueryRouteRequest;
import io.salvo.core.protocol.v1.QueryRouteResponse;
import io.salvo.core.protocol.v1.SendMessageRequest;
import io.salvo.core.protocol.v1.SendMessageResponse;
import io.salvo.core.protocol.v1.TransactionCheck;
import io.salvo.core.protocol.v1.TransactionChecksRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A producer's stateful part: the route cache (queue count per topic, refreshed every route-refresh-interval and
 * at once after INVALID_QUEUE), the choice of queue ({@link Target}: round-robin, a sharding key's queue, or one the
 * caller chose), and each send's attempts: a retriable failure (an UNAVAILABLE status, a transport error,
 * INVALID_QUEUE after a route refresh unless the caller chose the queue) is retried up to the send's retry
 * count on the next broker address, all within the send's deadline. The final failure is the last attempt's (or, when
 * the deadline cut the last attempt short, the broker's error from the attempt before it), with
 * the broker's code and message. Message ids are made before the first attempt, so a retry keeps them.
 *
 * <p>The actor never blocks: every call's answer comes back as a message.
 */
public final class ProducerActor extends AbstractBehavior<ProducerActor.Command> {
  public interface Command {}

  /**
   * Sends one message or a batch, all to {@code topic}; completes {@code replyTo} with the result or a
   * {@link SalvoClientException}. {@code retries}: further attempts after a retriable failure.
   */
  public record Send(String topic, Target target, List<Message> messages, long deadlineNanos, Duration timeout,
      int retries, CompletableFuture<SendResult> replyTo, boolean halfMessage) implements Command {
    public Send(String topic, Target target, List<Message> messages, long deadlineNanos, Duration timeout, int retries,
        CompletableFuture<SendResult> replyTo) {
      this(topic, target, messages, deadlineNanos, timeout, retries, replyTo, false);
    }
  }

  /** Ends a transaction at the next broker of the rotation; completes {@code replyTo} with the answer (OK only). */
  public record EndTransaction(EndTransactionRequest request, Duration timeout,
      CompletableFuture<EndTransactionResponse> replyTo) implements Command {}

  /**
   * Opens the producer's TransactionChecks stream (once): each check goes to {@code handler}, which answers it and
   * never fails. The stream is reopened when it breaks and closed by {@link Stop}.
   */
  public record OpenTransactionChecks(TransactionChecksRequest request,
      Function<TransactionCheck, CompletionStage<Done>> handler) implements Command {}

  /**
   * Which queue of the topic a send goes to: {@link #roundRobin()}, the queue of a sharding key (its
   * {@code String.hashCode()} modulo the queue count), or one queue by id (a selector's choice).
   */
  public record Target(int queueId, String shardingKey) {
    private static final Target ROUND_ROBIN = new Target(-1, null);

    public static Target roundRobin() {
      return ROUND_ROBIN;
    }

    /** The queue of {@code shardingKey}; round-robin when it is null or empty. */
    public static Target shardingKey(String shardingKey) {
      return shardingKey == null || shardingKey.isEmpty() ? ROUND_ROBIN : new Target(-1, shardingKey);
    }

    public static Target queue(int queueId) {
      if (queueId < 0) {
        throw new IllegalArgumentException("queue id " + queueId + " is negative");
      }
      return new Target(queueId, null);
    }
  }

  /**
   * Completes {@code replyTo} with the topic's queue count (from the cached route when it is fresh, otherwise from a
   * QueryRoute), or with the route's error.
   */
  public record GetQueueCount(String topic, CompletableFuture<Integer> replyTo) implements Command {}

  private record RouteAnswered(String topic, BrokerAddress address, QueryRouteResponse response, Throwable failure)
      implements Command {}

  private record AttemptAnswered(Attempt attempt, BrokerAddress address, int queueId, SendMessageResponse response,
      Throwable failure) implements Command {}

  private record RetryDue(Attempt attempt) implements Command {}

  /** Fails the sends still waiting, closes the broker connections (bounded), then stops the actor system. */
  public record Stop() implements Command {}

  private record ConnectionsClosed() implements Command {}

  /** One send's progress. */
  private static final class Attempt {
    final Send send;
    int failures;
    int addressIndex;
    SalvoClientException lastError;

    Attempt(Send send, int addressIndex) {
      this.send = send;
      this.addressIndex = addressIndex;
    }
  }

  private record Route(int queueCount, long fetchedAtNanos) {}

  private final String group;
  private final ClientSettings settings;
  private final BrokerConnections connections;
  private final Map<String, Route> routes = new HashMap<>();
  private final Map<String, List<Attempt>> waitingForRoute = new HashMap<>();
  private final Map<String, List<CompletableFuture<Integer>>> queueCountWaiters = new HashMap<>();
  private final Set<String> routeQueries = new HashSet<>();
  private final Set<Attempt> active = new HashSet<>();
  private final QueueSelector selector;
  private int addressCursor;
  /**
   * Addresses whose last attempt got no answer within the attempt timeout, until when (System.nanoTime) new sends skip
   * them: a broker that went away (akka-grpc keeps reconnecting instead of failing the call) costs one attempt timeout
   * per suspect period, not one in every n sends.
   */
  private final Map<BrokerAddress, Long> suspectUntil = new HashMap<>();
  private static final long SUSPECT_NANOS = TimeUnit.SECONDS.toNanos(10);
  private akka.stream.UniqueKillSwitch transactionChecks;

  /** The guardian of a producer's ActorSystem; it owns the connections to {@code addresses}. */
  public static Behavior<Command> create(String group, ClientSettings settings, List<BrokerAddress> addresses) {
    return Behaviors.setup(ctx -> new ProducerActor(ctx, group, settings, addresses));
  }

  private ProducerActor(ActorContext<Command> ctx, String group, ClientSettings settings,
      List<BrokerAddress> addresses) {
    super(ctx);
    this.group = group;
    this.settings = settings;
    this.connections = new BrokerConnections(addresses, ctx.getSystem());
    int seed = (int) (System.nanoTime() ^ ClientRuntime.pid());
    this.selector = new QueueSelector(seed);
    this.addressCursor = Math.floorMod(seed, connections.addresses().size());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Send.class, this::onSend)
        .onMessage(GetQueueCount.class, this::onGetQueueCount)
        .onMessage(RouteAnswered.class, this::onRouteAnswered)
        .onMessage(AttemptAnswered.class, this::onAttemptAnswered)
        .onMessage(RetryDue.class, this::onRetryDue)
        .onMessage(EndTransaction.class, this::onEndTransaction)
        .onMessage(OpenTransactionChecks.class, this::onOpenTransactionChecks)
        .onMessage(Stop.class, this::onStop)
        .onMessage(ConnectionsClosed.class, closed -> Behaviors.stopped())
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  private Behavior<Command> onSend(Send send) {
    if (!send.replyTo().isDone()) {
      Attempt attempt = new Attempt(send, nextHealthyAddress());
      active.add(attempt);
      dispatch(attempt);
    }
    return this;
  }

  /** The next index of the rotation whose address is not suspect; the plain next one when all are. */
  private int nextHealthyAddress() {
    int size = connections.addresses().size();
    long now = System.nanoTime();
    for (int i = 0; i < size; i++) {
      int index = addressCursor++;
      Long until = suspectUntil.get(connections.address(index));
      if (until == null || now - until >= 0) {
        return index;
      }
    }
    return addressCursor++;
  }

  private Behavior<Command> onGetQueueCount(GetQueueCount get) {
    Route route = routes.get(get.topic());
    if (route != null
        && System.nanoTime() - route.fetchedAtNanos() <= settings.producer().routeRefreshInterval().toNanos()) {
      get.replyTo().complete(route.queueCount());
    } else {
      queueCountWaiters.computeIfAbsent(get.topic(), t -> new ArrayList<>()).add(get.replyTo());
      queryRoute(get.topic(), connections.address(addressCursor++));
    }
    return this;
  }

  private void dispatch(Attempt attempt) {
    Send send = attempt.send;
    long remaining = send.deadlineNanos() - System.nanoTime();
    if (remaining <= 0 || send.replyTo().isDone()) {
      fail(attempt, attempt.lastError != null ? attempt.lastError : new RemotingTimeoutException(
          ErrorCode.TIMEOUT.format(Errors.millis(send.timeout()), "send to topic '" + send.topic()
              + "': no route answer in time"), null));
      return;
    }
    String topic = send.topic();
    Route route = routes.get(topic);
    if (route == null) {
      waitingForRoute.computeIfAbsent(topic, t -> new ArrayList<>()).add(attempt);
      queryRoute(topic, connections.address(attempt.addressIndex));
      return;
    }
    if (System.nanoTime() - route.fetchedAtNanos() > settings.producer().routeRefreshInterval().toNanos()) {
      queryRoute(topic, connections.address(attempt.addressIndex));
    }
    Target target = send.target();
    int queueId;
    if (target.queueId() >= 0) {
      queueId = target.queueId(); // the broker answers INVALID_QUEUE for one the topic does not have
    } else if (target.shardingKey() != null) {
      queueId = Math.floorMod(target.shardingKey().hashCode(), route.queueCount());
    } else {
      queueId = selector.select(topic, route.queueCount());
    }
    BrokerAddress address = connections.address(attempt.addressIndex);
    SendMessageRequest request = SendMessageRequest.newBuilder()
        .setTopic(topic)
        .setQueueId(queueId)
        .addAllMessages(send.messages())
        .setProducerGroup(group)
        .build();
    CompletionStage<SendMessageResponse> answer;
    try {
      // One attempt waits at most the attempt timeout (a broker answers within its store timeout, 2.5 s), then the
      // send is retried on the next address within its whole budget.
      long attemptNanos = Math.min(remaining, settings.producer().attemptTimeout().toNanos());
      answer = (send.halfMessage() ? prepare(address, request) : connections.publisher(address).send(request))
          .orTimeout(attemptNanos, TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    getContext().pipeToSelf(answer, (response, failure) ->
        new AttemptAnswered(attempt, address, queueId, response, failure));
  }

  /** A half message's PrepareTransaction, answered in the shape of a send of it (offset -1). */
  private CompletableFuture<SendMessageResponse> prepare(BrokerAddress address, SendMessageRequest send) {
    PrepareTransactionRequest request = PrepareTransactionRequest.newBuilder()
        .setProducerGroup(group)
        .setTopic(send.getTopic())
        .setQueueId(send.getQueueId())
        .setMessage(send.getMessages(0))
        .build();
    return CompletionStages.direct(connections.client(address).prepareTransaction(request))
        .thenApply((PrepareTransactionResponse r) -> SendMessageResponse.newBuilder()
            .setStatus(r.getStatus())
            .setTopic(send.getTopic())
            .setQueueId(send.getQueueId())
            .setFirstOffset(-1)
            .addMessageIds(send.getMessages(0).getMessageId())
            .build());
  }

  private Behavior<Command> onEndTransaction(EndTransaction end) {
    BrokerAddress address = connections.address(addressCursor++);
    String what = "EndTransaction " + end.request().getResolution() + " of transaction "
        + end.request().getTransactionId();
    CompletableFuture<EndTransactionResponse> answer;
    try {
      answer = CompletionStages.direct(connections.client(address).endTransaction(end.request()))
          .orTimeout(end.timeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete((response, failure) -> {
      if (failure != null) {
        end.replyTo().completeExceptionally(Errors.fromFailure(failure, address.toString(), what, end.timeout()));
      } else if (!Errors.isOk(response.getStatus())) {
        end.replyTo().completeExceptionally(Errors.fromStatus(response.getStatus(), address.toString(), what));
      } else {
        end.replyTo().complete(response);
      }
    });
    return this;
  }

  private Behavior<Command> onOpenTransactionChecks(OpenTransactionChecks open) {
    if (transactionChecks == null) {
      transactionChecks = TransactionCheckStream.open(connections, getContext().getSystem(), settings, open.request(),
          open.handler());
    }
    return this;
  }

  private void queryRoute(String topic, BrokerAddress address) {
    if (!routeQueries.add(topic)) {
      return;
    }
    CompletionStage<QueryRouteResponse> answer;
    try {
      answer = CompletionStages.direct(connections.client(address).queryRoute(QueryRouteRequest.newBuilder().setTopic(topic).build()))
          .orTimeout(settings.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    getContext().pipeToSelf(answer, (response, failure) -> new RouteAnswered(topic, address, response, failure));
  }

  private Behavior<Command> onRouteAnswered(RouteAnswered answered) {
    String topic = answered.topic();
    routeQueries.remove(topic);
    SalvoClientException error = null;
    String what = "QueryRoute of topic '" + topic + "'";
    if (answered.failure() != null) {
      error = Errors.fromFailure(answered.failure(), answered.address().toString(), what, settings.requestTimeout());
    } else if (!Errors.isOk(answered.response().getStatus())) {
      error = Errors.fromStatus(answered.response().getStatus(), answered.address().toString(), what);
    } else if (answered.response().getQueueCount() <= 0) {
      error = new MQClientException(ErrorCode.INTERNAL, ErrorCode.INTERNAL.format(what + ": broker "
          + answered.address() + " answered queue count " + answered.response().getQueueCount()));
    }
    if (error == null) {
      Route previous = routes.put(topic, new Route(answered.response().getQueueCount(), System.nanoTime()));
      if (previous != null && previous.queueCount() != answered.response().getQueueCount()) {
        getContext().getLog().info("Topic '{}' now has {} queues (was {})", topic,
            answered.response().getQueueCount(), previous.queueCount());
      }
    } else if (!waitingForRoute.containsKey(topic)) {
      getContext().getLog().debug("Route refresh failed, keeping the cached route: {}", error.getMessage());
    }
    List<CompletableFuture<Integer>> countWaiters = queueCountWaiters.remove(topic);
    if (countWaiters != null) {
      Route route = routes.get(topic); // after a failed refresh: the cached one, if any
      for (CompletableFuture<Integer> waiter : countWaiters) {
        if (route != null) {
          waiter.complete(route.queueCount());
        } else {
          waiter.completeExceptionally(error);
        }
      }
    }
    List<Attempt> waiting = waitingForRoute.remove(topic);
    if (waiting != null) {
      for (Attempt attempt : waiting) {
        if (error == null) {
          dispatch(attempt);
        } else {
          failed(attempt, error);
        }
      }
    }
    return this;
  }

  private Behavior<Command> onAttemptAnswered(AttemptAnswered answered) {
    Attempt attempt = answered.attempt();
    Send send = attempt.send;
    String what = (send.halfMessage() ? "PrepareTransaction" : "SendMessage") + " to topic '" + send.topic()
        + "' queue " + answered.queueId();
    if (answered.failure() == null && Errors.isOk(answered.response().getStatus())) {
      SendMessageResponse r = answered.response();
      List<String> ids = r.getMessageIdsCount() > 0 ? r.getMessageIdsList()
          : send.messages().stream().map(Message::getMessageId).toList();
      MessageQueue queue = new MessageQueue(send.topic(), answered.address().toString(), answered.queueId());
      active.remove(attempt);
      send.replyTo().complete(new SendResult(SendStatus.SEND_OK, ids, queue, r.getFirstOffset(),
          r.getStoreTimestamp()));
      return this;
    }
    if (answered.failure() != null && Errors.unwrap(answered.failure()) instanceof TimeoutException
        && send.deadlineNanos() - System.nanoTime() > 0) {
      // Cut short by the attempt timeout, not by the send's deadline: the address is suspect for a while.
      suspectUntil.put(answered.address(), System.nanoTime() + SUSPECT_NANOS);
      getContext().getLog().warn("No answer from broker {} within {}; sends skip it for {} s", answered.address(),
          settings.producer().attemptTimeout(), TimeUnit.NANOSECONDS.toSeconds(SUSPECT_NANOS));
    }
    Duration waited = settings.producer().attemptTimeout().compareTo(send.timeout()) < 0
        ? settings.producer().attemptTimeout() : send.timeout();
    SalvoClientException error = answered.failure() != null
        ? Errors.fromFailure(answered.failure(), answered.address().toString(), what, waited)
        : Errors.fromStatus(answered.response().getStatus(), answered.address().toString(), what);
    if (error.errorCode() == ErrorCode.INVALID_QUEUE) {
      routes.remove(send.topic());
    }
    failed(attempt, error);
    return this;
  }

  /** Counts a failed attempt and retries it or ends the send. */
  private void failed(Attempt attempt, SalvoClientException answered) {
    // A last attempt cut short by the deadline says less than the broker's own error before it.
    SalvoClientException error = answered.errorCode() == ErrorCode.TIMEOUT && attempt.lastError != null
        && attempt.lastError.errorCode() != ErrorCode.TIMEOUT ? attempt.lastError : answered;
    attempt.lastError = error;
    attempt.failures++;
    Send send = attempt.send;
    // INVALID_QUEUE after a route refresh: the topic's queue count changed; a queue chosen by the caller stays invalid.
    boolean retriable = error.isRetriable()
        || (error.errorCode() == ErrorCode.INVALID_QUEUE && send.target().queueId() < 0);
    Duration backoff = settings.producer().retryBackoff();
    long remaining = send.deadlineNanos() - System.nanoTime();
    if (!retriable || attempt.failures > send.retries() || send.replyTo().isDone() || remaining <= 0) {
      fail(attempt, error);
      return;
    }
    attempt.addressIndex++;
    if (connections.addresses().size() > 1 || backoff.isZero()) {
      dispatch(attempt);
    } else if (remaining <= backoff.toNanos()) {
      fail(attempt, error);
    } else {
      getContext().scheduleOnce(backoff, getContext().getSelf(), new RetryDue(attempt));
    }
  }

  private Behavior<Command> onRetryDue(RetryDue due) {
    dispatch(due.attempt());
    return this;
  }

  private void fail(Attempt attempt, SalvoClientException error) {
    active.remove(attempt);
    attempt.send.replyTo().completeExceptionally(error);
  }

  private Behavior<Command> onStop(Stop stop) {
    failActive();
    closeTransactionChecks();
    getContext().pipeToSelf(connections.closeAll().orTimeout(5, TimeUnit.SECONDS),
        (done, failure) -> new ConnectionsClosed());
    return this;
  }

  private Behavior<Command> onPostStop(PostStop signal) {
    failActive();
    closeTransactionChecks();
    connections.closeAll();
    return this;
  }

  private void closeTransactionChecks() {
    if (transactionChecks != null) {
      transactionChecks.shutdown();
      transactionChecks = null;
    }
  }

  private void failActive() {
    for (Attempt attempt : active) {
      attempt.send.replyTo().completeExceptionally(new MQClientException(ErrorCode.SHUTTING_DOWN,
          "producer group '" + group + "' was shut down before the send to topic '" + attempt.send.topic()
              + "' completed; it may or may not have been stored"));
    }
    active.clear();
    waitingForRoute.clear();
    queueCountWaiters.values().forEach(waiters -> waiters.forEach(w -> w.completeExceptionally(
        new MQClientException(ErrorCode.SHUTTING_DOWN, "producer group '" + group + "' was shut down"))));
    queueCountWaiters.clear();
  }
}
