package io.salvo.client.internal;

import io.grpc.StatusRuntimeException;
import io.salvo.client.exception.MQBrokerException;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.exception.RemotingConnectException;
import io.salvo.client.exception.RemotingTimeoutException;
import io.salvo.client.exception.SalvoClientException;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.protocol.v1.Status;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** The client's one mapping from protocol statuses and transport failures to its exception types. */
public final class Errors {
  private Errors() {}

  /** Whether a wire status is OK (a missing status counts as OK: proto3 omits a default message). */
  public static boolean isOk(Status status) {
    return status == null || status.getCode() == 0;
  }

  /**
   * The exception for a non-OK status the broker at {@code address} answered to {@code what} (e.g. "SendMessage
   * to topic 'T' queue 3"): always {@link MQBrokerException} with the broker's code and message.
   */
  public static MQBrokerException fromStatus(Status status, String address, String what) {
    ErrorCode code = ErrorCode.ofNumber(status.getCode());
    String detail = status.getMessage().isEmpty() ? code.template() : status.getMessage();
    String unknown = code == ErrorCode.INTERNAL && status.getCode() != ErrorCode.INTERNAL.number()
        ? " (unknown error number " + status.getCode() + ")" : "";
    return new MQBrokerException(code, what + ": broker " + address + " answered " + code + unknown + ": " + detail,
        address);
  }

  /**
   * The exception for a call that got no protocol answer: a timeout ({@link TimeoutException} or gRPC
   * DEADLINE_EXCEEDED) becomes {@link RemotingTimeoutException} (TIMEOUT), anything else
   * {@link RemotingConnectException} (BROKER_UNAVAILABLE). A client exception passes through unchanged.
   */
  public static SalvoClientException fromFailure(Throwable failure, String address, String what, Duration timeout) {
    Throwable t = unwrap(failure);
    if (t instanceof SalvoClientException e) {
      return e;
    }
    if (t instanceof SalvoException e) {
      return MQClientException.of(e);
    }
    if (t instanceof TimeoutException
        || (t instanceof StatusRuntimeException s && s.getStatus().getCode() == io.grpc.Status.Code.DEADLINE_EXCEEDED)) {
      return new RemotingTimeoutException(
          ErrorCode.TIMEOUT.format(millis(timeout), what + " at broker " + address), t);
    }
    return new RemotingConnectException(
        ErrorCode.BROKER_UNAVAILABLE.format(address, what + " failed: " + describe(t)), t);
  }

  /** Whether a failure may go away on retry: UNAVAILABLE category, transport errors. */
  public static boolean isRetriable(SalvoClientException e) {
    return e.isRetriable();
  }

  /** Strips CompletionException / ExecutionException wrappers. */
  public static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static String describe(Throwable t) {
    if (t instanceof StatusRuntimeException s) {
      return "gRPC " + s.getStatus().getCode()
          + (s.getStatus().getDescription() == null ? "" : " " + s.getStatus().getDescription());
    }
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " " + t.getMessage());
  }

  static String millis(Duration d) {
    return d.toMillis() + " ms";
  }
}
