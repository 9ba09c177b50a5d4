package io.salvo.client.consumer.listener;

/** A concurrent listener's verdict on a batch. */
public enum ConsumeConcurrentlyStatus {
  /** The batch (or, with {@link ConsumeConcurrentlyContext#setAckIndex(int)}, its head) is consumed. */
  CONSUME_SUCCESS,
  /** Deliver the batch again later. */
  RECONSUME_LATER
}
