package io.salvo.client.internal;

import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.salvo.client.consumer.ConsumeFromWhere;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.exception.SalvoClientException;
import io.salvo.core.concurrent.CompletionStages;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.filter.MessageFilter;
import io.salvo.core.protocol.v1.CommitOffsetRequest;
import io.salvo.core.protocol.v1.CommitOffsetResponse;
import io.salvo.core.protocol.v1.FilterExpression;
import io.salvo.core.protocol.v1.GetQueueOffsetsRequest;
import io.salvo.core.protocol.v1.GetQueueOffsetsResponse;
import io.salvo.core.protocol.v1.HeartbeatRequest;
import io.salvo.core.protocol.v1.HeartbeatResponse;
import io.salvo.core.protocol.v1.LeaveGroupRequest;
import io.salvo.core.protocol.v1.QueueAssignment;
import io.salvo.core.protocol.v1.QueueRef;
import io.salvo.core.protocol.v1.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A consumer's stateful part (push consumer, lite pull consumer): heartbeats (which join the group and return its
 * assignment and generation), one {@link QueueConsumer} per assigned queue, and offset commits.
 *
 * <ul>
 *   <li>A newly assigned queue starts at the group's committed offset, or, when there is none, at the queue's min
 *       offset (FIRST, TIMESTAMP) or next offset (LAST) from GetQueueOffsets.
 *   <li>Every commit interval, each queue whose commit offset (smallest unconsumed offset) changed is committed
 *       with the current generation; one commit per queue at a time. FENCED means the queue went to another member:
 *       its stream stops.
 *   <li>A queue that leaves the assignment stops pulling, lets its listener calls finish, commits, and is removed;
 *       a heartbeat goes out at once. Every heartbeat lists the queues the consumer still has (one heartbeat in
 *       flight at a time), and the group gives a queue to its next owner only after its old owner stopped listing
 *       it, so two members never consume one queue at once.
 *   <li>A consumer whose heartbeats go unanswered for most of the session timeout (all but two heartbeat intervals,
 *       at least half of it, counted from when the last heartbeat answered OK was sent, and checked four times per
 *       heartbeat interval even while a heartbeat hangs) stops all its queues on its own: the group is about to give
 *       them to other members.
 *   <li>{@link Shutdown}: stop all queues (heartbeats go on, so that queues whose listener calls are still running
 *       stay this member's), commit once more, leave the group (so its queues move at once), close connections, stop
 *       the system; bounded by the shutdown timeout, then the request timeout for the last commits and again for the
 *       leave. A queue that fails to start is retried at the next regular heartbeat, not at once.
 *   <li>Manual assignment: a consumer set up with no subscriptions never joins the group (no heartbeats, no leave);
 *       it consumes the queues of the last {@link Assign} (a lite pull consumer's assign()), each starting at the
 *       group's committed offset when there is one, and commits them as a manual assignment, which the broker
 *       accepts only while no member of the group holds the queue. A queue that failed to start is retried at the
 *       next commit tick.
 *   <li>{@link Seek} restarts one queue's stream at an offset (its delivery drops what the old stream buffered); the
 *       next commit stores the new position. {@link CommitNow} commits every queue at once and answers when the
 *       broker did ({@link CommitWaiters}).
 * </ul>
 */
public final class PushConsumerActor extends AbstractBehavior<PushConsumerActor.Command> {
  public interface Command {}

  /** Stops the consumer; {@code replyTo} completes when the last commits were answered (or timed out). */
  public record Shutdown(CompletableFuture<Void> replyTo) implements Command {}

  /**
   * Consume exactly these queues, outside the group's membership; only for a consumer set up with no subscriptions.
   * {@code replyTo} completes once queues left out are stopping and the others are started or starting.
   */
  public record Assign(Set<QueueKey> queues, CompletableFuture<Void> replyTo) implements Command {}

  /**
   * Restarts a consumed queue at {@code offset}; {@code replyTo} completes once the new stream started, or fails
   * with QUEUE_NOT_ASSIGNED when the consumer does not have the queue (now).
   */
  public record Seek(QueueKey queue, long offset, CompletableFuture<Void> replyTo) implements Command {}

  /** Commits every queue's commit offset now; {@code replyTo} gets the failures (empty when all were committed). */
  public record CommitNow(CompletableFuture<List<SalvoClientException>> replyTo) implements Command {}

  private enum HeartbeatTick implements Command { INSTANCE }

  private enum CommitTick implements Command { INSTANCE }

  private enum ShutdownDeadline implements Command { INSTANCE }

  private enum FinalDeadline implements Command { INSTANCE }

  private enum LeaseCheck implements Command { INSTANCE }

  /** {@code sentNanos}: when the heartbeat left, the start of the membership it renews if answered OK. */
  private record HeartbeatAnswered(BrokerAddress address, long sentNanos, HeartbeatResponse response, Throwable failure)
      implements Command {}

  private record StartOffsetResolved(QueueKey key, long offset, SalvoClientException error) implements Command {}

  /** {@code consumer}: the queue's consumer the offset was taken from (a seek replaces it). */
  private record CommitAnswered(QueueKey key, QueueConsumer consumer, long offset, BrokerAddress address,
      CommitOffsetResponse response,
      Throwable failure) implements Command {}

  private record StreamStopped(QueueKey key) implements Command {}

  private record ConnectionsClosed() implements Command {}

  /** One queue of a topic. */
  public record QueueKey(String topic, int queueId) implements Comparable<QueueKey> {
    @Override
    public int compareTo(QueueKey o) {
      int c = topic.compareTo(o.topic);
      return c != 0 ? c : Integer.compare(queueId, o.queueId);
    }

    @Override
    public String toString() {
      return topic + "#" + queueId;
    }
  }

  private static final class QueueEntry {
    QueueConsumer consumer;
    /** The offset the broker is known to hold for the queue; UNKNOWN_OFFSET after a seek. */
    long lastCommitted;
    /** Set when a commit was FENCED: later commitSync calls on the queue fail with it too. */
    SalvoClientException fencedBy;
    boolean commitInFlight;
    boolean stopping;
    boolean stopped;
    boolean finalCommitPending;
  }

  /** Everything a push consumer is started with. */
  public record Setup(String group, String clientId, Map<String, MessageFilter> subscriptions,
      ConsumeFromWhere consumeFromWhere, long consumeTimestampMs, ConsumeOptions options, ClientSettings settings,
      List<BrokerAddress> addresses, QueueDelivery delivery) {}

  /** lastCommitted when the broker's offset for the queue is not known (after a seek). */
  private static final long UNKNOWN_OFFSET = Long.MIN_VALUE;

  private final Setup setup;
  private final TimerScheduler<Command> timers;
  private final BrokerConnections connections;
  private final HeartbeatRequest heartbeat;
  private final Map<String, FilterExpression> filters = new HashMap<>();
  private final Map<QueueKey, QueueEntry> queues = new TreeMap<>();
  private int addressIndex;
  private long generation = -1;
  private Duration heartbeatInterval;
  private int heartbeatFailures;
  /** One heartbeat at a time, so that the broker never sees an older list of held queues after a newer one. */
  private boolean heartbeatInFlight;
  private boolean heartbeatAgain;
  /** The sequence of the last heartbeat sent; the group ignores one older than another it handled. */
  private long heartbeatSequence;
  /** The group's session timeout (from the broker; zero until its first answer) and the last answered heartbeat. */
  private Duration sessionTimeout = Duration.ZERO;
  /** Subscribed topics the broker said do not exist (warned about once, until they appear). */
  private final Set<String> missingTopics = new TreeSet<>();
  private long lastHeartbeatOkNanos = System.nanoTime();
  private CompletableFuture<Void> shutdownReply;
  private boolean closing;
  /** No subscriptions: not a group member; consumes {@link #manualQueues}. */
  private final boolean manual;
  private final Set<QueueKey> manualQueues = new TreeSet<>();
  private final CommitWaiters commitWaiters = new CommitWaiters();

  /** The guardian of a push consumer's ActorSystem. */
  public static Behavior<Command> create(Setup setup) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new PushConsumerActor(ctx, timers, setup)));
  }

  private PushConsumerActor(ActorContext<Command> ctx, TimerScheduler<Command> timers, Setup setup) {
    super(ctx);
    ctx.setLoggerName(PushConsumerActor.class);
    this.setup = setup;
    this.timers = timers;
    this.connections = new BrokerConnections(setup.addresses(), ctx.getSystem());
    this.heartbeatInterval = setup.settings().consumer().heartbeatInterval();
    this.addressIndex = Math.floorMod((int) System.nanoTime(), setup.addresses().size());
    HeartbeatRequest.Builder hb = HeartbeatRequest.newBuilder().setGroup(setup.group()).setClientId(setup.clientId());
    setup.subscriptions().forEach((topic, parsed) -> {
      FilterExpression filter = FilterExpression.newBuilder()
          .setType(parsed.type() == MessageFilter.Type.SQL92 ? FilterExpression.Type.SQL92 : FilterExpression.Type.TAG)
          .setExpression(parsed.expression()).build();
      filters.put(topic, filter);
      hb.addSubscriptions(Subscription.newBuilder().setTopic(topic).setFilter(filter));
    });
    this.heartbeat = hb.build();
    this.manual = setup.subscriptions().isEmpty();
    if (!manual) {
      ctx.getSelf().tell(HeartbeatTick.INSTANCE);
      timers.startSingleTimer(LeaseCheck.INSTANCE, heartbeatInterval.dividedBy(4));
    }
    timers.startTimerWithFixedDelay(CommitTick.INSTANCE, setup.settings().consumer().commitInterval());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(HeartbeatTick.class, t -> onHeartbeatTick())
        .onMessage(HeartbeatAnswered.class, this::onHeartbeatAnswered)
        .onMessage(LeaseCheck.class, t -> onLeaseCheck())
        .onMessage(StartOffsetResolved.class, this::onStartOffsetResolved)
        .onMessage(CommitTick.class, t -> onCommitTick())
        .onMessage(CommitAnswered.class, this::onCommitAnswered)
        .onMessage(StreamStopped.class, this::onStreamStopped)
        .onMessage(Assign.class, this::onAssign)
        .onMessage(Seek.class, this::onSeek)
        .onMessage(CommitNow.class, this::onCommitNow)
        .onMessage(Shutdown.class, this::onShutdown)
        .onMessage(ShutdownDeadline.class, t -> onShutdownDeadline())
        .onMessage(FinalDeadline.class, t -> finish())
        .onMessage(ConnectionsClosed.class, c -> onConnectionsClosed())
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  // ---- heartbeat and assignment ----

  private Behavior<Command> onHeartbeatTick() {
    // Heartbeats go on while shutting down, until the leave: queues still in listener calls stay this member's.
    if (closing || manual) {
      return this;
    }
    if (heartbeatInFlight) {
      heartbeatAgain = true;
      return this;
    }
    heartbeatInFlight = true;
    HeartbeatRequest.Builder request = heartbeat.toBuilder().setSequence(++heartbeatSequence);
    for (QueueKey key : queues.keySet()) {
      request.addHeld(QueueRef.newBuilder().setTopic(key.topic()).setQueueId(key.queueId()));
    }
    BrokerAddress address = connections.address(addressIndex);
    HeartbeatRequest sent = request.build();
    long sentNanos = System.nanoTime();
    getContext().pipeToSelf(call(() -> connections.client(address).heartbeat(sent)),
        (response, failure) -> new HeartbeatAnswered(address, sentNanos, response, failure));
    return this;
  }

  private void reportMissingTopics(List<String> missing) {
    for (String topic : missing) {
      if (missingTopics.add(topic)) {
        getContext().getLog().warn("Consumer group '{}': subscribed topic '{}' does not exist ({}); nothing is"
            + " consumed from it until it is created", setup.group(), topic,
            ErrorCode.TOPIC_NOT_FOUND.format(topic));
      }
    }
    for (Iterator<String> it = missingTopics.iterator(); it.hasNext(); ) {
      String topic = it.next();
      if (!missing.contains(topic)) {
        it.remove();
        getContext().getLog().info("Consumer group '{}': subscribed topic '{}' exists now", setup.group(), topic);
      }
    }
  }

  /**
   * Checks the membership a few times per heartbeat interval, whatever the heartbeats do: a heartbeat that hangs
   * (unanswered within the request timeout) must not keep queues running past the group's session timeout.
   */
  private Behavior<Command> onLeaseCheck() {
    if (!closing) {
      fenceIfSessionLost();
      timers.startSingleTimer(LeaseCheck.INSTANCE, heartbeatInterval.dividedBy(4));
    }
    return this;
  }

  /** Stops every queue when the group has (nearly) stopped counting this consumer as a member. */
  private void fenceIfSessionLost() {
    if (sessionTimeout.isZero() || queues.isEmpty()) {
      return;
    }
    Duration margin = heartbeatInterval.multipliedBy(2);
    Duration limit = sessionTimeout.minus(margin).compareTo(sessionTimeout.dividedBy(2)) > 0
        ? sessionTimeout.minus(margin) : sessionTimeout.dividedBy(2);
    Duration silent = Duration.ofNanos(System.nanoTime() - lastHeartbeatOkNanos);
    if (silent.compareTo(limit) >= 0) {
      List<QueueKey> running = new ArrayList<>();
      queues.forEach((key, entry) -> {
        if (!entry.stopping) {
          running.add(key);
        }
      });
      if (!running.isEmpty()) {
        getContext().getLog().warn("Consumer group '{}' client '{}': no heartbeat answered for {} (session timeout {});"
            + " stopping {} so that no other member consumes them at the same time", setup.group(), setup.clientId(),
            silent, sessionTimeout, running);
        running.forEach(this::stopQueue);
      }
    }
  }

  private void scheduleHeartbeat(Duration after) {
    timers.startSingleTimer(HeartbeatTick.INSTANCE, heartbeatAgain ? Duration.ZERO : after);
    heartbeatAgain = false;
  }

  /** Heartbeats now (or right after the one in flight): a queue was dropped, so its new owner may have it sooner. */
  private void heartbeatSoon() {
    if (!closing && !manual) {
      timers.startSingleTimer(HeartbeatTick.INSTANCE, Duration.ZERO);
    }
  }

  private Behavior<Command> onHeartbeatAnswered(HeartbeatAnswered answered) {
    heartbeatInFlight = false;
    if (closing) {
      return this;
    }
    SalvoClientException error = answered.failure() != null
        ? Errors.fromFailure(answered.failure(), answered.address().toString(), "Heartbeat", requestTimeout())
        : Errors.isOk(answered.response().getStatus()) ? null
        : Errors.fromStatus(answered.response().getStatus(), answered.address().toString(), "Heartbeat");
    if (error != null) {
      if (heartbeatFailures++ == 0) {
        getContext().getLog().warn("Consumer group '{}': {}", setup.group(), error.getMessage());
      } else {
        getContext().getLog().debug("Consumer group '{}': {}", setup.group(), error.getMessage());
      }
      addressIndex++;
      scheduleHeartbeat(heartbeatFailures < 3 ? Duration.ofMillis(200) : heartbeatInterval);
      fenceIfSessionLost();
      return this;
    }
    // The broker saw this heartbeat no earlier than it was sent: counting from then keeps our view of the membership
    // no longer than the broker's, however late the answer came.
    lastHeartbeatOkNanos = Math.max(lastHeartbeatOkNanos, answered.sentNanos());
    if (heartbeatFailures > 0) {
      getContext().getLog().info("Consumer group '{}': heartbeat answered again by {}", setup.group(),
          answered.address());
      heartbeatFailures = 0;
    }
    HeartbeatResponse response = answered.response();
    if (response.getHeartbeatIntervalMs() > 0) {
      heartbeatInterval = Duration.ofMillis(response.getHeartbeatIntervalMs());
    }
    if (response.getSessionTimeoutMs() > 0) {
      sessionTimeout = Duration.ofMillis(response.getSessionTimeoutMs());
    }
    scheduleHeartbeat(heartbeatInterval);
    if (shutdownReply == null) { // shutting down: keep the membership alive, start nothing new
      reportMissingTopics(response.getMissingTopicsList());
      applyAssignment(response);
    }
    return this;
  }

  private void applyAssignment(HeartbeatResponse response) {
    Map<QueueKey, Long> assigned = new TreeMap<>();
    for (QueueAssignment a : response.getAssignmentsList()) {
      assigned.put(new QueueKey(a.getTopic(), a.getQueueId()), a.getCommittedOffset());
    }
    List<QueueKey> added = new ArrayList<>();
    List<QueueKey> released = new ArrayList<>();
    for (Map.Entry<QueueKey, Long> a : assigned.entrySet()) {
      if (!queues.containsKey(a.getKey()) && filters.containsKey(a.getKey().topic())) {
        added.add(a.getKey());
        startQueue(a.getKey(), a.getValue());
      }
    }
    for (Map.Entry<QueueKey, QueueEntry> q : queues.entrySet()) {
      if (!assigned.containsKey(q.getKey()) && !q.getValue().stopping) {
        released.add(q.getKey());
      }
    }
    released.forEach(this::stopQueue);
    boolean generationChanged = response.getGeneration() != generation;
    generation = response.getGeneration();
    if (!added.isEmpty() || !released.isEmpty() || generationChanged) {
      getContext().getLog().info("Consumer group '{}' client '{}' generation {}: {} queue(s) {}, added {}, released {}",
          setup.group(), setup.clientId(), generation, assigned.size(), assigned.keySet(), added, released);
    }
  }

  private void startQueue(QueueKey key, long committed) {
    QueueEntry entry = new QueueEntry();
    entry.lastCommitted = committed;
    queues.put(key, entry);
    if (committed >= 0) {
      getContext().getSelf().tell(new StartOffsetResolved(key, committed, null));
      return;
    }
    BrokerAddress address = connections.address(addressIndex);
    GetQueueOffsetsRequest.Builder request =
        GetQueueOffsetsRequest.newBuilder().setTopic(key.topic()).setQueueId(key.queueId());
    if (setup.consumeFromWhere() == ConsumeFromWhere.CONSUME_FROM_TIMESTAMP) {
      request.setTimestampMs(setup.consumeTimestampMs());
    }
    if (manual) {
      request.setGroup(setup.group()); // no heartbeat told the group's committed offset
    }
    String what = "GetQueueOffsets of " + key;
    getContext().pipeToSelf(call(() -> connections.client(address).getQueueOffsets(request.build())),
        (response, failure) -> {
          if (failure != null) {
            return new StartOffsetResolved(key, -1, Errors.fromFailure(failure, address.toString(), what,
                requestTimeout()));
          }
          if (!Errors.isOk(response.getStatus())) {
            return new StartOffsetResolved(key, -1, Errors.fromStatus(response.getStatus(), address.toString(), what));
          }
          return new StartOffsetResolved(key, manual && response.getCommittedOffset() >= 0
              ? response.getCommittedOffset() : startOffset(setup.consumeFromWhere(), response), null);
        });
  }

  /** Where a group with no committed offset starts. */
  static long startOffset(ConsumeFromWhere where, GetQueueOffsetsResponse offsets) {
    return switch (where) {
      case CONSUME_FROM_LAST_OFFSET -> offsets.getNextOffset();
      case CONSUME_FROM_FIRST_OFFSET -> offsets.getMinOffset();
      case CONSUME_FROM_TIMESTAMP -> offsets.getOffsetAtTimestamp();
    };
  }

  private Behavior<Command> onStartOffsetResolved(StartOffsetResolved resolved) {
    QueueEntry entry = queues.get(resolved.key());
    if (entry == null || entry.consumer != null) {
      return this;
    }
    if (resolved.error() != null || entry.stopping || shutdownReply != null) {
      if (resolved.error() != null) {
        getContext().getLog().warn("Consumer group '{}': cannot start {} ({}); retrying at the next {}",
            setup.group(), resolved.key(), resolved.error().getMessage(), manual ? "commit tick" : "heartbeat");
      }
      // Not announced at once: the group would grant it again at once, and a failing start would loop.
      dropQueue(resolved.key());
      maybeFinish();
      return this;
    }
    startConsumer(resolved.key(), entry, resolved.offset());
    return this;
  }

  private void startConsumer(QueueKey key, QueueEntry entry, long offset) {
    entry.consumer = new QueueConsumer(setup.group(), setup.clientId(), key.topic(), key.queueId(),
        filters.get(key.topic()), offset, setup.options(), connections, setup.delivery(), getContext().getSystem());
    entry.consumer.start();
    getContext().getLog().info("Consumer group '{}': consuming {} from offset {}", setup.group(), key, offset);
  }

  private void stopQueue(QueueKey key) {
    QueueEntry entry = queues.get(key);
    if (entry == null || entry.stopping) {
      return;
    }
    entry.stopping = true;
    if (entry.consumer == null) {
      return;
    }
    getContext().pipeToSelf(entry.consumer.stop(), (done, failure) -> new StreamStopped(key));
  }

  private Behavior<Command> onStreamStopped(StreamStopped stopped) {
    QueueEntry entry = queues.get(stopped.key());
    if (entry == null) {
      return this;
    }
    entry.stopped = true;
    finalCommit(stopped.key(), entry);
    return this;
  }

  private void finalCommit(QueueKey key, QueueEntry entry) {
    long offset = entry.consumer.tracker().commitOffset();
    if (offset == entry.lastCommitted || offset < 0) {
      removeQueue(key);
      getContext().getLog().info("Consumer group '{}': stopped {} at offset {}", setup.group(), key, offset);
    } else if (entry.commitInFlight) {
      entry.finalCommitPending = true;
    } else {
      getContext().getLog().info("Consumer group '{}': stopped {}; committing offset {} (fetch position {})",
          setup.group(), key, offset, entry.consumer.tracker().fetchPosition());
      commit(key, entry, offset);
    }
  }

  // ---- commits ----

  private Behavior<Command> onCommitTick() {
    if (manual) {
      reconcileManual();
    }
    for (Map.Entry<QueueKey, QueueEntry> q : queues.entrySet()) {
      QueueEntry entry = q.getValue();
      if (entry.consumer != null && !entry.commitInFlight && !entry.stopping) {
        long offset = entry.consumer.tracker().commitOffset();
        if (offset != entry.lastCommitted && offset >= 0) {
          commit(q.getKey(), entry, offset);
        }
      }
    }
    return this;
  }

  private void commit(QueueKey key, QueueEntry entry, long offset) {
    entry.commitInFlight = true;
    BrokerAddress address = connections.address(addressIndex);
    CommitOffsetRequest request = CommitOffsetRequest.newBuilder()
        .setGroup(setup.group())
        .setClientId(setup.clientId())
        .setGeneration(generation)
        .setTopic(key.topic())
        .setQueueId(key.queueId())
        .setOffset(offset)
        .setManualAssignment(manual)
        .build();
    getContext().pipeToSelf(call(() -> connections.client(address).commitOffset(request)),
        (response, failure) -> new CommitAnswered(key, entry.consumer, offset, address, response, failure));
  }

  private Behavior<Command> onCommitAnswered(CommitAnswered answered) {
    QueueEntry entry = queues.get(answered.key());
    if (entry == null) {
      return this;
    }
    entry.commitInFlight = false;
    if (answered.consumer() != entry.consumer) {
      // An answer about the position before a seek: it settles nothing, and the broker may hold either offset now.
      entry.lastCommitted = UNKNOWN_OFFSET;
      if (entry.stopped) {
        entry.finalCommitPending = false;
        finalCommit(answered.key(), entry);
      } else if (!entry.stopping && entry.consumer != null && commitWaiters.waitsFor(answered.key())) {
        commit(answered.key(), entry, entry.consumer.tracker().commitOffset());
      }
      return this;
    }
    String what = "CommitOffset of " + answered.key() + " at " + answered.offset() + " (generation " + generation + ")";
    SalvoClientException error = answered.failure() != null
        ? Errors.fromFailure(answered.failure(), answered.address().toString(), what, requestTimeout())
        : Errors.isOk(answered.response().getStatus()) ? null
        : Errors.fromStatus(answered.response().getStatus(), answered.address().toString(), what);
    commitWaiters.answered(answered.key(), answered.offset(), error);
    if (error == null) {
      entry.lastCommitted = answered.offset();
    } else if (error.errorCode() == ErrorCode.FENCED && !manual) {
      getContext().getLog().info("Consumer group '{}': {} was reassigned ({}); stopping it", setup.group(),
          answered.key(), error.getMessage());
      if (entry.stopped) {
        removeQueue(answered.key());
        return this;
      }
      stopQueue(answered.key());
      entry.fencedBy = error;
      entry.lastCommitted = entry.consumer.tracker().commitOffset(); // no final commit: it would be FENCED again
    } else {
      getContext().getLog().warn("Consumer group '{}': {}", setup.group(), error.getMessage());
    }
    if (entry.stopped) {
      if (error == null && !entry.finalCommitPending) {
        finalCommit(answered.key(), entry);
      } else if (entry.finalCommitPending) {
        entry.finalCommitPending = false;
        finalCommit(answered.key(), entry);
      } else {
        removeQueue(answered.key());
      }
    } else if (!entry.stopping && !entry.commitInFlight && commitWaiters.waitsFor(answered.key())) {
      commit(answered.key(), entry, entry.consumer.tracker().commitOffset()); // a commitSync wants a later offset
    }
    return this;
  }

  // ---- manual assignment, seek, commit now (lite pull consumer) ----

  private Behavior<Command> onAssign(Assign assign) {
    if (!manual || shutdownReply != null) {
      assign.replyTo().completeExceptionally(new MQClientException(ErrorCode.BAD_REQUEST, ErrorCode.BAD_REQUEST.format(
          "consumer group '" + setup.group() + "': " + (manual ? "shutting down" : "subscribed consumers cannot assign"))));
      return this;
    }
    manualQueues.clear();
    manualQueues.addAll(assign.queues());
    reconcileManual();
    assign.replyTo().complete(null);
    return this;
  }

  /** Starts the manually assigned queues not consumed (or retried after a failed start), stops the others. */
  private void reconcileManual() {
    for (QueueKey key : manualQueues) {
      if (!queues.containsKey(key) && shutdownReply == null) {
        filters.computeIfAbsent(key.topic(), t -> FilterExpression.newBuilder()
            .setType(FilterExpression.Type.TAG).setExpression("*").build());
        startQueue(key, -1);
      }
    }
    for (QueueKey key : new ArrayList<>(queues.keySet())) {
      if (!manualQueues.contains(key)) {
        stopQueue(key);
      }
    }
  }

  private Behavior<Command> onSeek(Seek seek) {
    QueueEntry entry = queues.get(seek.queue());
    if (entry == null || entry.stopping || shutdownReply != null) {
      seek.replyTo().completeExceptionally(notAssigned(seek.queue(), shutdownReply != null ? "the consumer is shutting"
          + " down" : entry != null ? "it is being released (rebalance)" : "it consumes " + consumedQueues()));
      return this;
    }
    if (entry.consumer != null) {
      entry.consumer.stop(); // its delivery drops what it buffered; nothing waits for its end
    }
    commitWaiters.gone(seek.queue(), entry.lastCommitted, new MQClientException(ErrorCode.BAD_REQUEST,
        ErrorCode.BAD_REQUEST.format("consumer group '" + setup.group() + "': queue " + seek.queue()
            + " was seeked before the offset a commitSync waited for was stored; commit again")));
    entry.lastCommitted = UNKNOWN_OFFSET; // the new position is committed whatever it is
    startConsumer(seek.queue(), entry, seek.offset());
    seek.replyTo().complete(null);
    return this;
  }

  private Behavior<Command> onCommitNow(CommitNow now) {
    Map<QueueKey, Long> targets = new TreeMap<>();
    Map<QueueKey, SalvoClientException> fenced = new TreeMap<>();
    for (Map.Entry<QueueKey, QueueEntry> q : queues.entrySet()) {
      QueueEntry entry = q.getValue();
      long offset = entry.consumer == null ? -1 : entry.consumer.tracker().commitOffset();
      if (entry.fencedBy != null) {
        fenced.put(q.getKey(), entry.fencedBy);
        targets.put(q.getKey(), Math.max(offset, 0));
        continue;
      }
      if (offset < 0 || (offset == entry.lastCommitted && !entry.commitInFlight)) {
        continue;
      }
      targets.put(q.getKey(), offset);
      if (!entry.commitInFlight && !entry.stopping) {
        commit(q.getKey(), entry, offset);
      } // else the answer in flight, or the final commit of a stopping queue, settles it
    }
    commitWaiters.add(targets, now.replyTo());
    fenced.forEach((key, error) -> commitWaiters.answered(key, Long.MAX_VALUE, error));
    return this;
  }

  private List<QueueKey> consumedQueues() {
    List<QueueKey> out = new ArrayList<>();
    queues.forEach((key, entry) -> {
      if (!entry.stopping) {
        out.add(key);
      }
    });
    return out;
  }

  private MQClientException notAssigned(QueueKey key, String why) {
    return new MQClientException(ErrorCode.QUEUE_NOT_ASSIGNED,
        ErrorCode.QUEUE_NOT_ASSIGNED.format(key, setup.group(), why));
  }

  // ---- shutdown ----

  private Behavior<Command> onShutdown(Shutdown shutdown) {
    if (shutdownReply != null) {
      shutdownReply.whenComplete((v, e) -> shutdown.replyTo().complete(null));
      return this;
    }
    shutdownReply = shutdown.replyTo();
    timers.cancel(CommitTick.INSTANCE);
    new ArrayList<>(queues.keySet()).forEach(this::stopQueue);
    timers.startSingleTimer(ShutdownDeadline.INSTANCE, setup.settings().consumer().shutdownTimeout());
    maybeFinish();
    return this;
  }

  private Behavior<Command> onShutdownDeadline() {
    getContext().getLog().warn("Consumer group '{}': listener calls still running after {} on {}; committing and"
        + " closing anyway", setup.group(), setup.settings().consumer().shutdownTimeout(), queues.keySet());
    for (Map.Entry<QueueKey, QueueEntry> q : queues.entrySet()) {
      QueueEntry entry = q.getValue();
      if (entry.consumer != null && !entry.stopped) {
        entry.stopped = true;
        finalCommit(q.getKey(), entry);
      }
    }
    timers.startSingleTimer(FinalDeadline.INSTANCE, requestTimeout());
    return maybeFinish();
  }

  /** Drops a stopped (or never started) queue; the next heartbeat tells the group, so it may go to another member. */
  private void removeQueue(QueueKey key) {
    dropQueue(key);
    heartbeatSoon();
    maybeFinish();
  }

  private void dropQueue(QueueKey key) {
    QueueEntry entry = queues.remove(key);
    if (entry != null) {
      commitWaiters.gone(key, entry.lastCommitted,
          notAssigned(key, "it was released before its offset was committed (rebalance)"));
    }
  }

  private Behavior<Command> maybeFinish() {
    if (shutdownReply != null && queues.isEmpty()) {
      return finish();
    }
    return this;
  }

  private Behavior<Command> finish() {
    if (closing) {
      return this;
    }
    closing = true;
    timers.cancelAll();
    commitWaiters.failAll(shuttingDown());
    BrokerAddress address = connections.address(addressIndex);
    LeaveGroupRequest leave = LeaveGroupRequest.newBuilder().setGroup(setup.group()).setClientId(setup.clientId()).build();
    org.slf4j.Logger log = getContext().getLog();
    CompletionStage<Void> left = manual ? CompletableFuture.completedFuture(null)
        : call(() -> connections.client(address).leaveGroup(leave))
        .handle((response, failure) -> {
          if (failure != null || !Errors.isOk(response.getStatus())) {
            log.info("Consumer group '{}': leaving failed ({}); its queues move after the"
                + " session timeout", setup.group(), failure != null ? failure : response.getStatus().getMessage());
          }
          return null;
        });
    CompletionStage<Void> closed = left.thenCompose(l -> connections.closeAll().orTimeout(5, TimeUnit.SECONDS));
    getContext().pipeToSelf(closed, (done, failure) -> new ConnectionsClosed());
    return this;
  }

  private Behavior<Command> onConnectionsClosed() {
    shutdownReply.complete(null);
    return Behaviors.stopped();
  }

  private Behavior<Command> onPostStop() {
    commitWaiters.failAll(shuttingDown());
    for (QueueEntry entry : queues.values()) {
      if (entry.consumer != null && !entry.stopping) {
        entry.consumer.stop();
      }
    }
    connections.closeAll();
    if (shutdownReply != null) {
      shutdownReply.complete(null);
    }
    return this;
  }

  // ---- plumbing ----

  private MQClientException shuttingDown() {
    return new MQClientException(ErrorCode.BAD_REQUEST,
        ErrorCode.BAD_REQUEST.format("consumer group '" + setup.group() + "' is shutting down"));
  }

  private Duration requestTimeout() {
    return setup.settings().requestTimeout();
  }

  private <T> CompletionStage<T> call(java.util.function.Supplier<CompletionStage<T>> rpc) {
    try {
      return CompletionStages.direct(rpc.get()).orTimeout(requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
