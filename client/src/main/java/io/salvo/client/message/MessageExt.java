package io.salvo.client.message;

import java.util.Map;

/**
 * A message as a consumer receives it: the message plus where and when it was stored (RocketMQ's
 * {@code MessageExt}). {@link #getReconsumeTimes()} counts this client's redeliveries of the message.
 *
 * <p>Not thread safe; a listener may read it freely while it handles the batch.
 */
public class MessageExt extends Message {
  private String msgId;
  private String brokerName;
  private int queueId;
  private long queueOffset;
  private long bornTimestamp;
  private long storeTimestamp;
  private String bornHost;
  private String storeHost;
  private int reconsumeTimes;

  public MessageExt() {}

  /** A received message; {@code properties} are the user properties it was sent with. */
  public MessageExt(String topic, String tags, String keys, byte[] body, Map<String, String> properties) {
    super(topic, tags, keys, body);
    replaceProperties(properties);
  }

  public String getMsgId() {
    return msgId;
  }

  public void setMsgId(String msgId) {
    this.msgId = msgId;
  }

  /** The broker address the message came from. */
  public String getBrokerName() {
    return brokerName;
  }

  public void setBrokerName(String brokerName) {
    this.brokerName = brokerName;
  }

  public int getQueueId() {
    return queueId;
  }

  public void setQueueId(int queueId) {
    this.queueId = queueId;
  }

  public long getQueueOffset() {
    return queueOffset;
  }

  public void setQueueOffset(long queueOffset) {
    this.queueOffset = queueOffset;
  }

  /** When the producer made the message, epoch milliseconds. */
  public long getBornTimestamp() {
    return bornTimestamp;
  }

  public void setBornTimestamp(long bornTimestamp) {
    this.bornTimestamp = bornTimestamp;
  }

  /** When the broker stored the message, epoch milliseconds. */
  public long getStoreTimestamp() {
    return storeTimestamp;
  }

  public void setStoreTimestamp(long storeTimestamp) {
    this.storeTimestamp = storeTimestamp;
  }

  public String getBornHostString() {
    return bornHost;
  }

  public String getBornHost() {
    return bornHost;
  }

  public void setBornHost(String bornHost) {
    this.bornHost = bornHost;
  }

  public String getStoreHost() {
    return storeHost;
  }

  public void setStoreHost(String storeHost) {
    this.storeHost = storeHost;
  }

  public int getReconsumeTimes() {
    return reconsumeTimes;
  }

  public void setReconsumeTimes(int reconsumeTimes) {
    this.reconsumeTimes = reconsumeTimes;
  }

  @Override
  public String toString() {
    return "MessageExt [brokerName=" + brokerName + ", queueId=" + queueId + ", queueOffset=" + queueOffset
        + ", bornTimestamp=" + bornTimestamp + ", bornHost=" + bornHost + ", storeTimestamp=" + storeTimestamp
        + ", storeHost=" + storeHost + ", msgId=" + msgId + ", reconsumeTimes=" + reconsumeTimes
        + ", toString()=" + super.toString() + "]";
  }
}
