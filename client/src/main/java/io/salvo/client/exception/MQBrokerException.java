package io.salvo.client.exception;

import io.salvo.core.error.ErrorCode;

/**
 * The broker answered, with an error status: the code is the broker's, the message is the broker's, prefixed by
 * the address that answered. Whether retrying may help is {@link #isRetriable()}.
 */
public class MQBrokerException extends SalvoClientException {
  private final String brokerAddr;

  public MQBrokerException(ErrorCode errorCode, String message, String brokerAddr) {
    super(errorCode, message, null);
    this.brokerAddr = brokerAddr;
  }

  /** The broker address that answered ("host:port"). */
  public String getBrokerAddr() {
    return brokerAddr;
  }
}
