package io.salvo.client.producer;

import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;

/** The application's side of a transaction (RocketMQ's {@code TransactionListener}). */
public interface TransactionListener {
  /**
   * Runs the local transaction of {@code msg}, whose half message the broker has just stored, on the thread that
   * called {@link TransactionMQProducer#sendMessageInTransaction}. {@code msg.getTransactionId()} is set. An exception
   * counts as {@link LocalTransactionState#UNKNOW}.
   */
  LocalTransactionState executeLocalTransaction(Message msg, Object arg);

  /**
   * The broker asks what became of a transaction left unresolved (prepared longer ago than the broker's transaction
   * timeout, by this producer or by another of its group, possibly one that is gone). Runs on the producer's check
   * executor. {@code msg.getTransactionId()} is the id; an exception counts as {@link LocalTransactionState#UNKNOW}.
   */
  LocalTransactionState checkLocalTransaction(MessageExt msg);
}
