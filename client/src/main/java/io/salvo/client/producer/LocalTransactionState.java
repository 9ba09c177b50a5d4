package io.salvo.client.producer;

/** What became of a local transaction (RocketMQ's {@code LocalTransactionState}). */
public enum LocalTransactionState {
  /** Done: the message is delivered to consumers. */
  COMMIT_MESSAGE,
  /** Undone: the message is discarded, consumers never see it. */
  ROLLBACK_MESSAGE,
  /** Not known yet (RocketMQ's spelling): the broker asks again, through {@link TransactionListener#checkLocalTransaction}. */
  UNKNOW
}
