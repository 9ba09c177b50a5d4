package io.salvo.client.producer;

import akka.Done;
import io.salvo.client.exception.MQBrokerException;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.exception.RemotingException;
import io.salvo.client.internal.ClientRuntime;
import io.salvo.client.internal.ClientSettings;
import io.salvo.client.internal.MessageConverter;
import io.salvo.client.internal.ProducerActor;
import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.protocol.v1.EndTransactionRequest;
import io.salvo.core.protocol.v1.TransactionCheck;
import io.salvo.core.protocol.v1.TransactionChecksRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A producer of transactional messages (RocketMQ's {@code TransactionMQProducer}): a message that is delivered to
 * consumers only if the producer's local transaction commits.
 *
 * <p>{@link #sendMessageInTransaction} stores the message as a half message on the broker (invisible to consumers),
 * runs {@link TransactionListener#executeLocalTransaction} and tells the broker its outcome: commit delivers the
 * message, rollback discards it, {@link LocalTransactionState#UNKNOW} leaves it open. An open transaction (also one
 * whose outcome never reached the broker, or whose producer died) is checked by the broker after its transaction
 * timeout: it asks a live producer of the same group, which runs {@link TransactionListener#checkLocalTransaction} on
 * the check executor, then again every check interval; after the broker's maximum number of checks the message is
 * discarded. For the checks, the producer keeps a stream open to one broker from {@link #start()} to
 * {@link #shutdown()} (reopened with back-off when it breaks).
 *
 * <p>Thread safety: as {@link DefaultMQProducer}; the listener is called from many threads at once.
 */
public class TransactionMQProducer extends DefaultMQProducer {
  private static final Logger log = LoggerFactory.getLogger(TransactionMQProducer.class);

  private volatile TransactionListener transactionListener;
  private volatile ExecutorService executorService;
  /** The check executor this producer made (and shuts down), when the application set none. */
  private volatile ExecutorService ownExecutor;

  /** A transactional producer of {@code producerGroup}, with the defaults of {@code salvo.client}. */
  public TransactionMQProducer(String producerGroup) {
    super(producerGroup);
  }

  /** A transactional producer with explicit settings. */
  public TransactionMQProducer(String producerGroup, ClientSettings settings) {
    super(producerGroup, settings);
  }

  /**
   * Starts the producer and opens its stream of transaction checks. Throws as {@link DefaultMQProducer#start()}.
   */
  @Override
  public void start() throws MQClientException {
    super.start();
    if (executorService == null) {
      AtomicInteger n = new AtomicInteger();
      ownExecutor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "SalvoTransactionCheck-" + getProducerGroup() + "-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    }
    String clientId = ClientRuntime.clientId(getInstanceName(), "tx-");
    actorSystem().tell(new ProducerActor.OpenTransactionChecks(TransactionChecksRequest.newBuilder()
        .setProducerGroup(getProducerGroup()).setClientId(clientId).build(), check -> answer(check, clientId)));
  }

  /** Closes the check stream and the connections, then the check executor this producer made. Idempotent. */
  @Override
  public void shutdown() {
    super.shutdown();
    ExecutorService own = ownExecutor;
    ownExecutor = null;
    if (own != null) {
      own.shutdown();
    }
  }

  /**
   * Sends {@code msg} in a transaction: stores it as a half message, runs the listener's
   * {@link TransactionListener#executeLocalTransaction executeLocalTransaction(msg, arg)} on this thread (an exception
   * counts as UNKNOW and is logged), then tells the broker the outcome. A failure of that last step is logged, not
   * thrown: the broker checks the transaction later.
   *
   * @return SEND_OK, the message id (= transaction id), its queue, queue offset -1 and the listener's state
   * @throws MQClientException when no listener is set, for a delayed message (a transaction cannot be delayed), for a
   *     message the client rejects, or a producer not started; as {@link DefaultMQProducer#send(Message)} when the
   *     half message could not be stored (the local transaction did not run then)
   */
  public TransactionSendResult sendMessageInTransaction(Message msg, Object arg)
      throws MQClientException, RemotingException, MQBrokerException, InterruptedException {
    TransactionListener listener = transactionListener;
    if (listener == null) {
      throw new MQClientException(ErrorCode.BAD_REQUEST, ErrorCode.BAD_REQUEST.format("producer group '"
          + getProducerGroup() + "' has no TransactionListener: call setTransactionListener before sending"));
    }
    if (msg != null && (msg.getDelayTimeLevel() != 0 || msg.getDeliverTimeMs() != 0)) {
      throw new MQClientException(ErrorCode.INVALID_DELAY, ErrorCode.INVALID_DELAY.format("a transactional message"
          + " cannot be delayed (delay level " + msg.getDelayTimeLevel() + ", delivery time " + msg.getDeliverTimeMs()
          + "); send it without a delay"));
    }
    SendResult half = sendHalfMessage(msg);
    String transactionId = half.getMsgId();
    msg.setTransactionId(transactionId);
    LocalTransactionState state;
    try {
      state = listener.executeLocalTransaction(msg, arg);
      if (state == null) {
        log.warn("executeLocalTransaction of transaction {} (group '{}') returned null; counted as UNKNOW",
            transactionId, getProducerGroup());
        state = LocalTransactionState.UNKNOW;
      }
    } catch (RuntimeException e) {
      log.warn("executeLocalTransaction of transaction {} (group '{}') threw; counted as UNKNOW", transactionId,
          getProducerGroup(), e);
      state = LocalTransactionState.UNKNOW;
    }
    try {
      end(transactionId, state, false, "").get();
    } catch (ExecutionException e) {
      log.warn("EndTransaction {} of transaction {} (group '{}') failed; the broker will check it: {}", state,
          transactionId, getProducerGroup(), e.getCause().getMessage());
    }
    return new TransactionSendResult(SendStatus.SEND_OK, transactionId, half.getMessageQueue(),
        half.getStoreTimestamp(), transactionId, state);
  }

  /** The broker's check of a transaction: the listener's answer, sent back; never fails. */
  private CompletionStage<Done> answer(TransactionCheck check, String clientId) {
    String transactionId = check.getTransactionId();
    CompletableFuture<LocalTransactionState> checked;
    try {
      MessageExt msg = MessageConverter.fromProto(check.getMessage(), brokerName());
      msg.setTransactionId(transactionId);
      checked = CompletableFuture.supplyAsync(() -> check(msg, check.getCheckTimes()), checkExecutor());
    } catch (Exception e) { // not running any more, or the executor refused
      log.debug("Check of transaction {} not answered: {}", transactionId, e.toString());
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return checked
        .thenCompose(state -> end(transactionId, state, true, clientId))
        .handle((ok, failure) -> {
          if (failure != null) {
            log.info("Answer to the check of transaction {} (group '{}') failed; the broker will ask again: {}",
                transactionId, getProducerGroup(), failure.getMessage());
          }
          return Done.getInstance();
        });
  }

  private LocalTransactionState check(MessageExt msg, int checkTimes) {
    TransactionListener listener = transactionListener;
    try {
      LocalTransactionState state = listener == null ? null : listener.checkLocalTransaction(msg);
      return state == null ? LocalTransactionState.UNKNOW : state;
    } catch (RuntimeException e) {
      log.warn("checkLocalTransaction of transaction {} (group '{}', check {}) threw; answered UNKNOW",
          msg.getTransactionId(), getProducerGroup(), checkTimes, e);
      return LocalTransactionState.UNKNOW;
    }
  }

  private ExecutorService checkExecutor() {
    ExecutorService set = executorService;
    return set != null ? set : ownExecutor;
  }

  /** EndTransaction with {@code state}; the stage fails with the client exception of a failed call. */
  private CompletableFuture<Void> end(String transactionId, LocalTransactionState state, boolean fromCheck,
      String clientId) {
    EndTransactionRequest request = EndTransactionRequest.newBuilder()
        .setProducerGroup(getProducerGroup())
        .setTransactionId(transactionId)
        .setResolution(switch (state) {
          case COMMIT_MESSAGE -> EndTransactionRequest.Resolution.COMMIT;
          case ROLLBACK_MESSAGE -> EndTransactionRequest.Resolution.ROLLBACK;
          case UNKNOW -> EndTransactionRequest.Resolution.UNKNOWN;
        })
        .setFromCheck(fromCheck)
        .setClientId(clientId)
        .build();
    Duration timeout = Duration.ofMillis(getSendMsgTimeout());
    CompletableFuture<io.salvo.core.protocol.v1.EndTransactionResponse> reply = new CompletableFuture<>();
    try {
      actorSystem().tell(new ProducerActor.EndTransaction(request, timeout, reply));
    } catch (MQClientException e) {
      return CompletableFuture.failedFuture(e);
    }
    return reply.orTimeout(timeout.toMillis() + 200, TimeUnit.MILLISECONDS).thenApply(r -> null);
  }

  // ---- settings ----

  public TransactionListener getTransactionListener() {
    return transactionListener;
  }

  /** The application's local transactions and their checks; needed before {@link #sendMessageInTransaction}. */
  public void setTransactionListener(TransactionListener transactionListener) {
    this.transactionListener = transactionListener;
  }

  public ExecutorService getExecutorService() {
    return executorService;
  }

  /**
   * The executor that runs {@link TransactionListener#checkLocalTransaction} (default: two daemon threads of this
   * producer). The application owns it: shutdown does not stop it.
   */
  public void setExecutorService(ExecutorService executorService) {
    this.executorService = executorService;
  }
}
