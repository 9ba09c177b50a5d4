package io.salvo.client.exception;

import io.salvo.core.error.ErrorCode;

/**
 * No usable answer came from a broker: the connection failed or the call failed below the protocol (a gRPC
 * status). Always retriable ({@link ErrorCode#BROKER_UNAVAILABLE} or {@link ErrorCode#TIMEOUT}); a send that ends
 * with it may or may not have been stored.
 */
public class RemotingException extends SalvoClientException {
  public RemotingException(ErrorCode errorCode, String message, Throwable cause) {
    super(errorCode, message, cause);
  }
}
