package io.salvo.client.producer;

import io.salvo.client.message.MessageQueue;
import java.util.List;

/**
 * What a successful send returns (RocketMQ's {@code SendResult}). For a batch, {@link #getMsgId()} is the ids
 * joined by ',' (as RocketMQ does), {@link #getMsgIds()} the list, and {@link #getQueueOffset()} the offset of the
 * first message; the others follow consecutively. Immutable and thread safe.
 */
public class SendResult {
  private final SendStatus sendStatus;
  private final List<String> msgIds;
  private final MessageQueue messageQueue;
  private final long queueOffset;
  private final long storeTimestamp;

  public SendResult(SendStatus sendStatus, List<String> msgIds, MessageQueue messageQueue, long queueOffset,
      long storeTimestamp) {
    this.sendStatus = sendStatus;
    this.msgIds = List.copyOf(msgIds);
    this.messageQueue = messageQueue;
    this.queueOffset = queueOffset;
    this.storeTimestamp = storeTimestamp;
  }

  public SendStatus getSendStatus() {
    return sendStatus;
  }

  /** The message id, or a batch's ids joined by ','. */
  public String getMsgId() {
    return String.join(",", msgIds);
  }

  /** The message ids, in send order. */
  public List<String> getMsgIds() {
    return msgIds;
  }

  /** RocketMQ's broker-made id; Salvo has one id per message, so this is {@link #getMsgId()}. */
  public String getOffsetMsgId() {
    return getMsgId();
  }

  public MessageQueue getMessageQueue() {
    return messageQueue;
  }

  /** The queue offset of the (first) message. */
  public long getQueueOffset() {
    return queueOffset;
  }

  /** When the broker stored the message(s), epoch milliseconds. */
  public long getStoreTimestamp() {
    return storeTimestamp;
  }

  @Override
  public String toString() {
    return "SendResult [sendStatus=" + sendStatus + ", msgId=" + getMsgId() + ", offsetMsgId=" + getOffsetMsgId()
        + ", messageQueue=" + messageQueue + ", queueOffset=" + queueOffset + "]";
  }
}
