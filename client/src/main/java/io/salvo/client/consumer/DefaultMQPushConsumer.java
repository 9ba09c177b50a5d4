package io.salvo.client.consumer;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import io.salvo.client.ClientConfig;
import io.salvo.client.consumer.listener.MessageListener;
import io.salvo.client.consumer.listener.MessageListenerConcurrently;
import io.salvo.client.consumer.listener.MessageListenerOrderly;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.internal.BrokerAddress;
import io.salvo.client.internal.ClientRuntime;
import io.salvo.client.internal.ClientSettings;
import io.salvo.client.internal.ConsumeOptions;
import io.salvo.client.internal.ListenerDelivery;
import io.salvo.client.internal.PushConsumerActor;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.filter.MessageFilter;
import io.salvo.core.validation.Validation;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer to which the brokers push messages (RocketMQ's {@code DefaultMQPushConsumer}), clustering mode: the
 * members of a group share the queues of its subscribed topics, each queue consumed by one member at a time.
 *
 * <p>Life cycle: configure, {@link #subscribe}, {@link #registerMessageListener}, {@link #start()}, later
 * {@link #shutdown()}. A consumer starts once.
 *
 * <p>Delivery is at least once: offsets are committed every second (and at shutdown) up to the smallest message
 * not yet consumed, so after a crash or a rebalance a message may be delivered again. Messages of one queue reach
 * the listener in batches of at most {@code consumeMessageBatchMaxSize}: with a {@link MessageListenerConcurrently},
 * concurrently and possibly out of order; with a {@link MessageListenerOrderly}, one batch of a queue at a time in
 * offset order (a queue whose listener asks to suspend pauses for {@code suspendCurrentQueueTimeMillis}, then gets
 * the same batch again). A queue is consumed by one member of the group at a time: when the group moves it (a member
 * joins or leaves), the old owner stops it and commits before the new owner starts it from that commit.
 * At most {@code pullThresholdForQueue} messages per queue are held (the stream from the broker is backpressured
 * beyond that, plus at most one received element).
 *
 * <p>Message model: {@link MessageModel#CLUSTERING} (default) splits the topic's queues among the group's members;
 * {@link MessageModel#BROADCASTING} gives every member every message, with offsets of its own.
 *
 * <p>Starting position of a group that has no committed offset for a queue: see {@link ConsumeFromWhere}. The
 * default here is {@link ConsumeFromWhere#CONSUME_FROM_FIRST_OFFSET}: RocketMQ's nominal default is
 * CONSUME_FROM_LAST_OFFSET, but in practice a new RocketMQ group on a topic whose first messages are still stored
 * starts at the first message, and that is what Salvo does explicitly. Set CONSUME_FROM_LAST_OFFSET to skip the
 * backlog, or CONSUME_FROM_TIMESTAMP with {@link #setConsumeTimestamp} to start at a point in time.
 *
 * <p>Retries (clustering, as in RocketMQ): a message answered RECONSUME_LATER (or null, or whose listener threw) goes
 * to the group's retry topic {@code %RETRY%<group>}, to which the consumer subscribes by itself, and comes back after
 * a growing delay (10 s, 30 s, 1 m, 2 m, ... 2 h: delay levels 3 to 18) with {@link MessageExt#getReconsumeTimes()}
 * increased and its own topic; after {@link #setMaxReconsumeTimes maxReconsumeTimes} (16) retries it goes to the
 * group's dead-letter topic {@code %DLQ%<group>} (listed and resent over the admin HTTP API). An orderly listener's
 * batch is suspended and retried in place, without limit unless maxReconsumeTimes is set, then moved to the
 * dead-letter topic. Broadcasting
 * consumers redeliver a failed batch in place after 1 s, until it succeeds.
 *
 * <p>Thread safety: configuration methods are meant to be called by one thread before {@code start()};
 * {@code start()} and {@code shutdown()} may be called from any thread. The listener is called from the consume
 * thread pool: concurrently, or for an orderly listener one call per queue at a time.
 */
public class DefaultMQPushConsumer extends ClientConfig {
  private static final Logger log = LoggerFactory.getLogger(DefaultMQPushConsumer.class);
  /** The prefix of a group's retry topic, to which a clustering consumer subscribes by itself. */
  public static final String RETRY_PREFIX = "%RETRY%";
  /** The prefix of a group's dead-letter topic. */
  public static final String DLQ_PREFIX = "%DLQ%";
  /** Retries of a concurrent listener's message before the dead-letter topic, unless set (RocketMQ's 16). */
  public static final int DEFAULT_MAX_RECONSUME_TIMES = 16;

  private final String consumerGroup;
  private final ClientSettings settings;
  private final Object lifecycle = new Object();
  private final Map<String, MessageFilter> subscriptions = new LinkedHashMap<>();
  private volatile MessageListener listener;
  private volatile ConsumeFromWhere consumeFromWhere = ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET;
  private volatile MessageModel messageModel = MessageModel.CLUSTERING;
  private volatile String consumeTimestamp =
      ConsumeTimestamps.halfAnHourAgo();
  private volatile int consumeThreadMin;
  private volatile int consumeThreadMax;
  private volatile int consumeMessageBatchMaxSize;
  private volatile int pullThresholdForQueue;
  private volatile long suspendCurrentQueueTimeMillis;
  /** -1: RocketMQ's default, 16 for a concurrent listener and no limit for an orderly one. */
  private volatile int maxReconsumeTimes = -1;
  private volatile Duration consumeTimeout;
  private volatile boolean everStarted;
  private volatile Running running;

  private record Running(ActorSystem<PushConsumerActor.Command> system, ThreadPoolExecutor consumeExecutor,
      String clientId, CompletableFuture<Void> stopped, AtomicBoolean stopRequested) {
    /** Asks the consumer actor to stop (once): finish listener calls, commit, close. */
    CompletableFuture<Void> requestStop() {
      if (stopRequested.compareAndSet(false, true)) {
        system.tell(new PushConsumerActor.Shutdown(stopped));
      }
      return stopped;
    }
  }

  /** A consumer of {@code consumerGroup}, with the defaults of {@code salvo.client} in the configuration. */
  public DefaultMQPushConsumer(String consumerGroup) {
    this(consumerGroup, ClientSettings.load());
  }

  /** A consumer with explicit settings. */
  public DefaultMQPushConsumer(String consumerGroup, ClientSettings settings) {
    super(settings.namesrvAddr());
    this.consumerGroup = consumerGroup;
    this.settings = settings;
    this.consumeThreadMin = settings.consumer().consumeThreadMin();
    this.consumeThreadMax = settings.consumer().consumeThreadMax();
    this.consumeMessageBatchMaxSize = settings.consumer().consumeMessageBatchMaxSize();
    this.suspendCurrentQueueTimeMillis = settings.consumer().suspendCurrentQueueTime().toMillis();
    this.pullThresholdForQueue = settings.consumer().pullThresholdForQueue();
    this.consumeTimeout = settings.consumer().consumeTimeout();
  }

  /**
   * Subscribes to {@code topic} with a tag expression ({@code *} or empty for all, {@code TagA || TagB}). A second
   * call for the same topic replaces the expression. Throws MQClientException with INVALID_TOPIC or
   * INVALID_FILTER naming the value.
   */
  public void subscribe(String topic, String subExpression) throws MQClientException {
    subscribe(topic, MessageSelector.byTag(subExpression));
  }

  /**
   * Subscribes to {@code topic} with a tag or SQL92 selector ({@link MessageSelector#byTag},
   * {@link MessageSelector#bySql}), evaluated on the broker. A second call for the same topic replaces the selector.
   * Throws MQClientException with INVALID_TOPIC, or INVALID_FILTER naming where the expression is wrong.
   */
  public void subscribe(String topic, MessageSelector selector) throws MQClientException {
    try {
      Validation.checkTopic(topic);
      MessageFilter filter = MessageSelector.parse(selector);
      synchronized (subscriptions) {
        subscriptions.put(topic, filter);
      }
    } catch (SalvoException e) {
      throw MQClientException.of(e);
    }
  }

  /** Drops the subscription of {@code topic}; takes effect at start. */
  public void unsubscribe(String topic) {
    synchronized (subscriptions) {
      subscriptions.remove(topic);
    }
  }

  /** Sets a concurrent listener; the last one registered before start wins. */
  public void registerMessageListener(MessageListenerConcurrently messageListener) {
    this.listener = messageListener;
  }

  /** Sets an orderly listener: each queue consumed one batch at a time, in order. The last one registered wins. */
  public void registerMessageListener(MessageListenerOrderly messageListener) {
    this.listener = messageListener;
  }

  /** RocketMQ's generic form: a {@link MessageListenerConcurrently} or a {@link MessageListenerOrderly}. */
  public void registerMessageListener(MessageListener messageListener) {
    if (!(messageListener instanceof MessageListenerConcurrently)
        && !(messageListener instanceof MessageListenerOrderly)) {
      throw new IllegalArgumentException("listener " + messageListener.getClass().getName()
          + " is neither a MessageListenerConcurrently nor a MessageListenerOrderly");
    }
    this.listener = messageListener;
  }

  /**
   * Joins the group and starts consuming. Throws MQClientException: INVALID_GROUP for a bad group name,
   * BAD_REQUEST for a malformed address list, no subscription, no listener, invalid thread or batch settings, or a
   * second start.
   */
  public void start() throws MQClientException {
    synchronized (lifecycle) {
      if (everStarted) {
        throw new MQClientException(ErrorCode.BAD_REQUEST,
            "consumer group '" + consumerGroup + "' was started before; a consumer starts once");
      }
      List<BrokerAddress> addresses;
      String group;
      Map<String, MessageFilter> subs;
      synchronized (subscriptions) {
        subs = Map.copyOf(subscriptions);
      }
      try {
        Validation.checkGroup(consumerGroup);
        group = messageModel == MessageModel.BROADCASTING
            ? broadcastGroup(consumerGroup, ClientRuntime.localHost(), getInstanceName()) : consumerGroup;
        Validation.checkGroup(group);
        addresses = BrokerAddress.parseList(getNamesrvAddr(), settings.defaultPort());
      } catch (SalvoException e) {
        throw MQClientException.of(e);
      }
      long consumeTimestampMs = consumeFromWhere == ConsumeFromWhere.CONSUME_FROM_TIMESTAMP
          ? parseConsumeTimestamp(consumeTimestamp) : 0;
      MessageListener l = listener;
      if (l == null) {
        throw bad("no message listener: call registerMessageListener before start()");
      }
      if (subs.isEmpty()) {
        throw bad("no subscription: call subscribe(topic, expression) before start()");
      }
      if (consumeThreadMin < 1 || consumeThreadMax < consumeThreadMin) {
        throw bad("consumeThreadMin " + consumeThreadMin + " and consumeThreadMax " + consumeThreadMax
            + " must satisfy 1 <= min <= max");
      }
      if (consumeMessageBatchMaxSize < 1 || consumeMessageBatchMaxSize > 1024) {
        throw bad("consumeMessageBatchMaxSize " + consumeMessageBatchMaxSize + " must be between 1 and 1024");
      }
      if (pullThresholdForQueue < 1 || pullThresholdForQueue > 65535) {
        throw bad("pullThresholdForQueue " + pullThresholdForQueue + " must be between 1 and 65535");
      }
      if (suspendCurrentQueueTimeMillis < 10 || suspendCurrentQueueTimeMillis > 30_000) {
        throw bad("suspendCurrentQueueTimeMillis " + suspendCurrentQueueTimeMillis + " must be between 10 and 30000");
      }
      everStarted = true;
      String clientId = ClientRuntime.clientId(getInstanceName(), "");
      AtomicInteger n = new AtomicInteger();
      ThreadPoolExecutor executor = new ThreadPoolExecutor(consumeThreadMin, consumeThreadMax, 60, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "SalvoConsume-" + consumerGroup + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
      ClientSettings.Consumer c = settings.consumer();
      ConsumeOptions options = ConsumeOptions.of(c, consumeMessageBatchMaxSize, pullThresholdForQueue,
          c.receiveMaxBatch(), Duration.ofMillis(suspendCurrentQueueTimeMillis));
      if (messageModel == MessageModel.CLUSTERING) {
        int max = maxReconsumeTimes >= 0 ? maxReconsumeTimes
            : l instanceof MessageListenerOrderly ? Integer.MAX_VALUE : DEFAULT_MAX_RECONSUME_TIMES;
        options = options.withRetryTopic(max, consumeTimeout);
        Map<String, MessageFilter> withRetry = new LinkedHashMap<>(subs);
        withRetry.put(RETRY_PREFIX + group, MessageFilter.all());
        subs = Map.copyOf(withRetry);
      }
      PushConsumerActor.Setup setup = new PushConsumerActor.Setup(group, clientId, subs, consumeFromWhere,
          consumeTimestampMs, options, settings, addresses, new ListenerDelivery(l, executor, options));
      ActorSystem<PushConsumerActor.Command> system =
          ClientRuntime.start(PushConsumerActor.create(setup), "consumer", consumerGroup);
      Running started = new Running(system, executor, clientId, new CompletableFuture<>(), new AtomicBoolean());
      // A JVM exit (Ctrl-C) without shutdown() still commits what was consumed, before the system goes down.
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "salvo-consumer-commit",
          () -> started.requestStop().handle((done, failure) -> Done.getInstance()));
      running = started;
      log.info("Consumer group '{}' client '{}' started ({}{}); subscriptions {}; brokers {}; from {}", consumerGroup,
          clientId, messageModel, group.equals(consumerGroup) ? "" : ", offsets as group '" + group + "'", subs,
          addresses, consumeFromWhere);
    }
  }

  /**
   * The group a broadcasting member consumes as: alone in it, it gets every queue, and its offsets are its own.
   * {@code <group>%BROADCAST%<host>_<instance>} with characters a group name cannot hold replaced by '_'; a name over
   * the length limit ends in a hash of the member instead.
   */
  static String broadcastGroup(String group, String host, String instanceName) {
    String member = (host + "_" + instanceName).replaceAll("[^a-zA-Z0-9_|-]", "_");
    String name = group + "%BROADCAST%" + member;
    if (name.length() > Validation.GROUP_MAX_LENGTH) {
      name = group + "%BROADCAST%" + Integer.toHexString((host + "@" + instanceName).hashCode());
    }
    return name;
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
        ErrorCode.BAD_REQUEST.format("consumer group '" + consumerGroup + "': " + detail));
  }

  /**
   * Stops pulling, waits (at most the shutdown timeout, 10 s by default) for running listener calls, commits the
   * consumed offsets, closes the connections. Idempotent.
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
    long bound = settings.consumer().shutdownTimeout().plus(settings.requestTimeout()).toMillis() + 10_000;
    CompletableFuture<Void> stopped = r.requestStop();
    try {
      stopped.get(bound, TimeUnit.MILLISECONDS);
      r.system().getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("Consumer group '{}': shutdown did not complete in time; terminating", consumerGroup);
      r.system().terminate();
    }
    r.consumeExecutor().shutdown();
    log.info("Consumer group '{}' client '{}' shut down", consumerGroup, r.clientId());
  }

  // ---- settings ----

  public String getConsumerGroup() {
    return consumerGroup;
  }

  public String getConsumeTimestamp() {
    return consumeTimestamp;
  }

  /**
   * Where CONSUME_FROM_TIMESTAMP starts: local time to the second, {@code yyyyMMddHHmmss} as in RocketMQ (default:
   * half an hour before the consumer was created); checked at start.
   */
  public void setConsumeTimestamp(String consumeTimestamp) {
    this.consumeTimestamp = consumeTimestamp;
  }

  /**
   * Retries of a message before it goes to the dead-letter topic; -1 (the default, as in RocketMQ) means 16 for a
   * concurrent listener and no limit for an orderly one.
   */
  public int getMaxReconsumeTimes() {
    return maxReconsumeTimes;
  }

  /**
   * Sets the retries of a failed message before it goes to the group's dead-letter topic (-1..1000; -1, the default:
   * 16 for a concurrent listener, no limit for an orderly one, whose queue otherwise waits). Applies to clustering
   * consumers; set before {@code start()}.
   */
  public void setMaxReconsumeTimes(int maxReconsumeTimes) {
    if (maxReconsumeTimes < -1 || maxReconsumeTimes > 1000) {
      throw new IllegalArgumentException("maxReconsumeTimes " + maxReconsumeTimes + " must be between -1 and 1000");
    }
    this.maxReconsumeTimes = maxReconsumeTimes;
  }

  /** The consume timeout in minutes (RocketMQ's unit; default 15, from {@code salvo.client.consumer.consume-timeout}). */
  public long getConsumeTimeout() {
    return consumeTimeout.toMinutes();
  }

  /**
   * A concurrent listener call running longer than {@code minutes} has its messages retried through the group's
   * retry topic, and its late answer is ignored (clustering consumers; as RocketMQ's consumeTimeout). Set before
   * {@code start()}.
   */
  public void setConsumeTimeout(long minutes) {
    if (minutes < 1) {
      throw new IllegalArgumentException("consumeTimeout " + minutes + " must be at least 1 minute");
    }
    this.consumeTimeout = Duration.ofMinutes(minutes);
  }

  public MessageModel getMessageModel() {
    return messageModel;
  }

  /** CLUSTERING (the default: each message to one member) or BROADCASTING (every member gets every message). */
  public void setMessageModel(MessageModel messageModel) {
    this.messageModel = messageModel;
  }

  public ConsumeFromWhere getConsumeFromWhere() {
    return consumeFromWhere;
  }

  /** Where a group with no committed offset starts in a queue (default CONSUME_FROM_FIRST_OFFSET, see above). */
  public void setConsumeFromWhere(ConsumeFromWhere consumeFromWhere) {
    this.consumeFromWhere = consumeFromWhere;
  }

  public int getConsumeThreadMin() {
    return consumeThreadMin;
  }

  /** Core size of the consume thread pool (default 20). */
  public void setConsumeThreadMin(int consumeThreadMin) {
    this.consumeThreadMin = consumeThreadMin;
  }

  public int getConsumeThreadMax() {
    return consumeThreadMax;
  }

  /** Largest size of the consume thread pool (default 20; as in RocketMQ the pool's queue is unbounded). */
  public void setConsumeThreadMax(int consumeThreadMax) {
    this.consumeThreadMax = consumeThreadMax;
  }

  public int getConsumeMessageBatchMaxSize() {
    return consumeMessageBatchMaxSize;
  }

  /** Most messages per listener call (default 1). */
  public void setConsumeMessageBatchMaxSize(int consumeMessageBatchMaxSize) {
    this.consumeMessageBatchMaxSize = consumeMessageBatchMaxSize;
  }

  public int getPullThresholdForQueue() {
    return pullThresholdForQueue;
  }

  /** Most messages per queue received and not yet consumed (default 1000). */
  public void setPullThresholdForQueue(int pullThresholdForQueue) {
    this.pullThresholdForQueue = pullThresholdForQueue;
  }

  public long getSuspendCurrentQueueTimeMillis() {
    return suspendCurrentQueueTimeMillis;
  }

  /**
   * How long an orderly listener's queue pauses after SUSPEND_CURRENT_QUEUE_A_MOMENT before the same batch comes
   * again (default 1000; 10 to 30000, checked at start).
   */
  public void setSuspendCurrentQueueTimeMillis(long suspendCurrentQueueTimeMillis) {
    this.suspendCurrentQueueTimeMillis = suspendCurrentQueueTimeMillis;
  }

  /** The subscriptions, topic to normalised expression (a tag expression or a SQL92 condition). */
  public Map<String, String> getSubscription() {
    Map<String, String> out = new LinkedHashMap<>();
    synchronized (subscriptions) {
      subscriptions.forEach((topic, filter) -> out.put(topic, filter.expression()));
    }
    return Collections.unmodifiableMap(out);
  }
}
