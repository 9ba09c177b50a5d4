package io.salvo.client.producer;

/**
 * The outcome of a successful send (RocketMQ's names). Salvo answers a send only after the journal write is
 * acknowledged, so it reports {@link #SEND_OK}; the other values exist for source compatibility.
 */
public enum SendStatus {
  SEND_OK,
  FLUSH_DISK_TIMEOUT,
  FLUSH_SLAVE_TIMEOUT,
  SLAVE_NOT_AVAILABLE
}
