package io.salvo.cluster.grpc;

import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.protocol.v1.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become wire statuses. */
public final class StatusMapper {
  private static final Logger log = LoggerFactory.getLogger(StatusMapper.class);
  public static final Status OK = Status.newBuilder().setCode(0).setMessage("ok").build();

  private StatusMapper() {}

  public static Status toStatus(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof SalvoException e) {
      return Status.newBuilder().setCode(e.code().number()).setMessage(e.getMessage()).build();
    }
    log.error("unexpected failure answered as INTERNAL", cause);
    return Status.newBuilder()
        .setCode(ErrorCode.INTERNAL.number())
        .setMessage(ErrorCode.INTERNAL.format(cause.getClass().getSimpleName() + ": " + cause.getMessage()))
        .build();
  }

  public static Status of(ErrorCode code, String message) {
    return Status.newBuilder().setCode(code.number()).setMessage(message).build();
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
