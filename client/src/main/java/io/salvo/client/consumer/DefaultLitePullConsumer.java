package io.salvo.client.consumer;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import io.salvo.client.ClientConfig;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.exception.SalvoClientException;
import io.salvo.client.internal.BrokerAddress;
import io.salvo.client.internal.BrokerConnections;
import io.salvo.client.internal.ClientRuntime;
import io.salvo.client.internal.ClientSettings;
import io.salvo.client.internal.ConsumeOptions;
import io.salvo.client.internal.ConsumerQueries;
import io.salvo.client.internal.Errors;
import io.salvo.client.internal.PullDelivery;
import io.salvo.client.internal.PushConsumerActor;
import io.salvo.client.message.MessageExt;
import io.salvo.client.message.MessageQueue;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.filter.MessageFilter;
import io.salvo.core.protocol.v1.GetQueueOffsetsResponse;
import io.salvo.core.validation.Validation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer whose application asks for messages (RocketMQ 5's {@code DefaultLitePullConsumer}): {@link #poll()}
 * returns what the consumer has fetched in the background, queue by queue.
 *
 * <p>Two ways to choose the queues, exclusive of each other:
 * <ul>
 *   <li>{@link #subscribe} (before {@link #start()}): the consumer joins its group, which splits the subscribed
 *       topics' queues among its members and moves them as members join and leave, exactly as for
 *       {@link DefaultMQPushConsumer} (a queue is consumed by one member at a time).
 *   <li>{@link #assign} (before or after start): exactly these queues, without joining the group. Offsets are still the
 *       group's: a queue starts at the group's committed offset, and commits are accepted by the broker only while no
 *       member of the group holds the queue (otherwise FENCED: do not mix an assign-mode consumer with subscribed
 *       members of the same group on the same queues).
 * </ul>
 * A queue without a committed offset starts as {@link #setConsumeFromWhere} says (default: its first message; see
 * {@link DefaultMQPushConsumer} for why).
 *
 * <p>Consumed and committed: with auto-commit (the default), what a poll returned counts as consumed when the next
 * poll (or {@link #commitSync()}, or {@link #shutdown()}) is called, and consumed offsets are committed every second;
 * without it, only {@link #commitSync()} marks what the polls returned so far as consumed, and commits it at once.
 * Delivery is at least once: after a crash or a queue moving to another member, what was polled and not committed
 * comes again. {@link #seek} moves a queue's position (the next poll returns from there; the position is committed
 * like a consumed offset).
 *
 * <p>Flow control: each queue's fetched, not yet polled messages are held up to {@code pullThresholdForQueue}
 * (plus one batch received from the broker); beyond that the queue's stream from the broker waits (backpressure, no
 * unbounded buffering). A {@linkplain #pause paused} queue is skipped by polls and so stops fetching once full.
 *
 * <p>Errors: misuse and failed look-ups throw {@link MQClientException} with an {@link ErrorCode}: BAD_REQUEST for a
 * call before {@code start()} or after {@code shutdown()}, or subscribe and assign mixed; QUEUE_NOT_ASSIGNED for a seek
 * on a queue this consumer does not consume; INVALID_OFFSET for a negative offset or one outside the queue's
 * retained range; the broker's code (TOPIC_NOT_FOUND, INVALID_QUEUE, FENCED, TIMEOUT, …) for failed calls. Unlike
 * RocketMQ, {@code poll} and {@code commitSync} declare MQClientException.
 *
 * <p>Thread safety: as in RocketMQ, poll, seek and commit are meant for one thread (the poll loop): a seek or commit
 * from another thread while a poll runs is safe but may apply before or after that poll; two threads polling at once
 * would count each other's messages as consumed (auto-commit). Configuration setters are read at start (auto-commit,
 * the poll timeout and the batch size at each poll). {@link #shutdown()}, {@link #pause},
 * {@link #resume}, {@link #assignment()} and the look-ups ({@link #fetchMessageQueues}, {@link #committed},
 * {@link #offsetForTimestamp}) may be called from any thread. With auto-commit, shutdown counts what the polls
 * returned as consumed: call it from the poll loop, or after it ended.
 */
public class DefaultLitePullConsumer extends ClientConfig {
  private static final Logger log = LoggerFactory.getLogger(DefaultLitePullConsumer.class);

  private enum Mode { NONE, SUBSCRIBE, ASSIGN }

  private final String consumerGroup;
  private final ClientSettings settings;
  private final Object lifecycle = new Object();
  private final Map<String, MessageFilter> subscriptions = new LinkedHashMap<>();
  private final Set<MessageQueue> pausedQueues = new HashSet<>();
  private Mode mode = Mode.NONE;
  private Set<MessageQueue> assigned = Set.of();
  private volatile boolean autoCommit = true;
  private volatile int pullBatchSize = 10;
  private volatile int pullThresholdForQueue;
  private volatile long pollTimeoutMillis = 5000;
  private volatile ConsumeFromWhere consumeFromWhere = ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET;
  private volatile MessageModel messageModel = MessageModel.CLUSTERING;
  private volatile String consumeTimestamp = ConsumeTimestamps.halfAnHourAgo();
  private volatile boolean everStarted;
  private volatile Running running;

  /** {@code group}: the group whose offsets are used (the broadcasting one when broadcasting). */
  private record Running(ActorSystem<PushConsumerActor.Command> system, PullDelivery delivery,
      ConsumerQueries queries, String group, String clientId, String queueBrokerName, CompletableFuture<Void> stopped,
      AtomicBoolean stopRequested) {
    CompletableFuture<Void> requestStop() {
      if (stopRequested.compareAndSet(false, true)) {
        delivery.close();
        queries.close();
        system.tell(new PushConsumerActor.Shutdown(stopped));
      }
      return stopped;
    }
  }

  /** A consumer of {@code consumerGroup}, with the defaults of {@code salvo.client} in the configuration. */
  public DefaultLitePullConsumer(String consumerGroup) {
    this(consumerGroup, ClientSettings.load());
  }

  /** A consumer with explicit settings. */
  public DefaultLitePullConsumer(String consumerGroup, ClientSettings settings) {
    super(settings.namesrvAddr());
    this.consumerGroup = consumerGroup;
    this.settings = settings;
    this.pullThresholdForQueue = settings.consumer().pullThresholdForQueue();
  }

  // ---- choosing the queues ----

  /**
   * Subscribes to {@code topic} with a tag expression ({@code *} or empty for all, {@code TagA || TagB}), before
   * start; a second call for the same topic replaces the expression. Throws MQClientException: INVALID_TOPIC or
   * INVALID_FILTER naming the value; BAD_REQUEST after {@link #assign} or after start.
   */
  public void subscribe(String topic, String subExpression) throws MQClientException {
    subscribe(topic, MessageSelector.byTag(subExpression));
  }

  /**
   * Subscribes to {@code topic} with a tag or SQL92 selector ({@link MessageSelector#byTag},
   * {@link MessageSelector#bySql}), evaluated on the broker, before start; a second call for the same topic replaces
   * the selector. Throws MQClientException: INVALID_TOPIC, or INVALID_FILTER naming where the expression is wrong;
   * BAD_REQUEST after {@link #assign} or after start.
   */
  public void subscribe(String topic, MessageSelector selector) throws MQClientException {
    MessageFilter filter;
    try {
      Validation.checkTopic(topic);
      filter = MessageSelector.parse(selector);
    } catch (SalvoException e) {
      throw MQClientException.of(e);
    }
    synchronized (lifecycle) {
      if (mode == Mode.ASSIGN) {
        throw bad("subscribe and assign are mutually exclusive: this consumer assigned itself " + assigned);
      }
      if (everStarted) {
        throw bad("subscribe before start(); a started consumer keeps its subscriptions");
      }
      mode = Mode.SUBSCRIBE;
      subscriptions.put(topic, filter);
    }
  }

  /** Drops the subscription of {@code topic} before start; a started consumer keeps its subscriptions. */
  public void unsubscribe(String topic) {
    synchronized (lifecycle) {
      if (!everStarted) {
        subscriptions.remove(topic);
        if (subscriptions.isEmpty() && mode == Mode.SUBSCRIBE) {
          mode = Mode.NONE; // nothing subscribed: assign() may be used instead
        }
      }
    }
  }

  /**
   * Consumes exactly {@code messageQueues} (their topics and queue ids; brokerName does not matter), without joining
   * the group; a later call replaces the set. Before start it takes effect at start; after start the queues left out
   * stop (their consumed offsets committed) and the new ones start, before this returns. Throws MQClientException:
   * BAD_REQUEST for no queues, after {@link #subscribe}, or after shutdown; INVALID_TOPIC for an invalid topic name.
   */
  public void assign(Collection<MessageQueue> messageQueues) throws MQClientException {
    if (messageQueues == null || messageQueues.isEmpty()) {
      throw bad("assign needs at least one queue");
    }
    Set<PushConsumerActor.QueueKey> keys = new TreeSet<>();
    for (MessageQueue mq : messageQueues) {
      keys.add(keyOf(mq));
    }
    Running r;
    synchronized (lifecycle) {
      if (mode == Mode.SUBSCRIBE) {
        throw bad("subscribe and assign are mutually exclusive: this consumer subscribed to "
            + subscriptions.keySet());
      }
      if (everStarted && running == null) {
        throw bad("assign after shutdown");
      }
      mode = Mode.ASSIGN;
      assigned = Set.copyOf(messageQueues);
      r = running;
    }
    if (r != null) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      r.system().tell(new PushConsumerActor.Assign(keys, done));
      await(done, "assign " + keys);
    }
  }

  /**
   * The queues this consumer fetches from now: in assign mode the assigned ones once started, in subscribe mode the
   * group's current share (empty until the group first answered, and changing as members join and leave).
   */
  public Set<MessageQueue> assignment() throws MQClientException {
    return requireRunning().delivery().assignment();
  }

  // ---- life cycle ----

  /**
   * Starts fetching. Throws MQClientException with BAD_REQUEST for a second start, a malformed address list, invalid
   * batch or threshold settings or consume timestamp; INVALID_GROUP for a bad group name. A consumer with neither
   * subscriptions nor an assignment may start and {@link #assign} later.
   */
  public void start() throws MQClientException {
    synchronized (lifecycle) {
      if (everStarted) {
        throw bad("it was started before; a consumer starts once");
      }
      String group;
      List<BrokerAddress> addresses;
      try {
        Validation.checkGroup(consumerGroup);
        group = messageModel == MessageModel.BROADCASTING
            ? DefaultMQPushConsumer.broadcastGroup(consumerGroup, ClientRuntime.localHost(), getInstanceName())
            : consumerGroup;
        Validation.checkGroup(group);
        addresses = BrokerAddress.parseList(getNamesrvAddr(), settings.defaultPort());
      } catch (SalvoException e) {
        throw MQClientException.of(e);
      }
      if (pullBatchSize < 1 || pullBatchSize > 1024) {
        throw bad("pullBatchSize " + pullBatchSize + " must be between 1 and 1024");
      }
      if (pullThresholdForQueue < 1 || pullThresholdForQueue > 65535) {
        throw bad("pullThresholdForQueue " + pullThresholdForQueue + " must be between 1 and 65535");
      }
      long consumeTimestampMs = consumeFromWhere == ConsumeFromWhere.CONSUME_FROM_TIMESTAMP
          ? parseConsumeTimestamp(consumeTimestamp) : 0;
      everStarted = true;
      String clientId = ClientRuntime.clientId(getInstanceName(), "pull");
      String queueBrokerName = addresses.get(0).toString();
      PullDelivery delivery = new PullDelivery(pullThresholdForQueue, queueBrokerName);
      synchronized (pausedQueues) {
        pausedQueues.forEach(mq -> delivery.pause(mq.getTopic(), mq.getQueueId()));
      }
      ClientSettings.Consumer c = settings.consumer();
      int receiveBatch = Math.max(1, Math.min(c.receiveMaxBatch(), pullThresholdForQueue));
      ConsumeOptions options = ConsumeOptions.of(c, receiveBatch, pullThresholdForQueue, c.receiveMaxBatch(),
          c.suspendCurrentQueueTime());
      Map<String, MessageFilter> subs = mode == Mode.SUBSCRIBE ? Map.copyOf(subscriptions) : Map.of();
      PushConsumerActor.Setup setup = new PushConsumerActor.Setup(group, clientId, subs, consumeFromWhere,
          consumeTimestampMs, options, settings, addresses, delivery);
      ActorSystem<PushConsumerActor.Command> system =
          ClientRuntime.start(PushConsumerActor.create(setup), "pull-consumer", consumerGroup);
      ConsumerQueries queries = new ConsumerQueries(new BrokerConnections(addresses, system), settings.requestTimeout());
      Running started = new Running(system, delivery, queries, group, clientId, queueBrokerName,
          new CompletableFuture<>(), new AtomicBoolean());
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "salvo-consumer-commit",
          () -> started.requestStop().handle((done, failure) -> Done.getInstance()));
      running = started;
      if (mode == Mode.ASSIGN) {
        Set<PushConsumerActor.QueueKey> keys = new TreeSet<>();
        assigned.forEach(mq -> keys.add(new PushConsumerActor.QueueKey(mq.getTopic(), mq.getQueueId())));
        system.tell(new PushConsumerActor.Assign(keys, new CompletableFuture<>()));
      }
      log.info("Lite pull consumer group '{}' client '{}' started ({}{}); {}; brokers {}; from {}; auto-commit {}",
          consumerGroup, clientId, messageModel, group.equals(consumerGroup) ? "" : ", offsets as group '" + group + "'",
          mode == Mode.SUBSCRIBE ? "subscriptions " + subs : mode == Mode.ASSIGN ? "assigned " + assigned
              : "nothing assigned yet", addresses, consumeFromWhere, autoCommit);
    }
  }

  /**
   * Stops fetching, commits the consumed offsets (with auto-commit, everything the polls returned counts as
   * consumed), leaves the group (subscribe mode) and closes the connections; waits at most the shutdown and request
   * timeouts. A poll waiting in another thread returns empty. Idempotent.
   */
  public void shutdown() {
    Running r;
    synchronized (lifecycle) {
      r = running;
      running = null;
    }
    if (r == null) {
      return;
    }
    if (autoCommit) {
      r.delivery().ackReturned();
    }
    long bound = settings.consumer().shutdownTimeout().plus(settings.requestTimeout()).toMillis() + 10_000;
    try {
      r.requestStop().get(bound, TimeUnit.MILLISECONDS);
      r.system().getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("Lite pull consumer group '{}': shutdown did not complete in time; terminating", consumerGroup);
      r.system().terminate();
    }
    log.info("Lite pull consumer group '{}' client '{}' shut down", consumerGroup, r.clientId());
  }

  // ---- polling and committing ----

  /** {@link #poll(long)} with the poll timeout ({@link #setPollTimeoutMillis}, default 5 s). */
  public List<MessageExt> poll() throws MQClientException {
    return poll(pollTimeoutMillis);
  }

  /**
   * Up to {@code pullBatchSize} fetched messages, from one or more queues (each queue's in offset order), waiting up
   * to {@code timeout} ms for the first; empty when none came in time, when interrupted, or when the consumer was shut
   * down meanwhile. With auto-commit, what the previous polls returned now counts as consumed. Throws MQClientException
   * (BAD_REQUEST) before start, after shutdown, or for a negative timeout.
   */
  public List<MessageExt> poll(long timeout) throws MQClientException {
    Running r = requireRunning();
    if (timeout < 0) {
      throw bad("poll timeout " + timeout + " ms must not be negative");
    }
    if (autoCommit) {
      r.delivery().ackReturned();
    }
    return r.delivery().poll(timeout, pullBatchSize);
  }

  /**
   * Marks everything the polls returned so far as consumed and commits every queue's consumed offset now, returning
   * once the broker stored them. Throws MQClientException with the broker's code when a commit failed (e.g. FENCED:
   * in assign mode a member of the group holds the queue; QUEUE_NOT_ASSIGNED: the queue moved to another member
   * before its commit), TIMEOUT when the broker did not answer, BAD_REQUEST before start or after shutdown.
   */
  public void commitSync() throws MQClientException {
    Running r = requireRunning();
    r.delivery().ackReturned();
    CompletableFuture<List<SalvoClientException>> done = new CompletableFuture<>();
    r.system().tell(new PushConsumerActor.CommitNow(done));
    List<SalvoClientException> failures = await(done, "commitSync");
    if (!failures.isEmpty()) {
      StringBuilder message = new StringBuilder("commitSync of group '").append(r.group()).append("' failed for ")
          .append(failures.size()).append(" queue(s): ");
      for (int i = 0; i < failures.size(); i++) {
        message.append(i == 0 ? "" : "; ").append(failures.get(i).getMessage());
      }
      throw new MQClientException(failures.get(0).errorCode(), message.toString(), failures.get(0));
    }
  }

  /** The group's committed offset of the queue as the broker has it, or -1 when there is none. */
  public long committed(MessageQueue messageQueue) throws MQClientException {
    Running r = requireRunning();
    PushConsumerActor.QueueKey key = keyOf(messageQueue);
    return offsets(r, key, 0, r.group()).getCommittedOffset();
  }

  /**
   * Makes the next poll return the queue's messages from {@code offset} (what was fetched for the queue and not polled
   * is dropped), and commits that position like a consumed offset. The queue must be one this consumer fetches from
   * now ({@link #assignment()}), and the offset within the queue's retained messages: from its min offset up to its
   * next offset (the end: only messages sent later). Throws MQClientException: INVALID_OFFSET, QUEUE_NOT_ASSIGNED,
   * the broker's code for an unknown topic or queue, BAD_REQUEST before start or after shutdown.
   */
  public void seek(MessageQueue messageQueue, long offset) throws MQClientException {
    Running r = requireRunning();
    PushConsumerActor.QueueKey key = keyOf(messageQueue);
    if (offset < 0) {
      throw new MQClientException(ErrorCode.INVALID_OFFSET,
          ErrorCode.INVALID_OFFSET.format(offset, "seek of " + key + ": offsets start at 0"));
    }
    GetQueueOffsetsResponse range = offsets(r, key, 0, null);
    if (offset < range.getMinOffset() || offset > range.getNextOffset()) {
      throw new MQClientException(ErrorCode.INVALID_OFFSET, ErrorCode.INVALID_OFFSET.format(offset, "seek of " + key
          + ": outside the queue's retained offsets " + range.getMinOffset() + " to " + range.getNextOffset()
          + " (its next offset)"));
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    r.system().tell(new PushConsumerActor.Seek(key, offset, done));
    await(done, "seek of " + key + " to " + offset);
  }

  /** {@link #seek} to the queue's first retained message. */
  public void seekToBegin(MessageQueue messageQueue) throws MQClientException {
    Running r = requireRunning();
    seek(messageQueue, offsets(r, keyOf(messageQueue), 0, null).getMinOffset());
  }

  /** {@link #seek} to the queue's end: only messages sent from now on. */
  public void seekToEnd(MessageQueue messageQueue) throws MQClientException {
    Running r = requireRunning();
    seek(messageQueue, offsets(r, keyOf(messageQueue), 0, null).getNextOffset());
  }

  /**
   * The offset of the queue's first message stored at or after {@code timestamp} (ms since the epoch), or the queue's
   * next offset when there is none; the queue's min offset for a timestamp of 0 or less. Any queue of the topic, not
   * only assigned ones.
   */
  public Long offsetForTimestamp(MessageQueue messageQueue, Long timestamp) throws MQClientException {
    Running r = requireRunning();
    if (timestamp == null) {
      throw bad("offsetForTimestamp needs a timestamp");
    }
    PushConsumerActor.QueueKey key = keyOf(messageQueue);
    GetQueueOffsetsResponse offsets = offsets(r, key, timestamp, null);
    return timestamp <= 0 ? offsets.getMinOffset() : offsets.getOffsetAtTimestamp();
  }

  /**
   * The topic's queues (any broker serves any queue: brokerName is the first configured address and only
   * informative). Throws MQClientException: INVALID_TOPIC, TOPIC_NOT_FOUND, TIMEOUT, BAD_REQUEST before start.
   */
  public Collection<MessageQueue> fetchMessageQueues(String topic) throws MQClientException {
    Running r = requireRunning();
    try {
      Validation.checkTopic(topic);
    } catch (SalvoException e) {
      throw MQClientException.of(e);
    }
    int count;
    try {
      count = r.queries().queueCount(topic);
    } catch (SalvoClientException e) {
      throw asClientException(e);
    } catch (InterruptedException e) {
      throw interrupted(e, "fetchMessageQueues of topic '" + topic + "'");
    }
    List<MessageQueue> queues = new ArrayList<>(count);
    for (int q = 0; q < count; q++) {
      queues.add(new MessageQueue(topic, r.queueBrokerName(), q));
    }
    return List.copyOf(queues);
  }

  /** Polls skip these queues until {@link #resume}d; a paused queue's fetching stops once its buffer is full. */
  public void pause(Collection<MessageQueue> messageQueues) {
    synchronized (pausedQueues) {
      pausedQueues.addAll(messageQueues);
      Running r = running;
      if (r != null) {
        messageQueues.forEach(mq -> r.delivery().pause(mq.getTopic(), mq.getQueueId()));
      }
    }
  }

  public void resume(Collection<MessageQueue> messageQueues) {
    synchronized (pausedQueues) {
      pausedQueues.removeAll(messageQueues);
      Running r = running;
      if (r != null) {
        messageQueues.forEach(mq -> r.delivery().resume(mq.getTopic(), mq.getQueueId()));
      }
    }
  }

  // ---- plumbing ----

  private GetQueueOffsetsResponse offsets(Running r, PushConsumerActor.QueueKey key, long timestampMs, String group)
      throws MQClientException {
    try {
      return r.queries().queueOffsets(key.topic(), key.queueId(), timestampMs, group);
    } catch (SalvoClientException e) {
      throw asClientException(e);
    } catch (InterruptedException e) {
      throw interrupted(e, "GetQueueOffsets of " + key);
    }
  }

  private <T> T await(CompletableFuture<T> reply, String what) throws MQClientException {
    long timeout = settings.requestTimeout().multipliedBy(2).toMillis();
    try {
      return reply.get(timeout, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw asClientException(Errors.fromFailure(e, "consumer", what, settings.requestTimeout()));
    } catch (TimeoutException e) {
      throw new MQClientException(ErrorCode.TIMEOUT,
          ErrorCode.TIMEOUT.format(timeout + " ms", what + " of consumer group '" + consumerGroup + "'"), e);
    } catch (InterruptedException e) {
      throw interrupted(e, what);
    }
  }

  private static MQClientException asClientException(SalvoClientException e) {
    return e instanceof MQClientException c ? c : new MQClientException(e.errorCode(), e.getMessage(), e);
  }

  private MQClientException interrupted(InterruptedException e, String what) {
    Thread.currentThread().interrupt();
    return new MQClientException(ErrorCode.BAD_REQUEST, ErrorCode.BAD_REQUEST.format("interrupted during " + what
        + " of consumer group '" + consumerGroup + "'"), e);
  }

  private static PushConsumerActor.QueueKey keyOf(MessageQueue mq) throws MQClientException {
    if (mq == null) {
      throw new MQClientException(ErrorCode.BAD_REQUEST, ErrorCode.BAD_REQUEST.format("message queue is null"));
    }
    try {
      Validation.checkTopic(mq.getTopic());
    } catch (SalvoException e) {
      throw MQClientException.of(e);
    }
    if (mq.getQueueId() < 0) {
      throw new MQClientException(ErrorCode.BAD_REQUEST, ErrorCode.BAD_REQUEST.format("queue id " + mq.getQueueId()
          + " of topic '" + mq.getTopic() + "' is negative"));
    }
    return new PushConsumerActor.QueueKey(mq.getTopic(), mq.getQueueId());
  }

  private Running requireRunning() throws MQClientException {
    Running r = running;
    if (r == null) {
      throw bad(everStarted ? "it is shut down" : "it is not started: call start() first");
    }
    return r;
  }

  private long parseConsumeTimestamp(String value) throws MQClientException {
    try {
      return ConsumeTimestamps.parse(value);
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
  }

  private MQClientException bad(String detail) {
    return new MQClientException(ErrorCode.BAD_REQUEST,
        ErrorCode.BAD_REQUEST.format("lite pull consumer of group '" + consumerGroup + "': " + detail));
  }

  // ---- settings ----

  public String getConsumerGroup() {
    return consumerGroup;
  }

  public boolean isAutoCommit() {
    return autoCommit;
  }

  /**
   * With auto-commit (default true), what a poll returned counts as consumed at the next poll and is committed every
   * second; without, only {@link #commitSync()} counts and commits it.
   */
  public void setAutoCommit(boolean autoCommit) {
    this.autoCommit = autoCommit;
  }

  public int getPullBatchSize() {
    return pullBatchSize;
  }

  /** Most messages one poll returns (default 10, as in RocketMQ; 1 to 1024, checked at start). */
  public void setPullBatchSize(int pullBatchSize) {
    this.pullBatchSize = pullBatchSize;
  }

  public int getPullThresholdForQueue() {
    return pullThresholdForQueue;
  }

  /** Most fetched, not yet polled messages held per queue (default 1000; 1 to 65535, checked at start). */
  public void setPullThresholdForQueue(int pullThresholdForQueue) {
    this.pullThresholdForQueue = pullThresholdForQueue;
  }

  public long getPollTimeoutMillis() {
    return pollTimeoutMillis;
  }

  /** How long {@link #poll()} waits for a message (default 5000 ms). */
  public void setPollTimeoutMillis(long pollTimeoutMillis) {
    this.pollTimeoutMillis = pollTimeoutMillis;
  }

  public ConsumeFromWhere getConsumeFromWhere() {
    return consumeFromWhere;
  }

  /** Where a queue without a committed offset starts (default CONSUME_FROM_FIRST_OFFSET). */
  public void setConsumeFromWhere(ConsumeFromWhere consumeFromWhere) {
    this.consumeFromWhere = consumeFromWhere;
  }

  public String getConsumeTimestamp() {
    return consumeTimestamp;
  }

  /** Where CONSUME_FROM_TIMESTAMP starts: local time {@code yyyyMMddHHmmss} (default: half an hour ago). */
  public void setConsumeTimestamp(String consumeTimestamp) {
    this.consumeTimestamp = consumeTimestamp;
  }

  public MessageModel getMessageModel() {
    return messageModel;
  }

  /**
   * CLUSTERING (default) or BROADCASTING: as for {@link DefaultMQPushConsumer#setMessageModel}, a broadcasting consumer
   * keeps offsets of its own, as the group {@code <group>%BROADCAST%<host>_<instanceName>}.
   */
  public void setMessageModel(MessageModel messageModel) {
    this.messageModel = messageModel;
  }
}
