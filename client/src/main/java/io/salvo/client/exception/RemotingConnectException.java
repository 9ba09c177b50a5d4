package io.salvo.client.exception;

import io.salvo.core.error.ErrorCode;

/** The broker could not be reached or the call failed in transport; code {@link ErrorCode#BROKER_UNAVAILABLE}. */
public class RemotingConnectException extends RemotingException {
  public RemotingConnectException(String message, Throwable cause) {
    super(ErrorCode.BROKER_UNAVAILABLE, message, cause);
  }
}
