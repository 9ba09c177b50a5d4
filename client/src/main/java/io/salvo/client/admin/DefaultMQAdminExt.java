package io.salvo.client.admin;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import io.salvo.client.ClientConfig;
import io.salvo.client.QueryResult;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.exception.SalvoClientException;
import io.salvo.client.internal.BrokerAddress;
import io.salvo.client.internal.BrokerConnections;
import io.salvo.client.internal.ClientRuntime;
import io.salvo.client.internal.ClientSettings;
import io.salvo.client.internal.ConsumerQueries;
import io.salvo.client.internal.MessageConverter;
import io.salvo.client.message.MessageExt;
import io.salvo.client.message.MessageQueue;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.protocol.v1.QueryMessagesRequest;
import io.salvo.core.protocol.v1.QueueOffset;
import io.salvo.core.protocol.v1.StoredMessage;
import io.salvo.core.validation.Validation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The administration client, named after RocketMQ's {@code DefaultMQAdminExt}: message lookups and offset resets over
 * the broker's gRPC port ({@code setNamesrvAddr}, as for producers and consumers). {@code start()} it, call it from any
 * thread, {@code shutdown()} it.
 * <ul>
 *   <li>{@link #viewMessage}: a message by id, with its queue and offset;</li>
 *   <li>{@link #queryMessage}: messages by key ({@code msg.setKeys}) stored in a time range, newest first;</li>
 *   <li>{@link #queryMessageByTime}: messages stored in a time range, oldest first, across the topic's queues;</li>
 *   <li>{@link #resetOffsetByTimestamp}: a consumer group consumes a topic again from a time.</li>
 * </ul>
 * Failures are {@link SalvoClientException}s carrying the broker's error code (MESSAGE_NOT_FOUND, TOPIC_NOT_FOUND, ...).
 */
public class DefaultMQAdminExt extends ClientConfig {
  private final ClientSettings settings = ClientSettings.load();
  private ActorSystem<Void> system;
  private ConsumerQueries queries;
  private String brokerName;

  public DefaultMQAdminExt() {
    super(ClientSettings.load().namesrvAddr());
  }

  /** Connects (lazily) to the configured brokers. Throws MQClientException for a malformed address list. */
  public synchronized void start() throws MQClientException {
    if (system != null) {
      throw new MQClientException(ErrorCode.BAD_REQUEST, "admin client already started");
    }
    List<BrokerAddress> addresses;
    try {
      addresses = BrokerAddress.parseList(getNamesrvAddr(), settings.defaultPort());
    } catch (SalvoException e) {
      throw MQClientException.of(e);
    }
    system = ClientRuntime.start(Behaviors.empty(), "admin", "admin");
    queries = new ConsumerQueries(new BrokerConnections(addresses, system), settings.requestTimeout());
    brokerName = addresses.get(0).toString();
  }

  /** Closes the connections. Idempotent. */
  public synchronized void shutdown() {
    if (system == null) {
      return;
    }
    try {
      queries.close().get(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // closing anyway
    }
    system.terminate();
    system = null;
    queries = null;
  }

  /** The message {@code msgId} of {@code topic} (its first copy if a retried send stored it twice). */
  public MessageExt viewMessage(String topic, String msgId) throws SalvoClientException, InterruptedException {
    checkTopic(topic);
    if (msgId == null || msgId.isEmpty()) {
      throw new MQClientException(ErrorCode.BAD_REQUEST, "viewMessage needs a message id");
    }
    return convert(running().queryMessages(QueryMessagesRequest.newBuilder().setTopic(topic).setMessageId(msgId)
        .build())).get(0);
  }

  /**
   * Up to {@code maxNum} (1..1000) messages of {@code topic} with key {@code key}, stored in [{@code begin}, {@code end}]
   * (ms since the epoch), newest first.
   */
  public QueryResult queryMessage(String topic, String key, int maxNum, long begin, long end)
      throws SalvoClientException, InterruptedException {
    checkTopic(topic);
    if (key == null || key.isEmpty()) {
      throw new MQClientException(ErrorCode.INVALID_KEY, "queryMessage needs a key");
    }
    List<MessageExt> found = convert(running().queryMessages(QueryMessagesRequest.newBuilder().setTopic(topic)
        .setKey(key).setMaxMessages(maxNum).setBeginTimestampMs(begin).setEndTimestampMs(end).build()));
    return new QueryResult(System.currentTimeMillis(), found);
  }

  /** Up to {@code maxNum} (1..1000) messages of {@code topic} stored in [{@code begin}, {@code end}], oldest first. */
  public List<MessageExt> queryMessageByTime(String topic, long begin, long end, int maxNum)
      throws SalvoClientException, InterruptedException {
    checkTopic(topic);
    return convert(running().queryMessages(QueryMessagesRequest.newBuilder().setTopic(topic)
        .setMaxMessages(maxNum).setBeginTimestampMs(begin).setEndTimestampMs(end).build()));
  }

  /**
   * Sets {@code group}'s offset of every queue of {@code topic} to the first message stored at or after
   * {@code timestamp}, so the group consumes again from there; members consuming now drop their queues and get them back
   * with the new offsets at their next heartbeat. {@code isForce} is accepted for RocketMQ compatibility: the reset is
   * always forced. Answers the new offsets.
   */
  public Map<MessageQueue, Long> resetOffsetByTimestamp(String topic, String group, long timestamp, boolean isForce)
      throws SalvoClientException, InterruptedException {
    checkTopic(topic);
    try {
      Validation.checkGroup(group);
    } catch (SalvoException e) {
      throw MQClientException.of(e);
    }
    Map<MessageQueue, Long> out = new LinkedHashMap<>();
    for (QueueOffset o : running().resetOffsets(group, topic, timestamp)) {
      out.put(new MessageQueue(o.getTopic(), brokerName, o.getQueueId()), o.getOffset());
    }
    return out;
  }

  private List<MessageExt> convert(List<StoredMessage> stored) {
    List<MessageExt> out = new ArrayList<>(stored.size());
    for (StoredMessage m : stored) {
      out.add(MessageConverter.fromProto(m, brokerName));
    }
    return out;
  }

  private static void checkTopic(String topic) throws MQClientException {
    try {
      Validation.checkTopic(topic);
    } catch (SalvoException e) {
      throw MQClientException.of(e);
    }
  }

  private synchronized ConsumerQueries running() throws MQClientException {
    if (queries == null) {
      throw new MQClientException(ErrorCode.BAD_REQUEST, "admin client not started: call start() first");
    }
    return queries;
  }
}
