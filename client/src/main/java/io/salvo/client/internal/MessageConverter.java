package io.salvo.client.internal;

import com.google.protobuf.ByteString;
import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.model.DelayLevels;
import io.salvo.core.model.MessageId;
import io.salvo.core.protocol.v1.StoredMessage;
import io.salvo.core.validation.Validation;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The client's only conversion between its message types and the wire's, with the client-side checks. */
public final class MessageConverter {
  /** Broker-set properties of a delayed message, shown as {@link Message#getDeliverTimeMs()} and the delay level. */
  static final String DELIVER_TIME_PROPERTY = "TIMER_DELIVER_MS";
  static final String DELAY_LEVEL_PROPERTY = "DELAY";
  /** Set by the broker on a message in a group's retry topic: the topic it was consumed from first. */
  static final String RETRY_TOPIC_PROPERTY = "RETRY_TOPIC";

  private MessageConverter() {}

  /** Checks a message with the broker's rules; throws SalvoException with the broker's code. */
  public static void validate(Message m, int maxMessageSize) {
    if (m == null) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "message is null");
    }
    Validation.checkTopic(m.getTopic());
    Validation.checkTag(m.getTags());
    Validation.checkKeys(m.getKeysList());
    Validation.checkProperties(m.getProperties());
    Validation.checkBody(m.getBody() == null ? 0 : m.getBody().length, maxMessageSize);
    if (m.getDelayTimeLevel() != 0) {
      DelayLevels.millis(m.getDelayTimeLevel());
    }
    DelayLevels.deliverAt(m.getDelayTimeLevel(), m.getDeliverTimeMs(), 0);
  }

  /** Checks a batch: not empty, each message valid, all to one topic. Returns the topic. */
  public static String validateBatch(Collection<? extends Message> batch, int maxMessageSize) {
    if (batch == null || batch.isEmpty()) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "batch is empty");
    }
    String topic = null;
    int index = 0;
    for (Message m : batch) {
      validate(m, maxMessageSize);
      if (batch.size() > 1 && (m.getDelayTimeLevel() != 0 || m.getDeliverTimeMs() != 0)) {
        throw SalvoException.of(ErrorCode.BAD_REQUEST,
            "message " + index + " of the batch is delayed; send delayed messages one by one");
      }
      if (topic == null) {
        topic = m.getTopic();
      } else if (!topic.equals(m.getTopic())) {
        throw SalvoException.of(ErrorCode.BAD_REQUEST,
            "batch mixes topics: message 0 goes to '" + topic + "', message " + index + " to '" + m.getTopic() + "'");
      }
      index++;
    }
    return topic;
  }

  /** The wire message, with a new message id and the born time and host. */
  public static io.salvo.core.protocol.v1.Message toProto(Message m, String bornHost, long bornTimestamp) {
    return content(m)
        .setMessageId(MessageId.next())
        .setBornTimestamp(bornTimestamp)
        .setBornHost(bornHost)
        .setDelayLevel(m.getDelayTimeLevel())
        .setDeliverTimeMs(m.getDeliverTimeMs())
        .build();
  }

  /** The wire message's topic, tag, keys, body and user properties. */
  private static io.salvo.core.protocol.v1.Message.Builder content(Message m) {
    return io.salvo.core.protocol.v1.Message.newBuilder()
        .setTopic(m.getTopic())
        .setTags(m.getTags() == null ? "" : m.getTags())
        .addAllKeys(m.getKeysList())
        .setBody(ByteString.copyFrom(m.getBody()))
        .putAllProperties(m.getProperties());
  }

  /** A delivered message as the listener sees it. */
  public static MessageExt fromProto(StoredMessage stored, String brokerName) {
    io.salvo.core.protocol.v1.Message m = stored.getMessage();
    List<String> keys = m.getKeysList();
    Map<String, String> properties = m.getPropertiesMap();
    String deliverTime = properties.get(DELIVER_TIME_PROPERTY);
    String delayLevel = properties.get(DELAY_LEVEL_PROPERTY);
    String retryTopic = properties.get(RETRY_TOPIC_PROPERTY);
    if (deliverTime != null || delayLevel != null || retryTopic != null) {
      properties = new HashMap<>(properties);
      properties.remove(DELIVER_TIME_PROPERTY);
      properties.remove(DELAY_LEVEL_PROPERTY);
      properties.remove(RETRY_TOPIC_PROPERTY);
    }
    // A retried message shows the topic it was sent to, as in RocketMQ.
    String topic = retryTopic != null ? retryTopic : m.getTopic();
    MessageExt ext = new MessageExt(topic, m.getTags(), String.join(" ", keys), m.getBody().toByteArray(),
        properties);
    ext.setDeliverTimeMs(parseLong(deliverTime));
    ext.setDelayTimeLevel((int) parseLong(delayLevel));
    ext.setMsgId(m.getMessageId());
    ext.setBrokerName(brokerName);
    ext.setQueueId(stored.getQueueId());
    ext.setQueueOffset(stored.getQueueOffset());
    ext.setBornTimestamp(m.getBornTimestamp());
    ext.setBornHost(m.getBornHost());
    ext.setStoreTimestamp(stored.getStoreTimestamp());
    ext.setStoreHost(stored.getStoreHost());
    ext.setReconsumeTimes(m.getReconsumeTimes());
    return ext;
  }

  /** A delivered message as it goes back to the broker for a retry (its topic the one it was sent to). */
  public static StoredMessage toStoredProto(MessageExt m) {
    io.salvo.core.protocol.v1.Message message = content(m)
        .setMessageId(m.getMsgId())
        .setBornTimestamp(m.getBornTimestamp())
        .setBornHost(m.getBornHost() == null ? "" : m.getBornHost())
        .setReconsumeTimes(m.getReconsumeTimes())
        .build();
    return StoredMessage.newBuilder()
        .setMessage(message)
        .setQueueId(m.getQueueId())
        .setQueueOffset(m.getQueueOffset())
        .setStoreTimestamp(m.getStoreTimestamp())
        .build();
  }

  private static long parseLong(String value) {
    if (value == null) {
      return 0;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
