package io.salvo.persistence.events;

/**
 * Journal events of a transaction ({@code io.salvo.cluster.transaction.TransactionEntity}, one entity per transaction
 * id): the half message and what became of it. A transaction is prepared once, then either committed
 * ({@link CommitDecided}, then {@link CommitDelivered} once the message is in its queue), rolled back or discarded;
 * {@link CheckRequested} records each time the broker asked a producer about it. Serialized by
 * {@link SalvoEventSerializer}; names and fields are part of the stored format.
 */
public sealed interface TransactionEvent extends SalvoEvent {

  /** The half message, for queue {@code topic#queueId}; journaled before the producer is answered. */
  record TransactionPrepared(String producerGroup, String topic, int queueId, QueueEvent.MessageAppended message,
      long preparedAtMs) implements TransactionEvent {}

  /** The broker asked (or tried to ask) a producer of the group for the {@code checkTimes}-th time. */
  record CheckRequested(int checkTimes, long atMs) implements TransactionEvent {}

  /** The transaction is committed; its message is being appended to its queue. */
  record CommitDecided(boolean fromCheck) implements TransactionEvent {}

  /** The committed message is in its queue at {@code queueOffset}. */
  record CommitDelivered(long queueOffset) implements TransactionEvent {}

  /** The producer rolled the transaction back; its message is discarded. */
  record RolledBack(boolean fromCheck) implements TransactionEvent {}

  /** No producer resolved the transaction within {@code checkTimes} checks; its message is discarded. */
  record Discarded(int checkTimes) implements TransactionEvent {}
}
