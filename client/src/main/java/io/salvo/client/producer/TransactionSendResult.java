package io.salvo.client.producer;

import io.salvo.client.message.MessageQueue;
import java.util.List;

/**
 * What {@link TransactionMQProducer#sendMessageInTransaction} returns (RocketMQ's {@code TransactionSendResult}): the
 * half message's id (also the transaction id), its queue, queue offset -1 (it gets one when committed), and the local
 * transaction's state as the listener answered it. Immutable and thread safe.
 */
public final class TransactionSendResult extends SendResult {
  private final String transactionId;
  private final LocalTransactionState localTransactionState;

  public TransactionSendResult(SendStatus sendStatus, String msgId, MessageQueue messageQueue, long storeTimestamp,
      String transactionId, LocalTransactionState localTransactionState) {
    super(sendStatus, List.of(msgId), messageQueue, -1, storeTimestamp);
    this.transactionId = transactionId;
    this.localTransactionState = localTransactionState;
  }

  public String getTransactionId() {
    return transactionId;
  }

  public LocalTransactionState getLocalTransactionState() {
    return localTransactionState;
  }

  @Override
  public String toString() {
    return "TransactionSendResult [sendStatus=" + getSendStatus() + ", msgId=" + getMsgId() + ", messageQueue="
        + getMessageQueue() + ", transactionId=" + transactionId + ", localTransactionState=" + localTransactionState
        + "]";
  }
}
