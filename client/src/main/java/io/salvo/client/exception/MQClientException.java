package io.salvo.client.exception;

import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;

/**
 * A failure found by the client itself before anything was sent: an invalid topic, tag, key, property or group
 * name, an oversized or empty body, a bad address list, a client that is not started. It carries the same
 * {@link ErrorCode} the broker would have answered with.
 */
public class MQClientException extends SalvoClientException {
  public MQClientException(ErrorCode errorCode, String message) {
    super(errorCode, message, null);
  }

  public MQClientException(ErrorCode errorCode, String message, Throwable cause) {
    super(errorCode, message, cause);
  }

  /** A client-side validation failure, keeping its code and message. */
  public static MQClientException of(SalvoException e) {
    return new MQClientException(e.code(), e.getMessage(), e);
  }
}
