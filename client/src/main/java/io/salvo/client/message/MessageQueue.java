package io.salvo.client.message;

import java.util.Comparator;
import java.util.Objects;

/**
 * One queue of a topic (RocketMQ's {@code MessageQueue}). {@code brokerName} is the address of the broker that
 * served the queue (in Salvo any broker serves any queue). Equality covers all three fields. Immutable and thread
 * safe.
 */
public final class MessageQueue implements Comparable<MessageQueue> {
  private static final Comparator<MessageQueue> ORDER = Comparator.comparing(MessageQueue::getTopic)
      .thenComparing(MessageQueue::getBrokerName, Comparator.nullsFirst(Comparator.naturalOrder()))
      .thenComparingInt(MessageQueue::getQueueId);

  private final String topic;
  private final String brokerName;
  private final int queueId;

  public MessageQueue(String topic, String brokerName, int queueId) {
    this.topic = topic;
    this.brokerName = brokerName;
    this.queueId = queueId;
  }

  public String getTopic() {
    return topic;
  }

  public String getBrokerName() {
    return brokerName;
  }

  public int getQueueId() {
    return queueId;
  }

  @Override
  public int compareTo(MessageQueue o) {
    return ORDER.compare(this, o);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MessageQueue m && queueId == m.queueId && Objects.equals(topic, m.topic)
        && Objects.equals(brokerName, m.brokerName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, brokerName, queueId);
  }

  @Override
  public String toString() {
    return "MessageQueue [topic=" + topic + ", brokerName=" + brokerName + ", queueId=" + queueId + "]";
  }
}
