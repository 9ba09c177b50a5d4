package io.salvo.client.producer;

import akka.actor.typed.ActorSystem;
import io.salvo.client.ClientConfig;
import io.salvo.client.exception.MQBrokerException;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.exception.RemotingException;
import io.salvo.client.exception.RemotingTimeoutException;
import io.salvo.client.exception.SalvoClientException;
import io.salvo.client.internal.BrokerAddress;
import io.salvo.client.internal.ClientRuntime;
import io.salvo.client.internal.ClientSettings;
import io.salvo.client.internal.Errors;
import io.salvo.client.internal.MessageConverter;
import io.salvo.client.internal.ProducerActor;
import io.salvo.client.message.Message;
import io.salvo.client.message.MessageQueue;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.validation.Validation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends messages to Salvo brokers (RocketMQ's {@code DefaultMQProducer}): synchronously, asynchronously (callback
 * or {@link CompletionStage}), one-way, and in batches.
 *
 * <p>Life cycle: configure, {@link #start()}, send, {@link #shutdown()}. A producer starts once.
 *
 * <p>Thread safety: after {@code start()} every send method may be called by any number of threads at once; one
 * producer per application is the intended use. Setters may be called at any time; a send reads the values current
 * when it begins.
 *
 * <p>Sending: each send goes to the next queue of its topic in round-robin, or, for a message with a
 * {@linkplain Message#setShardingKey sharding key}, to that key's queue; an ordered send names its queue itself
 * ({@link #send(Message, MessageQueueSelector, Object)}, {@link #send(Message, MessageQueue)}). A retriable failure (the broker is
 * unavailable, a transport error, no answer) is retried up to {@code retryTimesWhenSendFailed} times (async:
 * {@code retryTimesWhenSendAsyncFailed}) on the next broker address, all within the send timeout. Message ids are
 * made once per send, so a retried message keeps its id; a send that failed with {@link RemotingException} may
 * nevertheless have been stored.
 *
 * <p>Exceptions: {@link MQClientException} for a message or setting the client rejects before sending (with the
 * broker's error code, e.g. MESSAGE_TOO_LARGE, INVALID_TOPIC) or a producer not started; {@link MQBrokerException}
 * when the broker answered with an error; {@link RemotingException} ({@link RemotingTimeoutException} when the
 * time ran out) when no broker answered.
 */
public class DefaultMQProducer extends ClientConfig {
  private static final Logger log = LoggerFactory.getLogger(DefaultMQProducer.class);
  /** Extra time the caller waits beyond a send's own deadline for the actor's (richer) answer. */
  private static final long GUARD_MILLIS = 200;

  private final String producerGroup;
  private final ClientSettings settings;
  private final Object lifecycle = new Object();
  private volatile int sendMsgTimeout;
  private volatile int retryTimesWhenSendFailed;
  private volatile int retryTimesWhenSendAsyncFailed;
  private volatile int maxMessageSize;
  private volatile int defaultTopicQueueNums;
  private volatile Running running;
  private volatile boolean everStarted;

  /** {@code queueBrokerName}: the brokerName of the queues {@link #fetchPublishMessageQueues} returns. */
  private record Running(ActorSystem<ProducerActor.Command> system, ExecutorService callbacks, String bornHost,
      String queueBrokerName) {}

  /** A producer of {@code producerGroup}, with the defaults of {@code salvo.client} in the configuration. */
  public DefaultMQProducer(String producerGroup) {
    this(producerGroup, ClientSettings.load());
  }

  /** A producer with explicit settings. */
  public DefaultMQProducer(String producerGroup, ClientSettings settings) {
    super(settings.namesrvAddr());
    this.producerGroup = producerGroup;
    this.settings = settings;
    this.sendMsgTimeout = (int) settings.producer().sendTimeout().toMillis();
    this.retryTimesWhenSendFailed = settings.producer().retryTimesWhenSendFailed();
    this.retryTimesWhenSendAsyncFailed = settings.producer().retryTimesWhenSendAsyncFailed();
    this.maxMessageSize = settings.producer().maxMessageSize();
    this.defaultTopicQueueNums = settings.producer().defaultTopicQueueNums();
  }

  /**
   * Connects the producer. Throws MQClientException when the group name is invalid (INVALID_GROUP), the address
   * list is empty or malformed (BAD_REQUEST naming the value), or the producer was started before.
   */
  public void start() throws MQClientException {
    synchronized (lifecycle) {
      if (everStarted) {
        throw new MQClientException(ErrorCode.BAD_REQUEST,
            "producer group '" + producerGroup + "' was started before; a producer starts once");
      }
      List<BrokerAddress> addresses;
      try {
        Validation.checkGroup(producerGroup);
        addresses = BrokerAddress.parseList(getNamesrvAddr(), settings.defaultPort());
      } catch (SalvoException e) {
        throw MQClientException.of(e);
      }
      everStarted = true;
      ActorSystem<ProducerActor.Command> system =
          ClientRuntime.start(ProducerActor.create(producerGroup, settings, addresses), "producer", producerGroup);
      int threads = settings.producer().callbackThreads() > 0 ? settings.producer().callbackThreads()
          : Runtime.getRuntime().availableProcessors();
      AtomicInteger n = new AtomicInteger();
      ExecutorService callbacks = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "SalvoSendCallback-" + producerGroup + "-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      running = new Running(system, callbacks, ClientRuntime.localHost(), addresses.get(0).toString());
      log.info("Producer group '{}' started; brokers {}", producerGroup, addresses);
    }
  }

  /**
   * Stops the producer: sends still waiting fail with MQClientException (SHUTTING_DOWN); they may or may not have
   * been stored. Idempotent.
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
    r.system().tell(new ProducerActor.Stop());
    try {
      r.system().getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("Producer group '{}': actor system did not terminate in 10 s", producerGroup);
    }
    r.callbacks().shutdown();
    log.info("Producer group '{}' shut down", producerGroup);
  }

  // ---- sync ----

  /** Sends one message and waits for the broker's acknowledgement, within the send timeout. */
  public SendResult send(Message msg)
      throws MQClientException, RemotingException, MQBrokerException, InterruptedException {
    return send(msg, sendMsgTimeout);
  }

  /** Sends one message and waits at most {@code timeout} ms, retries included. */
  public SendResult send(Message msg, long timeout)
      throws MQClientException, RemotingException, MQBrokerException, InterruptedException {
    Running r = requireRunning();
    List<io.salvo.core.protocol.v1.Message> wire = convert(r, List.of(checked(msg)));
    return await(submit(r, msg.getTopic(), ProducerActor.Target.shardingKey(msg.getShardingKey()), wire, timeout,
        retryTimesWhenSendFailed), timeout);
  }

  /**
   * Sends a batch of messages of one topic in one request: they get consecutive offsets in one queue (their sharding
   * key's queue when they have one: it must then be the same for all). The result's msgId is the ids joined by ','.
   */
  public SendResult send(Collection<? extends Message> msgs)
      throws MQClientException, RemotingException, MQBrokerException, InterruptedException {
    return send(msgs, sendMsgTimeout);
  }

  /** Sends a batch, waiting at most {@code timeout} ms. */
  public SendResult send(Collection<? extends Message> msgs, long timeout)
      throws MQClientException, RemotingException, MQBrokerException, InterruptedException {
    Running r = requireRunning();
    String topic = checkedBatch(msgs);
    return await(submit(r, topic, ProducerActor.Target.shardingKey(batchShardingKey(msgs)),
        convert(r, new ArrayList<>(msgs)), timeout, retryTimesWhenSendFailed), timeout);
  }

  // ---- ordered: the caller chooses the queue ----

  /**
   * The topic's queues in queue id order, to choose from in a {@link MessageQueueSelector} (RocketMQ's
   * {@code fetchPublishMessageQueues}): from the producer's cached route while it is fresh, otherwise asked of a
   * broker within the request timeout. A queue's brokerName is the first configured broker address and is only
   * informative: any broker serves any queue, so topic and queue id alone name it.
   *
   * @throws MQClientException for an invalid topic name, an unknown topic (TOPIC_NOT_FOUND when auto-create is off),
   *     no broker answering in time, or a producer not started
   */
  public List<MessageQueue> fetchPublishMessageQueues(String topic) throws MQClientException {
    Running r = requireRunning();
    try {
      Validation.checkTopic(topic);
    } catch (SalvoException e) {
      throw MQClientException.of(e);
    }
    long timeout = settings.requestTimeout().toMillis();
    try {
      return queuesOf(r, topic, queueCount(r, topic, timeout).get());
    } catch (ExecutionException e) {
      SalvoClientException failure = toClientException(e.getCause(), timeout);
      throw failure instanceof MQClientException c ? c
          : new MQClientException(failure.errorCode(), failure.getMessage(), failure);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MQClientException(ErrorCode.BAD_REQUEST, "interrupted while fetching the queues of topic '" + topic
          + "'", e);
    }
  }

  /**
   * Sends to the queue {@code selector} picks from the topic's queues (RocketMQ's ordered send): messages sent to one
   * queue are stored, and consumed by an orderly listener, in send order. The selector runs on this thread. Retries
   * go to the same queue. Throws MQClientException when the selector throws, returns null or a queue that is not
   * one of the topic's.
   */
  public SendResult send(Message msg, MessageQueueSelector selector, Object arg)
      throws MQClientException, RemotingException, MQBrokerException, InterruptedException {
    return send(msg, selector, arg, sendMsgTimeout);
  }

  /** As {@link #send(Message, MessageQueueSelector, Object)}, waiting at most {@code timeout} ms in all. */
  public SendResult send(Message msg, MessageQueueSelector selector, Object arg, long timeout)
      throws MQClientException, RemotingException, MQBrokerException, InterruptedException {
    Running r = requireRunning();
    checked(msg);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
    CompletableFuture<SendResult> sent = queueCount(r, msg.getTopic(), timeout)
        .thenCompose(count -> submit(r, msg.getTopic(), selected(r, msg, selector, arg, count),
            convert(r, List.of(msg)), remainingMillis(deadline), retryTimesWhenSendFailed));
    return await(sent, timeout);
  }

  /**
   * The asynchronous ordered send: the queue is chosen as in {@link #send(Message, MessageQueueSelector, Object)}
   * (the selector runs on the producer's callback threads), {@code sendCallback} gets the result or the failure.
   */
  public void send(Message msg, MessageQueueSelector selector, Object arg, SendCallback sendCallback)
      throws MQClientException, RemotingException, InterruptedException {
    send(msg, selector, arg, sendCallback, sendMsgTimeout);
  }

  /** As {@link #send(Message, MessageQueueSelector, Object, SendCallback)} with a timeout in ms. */
  public void send(Message msg, MessageQueueSelector selector, Object arg, SendCallback sendCallback, long timeout)
      throws MQClientException, RemotingException, InterruptedException {
    Running r = requireRunning();
    CompletableFuture<SendResult> sent;
    try {
      MessageConverter.validate(msg, maxMessageSize);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
      sent = mapped(queueCount(r, msg.getTopic(), timeout)
          .thenApplyAsync(count -> selected(r, msg, selector, arg, count), r.callbacks())
          .thenCompose(target -> submit(r, msg.getTopic(), target, convert(r, List.of(msg)),
              remainingMillis(deadline), retryTimesWhenSendAsyncFailed)), timeout);
    } catch (SalvoException e) {
      sent = CompletableFuture.failedFuture(MQClientException.of(e));
    }
    callBack(r, sent, sendCallback);
  }

  /** Sends to one queue of the message's topic (retries go to the same queue). */
  public SendResult send(Message msg, MessageQueue mq)
      throws MQClientException, RemotingException, MQBrokerException, InterruptedException {
    return send(msg, mq, sendMsgTimeout);
  }

  /**
   * As {@link #send(Message, MessageQueue)}, waiting at most {@code timeout} ms. A queue id the topic does not have
   * fails with MQBrokerException (INVALID_QUEUE), a queue of another topic with MQClientException.
   */
  public SendResult send(Message msg, MessageQueue mq, long timeout)
      throws MQClientException, RemotingException, MQBrokerException, InterruptedException {
    Running r = requireRunning();
    ProducerActor.Target target = queueTarget(checked(msg).getTopic(), mq);
    return await(submit(r, msg.getTopic(), target, convert(r, List.of(msg)), timeout, retryTimesWhenSendFailed),
        timeout);
  }

  /** Sends a batch of one topic to one queue of it, in one request. */
  public SendResult send(Collection<? extends Message> msgs, MessageQueue mq)
      throws MQClientException, RemotingException, MQBrokerException, InterruptedException {
    return send(msgs, mq, sendMsgTimeout);
  }

  /** As {@link #send(Collection, MessageQueue)}, waiting at most {@code timeout} ms. */
  public SendResult send(Collection<? extends Message> msgs, MessageQueue mq, long timeout)
      throws MQClientException, RemotingException, MQBrokerException, InterruptedException {
    Running r = requireRunning();
    String topic = checkedBatch(msgs);
    ProducerActor.Target target = queueTarget(topic, mq);
    return await(submit(r, topic, target, convert(r, new ArrayList<>(msgs)), timeout, retryTimesWhenSendFailed),
        timeout);
  }

  private CompletableFuture<Integer> queueCount(Running r, String topic, long timeout) {
    CompletableFuture<Integer> count = new CompletableFuture<>();
    r.system().tell(new ProducerActor.GetQueueCount(topic, count));
    return count.orTimeout(Math.max(1, timeout), TimeUnit.MILLISECONDS);
  }

  private static List<MessageQueue> queuesOf(Running r, String topic, int queueCount) {
    List<MessageQueue> queues = new ArrayList<>(queueCount);
    for (int q = 0; q < queueCount; q++) {
      queues.add(new MessageQueue(topic, r.queueBrokerName(), q));
    }
    return List.copyOf(queues);
  }

  /** The selector's choice as a send target; throws (unchecked, for a future) MQClientException for a bad one. */
  private ProducerActor.Target selected(Running r, Message msg, MessageQueueSelector selector, Object arg, int queueCount) {
    if (selector == null) {
      throw new CompletionException(new MQClientException(ErrorCode.BAD_REQUEST,
          ErrorCode.BAD_REQUEST.format("the MessageQueueSelector is null")));
    }
    MessageQueue chosen;
    try {
      chosen = selector.select(queuesOf(r, msg.getTopic(), queueCount), msg, arg);
    } catch (RuntimeException e) {
      throw new CompletionException(new MQClientException(ErrorCode.BAD_REQUEST,
          ErrorCode.BAD_REQUEST.format("the MessageQueueSelector threw " + e), e));
    }
    if (chosen == null || chosen.getQueueId() >= queueCount) {
      throw new CompletionException(new MQClientException(ErrorCode.BAD_REQUEST, ErrorCode.BAD_REQUEST.format(
          "the MessageQueueSelector returned " + chosen + ", not one of the " + queueCount + " queues of topic '"
              + msg.getTopic() + "'")));
    }
    try {
      return queueTarget(msg.getTopic(), chosen);
    } catch (MQClientException e) {
      throw new CompletionException(e);
    }
  }

  private static ProducerActor.Target queueTarget(String topic, MessageQueue mq) throws MQClientException {
    if (mq == null || !topic.equals(mq.getTopic()) || mq.getQueueId() < 0) {
      throw new MQClientException(ErrorCode.BAD_REQUEST, ErrorCode.BAD_REQUEST.format(
          "queue " + mq + " is not a queue of topic '" + topic + "'"));
    }
    return ProducerActor.Target.queue(mq.getQueueId());
  }

  private static long remainingMillis(long deadlineNanos) {
    return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
  }

  // ---- async ----

  /**
   * Sends asynchronously; {@code sendCallback} is called once, on the producer's callback threads, with the result
   * or the failure (including a message rejected by client-side validation).
   *
   * @throws MQClientException when the producer is not started
   */
  public void send(Message msg, SendCallback sendCallback)
      throws MQClientException, RemotingException, InterruptedException {
    send(msg, sendCallback, sendMsgTimeout);
  }

  /** As {@link #send(Message, SendCallback)} with a timeout in ms. */
  public void send(Message msg, SendCallback sendCallback, long timeout)
      throws MQClientException, RemotingException, InterruptedException {
    Running r = requireRunning();
    callBack(r, sendAsync(r, msg, timeout), sendCallback);
  }

  private void callBack(Running r, CompletableFuture<SendResult> sent, SendCallback sendCallback) {
    sent.whenCompleteAsync((result, failure) -> {
      try {
        if (failure == null) {
          sendCallback.onSuccess(result);
        } else {
          sendCallback.onException(Errors.unwrap(failure));
        }
      } catch (RuntimeException e) {
        log.warn("SendCallback of producer group '{}' threw", producerGroup, e);
      }
    }, r.callbacks());
  }

  /**
   * Sends asynchronously and returns the result as a stage (Salvo's extension). The stage fails with a
   * {@link SalvoClientException} (wrapped in a CompletionException for dependent stages); dependent stages added
   * before completion run on the producer's callback threads.
   *
   * @throws MQClientException when the producer is not started
   */
  public CompletionStage<SendResult> sendAsync(Message msg) throws MQClientException {
    Running r = requireRunning();
    return sendAsync(r, msg, sendMsgTimeout).whenCompleteAsync((result, failure) -> { }, r.callbacks());
  }

  private CompletableFuture<SendResult> sendAsync(Running r, Message msg, long timeout) {
    try {
      MessageConverter.validate(msg, maxMessageSize);
      return mapped(submit(r, msg.getTopic(), ProducerActor.Target.shardingKey(msg.getShardingKey()),
          convert(r, List.of(msg)), timeout, retryTimesWhenSendAsyncFailed), timeout);
    } catch (SalvoException e) {
      return CompletableFuture.failedFuture(MQClientException.of(e));
    }
  }

  // ---- one-way ----

  /**
   * Sends without waiting for an answer and without retries (RocketMQ's one-way): the message may be lost. Throws
   * MQClientException for a message the client rejects or a producer not started.
   */
  public void sendOneway(Message msg) throws MQClientException, RemotingException, InterruptedException {
    Running r = requireRunning();
    List<io.salvo.core.protocol.v1.Message> wire = convert(r, List.of(checked(msg)));
    submit(r, msg.getTopic(), ProducerActor.Target.shardingKey(msg.getShardingKey()), wire, sendMsgTimeout, 0);
  }

  // ---- plumbing ----

  private Message checked(Message msg) throws MQClientException {
    try {
      MessageConverter.validate(msg, maxMessageSize);
      return msg;
    } catch (SalvoException e) {
      throw MQClientException.of(e);
    }
  }

  private String checkedBatch(Collection<? extends Message> msgs) throws MQClientException {
    try {
      return MessageConverter.validateBatch(msgs, maxMessageSize);
    } catch (SalvoException e) {
      throw MQClientException.of(e);
    }
  }

  /** The batch's common sharding key (null for none); a batch goes to one queue, so two different keys are refused. */
  private static String batchShardingKey(Collection<? extends Message> msgs) throws MQClientException {
    String key = null;
    boolean first = true;
    for (Message m : msgs) {
      String k = m.getShardingKey() == null || m.getShardingKey().isEmpty() ? null : m.getShardingKey();
      if (first) {
        key = k;
        first = false;
      } else if (!Objects.equals(key, k)) {
        throw new MQClientException(ErrorCode.BAD_REQUEST, ErrorCode.BAD_REQUEST.format("a batch goes to one queue,"
            + " so its messages must share one sharding key (or have none); got '" + key + "' and '" + k + "'"));
      }
    }
    return key;
  }

  private static List<io.salvo.core.protocol.v1.Message> convert(Running r, List<? extends Message> msgs) {
    long now = System.currentTimeMillis();
    List<io.salvo.core.protocol.v1.Message> out = new ArrayList<>(msgs.size());
    for (Message m : msgs) {
      out.add(MessageConverter.toProto(m, r.bornHost(), now));
    }
    return out;
  }

  private CompletableFuture<SendResult> submit(Running r, String topic, ProducerActor.Target target,
      List<io.salvo.core.protocol.v1.Message> wire, long timeout, int retries) {
    return submit(r, topic, target, wire, timeout, retries, false);
  }

  private CompletableFuture<SendResult> submit(Running r, String topic, ProducerActor.Target target,
      List<io.salvo.core.protocol.v1.Message> wire, long timeout, int retries, boolean halfMessage) {
    long millis = Math.max(1, timeout);
    CompletableFuture<SendResult> reply = new CompletableFuture<>();
    r.system().tell(new ProducerActor.Send(topic, target, wire, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis),
        Duration.ofMillis(millis), retries, reply, halfMessage));
    return reply.orTimeout(millis + GUARD_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** The same future with a guard timeout turned into RemotingTimeoutException. */
  private static CompletableFuture<SendResult> mapped(CompletableFuture<SendResult> f, long timeout) {
    return f.handle((result, failure) -> {
      if (failure == null) {
        return result;
      }
      throw new CompletionException(toClientException(failure, timeout));
    });
  }

  private static SalvoClientException toClientException(Throwable failure, long timeout) {
    Throwable t = Errors.unwrap(failure);
    if (t instanceof SalvoClientException e) {
      return e;
    }
    if (t instanceof TimeoutException) {
      return new RemotingTimeoutException(ErrorCode.TIMEOUT.format(timeout + " ms", "send got no answer"), t);
    }
    return Errors.fromFailure(t, "?", "send", Duration.ofMillis(timeout));
  }

  private static SendResult await(CompletableFuture<SendResult> f, long timeout)
      throws MQClientException, RemotingException, MQBrokerException, InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      SalvoClientException failure = toClientException(e.getCause(), timeout);
      if (failure instanceof MQBrokerException b) {
        throw b;
      }
      if (failure instanceof RemotingException re) {
        throw re;
      }
      if (failure instanceof MQClientException c) {
        throw c;
      }
      throw new MQClientException(failure.errorCode(), failure.getMessage(), failure);
    }
  }

  // ---- for TransactionMQProducer ----

  /**
   * Stores {@code msg} as a transaction's half message (PrepareTransaction), with a send's queue choice, retries and
   * exceptions (a retry keeps the message id, and the broker takes a repeated prepare as one); the result's msgId is
   * the transaction id.
   */
  SendResult sendHalfMessage(Message msg) throws MQClientException, RemotingException, MQBrokerException,
      InterruptedException {
    Running r = requireRunning();
    List<io.salvo.core.protocol.v1.Message> wire = convert(r, List.of(checked(msg)));
    return await(submit(r, msg.getTopic(), ProducerActor.Target.shardingKey(msg.getShardingKey()), wire,
        sendMsgTimeout, retryTimesWhenSendFailed, true), sendMsgTimeout);
  }

  /** The running producer's actor system (its connections and streams). */
  ActorSystem<ProducerActor.Command> actorSystem() throws MQClientException {
    return requireRunning().system();
  }

  /** The running producer's broker name (the first configured address), as in its MessageQueues. */
  String brokerName() throws MQClientException {
    return requireRunning().queueBrokerName();
  }

  private Running requireRunning() throws MQClientException {
    Running r = running;
    if (r == null) {
      throw new MQClientException(ErrorCode.BAD_REQUEST, "producer group '" + producerGroup + "' is "
          + (everStarted ? "shut down" : "not started: call start() first"));
    }
    return r;
  }

  // ---- settings ----

  public String getProducerGroup() {
    return producerGroup;
  }

  public int getSendMsgTimeout() {
    return sendMsgTimeout;
  }

  /** Time budget of a send in ms, retries included (default 3000). */
  public void setSendMsgTimeout(int sendMsgTimeout) {
    this.sendMsgTimeout = sendMsgTimeout;
  }

  public int getRetryTimesWhenSendFailed() {
    return retryTimesWhenSendFailed;
  }

  /** Retries of a synchronous send after a retriable failure (default 2). */
  public void setRetryTimesWhenSendFailed(int retryTimesWhenSendFailed) {
    this.retryTimesWhenSendFailed = Math.max(0, retryTimesWhenSendFailed);
  }

  public int getRetryTimesWhenSendAsyncFailed() {
    return retryTimesWhenSendAsyncFailed;
  }

  /** Retries of an asynchronous send after a retriable failure (default 2). */
  public void setRetryTimesWhenSendAsyncFailed(int retryTimesWhenSendAsyncFailed) {
    this.retryTimesWhenSendAsyncFailed = Math.max(0, retryTimesWhenSendAsyncFailed);
  }

  public int getMaxMessageSize() {
    return maxMessageSize;
  }

  /** Largest body in bytes, checked before sending with MESSAGE_TOO_LARGE (default 4 MiB). */
  public void setMaxMessageSize(int maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
  }

  public int getDefaultTopicQueueNums() {
    return defaultTopicQueueNums;
  }

  /**
   * Queue count wished for auto-created topics. Kept for RocketMQ compatibility: protocol v1 does not carry it, so
   * the broker's default queue count applies.
   */
  public void setDefaultTopicQueueNums(int defaultTopicQueueNums) {
    this.defaultTopicQueueNums = defaultTopicQueueNums;
  }
}
