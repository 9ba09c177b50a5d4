package io.salvo.client.exception;

import io.salvo.core.error.ErrorCode;

/**
 * The common parent of the client's checked exceptions. Each carries the catalogued {@link ErrorCode} (the same
 * code the broker uses for the same fault) and a message naming what was wrong with which value.
 *
 * <p>The RocketMQ-named subclasses ({@link MQClientException}, {@link MQBrokerException},
 * {@link RemotingException}) are siblings, not parent and child, so that RocketMQ code which catches them in one
 * multi-catch compiles unchanged. Immutable and thread safe.
 */
public abstract class SalvoClientException extends Exception {
  private final ErrorCode errorCode;

  protected SalvoClientException(ErrorCode errorCode, String message, Throwable cause) {
    super(message, cause);
    this.errorCode = errorCode;
  }

  /** The catalogued code of this failure. */
  public ErrorCode errorCode() {
    return errorCode;
  }

  /** RocketMQ's name: the code's stable wire number. */
  public int getResponseCode() {
    return errorCode.number();
  }

  /** RocketMQ's name: the message without the code. */
  public String getErrorMessage() {
    return getMessage();
  }

  /** Whether the same request may succeed later (the code's category is UNAVAILABLE). */
  public boolean isRetriable() {
    return errorCode.category().retriable();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + ": " + errorCode + "(" + errorCode.number() + "): " + getMessage();
  }
}
