package io.salvo.client.exception;

import io.salvo.core.error.ErrorCode;

/** No answer within the time limit; code {@link ErrorCode#TIMEOUT}. A timed-out send may have been stored. */
public class RemotingTimeoutException extends RemotingException {
  public RemotingTimeoutException(String message, Throwable cause) {
    super(ErrorCode.TIMEOUT, message, cause);
  }
}
